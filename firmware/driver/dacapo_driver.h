// Driver of the DaCapo accelerator (DESIGN.md §4, registers in firmware/hal/dacapo_regs.h). Plain C++ over Hal.
//
// Usage: probe() → set_partition(r) → set_precision(sa, p) → init_queue(sa, ring) → submit(sa, descriptor) →
// wait(sa, ticket). Both sub-accelerators (T-SA, B-SA) have identical queue pages, so every queue function takes
// the SA and serves both. Completion is interrupt-driven: wait() sleeps in Hal::wait_irq on the accelerator's
// line and, on every interrupt, retires what the hardware finished (HEAD moved) and recovers from queue errors
// (reads ERROR, records the failed job, writes CLEAR_ERROR, which skips the bad descriptor, and the queue goes on).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>

#include "firmware/hal/dacapo_regs.h"
#include "firmware/hal/hal.h"
#include "firmware/hal/soc_map.h"

namespace dacapo::fw {

class DriverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DriverConfig {
  uint64_t csr_base = soc::kAccCsrBase;
  unsigned irq_line = soc::kIrqAccelerator;
  uint64_t timeout_ps = 1'000'000'000'000ull;  // 1 s of simulated time without progress → DriverError
};

struct AccCaps {
  uint32_t rows = 0, cols = 0;
  bool mx4 = false, mx6 = false, mx9 = false;
  bool functional = false;  // false: timing-only model, results carry no data
  uint32_t sram_kib = 0;
};

// The outcome of one descriptor, read back from its write-back fields.
struct JobResult {
  uint64_t ticket = 0;
  uint32_t tag = 0;
  regs::DescStatus status = regs::DescStatus::Pending;
  regs::ErrorCode error = regs::ErrorCode::None;
  uint64_t start_cycle = 0, compute_cycles = 0, total_cycles = 0;
  bool ok() const { return status == regs::DescStatus::Done; }
};

// Snapshot of one SA's 64-bit performance counters.
struct PerfCounters {
  std::array<uint64_t, static_cast<size_t>(regs::PerfCounter::Count)> value{};
  uint64_t operator[](regs::PerfCounter c) const { return value[static_cast<size_t>(c)]; }
};

const char* to_string(regs::ErrorCode code);
const char* to_string(regs::Precision p);
const char* sa_name(regs::Sa sa);

class DacapoDriver {
 public:
  explicit DacapoDriver(Hal& hal, DriverConfig cfg = {});

  // Checks the page IDs and version, reads the capabilities, enables the interrupts. Throws DriverError.
  void probe();
  const AccCaps& caps() const { return caps_; }

  // Soft reset: both queues stop and forget their rings (PARTITION is kept). Outstanding jobs are dropped.
  void reset();

  // Rows of the T-SA (the B-SA gets the rest). Waits until both queues are idle; throws if rejected.
  void set_partition(uint32_t top_rows);
  uint32_t partition();
  // Compute precision of a queue. Waits until the queue is idle.
  void set_precision(regs::Sa sa, regs::Precision p);
  regs::Precision precision(regs::Sa sa) const { return queue(sa).precision; }

  // Gives the queue a descriptor ring of `slots` slots at `ring_base` (64-byte aligned DRAM the caller owns,
  // slots * 128 bytes) and enables it. Waits until the queue is idle.
  void init_queue(regs::Sa sa, uint64_t ring_base, uint32_t slots);

  // Copies the descriptor into the next slot and rings the doorbell. Sets IRQ_ON_DONE. Waits (interrupt-driven)
  // while the ring is full. Returns a ticket for wait().
  uint64_t submit(regs::Sa sa, const regs::Descriptor& d);
  // Waits until the job is retired and returns its result (failed jobs included). Throws DriverError on a
  // timeout or an unknown ticket.
  JobResult wait(regs::Sa sa, uint64_t ticket);
  // Waits until every submitted job of the queue is retired.
  void wait_idle(regs::Sa sa);
  // Retires finished jobs without waiting (also called from wait()).
  void service();

  // Jobs submitted but not retired.
  uint64_t outstanding(regs::Sa sa) const { return queue(sa).submitted - queue(sa).retired; }
  // Failed jobs seen so far (both queues).
  uint64_t errors() const { return errors_; }

  PerfCounters read_perf(regs::Sa sa);
  uint64_t cycles();  // accelerator clock cycles since reset

 private:
  struct Queue {
    uint64_t ring_base = 0;
    uint32_t slots = 0;
    uint32_t tail = 0;       // next slot firmware writes
    uint32_t head = 0;       // hardware HEAD as last read
    uint64_t submitted = 0;  // tickets handed out (ticket = index of submission)
    uint64_t retired = 0;    // tickets whose results are in `results` or were collected
    regs::Precision precision = regs::Precision::MX9;
    std::deque<JobResult> results;  // retired results not yet collected by wait(), oldest first
  };

  uint64_t queue_reg(regs::Sa sa, uint32_t off) const {
    return cfg_.csr_base + regs::kQueuePage[static_cast<unsigned>(sa)] + off;
  }
  uint64_t global_reg(uint32_t off) const { return cfg_.csr_base + regs::kGlobalPage + off; }
  Queue& queue(regs::Sa sa) { return q_[static_cast<unsigned>(sa)]; }
  const Queue& queue(regs::Sa sa) const { return q_[static_cast<unsigned>(sa)]; }
  JobResult read_result(regs::Sa sa, uint32_t slot, uint64_t ticket);
  void retire(regs::Sa sa);
  // Sleeps until the accelerator interrupt or the timeout; throws DriverError naming `what` on timeout.
  void sleep(const char* what, uint64_t deadline_ps);

  Hal& hal_;
  const DriverConfig cfg_;
  AccCaps caps_;
  std::array<Queue, 2> q_;
  uint64_t errors_ = 0;
};

}  // namespace dacapo::fw
