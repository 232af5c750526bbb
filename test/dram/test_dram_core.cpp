// LPDDR5 scheduler, timing formulas, address map, config/memspec and trace parsing: plain C++ (no SystemC).
// Expected values are sums of the published parameters (test/data/lpddr5/) or physical bounds, not model output.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "models/dram/stl_trace.h"
#include "models/dram/timing.h"
#include "test/dram/dram_test_util.h"

using namespace dram_test;
using dacapo::ParamError;
using dacapo::ParamStore;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = std::string(DACAPO_TEST_TMP_DIR) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string memspec_path() { return std::string(DACAPO_TEST_DATA_DIR) + "/lpddr5/lpddr5-6400_x16_16Gb_BG_memspec.json"; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// Latency of a single request issued into an idle DRAM at `arrival`.
int64_t latency_of(DramScheduler& dram, uint64_t address, uint64_t length, int64_t arrival, bool write = false) {
  return dram.access(Request{address, length, write, arrival}) - arrival;
}

}  // namespace

TEST_CASE("timing formulas match the published LPDDR5-6400 relations") {
  const DramConfig c;
  // test/data/lpddr5/lpddr5_6400_params.csv: RD->PRE = BL/n_min + tRBTP = 2 + 6 (Ramulator nRTP = 8).
  CHECK(read_to_precharge(c) == 8);
  CHECK(burst_cycles(c) == 2);  // 16 beats, 8 beats per CK at WCK:CK 4:1 DDR
  CHECK(write_to_read_other_group(c) == 9 + 2 + 5);
  CHECK(write_to_read_same_group(c) == 9 + 4 + 10);
  CHECK(write_to_precharge(c) == 9 + 2 + 1 + 28);
  CHECK(read_to_write(c) == 12);  // Ramulator nCL + nBL_min + 2 - nCWL = 17 + 2 + 2 - 9
  CHECK(c.peak_bytes_per_s_per_channel() == Approx(12.8e9));  // x16 at 6400 MT/s
  CHECK(c.peak_bytes_per_s_per_channel() * c.channels == Approx(204.8e9));
  CHECK(c.capacity_bytes() == (uint64_t{2} << 30) * 16);  // 16 Gb per channel
}

TEST_CASE("the rule table holds every constraint of the issue") {
  const auto rules = build_timing_rules(DramConfig{});
  auto has = [&](Command from, Command to, Scope scope, uint32_t delay) {
    for (const auto& r : rules)
      if (r.from == from && r.to == to && r.scope == scope && r.delay == delay) return true;
    return false;
  };
  CHECK(has(Command::Act, Command::Rd, Scope::Bank, 15));       // tRCD
  CHECK(has(Command::Pre, Command::Act, Scope::Bank, 15));      // tRPpb
  CHECK(has(Command::Act, Command::Pre, Scope::Bank, 34));      // tRAS
  CHECK(has(Command::Act, Command::Act, Scope::Bank, 49));      // tRC
  CHECK(has(Command::Act, Command::Act, Scope::Channel, 4));    // tRRD
  CHECK(has(Command::Rd, Command::Rd, Scope::Channel, 2));      // tCCD_S
  CHECK(has(Command::Rd, Command::Rd, Scope::BankGroup, 4));    // tCCD_L
  CHECK(has(Command::Wr, Command::Rd, Scope::Channel, 16));     // WL + BL/n + tWTR_S
  CHECK(has(Command::Wr, Command::Rd, Scope::BankGroup, 23));   // WL + BL/n_L + tWTR_L
  CHECK(has(Command::Rd, Command::Wr, Scope::Channel, 12));     // RTW
  CHECK(has(Command::Wr, Command::Pre, Scope::Bank, 40));       // tWR path
  CHECK(has(Command::RefAll, Command::Act, Scope::Channel, 224));
  CHECK(has(Command::RefBank, Command::Act, Scope::Bank, 112));
}

TEST_CASE("default address map spreads 64 B lines over channels then bank groups and keeps a line in one bank") {
  const DramConfig c;
  const AddressMap map(c);
  CHECK(map.text() == "byte:5 column:1 channel:4 bankgroup:2 bank:2 column:5 row:16");
  for (uint64_t line = 0; line < 256; ++line) {
    const auto a = map.decode(line * 64);
    const auto b = map.decode(line * 64 + 63);
    CHECK(a.channel == line % 16);
    CHECK(a.bank_group == (line / 16) % 4);
    CHECK(a.bank == b.bank);
    CHECK(a.row == b.row);
    CHECK(a.channel == b.channel);
    CHECK(map.encode(a) == line * 64);
  }
  // The highest byte of the capacity decodes to the last row.
  const auto last = map.decode(c.capacity_bytes() - 1);
  CHECK(last.row == c.rows - 1);
  CHECK(last.channel == c.channels - 1);
}

TEST_CASE("a custom address map with split fields decodes every bit where the map string puts it") {
  DramConfig c;
  c.address_map = "byte:3 column:2 byte:2 bank:1 row:3 channel:2 column:4 bankgroup:2 row:10 bank:1 channel:2 row:3";
  c.validate();
  const AddressMap map(c);
  // Independent decode straight from the map text: walk the tokens, take `bits` address bits for each field.
  auto expected = [&](uint64_t a) {
    std::istringstream in(c.address_map);
    std::string token;
    std::map<std::string, uint32_t> value, filled;
    uint32_t pos = 0;
    while (in >> token) {
      const std::string field = token.substr(0, token.find(':'));
      const uint32_t bits = uint32_t(std::stoul(token.substr(token.find(':') + 1)));
      for (uint32_t i = 0; i < bits; ++i) value[field] |= uint32_t((a >> (pos + i)) & 1u) << (filled[field] + i);
      filled[field] += bits;
      pos += bits;
    }
    return value;
  };
  std::mt19937_64 rng(9);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t a = rng() % c.capacity_bytes();
    const auto d = map.decode(a);
    auto e = expected(a);
    REQUIRE(d.channel == e["channel"]);
    REQUIRE(d.bank_group == e["bankgroup"]);
    REQUIRE(d.bank == e["bankgroup"] * (c.banks / c.bank_groups) + e["bank"]);
    REQUIRE(d.row == e["row"]);
    REQUIRE(d.column == e["column"]);
    REQUIRE(map.encode(d) == (a & ~uint64_t{0x67}));  // encode clears the byte field (address bits 0-2, 5-6)
  }
}

TEST_CASE("an address map that does not fit the geometry is rejected with the key") {
  DramConfig c;
  c.address_map = "byte:5 column:6 channel:4 bankgroup:2 bank:2 row:15";
  CHECK_THAT(error_of([&] { c.validate(); }), Catch::Contains("address_map") && Catch::Contains("row"));
  c.address_map = "byte:5 col:6";
  CHECK_THAT(error_of([&] { c.validate(); }), Catch::Contains("unknown field 'col'"));
}

TEST_CASE("unloaded read latency on a row miss is tRCD + tCCD_L + RL + burst") {
  DramScheduler dram(config(1, RefreshMode::Off));
  const DramConfig& c = dram.config();
  // 64 B = two BL16 bursts in one bank: ACT, RD after tRCD, second RD tCCD_L later, data RL + burst after it.
  const int64_t expected = c.t_rcd + c.t_ccd_l + c.rl + c.burst_length / (c.data_rate * c.wck_ratio);
  CHECK(expected == 15 + 4 + 17 + 2);
  CHECK(latency_of(dram, 0, 64, 100) == expected);
  // One 32 B burst: tRCD + RL + burst.
  CHECK(latency_of(dram, 64 * 4, 32, 1000) == 15 + 17 + 2);
  CHECK(unloaded_read_latency_miss(c, 2) == expected);
}

TEST_CASE("unloaded read latency on a row hit is tCCD_L + RL + burst") {
  DramScheduler dram(config(1, RefreshMode::Off));
  latency_of(dram, 0, 64, 0);  // opens the row
  CHECK(latency_of(dram, 0x40 * 16, 64, 1000) == 4 + 17 + 2);  // same bank, next column of the same row
  CHECK(latency_of(dram, 0, 32, 2000) == 17 + 2);
  CHECK(dram.summary().row_hits == 2);
  CHECK(dram.summary().row_misses == 1);
}

TEST_CASE("unloaded read latency on a row conflict adds tRP") {
  DramScheduler dram(config(1, RefreshMode::Off));
  const AddressMap& map = dram.address_map();
  DecodedAddress where;
  where.bank = 5;
  where.bank_group = 1;
  where.row = 7;
  latency_of(dram, map.encode(where), 64, 0);
  where.row = 8;
  CHECK(latency_of(dram, map.encode(where), 64, 1000) == 15 + 15 + 4 + 17 + 2);
  CHECK(dram.summary().row_conflicts == 1);
}

TEST_CASE("unloaded write latency is tRCD + tCCD_L + WL + burst") {
  DramScheduler dram(config(1, RefreshMode::Off));
  CHECK(latency_of(dram, 0, 64, 10, true) == 15 + 4 + 9 + 2);
}

TEST_CASE("open-loop requests spaced wider than their latency see the unloaded latency") {
  DramScheduler dram(config(1, RefreshMode::Off));
  // 64 B reads every 100 cycles, walking through the 16 banks of one row set: each bank's first access is a
  // miss (tRCD + tCCD_L + RL + burst = 38 CK), later ones are row hits (23 CK); nothing queues.
  const int n = 64;
  for (int i = 0; i < n; ++i) dram.submit(Request{uint64_t(i) * 64, 64, false, int64_t(i) * 100});
  dram.drain();
  const DramSummary s = dram.summary();
  CHECK(s.row_misses == 16);
  CHECK(s.row_hits == uint64_t(n - 16));
  CHECK(s.latency.max_ns == Approx(38 * 1.25));
  CHECK(s.latency.p50_ns == Approx(23 * 1.25));
  CHECK(s.latency.avg_ns == Approx((16 * 38 + (n - 16) * 23) * 1.25 / n));
}

TEST_CASE("sequential reads reach 85 to 95 percent of peak on one channel with all-bank refresh") {
  DramScheduler dram(config(1, RefreshMode::AllBank));
  const DramSummary s = run_closed_loop(dram, sequential_reads(40000));
  const double efficiency = s.bandwidth_bytes_per_s / s.peak_bytes_per_s;
  INFO("efficiency " << efficiency);
  CHECK(efficiency >= 0.85);
  CHECK(efficiency <= 0.95);
  CHECK(s.refreshes > 0);
}

TEST_CASE("sequential reads reach 85 to 95 percent of peak on 16 channels with all-bank refresh") {
  DramScheduler dram(config(16, RefreshMode::AllBank));
  const DramSummary s = run_closed_loop(dram, sequential_reads(100000));
  const double efficiency = s.bandwidth_bytes_per_s / s.peak_bytes_per_s;
  INFO("efficiency " << efficiency);
  CHECK(efficiency >= 0.85);
  CHECK(efficiency <= 0.95);
  CHECK(s.peak_bytes_per_s == Approx(204.8e9));
}

TEST_CASE("a stream hitting one bank with a new row every access gets one line per tRC") {
  DramScheduler dram(config(1, RefreshMode::Off));
  std::vector<Request> requests;
  DecodedAddress where;
  const uint64_t n = 2000;
  for (uint64_t i = 0; i < n; ++i) {
    where.row = static_cast<uint32_t>(i);
    requests.push_back(Request{dram.address_map().encode(where), 64, false, 0});
  }
  const DramSummary s = run_closed_loop(dram, requests);
  const double cycles = s.simulated_ns / 1.25;
  // n activations tRC apart, then the last access's tRCD + tCCD_L + RL + burst.
  const double bound = double(n - 1) * 49 + (15 + 4 + 17 + 2);
  INFO("cycles " << cycles << " bound " << bound);
  CHECK(cycles >= bound);         // tRC bounds it
  CHECK(cycles <= bound * 1.01);  // and nothing else slows it down
  CHECK(s.row_conflicts == n - 1);
}

TEST_CASE("random reads are bounded by activations well below the data-bus peak") {
  DramScheduler dram(config(16, RefreshMode::AllBank));
  std::mt19937_64 rng(7);
  std::vector<Request> requests;
  for (int i = 0; i < 50000; ++i) requests.push_back(Request{(rng() % (dram.config().capacity_bytes() / 64)) * 64, 64, false, 0});
  const DramSummary s = run_closed_loop(dram, requests);
  const double efficiency = s.bandwidth_bytes_per_s / s.peak_bytes_per_s;
  INFO("efficiency " << efficiency);
  CHECK(efficiency < 0.8);
  CHECK(s.row_hit_rate < 0.05);
}

TEST_CASE("all-bank refresh happens every tREFI") {
  DramScheduler dram(config(1, RefreshMode::AllBank));
  const int64_t t_refi = dram.config().t_refi;
  // Idle for 100.5 refresh intervals, then one request: exactly 100 refreshes were due and issued.
  dram.access(Request{0, 64, false, 100 * t_refi + t_refi / 2});
  CHECK(dram.summary().refreshes == 100);
  // Under a sequential load too: one refresh per tREFI of simulated time.
  DramScheduler loaded(config(1, RefreshMode::AllBank));
  const DramSummary s = run_closed_loop(loaded, sequential_reads(30000));
  const double intervals = s.simulated_ns / (t_refi * 1.25);
  CHECK(double(s.refreshes) >= std::floor(intervals) - 1);
  CHECK(double(s.refreshes) <= std::floor(intervals) + 1);
}

TEST_CASE("a long idle gap costs no host time and still counts every refresh") {
  for (const RefreshMode mode : {RefreshMode::AllBank, RefreshMode::PerBank}) {
    DramScheduler dram(config(1, mode));
    const int64_t interval = mode == RefreshMode::AllBank ? dram.config().t_refi : dram.config().t_refi_pb;
    const int64_t arrival = int64_t{1} << 40;  // about 23 minutes of simulated time
    dram.access(Request{0, 64, false, 5});
    const int64_t latency = dram.access(Request{0, 64, false, arrival}) - arrival;
    CHECK(dram.summary().refreshes == uint64_t(arrival / interval));
    CHECK(latency == 15 + 4 + 17 + 2);  // the refreshes closed the row: a miss, not delayed by refresh
  }
}

TEST_CASE("per-bank refresh happens every tREFIpb") {
  DramScheduler dram(config(1, RefreshMode::PerBank));
  const int64_t t_refi_pb = dram.config().t_refi_pb;
  dram.access(Request{0, 64, false, 800 * t_refi_pb + 10});
  CHECK(dram.summary().refreshes == 800);
}

TEST_CASE("a write followed by a read to another bank group waits tWTR_S") {
  DramScheduler dram(config(1, RefreshMode::Off));
  dram.access(Request{0, 32, false, 0});         // open bank 0 (BG0)
  dram.access(Request{64, 32, false, 0});         // open bank 4 (BG1)
  const int64_t t0 = 1000;
  const int64_t w = dram.access(Request{0, 32, true, t0});
  CHECK(w - t0 == 9 + 2);                          // WL + burst, row hit
  // The WR command issued at t0; the RD to the other bank group may issue WL + BL/n + tWTR_S later.
  const int64_t r = dram.access(Request{64, 32, false, t0});
  CHECK(r - t0 == 9 + 2 + 5 + 17 + 2);
}

TEST_CASE("energy is command counts times per-command energies plus background power") {
  DramConfig c = config(1, RefreshMode::Off);
  c.p_background_mw = 0;
  DramScheduler dram(c);
  dram.access(Request{0, 64, false, 0});   // row miss: one ACT, two RD bursts
  dram.access(Request{0, 32, true, 500});  // row hit: one WR burst
  CHECK(dram.summary().energy_pj == Approx(1200.0 + 2 * 770.0 + 820.0));
  c.p_background_mw = 10;
  DramScheduler with_background(c);
  with_background.access(Request{0, 64, false, 0});
  const DramSummary s = with_background.summary();
  CHECK(s.energy_pj == Approx(1200.0 + 2 * 770.0 + 10.0 * s.simulated_ns));  // mW x ns = pJ
  // Refresh energy: 100 all-bank refreshes over an idle gap.
  DramConfig r = config(1, RefreshMode::AllBank);
  r.p_background_mw = 0;
  DramScheduler refreshed(r);
  refreshed.access(Request{0, 32, false, 100 * int64_t{r.t_refi} + 10});
  CHECK(refreshed.summary().energy_pj == Approx(100 * r.e_ref_ab_pj + r.e_act_pj + r.e_rd_pj));
}

TEST_CASE("bad requests are rejected with a reason") {
  DramScheduler dram(config(1, RefreshMode::AllBank));
  CHECK_THAT(dram.check(0, 0), Catch::Contains("zero-length"));
  CHECK_THAT(dram.check(dram.config().capacity_bytes(), 4), Catch::Contains("outside"));
  CHECK_THAT(dram.check(dram.config().capacity_bytes() - 2, 4), Catch::Contains("outside"));
  CHECK(dram.check(dram.config().capacity_bytes() - 4, 4).empty());
  CHECK_THROWS_AS(dram.submit(Request{0, 0, false, 0}), std::invalid_argument);
}

TEST_CASE("the memspec from test data loads and equals the built-in defaults") {
  DramConfig loaded;
  loaded.t_rcd = 1;  // must be overwritten
  apply_memspec(memspec_path(), loaded);
  const DramConfig defaults;
  CHECK(loaded.t_rcd == defaults.t_rcd);
  CHECK(loaded.tck_ps == 1250);
  auto a = dacapo::describe_config<DramConfig>("x", loaded);
  auto b = dacapo::describe_config<DramConfig>("x", defaults);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].key);
    CHECK(a[i].default_value == b[i].default_value);
  }
}

TEST_CASE("memspec errors name the file and the key") {
  const auto unknown = write_temp("unknown.json",
                                  R"({"memspec": {"memoryType": "LPDDR5", "memtimingspec": {"RCD": 15, "XYZ": 3}}})");
  CHECK_THAT(error_of([&] { DramConfig c; apply_memspec(unknown, c); }),
             Catch::Contains("unknown.json") && Catch::Contains("memtimingspec.XYZ"));
  const auto type = write_temp("type.json", R"({"memspec": {"memoryType": "DDR4"}})");
  CHECK_THAT(error_of([&] { DramConfig c; apply_memspec(type, c); }), Catch::Contains("memoryType"));
  const auto negative = write_temp("neg.json", R"({"memspec": {"memoryType": "LPDDR5", "memtimingspec": {"RL": -1}}})");
  CHECK_THAT(error_of([&] { DramConfig c; apply_memspec(negative, c); }), Catch::Contains("memtimingspec.RL"));
  const auto broken = write_temp("broken.json", "{\"memspec\": {\n\"memoryType\": \"LPDDR5\",,\n}}");
  CHECK_THAT(error_of([&] { DramConfig c; apply_memspec(broken, c); }),
             Catch::Contains("broken.json") && Catch::Contains("line 2"));
  CHECK_THAT(error_of([&] { DramConfig c; apply_memspec("/nonexistent/m.json", c); }), Catch::Contains("cannot open"));
  const auto pairing = write_temp("pair.json",
                                  R"({"memspec": {"memoryType": "LPDDR5", "memarchitecturespec": {"per2BankOffset": 4}}})");
  CHECK_THAT(error_of([&] { DramConfig c; apply_memspec(pairing, c); }), Catch::Contains("per2BankOffset"));
  // Inconsistent values: tRC shorter than tRAS + tRP, found by validation through the params path.
  const auto short_rc = write_temp("rc.json", R"({"memspec": {"memoryType": "LPDDR5", "memtimingspec": {"RCpb": 30}}})");
  ParamStore store;
  store.set("soc.dram.memspec", short_rc, "test.ini:3");
  CHECK_THAT(error_of([&] { load_dram_config(store, "soc.dram"); }), Catch::Contains("t_rc_pb"));
}

TEST_CASE("explicit keys override the memspec") {
  ParamStore store;
  store.set("soc.dram.memspec", memspec_path());
  store.set("soc.dram.t_rcd", "20");
  store.set("soc.dram.channels", "4");
  const DramConfig c = load_dram_config(store, "soc.dram");
  CHECK(c.t_rcd == 20);
  CHECK(c.channels == 4);
  CHECK(c.rl == 17);
  store.set("soc.dram.refresh", "sometimes");
  CHECK_THAT(error_of([&] { load_dram_config(store, "soc.dram"); }), Catch::Contains("soc.dram.refresh"));
}

TEST_CASE("stl lines parse in DRAMSys format") {
  StlRecord r;
  REQUIRE(parse_stl_line("31:\t(64)\tread\t0x1f40", 32, r));
  CHECK(r.cycle == 31);
  CHECK(r.length == 64);
  CHECK_FALSE(r.write);
  CHECK(r.address == 0x1f40);
  REQUIRE(parse_stl_line("7: write 0x40 0xdeadbeef  # data is ignored", 32, r));
  CHECK(r.write);
  CHECK(r.length == 32);
  CHECK_FALSE(parse_stl_line("   # comment only", 32, r));
  CHECK_FALSE(parse_stl_line("", 32, r));
}

TEST_CASE("stl errors name the line") {
  std::istringstream in("0: read 0x0\n1: (64) read 0x40\n2: fetch 0x80\n");
  CHECK_THAT(error_of([&] { read_stl(in, "t.stl", 32); }), Catch::Contains("t.stl:3") && Catch::Contains("fetch"));
  std::istringstream zero("0: (0) read 0x0\n");
  CHECK_THAT(error_of([&] { read_stl(zero, "z.stl", 32); }), Catch::Contains("z.stl:1") && Catch::Contains("zero"));
  std::istringstream order("5: read 0x0\n4: read 0x0\n");
  CHECK_THAT(error_of([&] { read_stl(order, "o.stl", 32); }), Catch::Contains("o.stl:2"));
  std::istringstream noaddr("5: read 1234\n");
  CHECK_THAT(error_of([&] { read_stl(noaddr, "a.stl", 32); }), Catch::Contains("a.stl:1") && Catch::Contains("0x"));
}

TEST_CASE("recorded traffic round-trips through the stl writer and reader") {
  DramConfig c = config(2, RefreshMode::AllBank);
  DramScheduler dram(c);
  dram.record_trace(true);
  dram.submit(Request{0x100, 100, false, 5});
  dram.submit(Request{0x2000, 8, true, 9});
  dram.drain();
  std::stringstream text;
  write_stl(text, dram.trace());
  const auto back = read_stl(text, "roundtrip", 32);
  REQUIRE(back.size() == 2);
  CHECK(back[0].cycle == 5);
  CHECK(back[0].length == 100);
  CHECK(back[1].write);
  CHECK(back[1].address == 0x2000);
}

TEST_CASE("identical runs give identical stats") {
  auto run = [] {
    DramScheduler dram(config(4, RefreshMode::PerBank));
    std::mt19937_64 rng(3);
    for (int i = 0; i < 2000; ++i)
      dram.submit(Request{(rng() % (1u << 24)), 1 + rng() % 300, (rng() & 1) != 0, int64_t(i) * 7});
    dram.drain();
    dacapo::StatsReport report;
    dram.report_stats(report, "soc.dram");
    std::ostringstream os;
    report.write_json(os);
    return os.str();
  };
  CHECK(run() == run());
}
