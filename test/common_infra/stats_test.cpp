#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/common/output_file.h"
#include "models/common/stats.h"

TEST_CASE("stats carry unit and description into text and JSON", "[stats]") {
  dacapo::StatsReport report;
  report.add_count("soc.dram", "reads", 42, "requests", "read requests served");
  report.add_real("soc.dram", "bandwidth", 1.5e9, "B/s", "average bandwidth");
  report.add_real("soc.acc", "util", std::nan(""), "", "utilisation (undefined when idle)");
  std::ostringstream text;
  report.write_text(text);
  CHECK(text.str().find("[soc.dram]") != std::string::npos);
  CHECK(text.str().find("read requests served") != std::string::npos);
  // Paths are sorted: soc.acc before soc.dram.
  CHECK(text.str().find("[soc.acc]") < text.str().find("[soc.dram]"));

  std::ostringstream json;
  report.write_json(json);
  const auto parsed = nlohmann::json::parse(json.str());
  CHECK(parsed["soc.dram"]["reads"]["value"] == 42);
  CHECK(parsed["soc.dram"]["reads"]["unit"] == "requests");
  CHECK(parsed["soc.dram"]["bandwidth"]["value"].get<double>() == 1.5e9);
  CHECK(parsed["soc.acc"]["util"]["value"].is_null());
  CHECK(report.find("soc.dram", "reads") == 42.0);
  CHECK_FALSE(report.find("soc.dram", "writes").has_value());
}

TEST_CASE("a stat reported twice is a programming error", "[stats]") {
  dacapo::StatsReport report;
  report.add_count("a", "x", 1, "", "");
  CHECK_THROWS_AS(report.add_count("a", "x", 2, "", ""), std::logic_error);
}

TEST_CASE("atomic output: complete file or nothing", "[output]") {
  const std::string path = "/tmp/dacapo_output_test.txt";
  std::remove(path.c_str());
  dacapo::write_file_atomically(path, [](std::ostream& os) { os << "complete\n"; });
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  CHECK(line == "complete");

  const std::string failing = "/tmp/dacapo_output_fail.txt";
  std::remove(failing.c_str());
  CHECK_THROWS(dacapo::write_file_atomically(failing, [](std::ostream&) { throw std::runtime_error("boom"); }));
  // The temporary stays behind only as .tmp, never under the final name.
  CHECK_FALSE(std::ifstream(failing).good());
  std::remove((failing + ".tmp").c_str());
  CHECK_THROWS_WITH(dacapo::write_file_atomically("/nonexistent/dir/x", [](std::ostream&) {}),
                    Catch::Contains("/nonexistent/dir/x"));
}
