// Behavioural fake of the DaCapo register interface for firmware unit tests (plain C++). It implements the
// register semantics of firmware/hal/dacapo_regs.h — page headers, PARTITION (rejected while a queue is busy),
// per-queue PRECISION / ring / HEAD / TAIL / ERROR / CLEAR_ERROR, IRQ_RAW / ENABLE / STATUS (W1C), perf counters
// with LO/HI latching — and executes descriptors job by job: each takes `job_ps` after the previous one of its
// queue, is checked (dims, formats vs. queue precision, rows, addresses), and writes status and cycle counts back
// into the descriptor. It does no arithmetic itself; a test supplies `compute` to produce C (e.g. the MX library)
// or to corrupt it, and `fail_tags` to make chosen descriptors fail with a chosen error code.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>

#include "firmware/hal/dacapo_regs.h"
#include "firmware/hal/fake_board.h"

namespace dacapo::fw {

class FakeAccelerator : public FakeBoard::Device {
 public:
  struct Options {
    uint32_t rows = 16, cols = 16;
    uint32_t partition_reset = 8;
    bool functional = true;
    uint64_t job_ps = 1'000'000;  // each job takes 1 µs
    double clock_mhz = 500.0;
  };

  FakeAccelerator(FakeBoard& board, Options options);

  // Called for every valid descriptor when it completes (before the write-back), with the queue precision.
  std::function<void(const regs::Descriptor&, regs::Precision, FakeBoard&)> compute;
  // Descriptors with these tags fail with the given code.
  std::map<uint32_t, regs::ErrorCode> fail_tags;

  bool read(uint64_t offset, uint32_t& value) override;
  bool write(uint64_t offset, uint32_t value) override;
  bool advance(uint64_t now_ps) override;
  uint64_t next_event_ps() const override;

  // What the fake saw, for assertions.
  struct Executed {
    unsigned sa;
    uint32_t slot;
    regs::Descriptor desc;
    regs::Precision precision;
    uint32_t rows;
    uint64_t start_ps, end_ps;
  };
  const std::vector<Executed>& executed() const { return executed_; }
  uint32_t partition() const { return partition_; }
  uint32_t soft_resets() const { return soft_resets_; }

 private:
  static constexpr size_t kCounters = static_cast<size_t>(regs::PerfCounter::Count);
  struct Queue {
    bool enable = false;
    uint32_t precision = 0;
    uint64_t ring_base = 0;
    uint32_t ring_size = 0;
    uint32_t head = 0, tail = 0;
    bool halted = false;
    uint32_t error = 0;
    uint32_t completed = 0;
    uint64_t free_at_ps = 0;  // the queue's previous job ends here
    std::array<uint64_t, kCounters> perf{};
  };
  bool busy(const Queue& q) const { return q.enable && !q.halted && q.head != q.tail; }
  uint32_t rows_of(unsigned sa) const;
  regs::ErrorCode check(unsigned sa, const regs::Descriptor& d) const;
  void run_queue(unsigned sa, uint64_t now_ps);

  FakeBoard& board_;
  Options opt_;
  uint64_t now_ps_ = 0;
  uint32_t partition_;
  bool partition_error_ = false;
  uint32_t irq_raw_ = 0, irq_enable_ = 0;
  std::array<Queue, 2> q_{};
  std::array<std::array<uint32_t, kCounters>, 2> hi_latch_{};
  uint32_t cycle_hi_latch_ = 0;
  uint32_t soft_resets_ = 0;
  std::vector<Executed> executed_;
};

}  // namespace dacapo::fw
