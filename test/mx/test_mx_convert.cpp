// mx-convert (models/mx/tools) run as a process on golden rows and on malformed input.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "test/mx/csv_rows.h"

using namespace dacapo::mx::test;

namespace {

struct Result {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_path(const std::string& name) {
  return "/tmp/dacapo_mx_convert_" + std::to_string(::getpid()) + "_" + name;
}

// Runs mx-convert with the given arguments on `input` (written to a file, passed with --input).
Result run_tool(const std::string& args, const std::string& input) {
  const std::string in = temp_path("in.csv"), out = temp_path("out.csv"), err = temp_path("err.txt");
  std::ofstream(in) << input;
  const std::string cmd = std::string("'") + MX_CONVERT_PATH + "' " + args + " --input '" + in + "' >'" + out +
                          "' 2>'" + err + "'";
  const int status = std::system(cmd.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string join(const std::vector<std::string>& cells, size_t first, size_t last) {
  std::string s;
  for (size_t i = first; i < last; ++i) s += (i > first ? "," : "") + cells[i];
  return s;
}

const std::string kHeader = "fmt,x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11,x12,x13,x14,x15\n";
}  // namespace

TEST_CASE("mx-convert: dequantized output matches every quant.csv row", "[mx][tool]") {
  const auto rows = read_csv(data_path("quant.csv"));
  std::string input = kHeader;
  for (const auto& row : rows) input += row.cells[0] + "," + join(row.cells, 2, 18) + "\n";
  const Result r = run_tool("", input);
  REQUIRE(r.exit_code == 0);
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == rows.size() + 1);
  CHECK(out[0].rfind("fmt,y0,", 0) == 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("quant.csv line " << rows[i].line);
    const auto cells = split(out[i + 1], ',');
    REQUIRE(cells.size() == 17);
    CHECK(cells[0] == rows[i].cells[0]);
    for (size_t e = 0; e < 16; ++e) REQUIRE(float_from_hex(cells[1 + e]) == float_from_hex(rows[i].cells[18 + e]));
  }
}

TEST_CASE("mx-convert --encode: fields match every encode.csv row", "[mx][tool]") {
  const auto rows = read_csv(data_path("encode.csv"));
  std::string input;  // no header this time: none is written
  for (const auto& row : rows) input += row.cells[0] + "," + join(row.cells, 2, 18) + "\n";
  const Result r = run_tool("--encode", input);
  REQUIRE(r.exit_code == 0);
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("encode.csv line " << rows[i].line);
    REQUIRE(out[i] == rows[i].cells[0] + "," + join(rows[i].cells, 2, rows[i].cells.size()));
  }
}

TEST_CASE("mx-convert: malformed lines give the line number and a non-zero exit, no output", "[mx][tool]") {
  const std::string good = "MX6,3f800000,3f000000,00000000,80000000,40490fdb,c0490fdb,3a83126f,ba83126f,"
                           "3f800000,3f000000,00000000,80000000,40490fdb,c0490fdb,3a83126f,ba83126f\n";
  const struct { std::string bad; std::string says; } cases[] = {
      {"MX6,3f800000\n", "expected 17"},
      {"MX7" + good.substr(3), "unknown format 'MX7'"},
      {"MX6,3f80000g" + good.substr(12), "x0"},
      {"MX6,3f8000001" + good.substr(12), "8 hex digits"},
  };
  for (const auto& c : cases) {
    INFO(c.bad);
    const Result r = run_tool("", kHeader + good + good + c.bad + good);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find(":4:") != std::string::npos);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.out.empty());
  }
  const Result bad_option = run_tool("--rounding up", good);
  CHECK(bad_option.exit_code != 0);
  CHECK(bad_option.err.find("rounding") != std::string::npos);
}

TEST_CASE("mx-convert: --help, rounding modes and stats", "[mx][tool]") {
  const Result help = run_tool("--help", "");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--encode") != std::string::npos);
  CHECK(help.out.find("--rounding") != std::string::npos);

  // MX9, block max 1.0 (E = 127, k = −6 for pair 0): x1 = 41.5 LSB is a tie → 41 truncated, 42 nearest-even.
  const std::string tie = "MX9,3f800000,3f260000,00000000,00000000,00000000,00000000,00000000,00000000,"
                          "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000\n";
  const Result trunc = run_tool("", tie), rne = run_tool("--rounding nearest-even", tie);
  REQUIRE(trunc.exit_code == 0);
  REQUIRE(rne.exit_code == 0);
  CHECK(split(trunc.out, ',').at(2) == "3f240000");  // 41·2^-6
  CHECK(split(rne.out, ',').at(2) == "3f280000");    // 42·2^-6

  std::string many;
  for (int i = 0; i < 50; ++i) many += tie;
  const Result s1 = run_tool("--rounding stochastic --seed 5", many), s2 = run_tool("--rounding stochastic --seed 5", many);
  CHECK(s1.exit_code == 0);
  CHECK(s1.out == s2.out);
  CHECK(s1.out.find("3f240000") != std::string::npos);  // both neighbours occur over 50 draws of a tie
  CHECK(s1.out.find("3f280000") != std::string::npos);

  const std::string with_inf = "MX4,7f800000" + tie.substr(12);
  const Result stats = run_tool("--stats", with_inf + tie);
  CHECK(stats.exit_code == 0);
  CHECK(stats.err.find("2 blocks, 1 NaN blocks") != std::string::npos);
  CHECK(split(lines_of(stats.out).at(0), ',').at(1) == "7fc00000");
}
