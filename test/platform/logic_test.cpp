// Pure logic of the front end: time/window parsing, the VCD window filter, command-line parsing.
#include <catch2/catch.hpp>

#include <sstream>

#include "platform/cli_options.h"
#include "platform/vcd_window.h"

using namespace dacapo::platform;

TEST_CASE("times parse with units into picoseconds") {
  CHECK(parse_time_ps("2.5ms") == 2'500'000'000ull);
  CHECK(parse_time_ps("100us") == 100'000'000ull);
  CHECK(parse_time_ps("40ns") == 40'000ull);
  CHECK(parse_time_ps("3s") == 3'000'000'000'000ull);
  CHECK(parse_time_ps("0.001") == 1'000'000'000ull);
  CHECK_THROWS_WITH(parse_time_ps("5 parsecs"), Catch::Contains("'5 parsecs'"));
  CHECK_THROWS_AS(parse_time_ps("-1ms"), std::invalid_argument);
  CHECK_THROWS_AS(parse_time_ps(""), std::invalid_argument);
}

TEST_CASE("windows may be open on either side") {
  CHECK(parse_window("1ms:2ms").start_ps == 1'000'000'000ull);
  CHECK(parse_window(":2ms").start_ps == 0);
  CHECK(parse_window("1ms:").end_ps == UINT64_MAX);
  CHECK_THROWS_WITH(parse_window("2ms:1ms"), Catch::Contains("end before start"));
  CHECK_THROWS_WITH(parse_window("2ms"), Catch::Contains("start:end"));
}

namespace {
const char* kVcd =
    "$date today $end\n"
    "$timescale\n  1 ns\n$end\n"
    "$scope module soc $end\n"
    "$var wire 1 ! irq $end\n"
    "$var wire 8 \" phase [7:0] $end\n"
    "$upscope $end\n"
    "$enddefinitions  $end\n"
    "\n#0\n$dumpvars\n0!\nb0 \"\n$end\n"
    "#10\n1!\n"
    "#20\nb11 \"\n"
    "#30\n0!\n"
    "#40\nb100 \"\n"
    "#50\n1!\n";
}

TEST_CASE("the VCD filter dumps the state at the window start and the changes inside") {
  std::istringstream in(kVcd);
  std::ostringstream out;
  filter_vcd(in, out, TimeWindow{25'000, 40'000});  // 25 ns .. 40 ns
  const std::string s = out.str();
  CHECK_THAT(s, Catch::Contains("$enddefinitions"));
  CHECK_THAT(s, Catch::Contains("#25\n$dumpvars\n1!\nb11 \"\n$end\n#30\n0!\n#40\nb100 \"\n"));
  CHECK_THAT(s, !Catch::Contains("#50"));
  CHECK_THAT(s, !Catch::Contains("#10"));
}

TEST_CASE("the VCD filter keeps everything for an open window and rejects garbage") {
  std::istringstream in(kVcd);
  std::ostringstream out;
  filter_vcd(in, out, TimeWindow{});
  CHECK_THAT(out.str(), Catch::Contains("#50\n1!"));
  std::istringstream bad("$var wire 1 ! x $end\n");
  std::ostringstream sink;
  CHECK_THROWS_WITH(filter_vcd(bad, sink, TimeWindow{}), Catch::Contains("enddefinitions"));
}

TEST_CASE("command line options are parsed and checked") {
  const char* argv[] = {"dacapo-vp", "--config", "a.ini", "-c", "b.ini", "--set", "x=1", "--set", "y=2",
                        "--seed", "9", "--vcd", "w.vcd", "--trace", "cpu,acc", "--trace", "dram", "--quiet"};
  const CliOptions o = parse_cli(int(std::size(argv)), argv);
  CHECK(o.configs == std::vector<std::string>{"a.ini", "b.ini"});
  CHECK(o.sets == std::vector<std::string>{"x=1", "y=2"});
  CHECK(o.seed == 9);
  CHECK(o.trace == std::vector<std::string>{"cpu", "acc", "dram"});
  CHECK(o.quiet);
  CHECK(o.firmware == "gemm_selftest");
  const char* bad_seed[] = {"dacapo-vp", "--seed", "abc"};
  CHECK_THROWS_AS(parse_cli(3, bad_seed), CliError);
  const char* window_only[] = {"dacapo-vp", "--vcd-window", "1ms:2ms"};
  CHECK_THROWS_WITH(parse_cli(3, window_only), Catch::Contains("needs --vcd"));
}
