// Accelerator + LPDDR5 (models/dram) behind a trivial address-offset adapter (the bus router's job in the
// platform), with a host that drives the registers and writes descriptors through a debug port. Used by the
// LPDDR5 tests and the benchmark.
#pragma once

#include <stdexcept>

#include <tlm_utils/multi_passthrough_target_socket.h>

#include "acc_testbench.h"
#include "models/dram/dram.h"

namespace dacapo::acc::test {

// Subtracts the DRAM base (the router's job in the platform); any number of initiators.
class OffsetAdapter : public sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<OffsetAdapter> in;
  tlm_utils::simple_initiator_socket<OffsetAdapter> out;
  explicit OffsetAdapter(sc_module_name name) : sc_module(name), in("in"), out("out") {
    in.register_b_transport(this, &OffsetAdapter::b_transport);
    in.register_transport_dbg(this, &OffsetAdapter::transport_dbg);
  }

 private:
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    const uint64_t a = t.get_address();
    if (a < soc::kDramBase) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    t.set_address(a - soc::kDramBase);
    out->b_transport(t, d);
    t.set_address(a);
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& t) {
    const uint64_t a = t.get_address();
    t.set_address(a - soc::kDramBase);
    const unsigned n = out->transport_dbg(t);
    t.set_address(a);
    return n;
  }
};

// Host (registers), accelerator, adapter, LPDDR5; the host writes descriptors through a debug port.
struct DramSystem : sc_module {
  AccConfig cfg;
  dram::DramConfig dram_cfg;
  Accelerator acc;
  OffsetAdapter adapter;
  dram::Lpddr5 dram;
  Host host;
  tlm_utils::simple_initiator_socket<Host> loader{"loader"};
  sc_signal<bool> irq{"irq"};
  uint64_t next = soc::kDramBase + 0x10000;
  uint32_t tail[2] = {0, 0};

  static AccConfig acc_config(const dram::DramConfig& d, Fidelity f) {
    AccConfig c;
    c.fidelity = f;
    c.dram_bytes = d.capacity_bytes();
    return c;
  }
  explicit DramSystem(uint32_t channels, Fidelity fidelity = Fidelity::TimingOnly,
                      sc_module_name name = "top")
      : sc_module(name),
        dram_cfg(make_dram(channels)),
        acc("acc", cfg = acc_config(dram_cfg, fidelity)),
        adapter("adapter"),
        dram("dram", dram_cfg),
        host("host") {
    host.mmio.bind(acc.mmio_target_socket);
    acc.dram_initiator_socket.bind(adapter.in);
    loader.bind(adapter.in);
    adapter.out.bind(dram.target_socket);
    acc.irq_out.bind(irq);
    host.irq_in.bind(irq);
  }
  static dram::DramConfig make_dram(uint32_t channels) {
    dram::DramConfig d;
    d.channels = channels;
    return d;
  }
  void poke(uint64_t addr, const void* data, unsigned n) {
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_WRITE_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(reinterpret_cast<unsigned char*>(const_cast<void*>(data)));
    t.set_data_length(n);
    t.set_streaming_width(n);
    if (loader->transport_dbg(t) != n) throw std::runtime_error("debug write to DRAM failed");
  }
  regs::Descriptor peek_desc(unsigned sa, uint32_t slot) {
    uint8_t raw[regs::kDescriptorBytes];
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(ring(sa) + uint64_t(slot) * regs::kDescriptorBytes);
    t.set_data_ptr(raw);
    t.set_data_length(sizeof raw);
    t.set_streaming_width(sizeof raw);
    loader->transport_dbg(t);
    return regs::descriptor_from_bytes(raw);
  }
  uint64_t ring(unsigned sa) const { return soc::kDramBase + sa * 0x1000; }
  uint64_t alloc(uint64_t bytes) {
    const uint64_t a = next;
    next += (bytes + 4095) / 4096 * 4096;
    return a;
  }
  void setup(unsigned sa, Precision p) {
    host.write32(System::q(sa, regs::queue::kPrecision), uint32_t(p));
    host.write32(System::q(sa, regs::queue::kRingBaseLo), uint32_t(ring(sa)));
    host.write32(System::q(sa, regs::queue::kRingBaseHi), uint32_t(ring(sa) >> 32));
    host.write32(System::q(sa, regs::queue::kRingSize), 8);
    host.write32(System::q(sa, regs::queue::kCtrl), regs::kQueueCtrlEnable);
  }
  uint32_t submit(unsigned sa, const regs::Descriptor& d) {
    const uint32_t slot = tail[sa];
    uint8_t raw[regs::kDescriptorBytes];
    regs::descriptor_to_bytes(d, raw);
    poke(ring(sa) + uint64_t(slot) * regs::kDescriptorBytes, raw, sizeof raw);
    tail[sa] = (tail[sa] + 1) % 8;
    host.write32(System::q(sa, regs::queue::kTail), tail[sa]);
    return slot;
  }
  void wait_completed(unsigned sa, uint32_t count) {
    while (host.read32(System::q(sa, regs::queue::kCompleted)) < count) wait(1, SC_US);
  }
  // M = 1 weight-streaming GEMM at MX4: B is N x K/16 blocks of 8 B, read once.
  regs::Descriptor streaming(uint32_t n, uint32_t k) {
    regs::Descriptor d;
    d.m = 1;
    d.n = n;
    d.k = k;
    d.a_format = uint8_t(regs::ElemFormat::MX4);
    d.b_format = uint8_t(regs::ElemFormat::MX4) | regs::kColMajor;
    d.lda = d.ldb = k / 16 * 8;
    d.ldc = 4 * n;
    d.a_addr = alloc(d.lda);
    d.b_addr = alloc(uint64_t(d.ldb) * n);
    d.c_addr = alloc(d.ldc);
    return d;
  }
};

inline double peak_bytes_per_cycle(const dram::DramConfig& d) { return d.peak_bytes_per_s_per_channel() * d.channels / 500e6; }


}  // namespace dacapo::acc::test
