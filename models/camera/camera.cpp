#include "models/camera/camera.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace sc_core;
namespace cr = dacapo::camera_regs;

namespace dacapo::camera {

void CameraConfig::validate() const {
  if (burst_bytes == 0 || burst_bytes % 4 != 0) throw ParamError("camera: burst_bytes must be a positive multiple of 4");
  if (!(register_latency_ns >= 0.0)) throw ParamError("camera: register_latency_ns must be >= 0");
}

Camera::Camera(const sc_module_name& name, const CameraConfig& cfg, const scenarios::FrameSource& source)
    : sc_module(name),
      mmio_target_socket("mmio_target_socket"),
      dram_initiator_socket("dram_initiator_socket"),
      irq_out("irq_out"),
      cfg_(cfg),
      source_(source),
      irq_trace_("irq"),
      busy_("busy"),
      frame_index_("frame_index") {
  cfg_.validate();
  if (!(source_.fps() > 0.0)) throw ParamError("camera: the frame source has no frame rate");
  if (source_.frame_count() > 0) {
    const scenarios::Frame f0 = source_.frame(0);
    width_ = static_cast<uint32_t>(f0.image.cols);
    height_ = static_cast<uint32_t>(f0.image.rows);
  }
  pixel_bytes_ = cfg_.pixel_format == PixelFormat::FP32 ? 4 : 1;
  const uint64_t payload = sizeof(cr::FrameHeader) + uint64_t(width_) * height_ * channels_ * pixel_bytes_;
  slot_bytes_ = static_cast<uint32_t>((payload + 63) / 64 * 64);
  mmio_target_socket.register_b_transport(this, &Camera::b_transport);
  SC_HAS_PROCESS(Camera);
  SC_THREAD(capture);
  SC_METHOD(drive_irq);
  sensitive << irq_event_;
  dont_initialize();
}

void Camera::update_irq() {
  irq_level_ = (irq_raw_ & irq_enable_) != 0;
  irq_event_.notify(SC_ZERO_TIME);
}

void Camera::drive_irq() {
  irq_out.write(irq_level_);
  irq_trace_.write(irq_level_);
}

bool Camera::read_reg(uint32_t off, uint32_t& v) const {
  switch (off) {
    case cr::kId: v = cr::kCameraId; return true;
    case cr::kVersionReg: v = cr::kVersion; return true;
    case cr::kCaps: v = cfg_.pixel_format == PixelFormat::FP32 ? cr::kCapsFp32 : 0; return true;
    case cr::kWidth: v = width_; return true;
    case cr::kHeight: v = height_; return true;
    case cr::kChannels: v = channels_; return true;
    case cr::kFpsMilli: v = static_cast<uint32_t>(std::lround(source_.fps() * 1000.0)); return true;
    case cr::kSlotBytes: v = slot_bytes_; return true;
    case cr::kCtrl: v = enable_ ? cr::kCtrlEnable : 0; return true;
    case cr::kStatus: v = (enable_ && !ended_ ? cr::kStatusCapturing : 0) | (ended_ ? cr::kStatusEnded : 0); return true;
    case cr::kRingBaseLo: v = static_cast<uint32_t>(ring_base_); return true;
    case cr::kRingBaseHi: v = static_cast<uint32_t>(ring_base_ >> 32); return true;
    case cr::kRingSlots: v = ring_slots_; return true;
    case cr::kFramesWritten: v = static_cast<uint32_t>(frames_written_); return true;
    case cr::kConsumed: v = consumed_; return true;
    case cr::kOverruns: v = static_cast<uint32_t>(overruns_); return true;
    case cr::kIrqRaw: v = irq_raw_; return true;
    case cr::kIrqEnable: v = irq_enable_; return true;
    case cr::kIrqStatus: v = irq_raw_ & irq_enable_; return true;
    case cr::kDmaErrors: v = static_cast<uint32_t>(dma_errors_); return true;
    default: return false;
  }
}

bool Camera::write_reg(uint32_t off, uint32_t v) {
  switch (off) {
    case cr::kCtrl: {
      const bool en = v & cr::kCtrlEnable;
      if (en && !enable_) {
        if (ring_slots_ == 0) return false;  // enable without a ring: rejected
        frames_written_ = overruns_ = 0;
        consumed_ = 0;
        ended_ = false;
        ++generation_;
        enable_event_.notify(SC_ZERO_TIME);
      }
      enable_ = en;
      return true;
    }
    case cr::kRingBaseLo:
    case cr::kRingBaseHi:
    case cr::kRingSlots:
      if (enable_) return false;  // the ring cannot move under a running capture
      if (off == cr::kRingBaseLo) {
        if (v % 64 != 0) return false;
        ring_base_ = (ring_base_ & ~0xFFFF'FFFFull) | v;
      } else if (off == cr::kRingBaseHi) {
        ring_base_ = (ring_base_ & 0xFFFF'FFFFull) | (uint64_t(v) << 32);
      } else {
        if (v == 0 || v > cr::kMaxSlots) return false;
        ring_slots_ = v;
      }
      return true;
    case cr::kConsumed:
      if (v < consumed_ || v > frames_written_) return false;  // monotonic, never ahead of the camera
      consumed_ = v;
      return true;
    case cr::kIrqEnable:
      irq_enable_ = v & cr::kIrqAll;
      update_irq();
      return true;
    case cr::kIrqStatus:
      irq_raw_ &= ~v;
      update_irq();
      return true;
    default: return false;
  }
}

void Camera::b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
  delay += sc_time(cfg_.register_latency_ns, SC_NS);
  const uint64_t addr = t.get_address();
  if (t.get_data_length() != 4 || addr % 4 != 0 || addr >= cr::kWindowBytes || t.get_byte_enable_ptr() ||
      t.get_streaming_width() < 4) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint32_t off = static_cast<uint32_t>(addr);
  uint32_t value = 0;
  if (t.is_read()) {
    if (!read_reg(off, value)) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    std::memcpy(t.get_data_ptr(), &value, 4);
  } else if (t.is_write()) {
    std::memcpy(&value, t.get_data_ptr(), 4);
    uint32_t dummy = 0;
    if (!write_reg(off, value)) {
      // Known but read-only or rejected in the current state: command error; unknown: address error.
      t.set_response_status(read_reg(off, dummy) ? tlm::TLM_COMMAND_ERROR_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
  }
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool Camera::dram_write(uint64_t addr, const uint8_t* data, uint32_t bytes, sc_time& delay) {
  for (uint32_t done = 0; done < bytes;) {
    const uint32_t n = std::min(cfg_.burst_bytes, bytes - done);
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_WRITE_COMMAND);
    t.set_address(addr + done);
    t.set_data_ptr(const_cast<uint8_t*>(data + done));
    t.set_data_length(n);
    t.set_streaming_width(n);
    t.set_byte_enable_ptr(nullptr);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    dram_initiator_socket->b_transport(t, delay);
    if (t.is_response_error()) return false;
    bytes_written_ += n;
    done += n;
  }
  return true;
}

bool Camera::write_frame(uint64_t index, sc_time& delay) {
  const scenarios::Frame f = source_.frame(index);
  const uint64_t slot_addr = ring_base_ + (index % ring_slots_) * uint64_t(slot_bytes_);
  std::vector<uint8_t> pixels(size_t(width_) * height_ * channels_ * pixel_bytes_);
  const size_t n = std::min(f.image.pixels.size(), size_t(width_) * height_);
  for (size_t i = 0; i < n; ++i) {
    const float v = f.image.pixels[i];
    if (pixel_bytes_ == 4) {
      std::memcpy(&pixels[4 * i], &v, 4);
    } else {
      pixels[i] = static_cast<uint8_t>(std::lround(std::fmin(1.0f, std::fmax(0.0f, v)) * 255.0f));
    }
  }
  cr::FrameHeader h;
  h.magic = cr::kFrameMagic;
  h.header_bytes = sizeof h;
  h.frame_index = index;
  h.capture_time_ps = static_cast<uint64_t>(std::llround(sc_time_stamp() / sc_time(1, SC_PS)));
  h.label = f.label;
  h.segment = static_cast<uint32_t>(f.segment);
  h.width = width_;
  h.height = height_;
  h.channels = channels_;
  h.pixel_bytes = pixel_bytes_;
  // Invalidate the old header first, then the pixels, then the new header: a reader never pairs a valid header
  // with pixels of another frame.
  const uint32_t zero = 0;
  return dram_write(slot_addr, reinterpret_cast<const uint8_t*>(&zero), 4, delay) &&
         dram_write(slot_addr + sizeof h, pixels.data(), static_cast<uint32_t>(pixels.size()), delay) &&
         dram_write(slot_addr, reinterpret_cast<const uint8_t*>(&h), sizeof h, delay);
}

void Camera::capture() {
  const sc_time period(1.0 / source_.fps(), SC_SEC);
  while (true) {
    if (!enable_) wait(enable_event_);
    const uint32_t gen = generation_;
    const sc_time start = sc_time_stamp();
    for (uint64_t i = 0; enable_ && gen == generation_; ++i) {
      if (i >= source_.frame_count()) {
        ended_ = true;
        break;
      }
      const sc_time at = start + period * double(i);
      if (at > sc_time_stamp()) wait(at - sc_time_stamp());
      if (!enable_ || gen != generation_) break;
      busy_.write(true);
      frame_index_.write(static_cast<uint32_t>(i));
      sc_time delay = SC_ZERO_TIME;
      const bool ok = write_frame(i, delay);
      wait(delay);  // the frame is in DRAM when the writes complete
      busy_.write(false);
      if (gen != generation_) break;
      if (!ok) {
        ++dma_errors_;
        irq_raw_ |= cr::kIrqDmaError;
      } else {
        if (i >= ring_slots_ && consumed_ <= i - ring_slots_) {
          ++overruns_;
          irq_raw_ |= cr::kIrqOverrun;
        }
        frames_written_ = i + 1;
        irq_raw_ |= cr::kIrqFrame;
        ++irqs_raised_;
      }
      update_irq();
    }
    if (enable_ && gen == generation_) wait(enable_event_);  // stream ended: wait for a new enable
  }
}

void Camera::report_stats(StatsReport& r, const std::string& path) const {
  r.add_count(path, "frames_written", frames_written_, "", "frames written into the DRAM ring (last capture)");
  r.add_count(path, "overruns", overruns_, "", "frames written over a slot the firmware had not consumed");
  r.add_count(path, "frames_consumed", consumed_, "", "frames the firmware acknowledged (CONSUMED)");
  r.add_count(path, "dma_errors", dma_errors_, "", "frames dropped because a DRAM write failed");
  r.add_count(path, "bytes_written", bytes_written_, "B", "bytes written to DRAM (pixels and headers)");
  r.add_count(path, "frame_irqs", irqs_raised_, "", "FRAME interrupts raised");
  r.add_count(path, "slot_bytes", slot_bytes_, "B", "bytes per ring slot (header + pixels, 64-byte multiple)");
}

void Camera::trace(sc_trace_file* tf) const {
  sc_core::sc_trace(tf, irq_trace_, std::string(name()) + ".irq");
  sc_core::sc_trace(tf, busy_, std::string(name()) + ".busy");
  sc_core::sc_trace(tf, frame_index_, std::string(name()) + ".frame_index");
}

}  // namespace dacapo::camera
