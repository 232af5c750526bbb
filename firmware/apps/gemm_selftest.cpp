#include "firmware/apps/gemm_selftest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "firmware/driver/dacapo_driver.h"
#include "firmware/driver/dram_arena.h"
#include "firmware/hal/soc_map.h"
#include "models/mx/matrix.h"

namespace dacapo::fw {
namespace {

using regs::Precision;
using regs::Sa;

// SplitMix64: small, seeded, identical on every host.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t uniform(uint32_t lo, uint32_t hi) { return lo + static_cast<uint32_t>(next() % (hi - lo + 1)); }
  // Values over several binades, with some exact zeros, so that shared and micro exponents both matter.
  float value() {
    const uint64_t r = next();
    if (r % 23 == 0) return 0.0f;
    const float mant = float((r >> 11) & 0xFFFFF) / float(1 << 20);  // [0, 1)
    const int exp = int((r >> 40) % 7) - 4;                            // 2^-4 .. 2^2
    return std::ldexp(0.5f + 0.5f * mant, exp) * ((r >> 63) ? -1.0f : 1.0f);
  }
};

enum class Kind { MxOperands, Fp32Operands, Epilogue, Invalid };
const char* kind_name(Kind k) {
  switch (k) {
    case Kind::MxOperands: return "mx";
    case Kind::Fp32Operands: return "fp32-in";
    case Kind::Epilogue: return "acc+bias+relu";
    case Kind::Invalid: return "invalid";
  }
  return "?";
}

mx::Format mx_format(Precision p) {
  return p == Precision::MX4 ? mx::Format::MX4 : p == Precision::MX6 ? mx::Format::MX6 : mx::Format::MX9;
}
regs::ElemFormat elem_format(Precision p) { return static_cast<regs::ElemFormat>(static_cast<uint32_t>(p) + 1); }

struct Job {
  Sa sa;
  Precision precision;
  Kind kind;
  uint32_t m = 0, n = 0, k = 0;
  uint32_t tag = 0;
  uint64_t c_addr = 0;
  std::vector<float> expected;  // M x N row-major
  uint64_t ticket = 0;
  JobResult result;
};

bool same_value(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b;  // +0 == -0
}

std::vector<uint32_t> parse_partitions(const std::string& text, uint32_t rows) {
  std::vector<uint32_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v > rows)
      throw DriverError("gemm_selftest: bad partition '" + item + "' in '" + text + "' (0.." + std::to_string(rows) + ")");
    out.push_back(static_cast<uint32_t>(v));
  }
  if (out.empty()) throw DriverError("gemm_selftest: no partition given");
  return out;
}

class Selftest {
 public:
  Selftest(Hal& hal, const GemmSelftestConfig& cfg, uint64_t seed)
      : hal_(hal), cfg_(cfg), rng_{seed ^ 0x5E1F7E57ull}, driver_(hal),
        arena_(soc::kDramBase + cfg.dram_offset, cfg.dram_bytes) {}

  int run();

 private:
  void say(const std::string& line) { hal_.print(line + "\n"); }
  std::vector<float> random_matrix(size_t count) {
    std::vector<float> v(count);
    for (float& x : v) x = rng_.value();
    hal_.charge(uint64_t(cfg_.host_cycles_per_element) * count);
    return v;
  }
  Job prepare(Sa sa, Precision p, Kind kind, bool max_size);
  void check(Job& job);
  void run_round(uint32_t partition, Precision top, Precision bottom);

  Hal& hal_;
  const GemmSelftestConfig& cfg_;
  Rng rng_;
  DacapoDriver driver_;
  DramArena arena_;
  uint64_t data_mark_ = 0;  // arena position after the rings: operands are freed after every round
  uint32_t next_tag_ = 1;
  uint64_t jobs_ok_ = 0, jobs_checked_ = 0, errors_recovered_ = 0, failures_ = 0;
  uint64_t total_cycles_ = 0;
  std::vector<std::string> failure_lines_;
};

Job Selftest::prepare(Sa sa, Precision p, Kind kind, bool max_size) {
  Job job;
  job.sa = sa;
  job.precision = p;
  job.kind = kind;
  job.tag = next_tag_++;
  job.m = max_size ? cfg_.max_m : rng_.uniform(1, cfg_.max_m);
  job.n = max_size ? cfg_.max_n : rng_.uniform(1, cfg_.max_n);
  job.k = max_size ? cfg_.max_k : rng_.uniform(1, cfg_.max_k);
  const uint32_t m = job.m, n = job.n, k = job.k;
  const mx::Format f = mx_format(p);
  const uint32_t kb = (k + mx::kBlock - 1) / mx::kBlock;
  const uint32_t bb = static_cast<uint32_t>(mx::packed_bytes(f));

  regs::Descriptor d;
  d.opcode = static_cast<uint8_t>(regs::Opcode::Gemm);
  d.m = m;
  d.n = n;
  d.k = k;
  d.tag = job.tag;
  d.c_format = static_cast<uint8_t>(regs::ElemFormat::FP32);
  d.ldc = 4 * n;

  if (kind == Kind::Invalid) {
    d.m = 0;  // rejected with BadDims before any operand is touched
    d.a_format = d.b_format = static_cast<uint8_t>(elem_format(p));
    d.b_format |= regs::kColMajor;
    d.a_addr = d.b_addr = d.c_addr = arena_.alloc(64);
    d.lda = d.ldb = kb * bb;
    job.ticket = driver_.submit(sa, d);
    return job;
  }

  hal_.set_phase(Phase::Setup);
  const std::vector<float> a = random_matrix(size_t(m) * k);  // M x K row-major
  const std::vector<float> b = random_matrix(size_t(k) * n);  // K x N row-major
  const mx::MxMatrix am = mx::to_mx(a.data(), int(m), int(k), int(k), mx::StorageOrder::RowMajor,
                                    mx::Blocking::RowBlocks, f);
  const mx::MxMatrix bm = mx::to_mx(b.data(), int(k), int(n), int(n), mx::StorageOrder::RowMajor,
                                    mx::Blocking::ColumnBlocks, f);
  hal_.charge(uint64_t(cfg_.host_cycles_per_element) * (a.size() + b.size()));

  if (kind == Kind::Fp32Operands) {
    d.a_format = static_cast<uint8_t>(regs::ElemFormat::FP32);
    d.b_format = static_cast<uint8_t>(regs::ElemFormat::FP32);
    d.lda = 4 * k;
    d.ldb = 4 * n;
    d.a_addr = arena_.alloc(a.size() * 4);
    d.b_addr = arena_.alloc(b.size() * 4);
    hal_.mem_write(d.a_addr, a.data(), a.size() * 4);
    hal_.mem_write(d.b_addr, b.data(), b.size() * 4);
  } else {
    d.a_format = static_cast<uint8_t>(elem_format(p));
    d.b_format = static_cast<uint8_t>(elem_format(p)) | regs::kColMajor;
    d.lda = kb * bb;
    d.ldb = kb * bb;
    d.a_addr = arena_.alloc(am.bytes.size());
    d.b_addr = arena_.alloc(bm.bytes.size());
    hal_.mem_write(d.a_addr, am.bytes.data(), am.bytes.size());
    hal_.mem_write(d.b_addr, bm.bytes.data(), bm.bytes.size());
  }

  job.expected.assign(size_t(m) * n, 0.0f);
  std::vector<float> bias;
  if (kind == Kind::Epilogue) {
    job.expected = random_matrix(size_t(m) * n);  // the C that is accumulated onto
    bias = random_matrix(n);
    d.flags |= regs::kFlagAccumulate | regs::kFlagBias | regs::kFlagRelu;
    d.bias_addr = arena_.alloc(4ull * n);
    hal_.mem_write(d.bias_addr, bias.data(), 4ull * n);
  }
  d.c_addr = arena_.alloc(job.expected.size() * 4);
  hal_.mem_write(d.c_addr, job.expected.data(), job.expected.size() * 4);
  job.c_addr = d.c_addr;

  // Host reference: exactly what a DPE computes (DESIGN.md §3.8), then the epilogue.
  mx::gemm(am, bm, job.expected.data(), int(n), kind == Kind::Epilogue);
  if (kind == Kind::Epilogue) {
    for (uint32_t i = 0; i < m; ++i)
      for (uint32_t j = 0; j < n; ++j) {
        float& v = job.expected[size_t(i) * n + j];
        v = v + bias[j];
        if (v < 0.0f) v = 0.0f;
      }
  }
  hal_.charge(uint64_t(cfg_.host_cycles_per_mac) * m * n * k);

  job.ticket = driver_.submit(sa, d);
  return job;
}

void Selftest::check(Job& job) {
  char line[256];
  const JobResult& r = job.result;
  if (job.kind == Kind::Invalid) {
    const bool ok = r.status == regs::DescStatus::Error && r.error == regs::ErrorCode::BadDims;
    std::snprintf(line, sizeof line, "    %s tag %3u %-13s rejected: %-14s %s", sa_name(job.sa), job.tag,
                  kind_name(job.kind), to_string(r.error), ok ? "ok (queue recovered)" : "FAIL");
    say(line);
    if (ok)
      ++errors_recovered_;
    else {
      ++failures_;
      failure_lines_.push_back(line);
    }
    return;
  }
  std::string verdict;
  bool ok = r.ok() && r.tag == job.tag;
  if (!ok) {
    verdict = std::string("FAIL: status ") + std::to_string(static_cast<uint32_t>(r.status)) + " (" +
              to_string(r.error) + ")";
  } else if (!driver_.caps().functional) {
    verdict = "ok (timing-only: values not checked)";
  } else {
    hal_.set_phase(Phase::Check);
    std::vector<float> got(job.expected.size());
    hal_.mem_read(job.c_addr, got.data(), got.size() * 4);
    hal_.charge(uint64_t(cfg_.host_cycles_per_element) * got.size());
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i)
      if (!same_value(got[i], job.expected[i])) {
        if (bad++ == 0) first = i;
      }
    ++jobs_checked_;
    if (bad == 0) {
      verdict = "ok (bit-exact)";
    } else {
      ok = false;
      char buf[160];
      std::snprintf(buf, sizeof buf, "FAIL: %zu of %zu differ, first C[%zu][%zu] = %.9g, expected %.9g", bad,
                    got.size(), first / job.n, first % job.n, double(got[first]), double(job.expected[first]));
      verdict = buf;
    }
  }
  std::snprintf(line, sizeof line, "    %s tag %3u %-13s %s M=%-3u N=%-3u K=%-3u cycles %7llu (compute %7llu)  %s",
                sa_name(job.sa), job.tag, kind_name(job.kind), to_string(job.precision), job.m, job.n, job.k,
                static_cast<unsigned long long>(r.total_cycles), static_cast<unsigned long long>(r.compute_cycles),
                verdict.c_str());
  say(line);
  if (ok) {
    ++jobs_ok_;
  } else {
    ++failures_;
    failure_lines_.push_back(line);
  }
}

void Selftest::run_round(uint32_t partition, Precision top, Precision bottom) {
  const uint32_t rows[2] = {partition, driver_.caps().rows - partition};
  char line[200];
  std::snprintf(line, sizeof line, "  round: T-SA %s on %u rows, B-SA %s on %u rows", to_string(top), rows[0],
                to_string(bottom), rows[1]);
  say(line);
  driver_.set_precision(Sa::Top, top);
  driver_.set_precision(Sa::Bottom, bottom);
  const PerfCounters before[2] = {driver_.read_perf(Sa::Top), driver_.read_perf(Sa::Bottom)};

  std::vector<Job> jobs;
  const uint64_t start_cycle = driver_.cycles();
  // Interleave the two SAs' submissions so that both queues have work at the same time.
  for (uint32_t i = 0; i < cfg_.jobs_per_round; ++i) {
    for (Sa sa : {Sa::Top, Sa::Bottom}) {
      if (rows[static_cast<unsigned>(sa)] == 0) continue;  // an SA without rows cannot run GEMMs
      const Precision p = sa == Sa::Top ? top : bottom;
      Kind kind = Kind::MxOperands;
      if (i % 3 == 1 && cfg_.fp32_operands) kind = Kind::Fp32Operands;
      if (i % 3 == 2 && cfg_.epilogue) kind = Kind::Epilogue;
      jobs.push_back(prepare(sa, p, kind, i == 0));
      if (i == 0 && cfg_.check_errors) jobs.push_back(prepare(sa, p, Kind::Invalid, false));
    }
  }
  hal_.set_phase(Phase::Accelerate);
  for (Job& job : jobs) job.result = driver_.wait(job.sa, job.ticket);
  const uint64_t end_cycle = driver_.cycles();
  total_cycles_ += end_cycle - start_cycle;
  for (Job& job : jobs) check(job);

  // The perf counters must account for exactly the jobs that completed.
  for (Sa sa : {Sa::Top, Sa::Bottom}) {
    const unsigned s = static_cast<unsigned>(sa);
    const Precision p = sa == Sa::Top ? top : bottom;
    uint64_t macs = 0, done = 0;
    for (const Job& job : jobs)
      if (job.sa == sa && job.result.ok()) {
        macs += uint64_t(job.m) * job.n * job.k;
        ++done;
      }
    const PerfCounters after = driver_.read_perf(sa);
    const auto mac_counter = static_cast<regs::PerfCounter>(static_cast<uint32_t>(regs::PerfCounter::MacsMx4) +
                                                            static_cast<uint32_t>(p));
    const uint64_t got_macs = after[mac_counter] - before[s][mac_counter];
    const uint64_t got_jobs = after[regs::PerfCounter::Jobs] - before[s][regs::PerfCounter::Jobs];
    const bool ok = got_macs == macs && got_jobs == done;
    std::snprintf(line, sizeof line, "    %s perf: %llu jobs, %llu MACs at %s, busy %llu cycles  %s", sa_name(sa),
                  static_cast<unsigned long long>(got_jobs), static_cast<unsigned long long>(got_macs), to_string(p),
                  static_cast<unsigned long long>(after[regs::PerfCounter::BusyCycles] -
                                                  before[s][regs::PerfCounter::BusyCycles]),
                  ok ? "ok" : "FAIL (expected different counts)");
    say(line);
    if (!ok) {
      ++failures_;
      failure_lines_.push_back(line);
    }
  }
  std::snprintf(line, sizeof line, "    round: %llu accelerator cycles", static_cast<unsigned long long>(end_cycle - start_cycle));
  say(line);
}

int Selftest::run() {
  hal_.set_phase(Phase::Boot);
  driver_.probe();
  const AccCaps& caps = driver_.caps();
  char line[200];
  std::snprintf(line, sizeof line, "gemm_selftest: accelerator %ux%u DPEs, %u KiB SRAM, %s model", caps.rows, caps.cols,
                caps.sram_kib, caps.functional ? "functional" : "timing-only");
  say(line);
  const std::vector<uint32_t> partitions = parse_partitions(cfg_.partitions, caps.rows);
  const uint64_t ring[2] = {arena_.alloc(uint64_t(cfg_.ring_slots) * regs::kDescriptorBytes),
                            arena_.alloc(uint64_t(cfg_.ring_slots) * regs::kDescriptorBytes)};
  driver_.init_queue(Sa::Top, ring[0], cfg_.ring_slots);
  driver_.init_queue(Sa::Bottom, ring[1], cfg_.ring_slots);
  data_mark_ = arena_.used();
  const Precision order[3] = {Precision::MX4, Precision::MX6, Precision::MX9};
  for (uint32_t r : partitions) {
    driver_.set_partition(r);
    std::snprintf(line, sizeof line, "partition %u: T-SA rows [0, %u), B-SA rows [%u, %u)", r, r, r, caps.rows);
    say(line);
    for (int round = 0; round < 3; ++round) {
      run_round(r, order[round], order[(round + 1) % 3]);
      arena_.reset();  // operands of the round are no longer needed; the rings stay at the start
      arena_.alloc(data_mark_);
    }
  }
  hal_.set_phase(Phase::Done);
  std::snprintf(line, sizeof line,
                "gemm_selftest: %s  (%llu jobs ok, %llu checked bit-exact, %llu invalid descriptors rejected and "
                "recovered, %llu failures, %llu accelerator cycles in rounds)",
                failures_ == 0 ? "PASS" : "FAIL", static_cast<unsigned long long>(jobs_ok_),
                static_cast<unsigned long long>(jobs_checked_), static_cast<unsigned long long>(errors_recovered_),
                static_cast<unsigned long long>(failures_), static_cast<unsigned long long>(total_cycles_));
  say(line);
  for (const std::string& f : failure_lines_) say("  failed:" + f);
  return failures_ == 0 ? 0 : 1;
}

}  // namespace

int run_gemm_selftest(Hal& hal, const GemmSelftestConfig& cfg, uint64_t seed) {
  Selftest test(hal, cfg, seed);
  return test.run();
}

}  // namespace dacapo::fw
