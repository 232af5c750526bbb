#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "models/common/params.h"

namespace {

enum class Mode { Fast, Exact };

}  // namespace

DACAPO_PARAM_ENUM(Mode, {Mode::Fast, "fast"}, {Mode::Exact, "exact"});

namespace {

struct ExampleConfig {
  uint32_t channels = 16;
  double clock_mhz = 500.0;
  bool trace = false;
  std::string name = "acc";
  Mode mode = Mode::Fast;
  int32_t offset = -3;

  template <class V>
  void visit_params(V& v) {
    v("channels", channels, "", "number of channels");
    v("clock_mhz", clock_mhz, "MHz", "clock frequency");
    v("trace", trace, "", "enable tracing");
    v("name", name, "", "instance name");
    v("mode", mode, "", "fidelity");
    v("offset", offset, "cycles", "signed offset");
  }
  void validate() const {
    if (channels == 0) throw dacapo::ParamError("channels: must be at least 1");
  }
};

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = std::string("/tmp/dacapo_params_test_") + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("defaults come from the struct and are listed with unit and help", "[params]") {
  const auto docs = dacapo::describe_config<ExampleConfig>("soc.x");
  REQUIRE(docs.size() == 6);
  CHECK(docs[0].key == "soc.x.channels");
  CHECK(docs[0].default_value == "16");
  CHECK(docs[1].unit == "MHz");
  CHECK(docs[1].default_value == "500");
  CHECK(docs[4].default_value == "fast");
  CHECK(docs[4].type == "fast|exact");
  std::ostringstream table;
  dacapo::print_param_table(table, docs);
  CHECK(table.str().find("soc.x.clock_mhz") != std::string::npos);
  CHECK(table.str().find("clock frequency") != std::string::npos);
}

TEST_CASE("set overrides: last one wins and all types parse", "[params]") {
  dacapo::ParamStore store;
  store.set_assignment("soc.x.channels=4");
  store.set_assignment("soc.x.channels = 8");
  store.set_assignment("soc.x.clock_mhz=250.5");
  store.set_assignment("soc.x.trace=yes");
  store.set_assignment("soc.x.mode=exact");
  store.set_assignment("soc.x.offset=-7");
  store.set_assignment("soc.x.name=top");
  const auto cfg = dacapo::load_config<ExampleConfig>(store, "soc.x");
  CHECK(cfg.channels == 8);
  CHECK(cfg.clock_mhz == 250.5);
  CHECK(cfg.trace);
  CHECK(cfg.mode == Mode::Exact);
  CHECK(cfg.offset == -7);
  CHECK(cfg.name == "top");
  CHECK(store.unconsumed().empty());
}

TEST_CASE("bad values name the key and origin", "[params]") {
  dacapo::ParamStore store;
  store.set_assignment("soc.x.channels=many");
  CHECK_THROWS_WITH(dacapo::load_config<ExampleConfig>(store, "soc.x"),
                    Catch::Contains("soc.x.channels") && Catch::Contains("--set") && Catch::Contains("many"));
  dacapo::ParamStore negative;
  negative.set_assignment("soc.x.channels=-1");
  CHECK_THROWS_AS(dacapo::load_config<ExampleConfig>(negative, "soc.x"), dacapo::ParamError);
  dacapo::ParamStore overflow;
  overflow.set_assignment("soc.x.offset=99999999999");
  CHECK_THROWS_AS(dacapo::load_config<ExampleConfig>(overflow, "soc.x"), dacapo::ParamError);
  dacapo::ParamStore bad_enum;
  bad_enum.set_assignment("soc.x.mode=slow");
  CHECK_THROWS_WITH(dacapo::load_config<ExampleConfig>(bad_enum, "soc.x"), Catch::Contains("fast|exact"));
  dacapo::ParamStore zero;
  zero.set_assignment("soc.x.channels=0");
  CHECK_THROWS_WITH(dacapo::load_config<ExampleConfig>(zero, "soc.x"), Catch::Contains("at least 1"));
  CHECK_THROWS_AS(zero.set_assignment("no_equals_sign"), dacapo::ParamError);
}

TEST_CASE("INI files: sections and comments and errors with file and line", "[params]") {
  const auto good = write_temp("good.ini", "# comment\n[soc.x]\nchannels = 2 ; trailing\n\nclock_mhz=100\n");
  dacapo::ParamStore store;
  store.load_ini(good);
  const auto cfg = dacapo::load_config<ExampleConfig>(store, "soc.x");
  CHECK(cfg.channels == 2);
  CHECK(cfg.clock_mhz == 100.0);

  const auto bad_line = write_temp("bad_line.ini", "[soc.x]\nchannels 2\n");
  dacapo::ParamStore s2;
  CHECK_THROWS_WITH(s2.load_ini(bad_line), Catch::Contains("bad_line.ini:2"));
  const auto bad_section = write_temp("bad_section.ini", "\n\n[soc.x\n");
  CHECK_THROWS_WITH(s2.load_ini(bad_section), Catch::Contains("bad_section.ini:3"));
  CHECK_THROWS_WITH(s2.load_ini("/nonexistent/dacapo.ini"), Catch::Contains("/nonexistent/dacapo.ini"));

  const auto bad_value = write_temp("bad_value.ini", "[soc.x]\n\nclock_mhz = fast\n");
  dacapo::ParamStore s3;
  s3.load_ini(bad_value);
  CHECK_THROWS_WITH(dacapo::load_config<ExampleConfig>(s3, "soc.x"),
                    Catch::Contains("bad_value.ini:3") && Catch::Contains("soc.x.clock_mhz"));
}

TEST_CASE("unknown keys are reported with their origin", "[params]") {
  dacapo::ParamStore store;
  store.set_assignment("soc.x.chanels=3");
  store.set_assignment("soc.x.channels=3");
  (void)dacapo::load_config<ExampleConfig>(store, "soc.x");
  const auto left = store.unconsumed();
  REQUIRE(left.size() == 1);
  CHECK(left[0] == "soc.x.chanels (--set)");
  CHECK_THROWS_WITH(store.require_all_consumed(), Catch::Contains("soc.x.chanels"));
}

TEST_CASE("the effective config dump loads back to the same values", "[params]") {
  dacapo::ParamStore store;
  store.set_assignment("soc.x.clock_mhz=0.1");
  store.set_assignment("soc.x.mode=exact");
  const auto cfg = dacapo::load_config<ExampleConfig>(store, "soc.x");
  std::ostringstream ini;
  dacapo::write_param_ini(ini, dacapo::describe_config("soc.x", cfg));
  const auto path = write_temp("dump.ini", ini.str());
  dacapo::ParamStore reloaded;
  reloaded.load_ini(path);
  const auto again = dacapo::load_config<ExampleConfig>(reloaded, "soc.x");
  CHECK(again.clock_mhz == 0.1);
  CHECK(again.mode == Mode::Exact);
  CHECK(again.channels == cfg.channels);
  CHECK(reloaded.unconsumed().empty());
}
