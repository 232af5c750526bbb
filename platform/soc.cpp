#include "platform/soc.h"

#include "firmware/hal/camera_regs.h"
#include "firmware/hal/dacapo_regs.h"
#include "firmware/hal/soc_map.h"

namespace dacapo::platform {

std::vector<bus::AddressRange> Soc::address_map(const BoardConfig& cfg) {
  return {{"acc_csr", soc::kAccCsrBase, regs::kCsrBytes},
          {"camera_csr", soc::kCameraCsrBase, camera_regs::kWindowBytes},
          {"dram", soc::kDramBase, cfg.dram.capacity_bytes()}};
}

Soc::Soc(const sc_core::sc_module_name& name, const BoardConfig& cfg, cpu::HostCpu::Firmware firmware,
         const scenarios::FrameSource& frames, cpu::HostCpu::ConsoleSink console)
    : sc_module(name),
      cpu("cpu", cfg.cpu, std::move(firmware), std::move(console)),
      bus("bus", cfg.bus, address_map(cfg)),
      acc("acc", cfg.acc),
      dram("dram", cfg.dram),
      camera("camera", cfg.camera, frames),
      irq("irq", soc::kIrqCount) {
  // Initiators.
  cpu.bus_initiator_socket.bind(bus.target_socket);
  acc.dram_initiator_socket.bind(bus.target_socket);
  camera.dram_initiator_socket.bind(bus.target_socket);
  // Targets, in address-map order.
  bus.initiator_socket.bind(acc.mmio_target_socket);
  bus.initiator_socket.bind(camera.mmio_target_socket);
  bus.initiator_socket.bind(dram.target_socket);
  // Interrupts.
  acc.irq_out.bind(irq[soc::kIrqAccelerator]);
  camera.irq_out.bind(irq[soc::kIrqCamera]);
  for (unsigned i = 0; i < soc::kIrqCount; ++i) cpu.irq_in[i].bind(irq[i]);
}

void Soc::report_stats(StatsReport& r) const {
  const std::string p = name();
  r.add_real(p, "sim_time", sc_core::sc_time_stamp().to_seconds(), "s", "simulated time at the end of the run");
  cpu.report_stats(r, p + ".cpu");
  bus.report_stats(r, p + ".bus");
  acc.report_stats(r, p + ".acc");
  dram.report_stats(r);
  camera.report_stats(r, p + ".camera");
}

void Soc::trace(sc_core::sc_trace_file* tf, const std::set<std::string>& groups) const {
  const std::string p = name();
  if (groups.count("cpu")) cpu.trace(tf);
  if (groups.count("irq")) {
    sc_core::sc_trace(tf, irq[soc::kIrqAccelerator], p + ".irq.acc");
    sc_core::sc_trace(tf, irq[soc::kIrqCamera], p + ".irq.camera");
  }
  if (groups.count("acc")) acc.trace(tf);
  if (groups.count("dram")) {
    for (unsigned c = 0; c < dram.channel_busy.size(); ++c) {
      sc_core::sc_trace(tf, dram.channel_busy[c], p + ".dram.ch" + std::to_string(c) + ".busy");
      sc_core::sc_trace(tf, dram.channel_open_banks[c], p + ".dram.ch" + std::to_string(c) + ".open_banks");
    }
  }
  if (groups.count("camera")) camera.trace(tf);
}

}  // namespace dacapo::platform
