#include "firmware/driver/dacapo_driver.h"

#include <algorithm>
#include <sstream>

namespace dacapo::fw {

using regs::Sa;

const char* to_string(regs::ErrorCode code) {
  switch (code) {
    case regs::ErrorCode::None: return "none";
    case regs::ErrorCode::BadOpcode: return "bad opcode";
    case regs::ErrorCode::BadDims: return "bad dimensions";
    case regs::ErrorCode::BadAlignment: return "bad alignment";
    case regs::ErrorCode::BadAddress: return "bad address";
    case regs::ErrorCode::BadFormat: return "bad format";
    case regs::ErrorCode::NoRows: return "no rows";
    case regs::ErrorCode::BadRing: return "bad ring";
    case regs::ErrorCode::BadStride: return "bad stride";
  }
  return "unknown error";
}

const char* to_string(regs::Precision p) {
  switch (p) {
    case regs::Precision::MX4: return "MX4";
    case regs::Precision::MX6: return "MX6";
    case regs::Precision::MX9: return "MX9";
  }
  return "?";
}

const char* sa_name(Sa sa) { return sa == Sa::Top ? "T-SA" : "B-SA"; }

DacapoDriver::DacapoDriver(Hal& hal, DriverConfig cfg) : hal_(hal), cfg_(cfg) {}

void DacapoDriver::probe() {
  const auto expect = [&](uint64_t page, uint32_t id, const char* what) {
    const uint32_t got = hal_.read32(cfg_.csr_base + page + regs::kId);
    if (got != id) {
      std::ostringstream os;
      os << "accelerator probe: " << what << " page ID is 0x" << std::hex << got << ", expected 0x" << id;
      throw DriverError(os.str());
    }
    const uint32_t version = hal_.read32(cfg_.csr_base + page + regs::kVersionReg);
    if ((version >> 16) != (regs::kVersion >> 16)) {
      std::ostringstream os;
      os << "accelerator probe: " << what << " page version 0x" << std::hex << version
         << " is incompatible with the driver's 0x" << regs::kVersion;
      throw DriverError(os.str());
    }
  };
  expect(regs::kGlobalPage, regs::kGlobalId, "global");
  expect(regs::kQueuePage[0], regs::kQueueId, "T-SA queue");
  expect(regs::kQueuePage[1], regs::kQueueId, "B-SA queue");
  expect(regs::kPerfPage, regs::kPerfId, "perf");
  const uint32_t c = hal_.read32(global_reg(regs::kCaps));
  caps_.rows = (c >> regs::kCapsRowsShift) & 0xFF;
  caps_.cols = (c >> regs::kCapsColsShift) & 0xFF;
  caps_.mx4 = c & regs::kCapsMx4;
  caps_.mx6 = c & regs::kCapsMx6;
  caps_.mx9 = c & regs::kCapsMx9;
  caps_.functional = c & regs::kCapsFunctional;
  caps_.sram_kib = hal_.read32(global_reg(regs::global::kSramKib));
  const uint32_t desc_size = (hal_.read32(queue_reg(Sa::Top, regs::kCaps)) & 0xFF) * 16;
  if (desc_size != regs::kDescriptorBytes)
    throw DriverError("accelerator probe: descriptor size " + std::to_string(desc_size) + " B, driver expects " +
                      std::to_string(regs::kDescriptorBytes) + " B");
  for (Sa sa : {Sa::Top, Sa::Bottom})
    queue(sa).precision = static_cast<regs::Precision>(hal_.read32(queue_reg(sa, regs::queue::kPrecision)));
  hal_.write32(global_reg(regs::global::kIrqStatus), regs::kIrqAll);
  hal_.write32(global_reg(regs::global::kIrqEnable), regs::kIrqAll);
}

void DacapoDriver::reset() {
  // Disable the queues first: after the reset HEAD is 0, and a stale TAIL must not start old descriptors.
  for (Sa sa : {Sa::Top, Sa::Bottom}) hal_.write32(queue_reg(sa, regs::queue::kCtrl), 0);
  hal_.write32(global_reg(regs::global::kCtrl), regs::kCtrlSoftReset);
  for (Sa sa : {Sa::Top, Sa::Bottom}) hal_.write32(queue_reg(sa, regs::queue::kTail), 0);
  hal_.write32(global_reg(regs::global::kIrqStatus), regs::kIrqAll);
  for (Queue& q : q_) {
    const regs::Precision p = q.precision;
    q = Queue{};
    q.precision = p;
  }
}

void DacapoDriver::sleep(const char* what, uint64_t deadline_ps) {
  const uint64_t now = hal_.now_ps();
  if (now >= deadline_ps) throw DriverError(std::string("accelerator: timeout while ") + what);
  hal_.wait_irq(1u << cfg_.irq_line, deadline_ps - now);
}

JobResult DacapoDriver::read_result(Sa sa, uint32_t slot, uint64_t ticket) {
  const Queue& q = queue(sa);
  uint8_t raw[regs::kDescriptorBytes] = {};
  const uint64_t addr = q.ring_base + uint64_t(slot) * regs::kDescriptorBytes;
  hal_.mem_read(addr, raw, sizeof raw);
  const regs::Descriptor d = regs::descriptor_from_bytes(raw);
  JobResult r;
  r.ticket = ticket;
  r.tag = d.tag;
  r.status = static_cast<regs::DescStatus>(d.status & 0xFF);
  r.error = static_cast<regs::ErrorCode>((d.status >> 8) & 0xFF);
  r.start_cycle = d.start_cycle;
  r.compute_cycles = d.compute_cycles;
  r.total_cycles = d.total_cycles;
  return r;
}

void DacapoDriver::retire(Sa sa) {
  Queue& q = queue(sa);
  if (q.slots == 0 || q.submitted == q.retired) return;
  const uint32_t hw_head = hal_.read32(queue_reg(sa, regs::queue::kHead));
  // HEAD only moves forward, by at most the outstanding jobs. A HEAD "behind" the driver is a register value
  // from before the hardware saw our last CLEAR_ERROR (the CPU may run ahead in its quantum): nothing to retire.
  const uint64_t advanced = (uint64_t(hw_head) + q.slots - q.head) % q.slots;
  if (hw_head >= q.slots || advanced > q.submitted - q.retired) return;
  while (q.head != hw_head && q.retired < q.submitted) {
    q.results.push_back(read_result(sa, q.head, q.retired));
    ++q.retired;
    q.head = (q.head + 1) % q.slots;
  }
  const uint32_t status = hal_.read32(queue_reg(sa, regs::queue::kStatus));
  if (!(status & regs::kQueueStatusHalted)) return;
  const uint32_t error = hal_.read32(queue_reg(sa, regs::queue::kError));
  const auto code = static_cast<regs::ErrorCode>(error & 0xFF);
  const uint32_t slot = error >> 16;
  if (code == regs::ErrorCode::BadRing || slot != q.head || q.retired == q.submitted)
    throw DriverError(std::string(sa_name(sa)) + " queue halted: " + to_string(code) + " at slot " +
                      std::to_string(slot) + " (driver expected slot " + std::to_string(q.head) + ")");
  JobResult r = read_result(sa, slot, q.retired);
  // A descriptor that could not even be fetched has no write-back: take the code from the ERROR register.
  r.status = regs::DescStatus::Error;
  r.error = code;
  q.results.push_back(r);
  ++q.retired;
  ++errors_;
  q.head = (q.head + 1) % q.slots;
  // Recovery: skip the bad descriptor; the queue continues with the next one. Wait until the hardware has
  // taken the CLEAR_ERROR (it reports a different state), so that a later look does not see this error again.
  hal_.write32(queue_reg(sa, regs::queue::kCtrl), regs::kQueueCtrlEnable | regs::kQueueCtrlClearError);
  const uint64_t deadline = hal_.now_ps() + cfg_.timeout_ps;
  while ((hal_.read32(queue_reg(sa, regs::queue::kStatus)) & regs::kQueueStatusHalted) &&
         hal_.read32(queue_reg(sa, regs::queue::kError)) == error) {
    if (hal_.now_ps() >= deadline) throw DriverError(std::string(sa_name(sa)) + ": CLEAR_ERROR not taken");
    hal_.wait_irq(0, 10'000);  // 10 ns
  }
}

void DacapoDriver::service() {
  const uint32_t pending = hal_.read32(global_reg(regs::global::kIrqStatus));
  if (pending) hal_.write32(global_reg(regs::global::kIrqStatus), pending);
  retire(Sa::Top);
  retire(Sa::Bottom);
}

JobResult DacapoDriver::wait(Sa sa, uint64_t ticket) {
  Queue& q = queue(sa);
  if (ticket >= q.submitted) throw DriverError(std::string(sa_name(sa)) + ": wait for an unknown ticket");
  uint64_t deadline = hal_.now_ps() + cfg_.timeout_ps;
  while (true) {
    const uint64_t before = q.retired;
    service();
    for (auto it = q.results.begin(); it != q.results.end(); ++it) {
      if (it->ticket == ticket) {
        const JobResult r = *it;
        q.results.erase(it);
        return r;
      }
    }
    if (ticket < q.retired) throw DriverError(std::string(sa_name(sa)) + ": result of ticket already collected");
    if (q.retired != before) deadline = hal_.now_ps() + cfg_.timeout_ps;
    sleep("waiting for a job", deadline);
  }
}

void DacapoDriver::wait_idle(Sa sa) {
  Queue& q = queue(sa);
  uint64_t deadline = hal_.now_ps() + cfg_.timeout_ps;
  while (true) {
    const uint64_t before = q.retired;
    service();
    if (q.retired == q.submitted) break;
    if (q.retired != before) deadline = hal_.now_ps() + cfg_.timeout_ps;
    sleep("waiting for the queue to drain", deadline);
  }
  // HEAD moves with the last write-back; the busy flag may drop a moment later. Poll it (time advances).
  const uint32_t busy_bit = sa == Sa::Top ? regs::kStatusTopBusy : regs::kStatusBottomBusy;
  const uint64_t poll_deadline = hal_.now_ps() + cfg_.timeout_ps;
  while (hal_.read32(global_reg(regs::global::kStatus)) & busy_bit) {
    if (hal_.now_ps() >= poll_deadline) throw DriverError(std::string(sa_name(sa)) + ": stays busy with an empty queue");
    hal_.wait_irq(0, 10'000);  // 10 ns
  }
}

void DacapoDriver::set_partition(uint32_t top_rows) {
  if (caps_.rows == 0) throw DriverError("set_partition before probe");
  if (top_rows > caps_.rows)
    throw DriverError("partition: " + std::to_string(top_rows) + " T-SA rows requested, the array has " +
                      std::to_string(caps_.rows));
  wait_idle(Sa::Top);
  wait_idle(Sa::Bottom);
  hal_.write32(global_reg(regs::global::kPartition), top_rows);
  if (hal_.read32(global_reg(regs::global::kStatus)) & regs::kStatusPartitionError) {
    hal_.write32(global_reg(regs::global::kIrqStatus), regs::kIrqPartitionError);
    throw DriverError("partition: the accelerator rejected PARTITION = " + std::to_string(top_rows));
  }
}

uint32_t DacapoDriver::partition() { return hal_.read32(global_reg(regs::global::kPartition)); }

void DacapoDriver::set_precision(Sa sa, regs::Precision p) {
  wait_idle(sa);
  hal_.write32(queue_reg(sa, regs::queue::kPrecision), static_cast<uint32_t>(p));
  queue(sa).precision = p;
}

void DacapoDriver::init_queue(Sa sa, uint64_t ring_base, uint32_t slots) {
  if (ring_base % regs::kDescriptorAlign != 0)
    throw DriverError(std::string(sa_name(sa)) + ": descriptor ring must be 64-byte aligned");
  if (slots < 2 || slots > regs::kMaxRingSlots)
    throw DriverError(std::string(sa_name(sa)) + ": ring needs 2.." + std::to_string(regs::kMaxRingSlots) + " slots");
  wait_idle(sa);
  hal_.write32(queue_reg(sa, regs::queue::kCtrl), 0);
  hal_.write32(queue_reg(sa, regs::queue::kRingBaseLo), static_cast<uint32_t>(ring_base));
  hal_.write32(queue_reg(sa, regs::queue::kRingBaseHi), static_cast<uint32_t>(ring_base >> 32));
  hal_.write32(queue_reg(sa, regs::queue::kRingSize), slots);
  // HEAD survives a ring change (only a soft reset clears it): continue from where the hardware is.
  uint32_t head = hal_.read32(queue_reg(sa, regs::queue::kHead));
  if (head >= slots) {
    reset();
    head = hal_.read32(queue_reg(sa, regs::queue::kHead));
  }
  Queue& q = queue(sa);
  q.ring_base = ring_base;
  q.slots = slots;
  q.head = q.tail = head;
  q.results.clear();
  q.retired = q.submitted;
  hal_.write32(queue_reg(sa, regs::queue::kTail), head);
  hal_.write32(queue_reg(sa, regs::queue::kCtrl), regs::kQueueCtrlEnable);
}

uint64_t DacapoDriver::submit(Sa sa, const regs::Descriptor& d) {
  Queue& q = queue(sa);
  if (q.slots == 0) throw DriverError(std::string(sa_name(sa)) + ": submit before init_queue");
  uint64_t deadline = hal_.now_ps() + cfg_.timeout_ps;
  while (q.submitted - q.retired >= q.slots - 1) {  // one slot stays free: HEAD == TAIL means empty
    const uint64_t before = q.retired;
    service();
    if (q.submitted - q.retired < q.slots - 1) break;
    if (q.retired != before) deadline = hal_.now_ps() + cfg_.timeout_ps;
    sleep("waiting for a free descriptor slot", deadline);
  }
  regs::Descriptor copy = d;
  copy.flags |= regs::kFlagIrqOnDone;
  copy.status = 0;
  copy.start_cycle = copy.compute_cycles = copy.total_cycles = 0;
  uint8_t raw[regs::kDescriptorBytes];
  regs::descriptor_to_bytes(copy, raw);
  hal_.mem_write(q.ring_base + uint64_t(q.tail) * regs::kDescriptorBytes, raw, sizeof raw);
  q.tail = (q.tail + 1) % q.slots;
  hal_.write32(queue_reg(sa, regs::queue::kTail), q.tail);
  return q.submitted++;
}

PerfCounters DacapoDriver::read_perf(Sa sa) {
  PerfCounters p;
  for (size_t c = 0; c < p.value.size(); ++c) {
    const uint64_t off = cfg_.csr_base + regs::kPerfPage + regs::perf_offset(sa, static_cast<regs::PerfCounter>(c));
    const uint32_t lo = hal_.read32(off);  // latches HI
    const uint32_t hi = hal_.read32(off + 4);
    p.value[c] = (uint64_t(hi) << 32) | lo;
  }
  return p;
}

uint64_t DacapoDriver::cycles() {
  const uint32_t lo = hal_.read32(global_reg(regs::global::kCycleLo));
  const uint32_t hi = hal_.read32(global_reg(regs::global::kCycleHi));
  return (uint64_t(hi) << 32) | lo;
}

}  // namespace dacapo::fw
