// Timing of the accelerator through registers and descriptors: ideal memory → the tile formula exactly; the
// SCALE-Sim OS reference on full and partitioned arrays; timing-only = functional; memory-bound weight streaming
// and DRAM contention between the SAs; perf counters.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "gemm_reference.h"

using namespace dacapo;
using namespace dacapo::acc;
using namespace dacapo::acc::test;
using regs::Precision;

namespace {

// Independent per-tile sum of DESIGN.md §2: ceil(K/16)·c + (R'−1) + (C'−1) [+ operand-queue term].
uint64_t expected_cycles(uint64_t m, uint64_t n, uint64_t k, uint32_t rows, Precision p, bool queue,
                         uint64_t* compute_only = nullptr) {
  const uint64_t c = p == Precision::MX4 ? 1 : p == Precision::MX6 ? 4 : 16;
  const uint64_t kb = (k + 15) / 16;
  const uint64_t t0 = c == 1 ? 0 : 16 * c / (c - 1);
  uint64_t total = 0, compute = 0;
  for (uint64_t n0 = 0; n0 < n; n0 += rows)
    for (uint64_t m0 = 0; m0 < m; m0 += 16) {
      const uint64_t r = std::min<uint64_t>(rows, n - n0), cc = std::min<uint64_t>(16, m - m0);
      const uint64_t d = (r - 1) + (cc - 1);
      uint64_t stall = 0;
      if (queue && c > 1) stall = (c - 1) * std::min(kb > t0 ? kb - t0 : 0, d > t0 ? d - t0 : 0);
      compute += kb * c + d;
      total += kb * c + d + stall;
    }
  if (compute_only) *compute_only = compute;
  return total;
}

// Descriptor for an MX GEMM with operands at fixed places (contents do not matter for timing).
regs::Descriptor mx_gemm(System& sys, uint32_t m, uint32_t n, uint32_t k, Precision p) {
  const uint8_t e = elem_of(mx_of(p));
  const uint32_t line = (k + 15) / 16 * regs::mx_block_bytes(static_cast<regs::ElemFormat>(e));
  regs::Descriptor d;
  d.m = m;
  d.n = n;
  d.k = k;
  d.a_format = e;
  d.b_format = e | regs::kColMajor;
  d.c_format = 0;
  d.lda = d.ldb = line;
  d.ldc = 4 * n;
  d.a_addr = sys.alloc(uint64_t(line) * m);
  d.b_addr = sys.alloc(uint64_t(line) * n);
  d.c_addr = sys.alloc(uint64_t(d.ldc) * m);
  return d;
}

}  // namespace

TEST_CASE("with ideal memory job cycles equal the tile formula") {
  struct Shape {
    uint32_t m, n, k, partition;
    unsigned sa;
    Precision p;
    bool queue;
  };
  const std::vector<Shape> shapes = {
      {64, 64, 64, 16, 0, Precision::MX9, false},  {37, 21, 53, 8, 1, Precision::MX6, true},
      {100, 7, 1000, 3, 0, Precision::MX9, true},  {16, 256, 4608, 13, 1, Precision::MX6, true},
      {250, 40, 200, 11, 0, Precision::MX4, true}, {1, 512, 2048, 1, 1, Precision::MX6, true},
      {33, 33, 512, 16, 0, Precision::MX9, true}};
  // One system per queue-stall setting (the parameter is per accelerator).
  AccConfig with_q, without_q;
  with_q.ideal_memory = without_q.ideal_memory = true;
  with_q.fidelity = without_q.fidelity = Fidelity::TimingOnly;
  without_q.operand_queue_stalls = false;
  System sq(with_q, 0, 0, "q_"), sn(without_q, 0, 0, "n_");
  std::vector<regs::Descriptor> outs(shapes.size());
  auto body = [&](System& sys, bool queue) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      const Shape& s = shapes[i];
      if (s.queue != queue) continue;
      sys.host.write32(System::g(regs::global::kPartition), s.partition);
      sys.setup_queue(s.sa, s.p);
      outs[i] = sys.run(s.sa, mx_gemm(sys, s.m, s.n, s.k, s.p));
    }
  };
  sq.host.body = [&](Host&) { body(sq, true); };
  sn.host.body = [&](Host&) { body(sn, false); };
  sc_start();
  REQUIRE(sq.host.finished);
  REQUIRE(sn.host.finished);
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape& s = shapes[i];
    const uint32_t rows = s.sa == 0 ? s.partition : 16 - s.partition;
    uint64_t compute = 0;
    const uint64_t total = expected_cycles(s.m, s.n, s.k, rows, s.p, s.queue, &compute);
    INFO("shape " << i << " m=" << s.m << " n=" << s.n << " k=" << s.k << " rows=" << rows);
    CHECK(outs[i].status == 1);
    CHECK(outs[i].compute_cycles == compute);
    CHECK(outs[i].total_cycles == total);
  }
}

// SCALE-Sim v2 OS on R x 16 arrays (M on the rows there; N on the rows here: M and N swapped). SCALE-Sim reports
// folds·(K+R+C−2) − 1 and charges ragged folds the full R + C; we charge a ragged tile its own skew.
TEST_CASE("MX9 cycles through the registers match SCALE-Sim OS on full and partitioned arrays") {
  AccConfig cfg;
  cfg.ideal_memory = true;
  cfg.fidelity = Fidelity::TimingOnly;
  cfg.operand_queue_stalls = false;
  System sys(cfg);
  std::ifstream in(std::string(DACAPO_TEST_DATA_DIR) + "/scalesim/gemm_os_results.csv");
  REQUIRE(in.good());
  struct Row {
    uint32_t r, m, n, k;
    uint64_t cycles;
    std::string name;
  };
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::vector<std::string> c;
    std::string cell;
    while (std::getline(ss, cell, ',')) c.push_back(cell);
    rows.push_back({uint32_t(std::stoul(c[0])), uint32_t(std::stoul(c[2])), uint32_t(std::stoul(c[3])),
                    uint32_t(std::stoul(c[4])), std::stoull(c[5]), c[0] + " " + c[1]});
  }
  REQUIRE(rows.size() == 12);
  std::vector<regs::Descriptor> outs(rows.size());
  sys.host.body = [&](Host&) {
    for (size_t i = 0; i < rows.size(); ++i) {
      // The partitioned array is the B-SA with R rows (PARTITION = 16 − R), the full array the T-SA.
      const unsigned sa = rows[i].r == 16 ? 0 : 1;
      sys.host.write32(System::g(regs::global::kPartition), sa == 0 ? 16 : 16 - rows[i].r);
      sys.setup_queue(sa, Precision::MX9);
      outs[i] = sys.run(sa, mx_gemm(sys, rows[i].n, rows[i].m, rows[i].k, Precision::MX9));
    }
  };
  sc_start();
  REQUIRE(sys.host.finished);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    uint64_t ragged = 0;
    for (uint64_t fi = 0; fi * r.r < r.m; ++fi)
      for (uint64_t fj = 0; fj * 16 < r.n; ++fj)
        ragged += (r.r - std::min<uint64_t>(r.r, r.m - fi * r.r)) + (16 - std::min<uint64_t>(16, r.n - fj * 16));
    INFO(r.name << ": ours " << outs[i].total_cycles << " scalesim " << r.cycles << " ragged-edge " << ragged);
    CHECK(outs[i].status == 1);
    CHECK(outs[i].total_cycles + ragged == r.cycles + 1);
    if (ragged == 0) CHECK(outs[i].total_cycles == r.cycles + 1);
  }
}

TEST_CASE("timing-only mode issues the same transactions and takes the same time as functional") {
  AccConfig f, t;
  t.fidelity = Fidelity::TimingOnly;
  System sf(f, 16.0, 40.0, "f_"), st(t, 16.0, 40.0, "t_");
  std::vector<regs::Descriptor> out_f, out_t;
  auto body = [](System& sys, std::vector<regs::Descriptor>& out) {
    sys.host.write32(System::g(regs::global::kPartition), 6);
    sys.setup_queue(0, Precision::MX6);
    sys.setup_queue(1, Precision::MX9);
    regs::Descriptor a = mx_gemm(sys, 50, 30, 300, Precision::MX6);
    regs::Descriptor b = mx_gemm(sys, 20, 70, 90, Precision::MX9);
    b.c_format = uint8_t(regs::ElemFormat::MX9);
    b.ldc = 5 * 18;
    const uint32_t s0 = sys.submit(0, a), s1 = sys.submit(1, b);
    const uint32_t both = regs::kIrqError(regs::Sa::Top) | regs::kIrqError(regs::Sa::Bottom);
    while (sys.host.read32(System::q(0, regs::queue::kCompleted)) + sys.host.read32(System::q(1, regs::queue::kCompleted)) < 2 &&
           !(sys.host.read32(System::g(regs::global::kIrqRaw)) & both))
      wait(1, SC_US);
    out.push_back(sys.descriptor(0, s0));
    out.push_back(sys.descriptor(1, s1));
  };
  sf.host.body = [&](Host&) { body(sf, out_f); };
  st.host.body = [&](Host&) { body(st, out_t); };
  sc_start();
  REQUIRE(sf.host.finished);
  REQUIRE(st.host.finished);
  REQUIRE(out_f.size() == 2);
  REQUIRE(out_t.size() == 2);
  for (int i = 0; i < 2; ++i) {
    CHECK(out_f[i].status == 1);
    CHECK(out_t[i].status == 1);
    CHECK(out_f[i].total_cycles == out_t[i].total_cycles);
    CHECK(out_f[i].compute_cycles == out_t[i].compute_cycles);
    CHECK(out_f[i].total_cycles > out_f[i].compute_cycles);  // the bandwidth-limited memory costs time
  }
  CHECK(sf.mem.transactions == st.mem.transactions);
  CHECK(sf.mem.bytes_moved == st.mem.bytes_moved);
}

// M = 1: every weight byte is used once, so the job is bound by memory bandwidth; two SAs streaming at once
// share it and each slows down.
TEST_CASE("weight streaming is memory bound and two SAs share the bandwidth") {
  AccConfig cfg;
  cfg.fidelity = Fidelity::TimingOnly;
  const double bw = 4.0;  // bytes per ns (4 GB/s)
  System sys(cfg, bw, 50.0);
  regs::Descriptor alone[2], both[2];
  sys.host.body = [&](Host&) {
    sys.host.write32(System::g(regs::global::kPartition), 8);
    for (unsigned s = 0; s < 2; ++s) sys.setup_queue(s, Precision::MX6);
    const regs::Descriptor d0 = mx_gemm(sys, 1, 512, 2048, Precision::MX6);
    const regs::Descriptor d1 = mx_gemm(sys, 1, 512, 2048, Precision::MX6);
    alone[0] = sys.run(0, d0);
    alone[1] = sys.run(1, d1);
    regs::Descriptor e0 = d0, e1 = d1;
    e0.flags = e1.flags = regs::kFlagIrqOnDone;
    const uint32_t s0 = sys.submit(0, e0), s1 = sys.submit(1, e1);
    while (sys.host.read32(System::q(0, regs::queue::kCompleted)) < 2 ||
           sys.host.read32(System::q(1, regs::queue::kCompleted)) < 2)
      wait(1, SC_US);
    both[0] = sys.descriptor(0, s0);
    both[1] = sys.descriptor(1, s1);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  const double weight_bytes = 512.0 * 128 * 12;  // N x K/16 blocks x 12 B
  const double bound_cycles = weight_bytes / bw / 2.0;  // ns → cycles at 500 MHz
  for (int s = 0; s < 2; ++s) {
    INFO("SA " << s << " alone " << alone[s].total_cycles << " both " << both[s].total_cycles << " compute "
               << alone[s].compute_cycles << " bandwidth bound " << bound_cycles);
    CHECK(alone[s].status == 1);
    CHECK(both[s].status == 1);
    CHECK(alone[s].compute_cycles < bound_cycles / 2);
    CHECK(alone[s].total_cycles >= bound_cycles);
    CHECK(alone[s].total_cycles < bound_cycles * 1.05);
    CHECK(both[s].total_cycles > 1.6 * alone[s].total_cycles);
  }
}

TEST_CASE("perf counters and job records agree with the descriptors") {
  AccConfig cfg;
  System sys(cfg, 32.0, 20.0);
  regs::Descriptor out[2];
  uint64_t perf[2][static_cast<int>(regs::PerfCounter::Count)] = {};
  sys.host.body = [&](Host&) {
    sys.setup_queue(0, Precision::MX9);
    out[0] = sys.run(0, mx_gemm(sys, 40, 20, 100, Precision::MX9));
    out[1] = sys.run(0, mx_gemm(sys, 17, 9, 33, Precision::MX9));
    for (int c = 0; c < static_cast<int>(regs::PerfCounter::Count); ++c)
      perf[0][c] = sys.host.read64(regs::kPerfPage + regs::perf_offset(regs::Sa::Top, static_cast<regs::PerfCounter>(c)));
    CHECK(sys.host.read32(regs::kPerfPage + regs::kId) == regs::kPerfId);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  using P = regs::PerfCounter;
  auto at = [&](P c) { return perf[0][static_cast<int>(c)]; };
  CHECK(at(P::Jobs) == 2);
  CHECK(at(P::MacsMx9) == 40ull * 20 * 100 + 17ull * 9 * 33);
  CHECK(at(P::ComputeCycles) == out[0].compute_cycles + out[1].compute_cycles);
  const auto jobs = sys.acc.jobs();
  REQUIRE(jobs.size() == 2);
  uint64_t busy = 0, rd = 0, wr = 0;
  for (const auto& j : jobs) {
    busy += j.end_cycle - j.start_cycle;
    rd += j.dram_read_bytes;
    wr += j.dram_write_bytes;
    CHECK(j.utilisation > 0);
    CHECK(j.utilisation <= 1);
  }
  CHECK(at(P::BusyCycles) == busy);
  CHECK(at(P::DramReadBytes) == rd);
  CHECK(at(P::DramWriteBytes) == wr);
  // Operand bytes at least once: A 40 x 7 blocks x 18 B, B 20 x 7 x 18, C 40 x 20 x 4, + descriptor traffic.
  CHECK(jobs[0].dram_read_bytes >= 40ull * 7 * 18 + 20ull * 7 * 18 + 128);
  CHECK(jobs[0].dram_write_bytes == 40ull * 20 * 4 + 32);
  CHECK(at(P::BusyCycles) == at(P::ComputeCycles) + at(P::StallSramCycles) + at(P::StallDramCycles));
  StatsReport report;
  sys.acc.report_stats(report, "soc.acc");
  CHECK(report.find("soc.acc.t_sa", "jobs").value() == 2);
  CHECK(report.find("soc.acc.t_sa", "macs_mx9").value() == double(at(P::MacsMx9)));
  std::ostringstream csv;
  Accelerator::write_jobs_csv(csv, jobs);
  const std::string text = csv.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
}

// The VCD carries the trace signals of DESIGN.md §8 for the accelerator, and they change while a job runs.
TEST_CASE("trace signals show row ownership and activity in a VCD") {
  AccConfig cfg;
  cfg.fidelity = Fidelity::TimingOnly;
  System sys(cfg);
  const std::string base = "dacapo_acc_trace_test";
  sc_trace_file* tf = sc_create_vcd_trace_file(base.c_str());
  sys.acc.trace(tf);
  bool busy_seen = false, owner_ok = false, tag_ok = false;
  sys.host.body = [&](Host& h) {
    h.write32(System::g(regs::global::kPartition), 6);
    sys.setup_queue(1, Precision::MX6);
    regs::Descriptor d = mx_gemm(sys, 64, 30, 256, Precision::MX6);
    d.tag = 77;
    d.flags = regs::kFlagIrqOnDone;
    sys.submit(1, d);
    wait(200, SC_NS);
    busy_seen = sys.acc.rows[6].busy.read() && !sys.acc.rows[5].busy.read();
    owner_ok = sys.acc.rows[5].owner.read() == 0 && sys.acc.rows[6].owner.read() == 1;
    tag_ok = sys.acc.sa[1].job_tag.read() == 77 && sys.acc.sa[1].job_active.read();
    h.wait_irq(regs::kIrqDone(regs::Sa::Bottom));
  };
  sc_start();
  sc_close_vcd_trace_file(tf);
  REQUIRE(sys.host.finished);
  CHECK(busy_seen);
  CHECK(owner_ok);
  CHECK(tag_ok);
  std::ifstream vcd(base + ".vcd");
  REQUIRE(vcd.good());
  std::stringstream text;
  text << vcd.rdbuf();
  // Hierarchical names become VCD scopes: look for the scope and variable names.
  for (const char* name : {"rows_6", "rows_15", " busy ", " owner ", " precision ", "job_tag", "dma_busy_bottom", "partition"})
    CHECK(text.str().find(name) != std::string::npos);
  std::remove((base + ".vcd").c_str());
}
