// Camera peripheral (DESIGN.md §1): captures frames of a FrameSource at the source's frame rate and writes each
// into a ring of slots in DRAM, then raises its interrupt. Register map and slot layout: firmware/hal/camera_regs.h.
//
//   mmio_target_socket     ← bus (window-local register offsets)
//   dram_initiator_socket  → bus (frame writes, bus addresses)
//   irq_out                level: OR(IRQ_RAW & IRQ_ENABLE)
//
// Enabling capture (CTRL.enable 0→1) restarts the stream at frame 0 at the current time and clears FRAMES_WRITTEN,
// CONSUMED and OVERRUNS; frame i is captured at enable_time + i/fps. A frame is written (pixels in bursts, then the
// header with its magic last, so a complete header means a complete frame); when the writes have completed, the
// counters update and FRAME is raised. Writing frame i into slot i mod RING_SLOTS while frame i − RING_SLOTS was
// not consumed (CONSUMED ≤ i − RING_SLOTS) counts an overrun and raises OVERRUN. A write that gets a bus error
// drops the frame, counts DMA_ERRORS and raises DMA_ERROR; the camera never crashes on bad firmware settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "firmware/hal/camera_regs.h"
#include "models/common/params.h"
#include "models/common/stats.h"
#include "scenarios/src/frame_source.h"

namespace dacapo::camera {

enum class PixelFormat { U8, FP32 };

struct CameraConfig {
  PixelFormat pixel_format = PixelFormat::FP32;  // FP32 in [0, 1] is what the firmware's networks consume
  uint32_t burst_bytes = 256;                    // largest DRAM write transaction
  double register_latency_ns = 10.0;             // per register access

  template <class V>
  void visit_params(V& v) {
    v("pixel_format", pixel_format, "", "pixel encoding in DRAM: u8 (0..255) or fp32 (0..1)");
    v("burst_bytes", burst_bytes, "B", "largest DRAM write transaction of a frame");
    v("register_latency_ns", register_latency_ns, "ns", "latency of a register access");
  }
  void validate() const;
};

class Camera : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Camera> mmio_target_socket;
  tlm_utils::simple_initiator_socket<Camera> dram_initiator_socket;
  sc_core::sc_out<bool> irq_out;

  // The source must outlive the camera.
  Camera(const sc_core::sc_module_name& name, const CameraConfig& cfg, const scenarios::FrameSource& source);

  uint32_t slot_bytes() const { return slot_bytes_; }
  uint64_t frames_written() const { return frames_written_; }
  uint64_t overruns() const { return overruns_; }
  void report_stats(StatsReport& report, const std::string& path) const;
  void trace(sc_core::sc_trace_file* tf) const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool read_reg(uint32_t off, uint32_t& value) const;
  bool write_reg(uint32_t off, uint32_t value);
  void capture();
  // Writes one frame into its slot; false on a bus error.
  bool write_frame(uint64_t index, sc_core::sc_time& delay);
  bool dram_write(uint64_t addr, const uint8_t* data, uint32_t bytes, sc_core::sc_time& delay);
  void update_irq();   // recomputes the level and schedules drive_irq (the only writer of irq_out)
  void drive_irq();

  const CameraConfig cfg_;
  const scenarios::FrameSource& source_;
  uint32_t width_ = 0, height_ = 0, channels_ = 1;
  uint32_t pixel_bytes_ = 4;
  uint32_t slot_bytes_ = 0;

  // Registers.
  bool enable_ = false, ended_ = false;
  uint64_t ring_base_ = 0;
  uint32_t ring_slots_ = 0;
  uint32_t consumed_ = 0;
  uint32_t irq_raw_ = 0, irq_enable_ = 0;
  uint64_t frames_written_ = 0, overruns_ = 0, dma_errors_ = 0;
  uint32_t generation_ = 0;  // +1 per enable: a capture loop of an older generation stops

  uint64_t bytes_written_ = 0, irqs_raised_ = 0;
  sc_core::sc_event enable_event_;
  sc_core::sc_event irq_event_;
  bool irq_level_ = false;
  sc_core::sc_signal<bool> irq_trace_;
  sc_core::sc_signal<bool> busy_;
  sc_core::sc_signal<uint32_t> frame_index_;
};

}  // namespace dacapo::camera

DACAPO_PARAM_ENUM(dacapo::camera::PixelFormat, {dacapo::camera::PixelFormat::U8, "u8"},
                  {dacapo::camera::PixelFormat::FP32, "fp32"});
