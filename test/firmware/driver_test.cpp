// DacapoDriver against the behavioural accelerator fake (firmware/hal/fake_accelerator.h).
#include <catch2/catch.hpp>

#include "firmware/driver/dacapo_driver.h"
#include "firmware/driver/dram_arena.h"
#include "firmware/hal/fake_accelerator.h"
#include "firmware/hal/fake_board.h"
#include "firmware/hal/soc_map.h"

using namespace dacapo;
using namespace dacapo::fw;
using regs::Sa;

namespace {

struct Rig {
  FakeBoard board{soc::kDramBase, 1ull << 30};
  FakeAccelerator acc;
  DacapoDriver driver;
  DramArena arena{soc::kDramBase, 1ull << 30};

  explicit Rig(FakeAccelerator::Options opt = {}, DriverConfig dcfg = {}) : acc(board, opt), driver(board, dcfg) {
    board.map_device(soc::kAccCsrBase, regs::kCsrBytes, soc::kIrqAccelerator, &acc);
  }
  void init(uint32_t slots = 8) {
    driver.probe();
    driver.init_queue(Sa::Top, arena.alloc(slots * regs::kDescriptorBytes), slots);
    driver.init_queue(Sa::Bottom, arena.alloc(slots * regs::kDescriptorBytes), slots);
  }
  regs::Descriptor gemm(uint32_t tag, uint32_t m = 16, uint32_t n = 8, uint32_t k = 32) {
    regs::Descriptor d;
    d.m = m;
    d.n = n;
    d.k = k;
    d.tag = tag;
    d.a_format = d.b_format = d.c_format = static_cast<uint8_t>(regs::ElemFormat::FP32);
    d.a_addr = arena.alloc(4ull * m * k);
    d.b_addr = arena.alloc(4ull * k * n);
    d.c_addr = arena.alloc(4ull * m * n);
    d.lda = 4 * k;
    d.ldb = 4 * n;
    d.ldc = 4 * n;
    return d;
  }
  size_t writes_to(uint64_t addr) const {
    size_t count = 0;
    for (const auto& a : board.accesses()) count += a.write && a.addr == addr;
    return count;
  }
};

uint64_t queue_reg(Sa sa, uint32_t off) { return soc::kAccCsrBase + regs::kQueuePage[static_cast<unsigned>(sa)] + off; }

}  // namespace

TEST_CASE("probe reads the capabilities and enables the interrupts") {
  FakeAccelerator::Options opt;
  opt.rows = 12;
  opt.functional = false;
  Rig rig(opt);
  rig.driver.probe();
  CHECK(rig.driver.caps().rows == 12);
  CHECK(rig.driver.caps().cols == 16);
  CHECK_FALSE(rig.driver.caps().functional);
  CHECK(rig.driver.caps().mx4);
  CHECK(rig.board.read32(soc::kAccCsrBase + regs::global::kIrqEnable) == regs::kIrqAll);
}

TEST_CASE("probe rejects a wrong page ID and an incompatible version") {
  Rig rig;
  rig.board.on_read(soc::kAccCsrBase + regs::kQueuePage[1] + regs::kId, [] { return 0x1234u; });
  CHECK_THROWS_WITH(rig.driver.probe(), Catch::Contains("B-SA queue page ID"));
  Rig rig2;
  rig2.board.on_read(soc::kAccCsrBase + regs::kVersionReg, [] { return 0x0002'0000u; });
  CHECK_THROWS_WITH(rig2.driver.probe(), Catch::Contains("incompatible"));
}

TEST_CASE("submit and wait complete a job through the interrupt") {
  Rig rig;
  rig.init();
  const uint64_t t = rig.driver.submit(Sa::Top, rig.gemm(7));
  CHECK(rig.driver.outstanding(Sa::Top) == 1);
  const JobResult r = rig.driver.wait(Sa::Top, t);
  CHECK(r.ok());
  CHECK(r.tag == 7);
  CHECK(r.total_cycles == 500);  // 1 µs at 500 MHz in the fake
  CHECK(r.compute_cycles == 250);
  CHECK(rig.driver.outstanding(Sa::Top) == 0);
  REQUIRE(rig.acc.executed().size() == 1);
  CHECK((rig.acc.executed()[0].desc.flags & regs::kFlagIrqOnDone) != 0);
  CHECK(rig.board.wait_calls() >= 1);  // it slept on the interrupt instead of spinning on registers
  CHECK(rig.board.read32(soc::kAccCsrBase + regs::global::kIrqRaw) == 0);  // acknowledged (W1C)
}

TEST_CASE("a full ring makes submit wait and slots are reused in order") {
  Rig rig;
  rig.init(4);
  std::vector<uint64_t> tickets;
  for (uint32_t i = 0; i < 11; ++i) tickets.push_back(rig.driver.submit(Sa::Bottom, rig.gemm(100 + i)));
  // 4 slots hold at most 3 outstanding descriptors: submissions beyond that waited for completions.
  CHECK(rig.driver.outstanding(Sa::Bottom) <= 3);
  for (uint32_t i = 0; i < 11; ++i) {
    const JobResult r = rig.driver.wait(Sa::Bottom, tickets[i]);
    CHECK(r.ok());
    CHECK(r.tag == 100 + i);
  }
  REQUIRE(rig.acc.executed().size() == 11);
  for (uint32_t i = 0; i < 11; ++i) {
    CHECK(rig.acc.executed()[i].slot == i % 4);
    CHECK(rig.acc.executed()[i].desc.tag == 100 + i);
  }
}

TEST_CASE("a failing descriptor is reported and the queue recovers") {
  Rig rig;
  rig.init();
  rig.acc.fail_tags[2] = regs::ErrorCode::BadAddress;
  const uint64_t t1 = rig.driver.submit(Sa::Top, rig.gemm(1));
  const uint64_t t2 = rig.driver.submit(Sa::Top, rig.gemm(2));
  const uint64_t t3 = rig.driver.submit(Sa::Top, rig.gemm(3));
  CHECK(rig.driver.wait(Sa::Top, t1).ok());
  const JobResult bad = rig.driver.wait(Sa::Top, t2);
  CHECK(bad.status == regs::DescStatus::Error);
  CHECK(bad.error == regs::ErrorCode::BadAddress);
  CHECK(bad.tag == 2);
  const JobResult after = rig.driver.wait(Sa::Top, t3);
  CHECK(after.ok());
  CHECK(after.tag == 3);
  CHECK(rig.driver.errors() == 1);
  // Recovery went through CLEAR_ERROR exactly once.
  size_t clears = 0;
  for (const auto& a : rig.board.accesses())
    clears += a.write && a.addr == queue_reg(Sa::Top, regs::queue::kCtrl) && (a.value & regs::kQueueCtrlClearError);
  CHECK(clears == 1);
}

TEST_CASE("invalid dimensions are rejected by the accelerator with BadDims") {
  Rig rig;
  rig.init();
  regs::Descriptor d = rig.gemm(9);
  d.k = 0;
  const uint64_t t = rig.driver.submit(Sa::Bottom, d);
  const JobResult r = rig.driver.wait(Sa::Bottom, t);
  CHECK(r.error == regs::ErrorCode::BadDims);
  CHECK(rig.driver.wait(Sa::Bottom, rig.driver.submit(Sa::Bottom, rig.gemm(10))).ok());
}

TEST_CASE("both sub-accelerators run concurrently at their own precision") {
  Rig rig;
  rig.init();
  rig.driver.set_partition(5);
  rig.driver.set_precision(Sa::Top, regs::Precision::MX9);
  rig.driver.set_precision(Sa::Bottom, regs::Precision::MX4);
  const uint64_t a = rig.driver.submit(Sa::Top, rig.gemm(1));
  const uint64_t b = rig.driver.submit(Sa::Bottom, rig.gemm(2));
  CHECK(rig.driver.wait(Sa::Bottom, b).ok());
  CHECK(rig.driver.wait(Sa::Top, a).ok());
  REQUIRE(rig.acc.executed().size() == 2);
  const auto& e0 = rig.acc.executed()[0];
  const auto& e1 = rig.acc.executed()[1];
  CHECK(e0.start_ps < e1.end_ps);  // overlapping in time
  CHECK(e1.start_ps < e0.end_ps);
  for (const auto& e : rig.acc.executed()) {
    CHECK(e.rows == (e.sa == 0 ? 5u : 11u));
    CHECK(e.precision == (e.sa == 0 ? regs::Precision::MX9 : regs::Precision::MX4));
  }
  CHECK(rig.driver.partition() == 5);
}

TEST_CASE("partition requests out of range or rejected by the hardware are errors") {
  Rig rig;
  rig.init();
  CHECK_THROWS_WITH(rig.driver.set_partition(17), Catch::Contains("the array has 16"));
  rig.board.on_read(soc::kAccCsrBase + regs::global::kStatus, [] { return regs::kStatusPartitionError; });
  CHECK_THROWS_WITH(rig.driver.set_partition(4), Catch::Contains("rejected"));
}

TEST_CASE("64-bit perf counters are read as latched LO/HI pairs") {
  Rig rig;
  rig.init();
  rig.driver.set_precision(Sa::Top, regs::Precision::MX6);
  const uint64_t t = rig.driver.submit(Sa::Top, rig.gemm(1, 2000, 2000, 2000));
  CHECK(rig.driver.wait(Sa::Top, t).ok());
  const PerfCounters p = rig.driver.read_perf(Sa::Top);
  CHECK(p[regs::PerfCounter::MacsMx6] == 8'000'000'000ull);  // above 2^32
  CHECK(p[regs::PerfCounter::Jobs] == 1);
  CHECK(rig.driver.read_perf(Sa::Bottom)[regs::PerfCounter::Jobs] == 0);
}

TEST_CASE("a job that never completes times out with an error") {
  FakeAccelerator::Options opt;
  opt.job_ps = 10'000'000'000ull;  // 10 ms
  DriverConfig dcfg;
  dcfg.timeout_ps = 1'000'000'000ull;  // 1 ms
  Rig rig(opt, dcfg);
  rig.init();
  const uint64_t t = rig.driver.submit(Sa::Top, rig.gemm(1));
  CHECK_THROWS_WITH(rig.driver.wait(Sa::Top, t), Catch::Contains("timeout"));
}

TEST_CASE("configuration errors are reported before touching the hardware") {
  Rig rig;
  rig.driver.probe();
  CHECK_THROWS_WITH(rig.driver.init_queue(Sa::Top, soc::kDramBase + 32, 8), Catch::Contains("aligned"));
  CHECK_THROWS_WITH(rig.driver.init_queue(Sa::Top, soc::kDramBase, 1), Catch::Contains("slots"));
  CHECK_THROWS_WITH(rig.driver.submit(Sa::Top, regs::Descriptor{}), Catch::Contains("before init_queue"));
  CHECK_THROWS_AS(rig.driver.wait(Sa::Top, 0), DriverError);
}

TEST_CASE("soft reset disables the queues before resetting and clears the tail") {
  Rig rig;
  rig.init();
  rig.driver.reset();
  CHECK(rig.acc.soft_resets() == 1);
  CHECK(rig.writes_to(queue_reg(Sa::Top, regs::queue::kTail)) >= 2);
  CHECK_THROWS_WITH(rig.driver.submit(Sa::Top, rig.gemm(1)), Catch::Contains("before init_queue"));
}

TEST_CASE("the DRAM arena aligns and reports exhaustion") {
  DramArena arena(0x1000, 256);
  CHECK(arena.alloc(10) == 0x1000);
  CHECK(arena.alloc(10) == 0x1040);
  CHECK(arena.alloc(8, 128) == 0x1080);
  CHECK_THROWS_WITH(arena.alloc(200), Catch::Contains("exhausted"));
}

// Hal::write_output: plain file names only (the platform writes them into --outdir), last write wins.
TEST_CASE("hal output names and fake board outputs") {
  using dacapo::fw::valid_output_name;
  CHECK(valid_output_name("accuracy.csv"));
  CHECK(valid_output_name("run-1_summary.txt"));
  CHECK_FALSE(valid_output_name(""));
  CHECK_FALSE(valid_output_name(".hidden"));
  CHECK_FALSE(valid_output_name("../escape.csv"));
  CHECK_FALSE(valid_output_name("dir/file.csv"));
  CHECK_FALSE(valid_output_name("a b"));
  CHECK_FALSE(valid_output_name(std::string(65, 'x')));
  dacapo::fw::FakeBoard board(dacapo::soc::kDramBase, 1 << 20);
  dacapo::fw::Hal& hal = board;
  hal.write_output("a.csv", "first");
  hal.write_output("a.csv", "second");
  hal.write_output("b.txt", "x");
  CHECK_THROWS_AS(hal.write_output("../a.csv", "y"), std::invalid_argument);
  REQUIRE(board.outputs().size() == 2);
  CHECK(board.outputs().at("a.csv") == "second");
}
