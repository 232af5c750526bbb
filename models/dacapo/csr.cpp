#include "models/dacapo/csr.h"

#include <cstring>

namespace dacapo::acc {

using namespace sc_core;
using regs::Sa;

Csr::Csr(sc_module_name name, const AccConfig& cfg)
    : sc_module(name),
      mmio_target_socket("mmio_target_socket"),
      irq_out("irq_out"),
      partition_out("partition_out"),
      control_out("control_out", 2),
      state_in("state_in", 2),
      perf_in("perf_in", 2),
      cfg_(cfg),
      period_(cfg.period_ns(), SC_NS),
      partition_(cfg.partition_reset) {
  SC_HAS_PROCESS(Csr);
  mmio_target_socket.register_b_transport(this, &Csr::b_transport);
  SC_METHOD(on_state);
  sensitive << state_in[0] << state_in[1];
  dont_initialize();
  SC_METHOD(publish);
  sensitive << publish_event_;  // initialised: drives the reset values at time 0
  SC_METHOD(drive_irq);
  sensitive << irq_event_;
}

void Csr::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t addr = trans.get_address();
  const bool ok_shape = trans.get_data_length() == 4 && trans.get_byte_enable_ptr() == nullptr &&
                        (trans.get_streaming_width() == 4 || trans.get_streaming_width() == 0) &&
                        addr % 4 == 0 && addr < regs::kCsrBytes;
  if (!ok_shape) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  uint8_t* data = trans.get_data_ptr();
  uint32_t value = 0;
  tlm::tlm_response_status status;
  if (trans.is_read()) {
    status = read(addr, value, sc_time_stamp() + delay);
    if (status == tlm::TLM_OK_RESPONSE) std::memcpy(data, &value, 4);
  } else if (trans.is_write()) {
    std::memcpy(&value, data, 4);
    status = write(addr, value);
  } else {
    status = tlm::TLM_COMMAND_ERROR_RESPONSE;
  }
  trans.set_response_status(status);
}

tlm::tlm_response_status Csr::read(uint64_t addr, uint32_t& value, const sc_time& at) {
  const uint64_t page = addr & ~(regs::kPageBytes - 1);
  const uint32_t off = static_cast<uint32_t>(addr & (regs::kPageBytes - 1));
  if (page == regs::kGlobalPage) return read_global(off, value, at);
  if (page == regs::kQueuePage[0]) return read_queue(0, off, value);
  if (page == regs::kQueuePage[1]) return read_queue(1, off, value);
  return read_perf(off, value);
}

tlm::tlm_response_status Csr::write(uint64_t addr, uint32_t value) {
  const uint64_t page = addr & ~(regs::kPageBytes - 1);
  const uint32_t off = static_cast<uint32_t>(addr & (regs::kPageBytes - 1));
  if (page == regs::kGlobalPage) return write_global(off, value);
  if (page == regs::kQueuePage[0]) return write_queue(0, off, value);
  if (page == regs::kQueuePage[1]) return write_queue(1, off, value);
  // Perf page: header and counters are read-only.
  if (off < regs::kPerfSaBase + 2 * regs::kPerfSaStride && (off <= regs::kCaps || off >= regs::kPerfSaBase))
    return tlm::TLM_COMMAND_ERROR_RESPONSE;
  return tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

tlm::tlm_response_status Csr::read_global(uint32_t off, uint32_t& value, const sc_time& at) {
  namespace g = regs::global;
  switch (off) {
    case regs::kId: value = regs::kGlobalId; return tlm::TLM_OK_RESPONSE;
    case regs::kVersionReg: value = regs::kVersion; return tlm::TLM_OK_RESPONSE;
    case regs::kCaps:
      value = (cfg_.rows << regs::kCapsRowsShift) | (cfg_.cols << regs::kCapsColsShift) | regs::kCapsMx4 |
              regs::kCapsMx6 | regs::kCapsMx9 | (cfg_.fidelity == Fidelity::Functional ? regs::kCapsFunctional : 0);
      return tlm::TLM_OK_RESPONSE;
    case g::kSramKib: value = cfg_.sram_bytes / 1024; return tlm::TLM_OK_RESPONSE;
    case g::kCtrl: value = 0; return tlm::TLM_OK_RESPONSE;
    case g::kStatus: {
      const QueueState t = visible_state(state_in[0].read(), control_[0]);
      const QueueState b = visible_state(state_in[1].read(), control_[1]);
      value = (queue_busy(0) ? regs::kStatusTopBusy : 0) | (queue_busy(1) ? regs::kStatusBottomBusy : 0) |
              (t.halted ? regs::kStatusTopHalted : 0) | (b.halted ? regs::kStatusBottomHalted : 0) |
              (partition_error_ ? regs::kStatusPartitionError : 0);
      return tlm::TLM_OK_RESPONSE;
    }
    case g::kPartition: value = partition_; return tlm::TLM_OK_RESPONSE;
    case g::kIrqRaw: value = irq_raw_; return tlm::TLM_OK_RESPONSE;
    case g::kIrqEnable: value = irq_enable_; return tlm::TLM_OK_RESPONSE;
    case g::kIrqStatus: value = irq_raw_ & irq_enable_; return tlm::TLM_OK_RESPONSE;
    case g::kCycleLo: {
      const uint64_t cycles = static_cast<uint64_t>(at / period_);
      cycle_hi_latch_ = static_cast<uint32_t>(cycles >> 32);
      value = static_cast<uint32_t>(cycles);
      return tlm::TLM_OK_RESPONSE;
    }
    case g::kCycleHi: value = cycle_hi_latch_; return tlm::TLM_OK_RESPONSE;
    default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
}

tlm::tlm_response_status Csr::write_global(uint32_t off, uint32_t value) {
  namespace g = regs::global;
  switch (off) {
    case regs::kId:
    case regs::kVersionReg:
    case regs::kCaps:
    case g::kSramKib:
    case g::kStatus:
    case g::kIrqRaw:
    case g::kCycleLo:
    case g::kCycleHi: return tlm::TLM_COMMAND_ERROR_RESPONSE;
    case g::kCtrl:
      if (value & regs::kCtrlSoftReset) {
        // Both queues back to empty and disabled, interrupts cleared; PARTITION, PRECISION and rings are kept.
        for (auto& q : control_) {
          q.tail = 0;
          q.enable = false;
          ++q.reset_seq;
        }
        irq_raw_ = 0;
        irq_enable_ = 0;
        partition_error_ = false;
        update_irq();
        publish_event_.notify(SC_ZERO_TIME);
      }
      return tlm::TLM_OK_RESPONSE;
    case g::kPartition:
      if (value > cfg_.rows || queue_busy(0) || queue_busy(1)) {
        partition_error_ = true;
        irq_raw_ |= regs::kIrqPartitionError;
        update_irq();
      } else {
        partition_error_ = false;
        partition_ = value;
        publish_event_.notify(SC_ZERO_TIME);
      }
      return tlm::TLM_OK_RESPONSE;
    case g::kIrqEnable:
      irq_enable_ = value & regs::kIrqAll;
      update_irq();
      return tlm::TLM_OK_RESPONSE;
    case g::kIrqStatus:
      irq_raw_ &= ~value;
      if (value & regs::kIrqPartitionError) partition_error_ = false;
      update_irq();
      return tlm::TLM_OK_RESPONSE;
    default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
}

tlm::tlm_response_status Csr::read_queue(unsigned sa, uint32_t off, uint32_t& value) {
  namespace q = regs::queue;
  const QueueControl& c = control_[sa];
  const QueueState s = visible_state(state_in[sa].read(), c);
  const uint32_t rows = sa == 0 ? partition_ : cfg_.rows - partition_;
  switch (off) {
    case regs::kId: value = regs::kQueueId; return tlm::TLM_OK_RESPONSE;
    case regs::kVersionReg: value = regs::kVersion; return tlm::TLM_OK_RESPONSE;
    case regs::kCaps: value = regs::kDescriptorBytes / 16; return tlm::TLM_OK_RESPONSE;
    case q::kCtrl: value = c.enable ? regs::kQueueCtrlEnable : 0; return tlm::TLM_OK_RESPONSE;
    case q::kStatus:
      value = (queue_busy(sa) ? regs::kQueueStatusBusy : 0) | (s.halted ? regs::kQueueStatusHalted : 0) |
              (rows << regs::kQueueStatusRowsShift);
      return tlm::TLM_OK_RESPONSE;
    case q::kPrecision: value = c.precision; return tlm::TLM_OK_RESPONSE;
    case q::kRingBaseLo: value = static_cast<uint32_t>(c.ring_base); return tlm::TLM_OK_RESPONSE;
    case q::kRingBaseHi: value = static_cast<uint32_t>(c.ring_base >> 32); return tlm::TLM_OK_RESPONSE;
    case q::kRingSize: value = c.ring_size; return tlm::TLM_OK_RESPONSE;
    case q::kHead: value = s.head; return tlm::TLM_OK_RESPONSE;
    case q::kTail: value = c.tail; return tlm::TLM_OK_RESPONSE;
    case q::kError: value = s.error; return tlm::TLM_OK_RESPONSE;
    case q::kCompleted: value = s.completed; return tlm::TLM_OK_RESPONSE;
    default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
}

tlm::tlm_response_status Csr::write_queue(unsigned sa, uint32_t off, uint32_t value) {
  namespace q = regs::queue;
  QueueControl& c = control_[sa];
  const bool idle = !queue_busy(sa);
  switch (off) {
    case q::kCtrl:
      c.enable = value & regs::kQueueCtrlEnable;
      if (value & regs::kQueueCtrlClearError) ++c.clear_error_seq;
      break;
    case q::kPrecision:
      if (!idle || value > static_cast<uint32_t>(regs::Precision::MX9)) return tlm::TLM_COMMAND_ERROR_RESPONSE;
      c.precision = value;
      break;
    case q::kRingBaseLo:
      if (!idle) return tlm::TLM_COMMAND_ERROR_RESPONSE;
      c.ring_base = (c.ring_base & ~0xFFFF'FFFFull) | value;
      break;
    case q::kRingBaseHi:
      if (!idle) return tlm::TLM_COMMAND_ERROR_RESPONSE;
      c.ring_base = (c.ring_base & 0xFFFF'FFFFull) | (uint64_t(value) << 32);
      break;
    case q::kRingSize:
      if (!idle) return tlm::TLM_COMMAND_ERROR_RESPONSE;
      c.ring_size = value;
      break;
    case q::kTail: c.tail = value; break;
    case regs::kId:
    case regs::kVersionReg:
    case regs::kCaps:
    case q::kStatus:
    case q::kHead:
    case q::kError:
    case q::kCompleted: return tlm::TLM_COMMAND_ERROR_RESPONSE;
    default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  publish_event_.notify(SC_ZERO_TIME);
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Csr::read_perf(uint32_t off, uint32_t& value) {
  switch (off) {
    case regs::kId: value = regs::kPerfId; return tlm::TLM_OK_RESPONSE;
    case regs::kVersionReg: value = regs::kVersion; return tlm::TLM_OK_RESPONSE;
    case regs::kCaps: value = static_cast<uint32_t>(kPerfCounters); return tlm::TLM_OK_RESPONSE;
    default: break;
  }
  if (off < regs::kPerfSaBase) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  const uint32_t rel = off - regs::kPerfSaBase;
  const unsigned sa = rel / regs::kPerfSaStride;
  const uint32_t idx = (rel % regs::kPerfSaStride) / 8;
  if (sa >= 2 || idx >= kPerfCounters) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  const bool hi = (rel % 8) == 4;
  if (!hi) {
    const uint64_t v = perf_in[sa].read().value[idx];
    perf_hi_latch_[sa][idx] = static_cast<uint32_t>(v >> 32);
    value = static_cast<uint32_t>(v);
  } else {
    value = perf_hi_latch_[sa][idx];
  }
  return tlm::TLM_OK_RESPONSE;
}

bool Csr::queue_busy(unsigned sa) const {
  const QueueState s = visible_state(state_in[sa].read(), control_[sa]);
  const QueueControl& c = control_[sa];
  return s.busy || (c.enable && !s.halted && c.tail != s.head);
}

void Csr::publish() {
  for (unsigned sa = 0; sa < 2; ++sa) {
    QueueControl c = control_[sa];
    c.row_first = sa == 0 ? 0 : partition_;
    c.row_count = sa == 0 ? partition_ : cfg_.rows - partition_;
    control_out[sa].write(c);
  }
  partition_out.write(partition_);
}

void Csr::on_state() {
  for (unsigned sa = 0; sa < 2; ++sa) {
    const QueueState& s = state_in[sa].read();
    const Sa which = static_cast<Sa>(sa);
    if (s.done_events != seen_done_[sa]) irq_raw_ |= regs::kIrqDone(which);
    if (s.error_events != seen_error_[sa]) irq_raw_ |= regs::kIrqError(which);
    seen_done_[sa] = s.done_events;
    seen_error_[sa] = s.error_events;
  }
  update_irq();
}

// The line is driven by one process only (register writes come from the host's thread).
void Csr::update_irq() { irq_event_.notify(SC_ZERO_TIME); }
void Csr::drive_irq() { irq_out.write((irq_raw_ & irq_enable_) != 0); }

}  // namespace dacapo::acc
