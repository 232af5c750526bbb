// Values carried on the accelerator's internal signals between the register block and the SA controllers.
// Sequence counters (instead of pulses) make every command and event visible exactly once.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>

#include <systemc>

#include "firmware/hal/dacapo_regs.h"

namespace dacapo::acc {

// Register block → SA controller.
struct QueueControl {
  uint64_t ring_base = 0;
  uint32_t ring_size = 0;
  uint32_t tail = 0;
  bool enable = false;
  uint32_t precision = 0;       // regs::Precision
  uint32_t row_first = 0;       // rows the SA owns under PARTITION: [row_first, row_first + row_count)
  uint32_t row_count = 0;
  uint32_t clear_error_seq = 0; // +1 per CLEAR_ERROR write
  uint32_t reset_seq = 0;       // +1 per soft reset
  bool operator==(const QueueControl& o) const {
    return ring_base == o.ring_base && ring_size == o.ring_size && tail == o.tail && enable == o.enable &&
           precision == o.precision && row_first == o.row_first && row_count == o.row_count &&
           clear_error_seq == o.clear_error_seq && reset_seq == o.reset_seq;
  }
};

// SA controller → register block.
struct QueueState {
  uint32_t head = 0;
  bool busy = false;
  bool halted = false;
  uint32_t error = 0;         // ErrorCode | slot << 16 (the ERROR register)
  uint32_t completed = 0;
  uint32_t done_events = 0;   // +1 per completed descriptor with IRQ_ON_DONE
  uint32_t error_events = 0;  // +1 per error
  uint32_t reset_ack = 0;     // reset_seq the controller has applied
  uint32_t clear_ack = 0;     // clear_error_seq the controller has applied
  bool operator==(const QueueState& o) const {
    return head == o.head && busy == o.busy && halted == o.halted && error == o.error &&
           completed == o.completed && done_events == o.done_events && error_events == o.error_events &&
           reset_ack == o.reset_ack && clear_ack == o.clear_ack;
  }
};

// HEAD after CLEAR_ERROR on a halted queue: the offending descriptor is skipped, except after BadRing (the ring
// itself was bad; nothing to skip). Used by the controller (which applies it) and by the register block (which
// shows it from the moment the write lands, before the controller has run).
inline uint32_t head_after_clear(const QueueState& s, uint32_t ring_size) {
  const bool ring_error = (s.error & 0xFF) == static_cast<uint32_t>(regs::ErrorCode::BadRing);
  return (!ring_error && ring_size > 0) ? (s.head + 1) % ring_size : s.head;
}

// The queue state as software must see it right after a register write: a soft reset or CLEAR_ERROR the
// controller has not applied yet (it runs a delta later) is already in effect.
inline QueueState visible_state(QueueState s, const QueueControl& c) {
  if (c.reset_seq != s.reset_ack) {
    s.head = 0;
    s.completed = 0;
    s.halted = false;
    s.error = 0;
    s.busy = false;
  } else if (c.clear_error_seq != s.clear_ack && s.halted) {
    s.head = head_after_clear(s, c.ring_size);
    s.halted = false;
    s.error = 0;
  }
  return s;
}

constexpr size_t kPerfCounters = static_cast<size_t>(regs::PerfCounter::Count);
struct PerfState {
  std::array<uint64_t, kPerfCounters> value{};
  uint64_t& operator[](regs::PerfCounter c) { return value[static_cast<size_t>(c)]; }
  uint64_t operator[](regs::PerfCounter c) const { return value[static_cast<size_t>(c)]; }
  bool operator==(const PerfState& o) const { return value == o.value; }
};

inline std::ostream& operator<<(std::ostream& os, const QueueControl& q) {
  return os << "tail=" << q.tail << " en=" << q.enable;
}
inline std::ostream& operator<<(std::ostream& os, const QueueState& q) {
  return os << "head=" << q.head << " busy=" << q.busy << " halted=" << q.halted;
}
inline std::ostream& operator<<(std::ostream& os, const PerfState& p) { return os << "jobs=" << p.value.back(); }
// These structured signals are not traced (their scalar projections are); sc_signal needs the overloads.
inline void sc_trace(sc_core::sc_trace_file*, const QueueControl&, const std::string&) {}
inline void sc_trace(sc_core::sc_trace_file*, const QueueState&, const std::string&) {}
inline void sc_trace(sc_core::sc_trace_file*, const PerfState&, const std::string&) {}

}  // namespace dacapo::acc
