// The virtual board (DESIGN.md §1): host CPU, bus, DaCapo accelerator, LPDDR5 and camera, wired through TLM
// sockets and interrupt signals according to the address map in firmware/hal/soc_map.h (shared with firmware).
//
//   initiators → bus.target_socket:   cpu.bus_initiator_socket, acc.dram_initiator_socket, camera.dram_initiator_socket
//   bus.initiator_socket → targets:   [0] acc.mmio_target_socket   at soc::kAccCsrBase    (regs::kCsrBytes)
//                                     [1] camera.mmio_target_socket at soc::kCameraCsrBase (camera_regs::kWindowBytes)
//                                     [2] dram.target_socket        at soc::kDramBase      (DRAM capacity)
//   irq[soc::kIrqAccelerator] = acc.irq_out, irq[soc::kIrqCamera] = camera.irq_out → cpu.irq_in
#pragma once

#include <set>
#include <string>
#include <vector>

#include <systemc>

#include "models/bus/router.h"
#include "models/camera/camera.h"
#include "models/common/stats.h"
#include "models/cpu/host_cpu.h"
#include "models/dacapo/accelerator.h"
#include "models/dram/dram.h"
#include "platform/board_config.h"
#include "scenarios/src/frame_source.h"

namespace dacapo::platform {

// Module groups that --trace can select.
inline const std::vector<std::string> kTraceGroups = {"cpu", "acc", "dram", "camera", "irq"};

class Soc : public sc_core::sc_module {
 public:
  // The frame source must outlive the board.
  Soc(const sc_core::sc_module_name& name, const BoardConfig& cfg, cpu::HostCpu::Firmware firmware,
      const scenarios::FrameSource& frames, cpu::HostCpu::ConsoleSink console);

  cpu::HostCpu cpu;
  bus::Router bus;
  acc::Accelerator acc;
  dram::Lpddr5 dram;
  camera::Camera camera;
  sc_core::sc_vector<sc_core::sc_signal<bool>> irq;

  void report_stats(StatsReport& report) const;
  // Adds the signals of the selected groups (kTraceGroups) to the trace file.
  void trace(sc_core::sc_trace_file* tf, const std::set<std::string>& groups) const;

 private:
  static std::vector<bus::AddressRange> address_map(const BoardConfig& cfg);
};

}  // namespace dacapo::platform
