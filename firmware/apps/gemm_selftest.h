// Firmware image "gemm_selftest": programs each requested partition, runs GEMMs of every precision on both
// sub-accelerators at the same time (round p: T-SA at precision p, B-SA at the next one, so that over three rounds
// each SA runs MX4, MX6 and MX9), checks every result bit for bit against the MX library's reference computed on
// the host, checks the error path (an invalid descriptor per SA is rejected with its ERROR code and the queue
// recovers), checks the perf counters against the jobs, and prints a pass/fail report with cycle counts.
//
// On a timing-only accelerator (CAPS.functional = 0) the results carry no data: everything else is checked, the
// numerical comparison is reported as skipped.
#pragma once

#include <cstdint>
#include <string>

#include "firmware/hal/hal.h"

namespace dacapo::fw {

struct GemmSelftestConfig {
  std::string partitions = "8";    // T-SA row counts to test, comma-separated (e.g. "4,8,12")
  uint32_t jobs_per_round = 3;     // GEMMs per SA per precision round
  uint32_t max_m = 48;             // shapes are drawn from [1, max] (seeded); the first job of a round is max-sized
  uint32_t max_n = 40;
  uint32_t max_k = 96;
  bool fp32_operands = true;       // also run jobs with FP32 A/B (converted by the accelerator's PCU)
  bool epilogue = true;            // also run accumulate + bias + ReLU jobs
  bool check_errors = true;        // submit one invalid descriptor per SA and round, expect rejection + recovery
  uint32_t ring_slots = 16;        // descriptor ring per SA
  uint32_t host_cycles_per_mac = 2;      // host CPU cost of the reference GEMM
  uint32_t host_cycles_per_element = 8;  // host CPU cost of generating/converting/comparing one value
  uint64_t dram_offset = 0;        // start of the self-test's buffers, bytes above the DRAM base
  uint64_t dram_bytes = 64ull << 20;

  template <class V>
  void visit_params(V& v) {
    v("partitions", partitions, "rows", "T-SA row counts to test, comma-separated");
    v("jobs_per_round", jobs_per_round, "", "GEMM jobs per SA per precision round");
    v("max_m", max_m, "", "largest M of a job (M maps to the 16 columns)");
    v("max_n", max_n, "", "largest N of a job (N maps to the SA's rows)");
    v("max_k", max_k, "", "largest K of a job (reduction length)");
    v("fp32_operands", fp32_operands, "", "include jobs with FP32 operands converted by the PCU");
    v("epilogue", epilogue, "", "include accumulate + bias + ReLU jobs");
    v("check_errors", check_errors, "", "submit an invalid descriptor per SA and round; expect recovery");
    v("ring_slots", ring_slots, "", "descriptor ring slots per SA");
    v("host_cycles_per_mac", host_cycles_per_mac, "cycles", "host CPU cycles charged per reference MAC");
    v("host_cycles_per_element", host_cycles_per_element, "cycles", "host CPU cycles charged per generated/checked value");
    v("dram_offset", dram_offset, "B", "offset of the self-test buffers above the DRAM base");
    v("dram_bytes", dram_bytes, "B", "size of the self-test buffer region");
  }
};

// Returns 0 when every check passed, 1 otherwise. Throws only on driver/bus failures (the platform reports them).
int run_gemm_selftest(Hal& hal, const GemmSelftestConfig& cfg, uint64_t seed);

}  // namespace dacapo::fw
