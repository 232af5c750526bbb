// Test bench for the DaCapo accelerator: a memory target standing in for DRAM (ideal, or with a simple
// bandwidth/latency model), and a host module that drives the accelerator only through its registers and
// descriptors in memory (what firmware does). Each TEST_CASE elaborates one System and calls sc_start once.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "firmware/hal/dacapo_regs.h"
#include "firmware/hal/soc_map.h"
#include "models/dacapo/accelerator.h"

namespace dacapo::acc::test {

using namespace sc_core;

// Memory at [base, base + size). With bytes_per_ns > 0 requests are served one after another at that bandwidth
// after a fixed latency (a single shared data bus), so concurrent requesters slow each other down.
class TestMemory : public sc_module {
 public:
  tlm_utils::simple_target_socket<TestMemory> socket;
  TestMemory(sc_module_name name, uint64_t base, uint64_t size, double bytes_per_ns = 0, double latency_ns = 0)
      : sc_module(name), socket("socket"), base_(base), bytes_(size, 0), bytes_per_ns_(bytes_per_ns),
        latency_(latency_ns, SC_NS) {
    socket.register_b_transport(this, &TestMemory::b_transport);
  }
  uint8_t* at(uint64_t addr) { return bytes_.data() + (addr - base_); }
  uint64_t base() const { return base_; }
  uint64_t transactions = 0;
  uint64_t bytes_moved = 0;

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    const uint64_t a = t.get_address();
    const uint64_t n = t.get_data_length();
    if (a < base_ || a + n > base_ + bytes_.size() || t.get_byte_enable_ptr()) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (t.is_read()) std::memcpy(t.get_data_ptr(), at(a), n);
    else std::memcpy(at(a), t.get_data_ptr(), n);
    ++transactions;
    bytes_moved += n;
    if (bytes_per_ns_ > 0) {
      const sc_time arrival = sc_time_stamp() + delay;
      const sc_time start = arrival > bus_free_ ? arrival : bus_free_;
      bus_free_ = start + sc_time(double(n) / bytes_per_ns_, SC_NS);
      delay = bus_free_ + latency_ - sc_time_stamp();
    }
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  uint64_t base_;
  std::vector<uint8_t> bytes_;
  double bytes_per_ns_;
  sc_time latency_;
  sc_time bus_free_ = SC_ZERO_TIME;
};

// The "firmware": an SC_THREAD running a test body with register and memory helpers.
class Host : public sc_module {
 public:
  tlm_utils::simple_initiator_socket<Host> mmio;
  sc_in<bool> irq_in;
  std::function<void(Host&)> body;
  bool finished = false;
  bool settle = true;  // false: back-to-back accesses in one delta cycle (a CPU model inside its quantum)

  explicit Host(sc_module_name name) : sc_module(name), mmio("mmio"), irq_in("irq_in") {
    SC_HAS_PROCESS(Host);
    SC_THREAD(run);
    ++running();
  }

  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data);
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time d = SC_ZERO_TIME;
    mmio->b_transport(t, d);
    if (settle) wait(d + sc_time(1, SC_NS));  // one bus cycle per access
    return t.get_response_status();
  }
  tlm::tlm_response_status write32(uint64_t addr, uint32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    return access(tlm::TLM_WRITE_COMMAND, addr, b, 4);
  }
  uint32_t read32(uint64_t addr) {
    uint8_t b[4] = {};
    if (access(tlm::TLM_READ_COMMAND, addr, b, 4) != tlm::TLM_OK_RESPONSE)
      throw std::runtime_error("register read failed at " + std::to_string(addr));
    uint32_t v;
    std::memcpy(&v, b, 4);
    return v;
  }
  uint64_t read64(uint64_t lo_addr) {
    const uint32_t lo = read32(lo_addr);
    const uint32_t hi = read32(lo_addr + 4);
    return (uint64_t(hi) << 32) | lo;
  }
  // Waits until IRQ_STATUS has any of `mask` (or the timeout passes); returns IRQ_STATUS.
  uint32_t wait_irq(uint32_t mask, sc_time timeout = sc_time(1, SC_SEC)) {
    const sc_time deadline = sc_time_stamp() + timeout;
    deadline_event_.notify(timeout);
    while (true) {
      const uint32_t s = read32(regs::kGlobalPage + regs::global::kIrqStatus);
      if ((s & mask) || sc_time_stamp() >= deadline) {
        deadline_event_.cancel();
        return s;
      }
      wait(irq_in.posedge_event() | deadline_event_);
    }
  }

 private:
  void run() {
    body(*this);
    finished = true;
    if (--running() == 0) sc_stop();  // the last host to finish ends the simulation
  }
  static int& running() {
    static int hosts = 0;
    return hosts;
  }
  sc_event deadline_event_;
};

// Accelerator + memory + host, with a small driver for rings and descriptors.
struct System {
  static constexpr uint64_t kMemBytes = 32ull << 20;
  AccConfig cfg;
  Accelerator acc;
  TestMemory mem;
  Host host;
  sc_signal<bool> irq;
  uint64_t next_alloc;
  uint32_t tail[2] = {0, 0};
  static constexpr uint32_t kRingSlots = 16;
  uint64_t ring_base(unsigned sa) const { return soc::kDramBase + sa * 0x1000; }

  static AccConfig with_dram(AccConfig c) {
    c.dram_base = soc::kDramBase;
    if (c.dram_bytes == AccConfig{}.dram_bytes) c.dram_bytes = kMemBytes;
    return c;
  }
  explicit System(AccConfig c, double bytes_per_ns = 0, double latency_ns = 0, const char* prefix = "")
      : cfg(with_dram(c)),
        acc((std::string(prefix) + "acc").c_str(), cfg),
        mem((std::string(prefix) + "mem").c_str(), soc::kDramBase, kMemBytes, bytes_per_ns, latency_ns),
        host((std::string(prefix) + "host").c_str()),
        irq((std::string(prefix) + "irq").c_str()),
        next_alloc(soc::kDramBase + 0x10000) {
    host.mmio.bind(acc.mmio_target_socket);
    acc.dram_initiator_socket.bind(mem.socket);
    acc.irq_out.bind(irq);
    host.irq_in.bind(irq);
  }

  uint64_t alloc(uint64_t bytes, uint64_t align = 64) {
    next_alloc = (next_alloc + align - 1) / align * align;
    const uint64_t a = next_alloc;
    next_alloc += bytes;
    if (next_alloc > soc::kDramBase + kMemBytes) throw std::runtime_error("test memory exhausted");
    return a;
  }
  void put(uint64_t addr, const void* src, size_t n) { std::memcpy(mem.at(addr), src, n); }
  void get(uint64_t addr, void* dst, size_t n) { std::memcpy(dst, mem.at(addr), n); }
  uint64_t put_floats(const std::vector<float>& v) {
    const uint64_t a = alloc(4 * v.size() + 4);
    put(a, v.data(), 4 * v.size());
    return a;
  }
  uint64_t put_bytes(const std::vector<uint8_t>& v) {
    const uint64_t a = alloc(v.size() + 4);
    put(a, v.data(), v.size());
    return a;
  }

  // --- register-level driver (runs in the host thread)
  static uint64_t q(unsigned sa, uint32_t off) { return regs::kQueuePage[sa] + off; }
  static uint64_t g(uint32_t off) { return regs::kGlobalPage + off; }
  void setup_queue(unsigned sa, regs::Precision p) {
    host.write32(q(sa, regs::queue::kPrecision), static_cast<uint32_t>(p));
    host.write32(q(sa, regs::queue::kRingBaseLo), static_cast<uint32_t>(ring_base(sa)));
    host.write32(q(sa, regs::queue::kRingBaseHi), static_cast<uint32_t>(ring_base(sa) >> 32));
    host.write32(q(sa, regs::queue::kRingSize), kRingSlots);
    host.write32(q(sa, regs::queue::kCtrl), regs::kQueueCtrlEnable);
    host.write32(g(regs::global::kIrqEnable), regs::kIrqAll);
  }
  // Places the descriptor in the next slot and rings the doorbell; returns the slot.
  uint32_t submit(unsigned sa, const regs::Descriptor& d) {
    const uint32_t slot = tail[sa];
    uint8_t raw[regs::kDescriptorBytes];
    regs::descriptor_to_bytes(d, raw);
    put(ring_base(sa) + uint64_t(slot) * regs::kDescriptorBytes, raw, sizeof raw);
    tail[sa] = (tail[sa] + 1) % kRingSlots;
    host.write32(q(sa, regs::queue::kTail), tail[sa]);
    return slot;
  }
  regs::Descriptor descriptor(unsigned sa, uint32_t slot) {
    uint8_t raw[regs::kDescriptorBytes];
    get(ring_base(sa) + uint64_t(slot) * regs::kDescriptorBytes, raw, sizeof raw);
    return regs::descriptor_from_bytes(raw);
  }
  // Waits for the SA's done or error interrupt, clears it and returns the written-back descriptor.
  regs::Descriptor wait_done(unsigned sa, uint32_t slot) {
    const uint32_t mask = regs::kIrqDone(static_cast<regs::Sa>(sa)) | regs::kIrqError(static_cast<regs::Sa>(sa));
    const uint32_t s = host.wait_irq(mask);
    host.write32(g(regs::global::kIrqStatus), s & mask);
    return descriptor(sa, slot);
  }
  regs::Descriptor run(unsigned sa, regs::Descriptor d) {
    d.flags |= regs::kFlagIrqOnDone;
    return wait_done(sa, submit(sa, d));
  }
};

}  // namespace dacapo::acc::test
