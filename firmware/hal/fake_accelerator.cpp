#include "firmware/hal/fake_accelerator.h"

#include <algorithm>

namespace dacapo::fw {

using regs::ErrorCode;
using regs::PerfCounter;

FakeAccelerator::FakeAccelerator(FakeBoard& board, Options options)
    : board_(board), opt_(options), partition_(options.partition_reset) {}

uint32_t FakeAccelerator::rows_of(unsigned sa) const { return sa == 0 ? partition_ : opt_.rows - partition_; }

bool FakeAccelerator::read(uint64_t offset, uint32_t& value) {
  const uint64_t page = offset & ~(regs::kPageBytes - 1);
  const uint32_t off = static_cast<uint32_t>(offset & (regs::kPageBytes - 1));
  if (off == regs::kVersionReg) {
    value = regs::kVersion;
    return true;
  }
  if (page == regs::kGlobalPage) {
    switch (off) {
      case regs::kId: value = regs::kGlobalId; return true;
      case regs::kCaps:
        value = opt_.rows | (opt_.cols << regs::kCapsColsShift) | regs::kCapsMx4 | regs::kCapsMx6 | regs::kCapsMx9 |
                (opt_.functional ? regs::kCapsFunctional : 0);
        return true;
      case regs::global::kSramKib: value = 96; return true;
      case regs::global::kStatus:
        value = (busy(q_[0]) ? regs::kStatusTopBusy : 0) | (busy(q_[1]) ? regs::kStatusBottomBusy : 0) |
                (q_[0].halted ? regs::kStatusTopHalted : 0) | (q_[1].halted ? regs::kStatusBottomHalted : 0) |
                (partition_error_ ? regs::kStatusPartitionError : 0);
        return true;
      case regs::global::kPartition: value = partition_; return true;
      case regs::global::kIrqRaw: value = irq_raw_; return true;
      case regs::global::kIrqEnable: value = irq_enable_; return true;
      case regs::global::kIrqStatus: value = irq_raw_ & irq_enable_; return true;
      case regs::global::kCycleLo: {
        const uint64_t c = static_cast<uint64_t>(double(now_ps_) * opt_.clock_mhz / 1e6);
        cycle_hi_latch_ = static_cast<uint32_t>(c >> 32);
        value = static_cast<uint32_t>(c);
        return true;
      }
      case regs::global::kCycleHi: value = cycle_hi_latch_; return true;
      default: return false;
    }
  }
  for (unsigned sa = 0; sa < 2; ++sa) {
    if (page != regs::kQueuePage[sa]) continue;
    const Queue& q = q_[sa];
    switch (off) {
      case regs::kId: value = regs::kQueueId; return true;
      case regs::kCaps: value = regs::kDescriptorBytes / 16; return true;
      case regs::queue::kCtrl: value = q.enable ? regs::kQueueCtrlEnable : 0; return true;
      case regs::queue::kStatus:
        value = (busy(q) ? regs::kQueueStatusBusy : 0) | (q.halted ? regs::kQueueStatusHalted : 0) |
                (rows_of(sa) << regs::kQueueStatusRowsShift);
        return true;
      case regs::queue::kPrecision: value = q.precision; return true;
      case regs::queue::kRingBaseLo: value = static_cast<uint32_t>(q.ring_base); return true;
      case regs::queue::kRingBaseHi: value = static_cast<uint32_t>(q.ring_base >> 32); return true;
      case regs::queue::kRingSize: value = q.ring_size; return true;
      case regs::queue::kHead: value = q.head; return true;
      case regs::queue::kTail: value = q.tail; return true;
      case regs::queue::kError: value = q.error; return true;
      case regs::queue::kCompleted: value = q.completed; return true;
      default: return false;
    }
  }
  if (page == regs::kPerfPage) {
    if (off == regs::kId) {
      value = regs::kPerfId;
      return true;
    }
    if (off == regs::kCaps) {
      value = static_cast<uint32_t>(kCounters);
      return true;
    }
    for (unsigned sa = 0; sa < 2; ++sa) {
      const uint32_t base = regs::perf_offset(static_cast<regs::Sa>(sa), PerfCounter::BusyCycles);
      if (off < base || off >= base + 8 * kCounters) continue;
      const size_t c = (off - base) / 8;
      if ((off - base) % 8 == 0) {
        hi_latch_[sa][c] = static_cast<uint32_t>(q_[sa].perf[c] >> 32);
        value = static_cast<uint32_t>(q_[sa].perf[c]);
      } else {
        value = hi_latch_[sa][c];
      }
      return true;
    }
  }
  return false;
}

bool FakeAccelerator::write(uint64_t offset, uint32_t value) {
  const uint64_t page = offset & ~(regs::kPageBytes - 1);
  const uint32_t off = static_cast<uint32_t>(offset & (regs::kPageBytes - 1));
  if (page == regs::kGlobalPage) {
    switch (off) {
      case regs::global::kCtrl:
        if (value & regs::kCtrlSoftReset) {
          ++soft_resets_;
          for (Queue& q : q_) {
            const auto perf = q.perf;
            q = Queue{};
            q.perf = perf;
          }
          irq_raw_ = 0;
          partition_error_ = false;
        }
        return true;
      case regs::global::kPartition:
        if (busy(q_[0]) || busy(q_[1]) || value > opt_.rows) {
          partition_error_ = true;
          irq_raw_ |= regs::kIrqPartitionError;
        } else {
          partition_error_ = false;
          partition_ = value;
        }
        return true;
      case regs::global::kIrqEnable: irq_enable_ = value & regs::kIrqAll; return true;
      case regs::global::kIrqStatus: irq_raw_ &= ~value; return true;
      default: return false;
    }
  }
  for (unsigned sa = 0; sa < 2; ++sa) {
    if (page != regs::kQueuePage[sa]) continue;
    Queue& q = q_[sa];
    const bool config_reg = off == regs::queue::kPrecision || off == regs::queue::kRingBaseLo ||
                            off == regs::queue::kRingBaseHi || off == regs::queue::kRingSize;
    if (config_reg && busy(q)) return false;
    switch (off) {
      case regs::queue::kCtrl:
        q.enable = value & regs::kQueueCtrlEnable;
        if ((value & regs::kQueueCtrlClearError) && q.halted) {
          q.halted = false;
          q.error = 0;
          q.head = (q.head + 1) % std::max<uint32_t>(q.ring_size, 1);
        }
        q.free_at_ps = std::max(q.free_at_ps, now_ps_);
        return true;
      case regs::queue::kPrecision:
        if (value > 2) return false;
        q.precision = value;
        return true;
      case regs::queue::kRingBaseLo: q.ring_base = (q.ring_base & ~0xFFFF'FFFFull) | value; return true;
      case regs::queue::kRingBaseHi: q.ring_base = (q.ring_base & 0xFFFF'FFFFull) | (uint64_t(value) << 32); return true;
      case regs::queue::kRingSize: q.ring_size = value; return true;  // HEAD is kept, as in the hardware
      case regs::queue::kTail:
        if (!busy(q)) q.free_at_ps = std::max(q.free_at_ps, now_ps_);
        q.tail = value;
        return true;
      default: return false;
    }
  }
  return false;
}

ErrorCode FakeAccelerator::check(unsigned sa, const regs::Descriptor& d) const {
  if (d.opcode != static_cast<uint8_t>(regs::Opcode::Gemm) && d.opcode != static_cast<uint8_t>(regs::Opcode::Conv))
    return ErrorCode::BadOpcode;
  if (d.m == 0 || d.n == 0 || d.k == 0 || d.m > regs::kMaxDim || d.n > regs::kMaxDim || d.k > regs::kMaxDim)
    return ErrorCode::BadDims;
  if (rows_of(sa) == 0) return ErrorCode::NoRows;
  const auto queue_format = static_cast<regs::ElemFormat>(q_[sa].precision + 1);
  for (uint8_t f : {d.a_format, d.b_format, d.c_format}) {
    const auto ef = static_cast<regs::ElemFormat>(f & regs::kFormatMask);
    if (ef > regs::ElemFormat::MX9) return ErrorCode::BadFormat;
    if (ef != regs::ElemFormat::FP32 && ef != queue_format) return ErrorCode::BadFormat;
  }
  for (uint64_t a : {d.a_addr, d.b_addr, d.c_addr})
    if (!board_.dram_contains(a, 1)) return ErrorCode::BadAddress;
  return ErrorCode::None;
}

void FakeAccelerator::run_queue(unsigned sa, uint64_t now_ps) {
  Queue& q = q_[sa];
  while (busy(q) && q.free_at_ps + opt_.job_ps <= now_ps) {
    const uint64_t addr = q.ring_base + uint64_t(q.head) * regs::kDescriptorBytes;
    uint8_t raw[regs::kDescriptorBytes];
    board_.dram_read(addr, raw, sizeof raw);
    regs::Descriptor d = regs::descriptor_from_bytes(raw);
    const uint64_t start = q.free_at_ps, end = start + opt_.job_ps;
    q.free_at_ps = end;
    ErrorCode code = check(sa, d);
    if (auto it = fail_tags.find(d.tag); code == ErrorCode::None && it != fail_tags.end()) code = it->second;
    const auto cycles = [&](uint64_t ps) { return static_cast<uint64_t>(double(ps) * opt_.clock_mhz / 1e6); };
    d.start_cycle = cycles(start);
    d.total_cycles = cycles(end) - d.start_cycle;
    if (code != ErrorCode::None) {
      d.status = static_cast<uint32_t>(regs::DescStatus::Error) | (static_cast<uint32_t>(code) << 8);
      d.compute_cycles = 0;
      q.halted = true;
      q.error = static_cast<uint32_t>(code) | (q.head << 16);
      irq_raw_ |= regs::kIrqError(static_cast<regs::Sa>(sa));
    } else {
      if (compute) compute(d, static_cast<regs::Precision>(q.precision), board_);
      d.status = static_cast<uint32_t>(regs::DescStatus::Done);
      d.compute_cycles = d.total_cycles / 2;
      q.perf[size_t(PerfCounter::Jobs)] += 1;
      q.perf[size_t(PerfCounter::BusyCycles)] += d.total_cycles;
      q.perf[size_t(PerfCounter::ComputeCycles)] += d.compute_cycles;
      q.perf[size_t(PerfCounter::MacsMx4) + q.precision] += uint64_t(d.m) * d.n * d.k;
      ++q.completed;
      q.head = (q.head + 1) % q.ring_size;
      if (d.flags & regs::kFlagIrqOnDone) irq_raw_ |= regs::kIrqDone(static_cast<regs::Sa>(sa));
    }
    executed_.push_back(Executed{sa, static_cast<uint32_t>((addr - q.ring_base) / regs::kDescriptorBytes), d,
                                 static_cast<regs::Precision>(q.precision), rows_of(sa), start, end});
    regs::descriptor_to_bytes(d, raw);
    board_.dram_write(addr + regs::kDescStatusOffset, raw + regs::kDescStatusOffset, regs::kDescWritebackBytes);
  }
}

uint64_t FakeAccelerator::next_event_ps() const {
  uint64_t next = UINT64_MAX;
  for (const Queue& q : q_)
    if (busy(q)) next = std::min(next, q.free_at_ps + opt_.job_ps);
  return next;
}

bool FakeAccelerator::advance(uint64_t now_ps) {
  now_ps_ = std::max(now_ps_, now_ps);
  run_queue(0, now_ps_);
  run_queue(1, now_ps_);
  return (irq_raw_ & irq_enable_) != 0;
}

}  // namespace dacapo::fw
