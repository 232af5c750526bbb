// Camera model tests: a host CPU running a small firmware lambda drives the camera's registers through the bus;
// frames land in a memory target. Checks frame timing, contents, overrun counting and error handling.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "firmware/hal/camera_regs.h"
#include "models/bus/router.h"
#include "models/camera/camera.h"
#include "models/camera/synthetic_source.h"
#include "models/cpu/host_cpu.h"

using namespace sc_core;
using namespace dacapo;
namespace cr = dacapo::camera_regs;

namespace {

constexpr uint64_t kCam = 0x1001'0000, kMem = 0x8000'0000;

struct Memory : sc_module {
  tlm_utils::simple_target_socket<Memory> socket;
  std::vector<uint8_t> data = std::vector<uint8_t>(1 << 20);
  explicit Memory(sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &Memory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_time& d) {
    if (t.get_address() + t.get_data_length() > data.size()) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (t.is_write())
      std::memcpy(&data[t.get_address()], t.get_data_ptr(), t.get_data_length());
    else
      std::memcpy(t.get_data_ptr(), &data[t.get_address()], t.get_data_length());
    d += sc_time(20, SC_NS);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct Rig : sc_module {
  camera::SyntheticFrameSource source;
  Memory mem{"mem"};
  bus::Router bus;
  camera::Camera cam;
  cpu::HostCpu cpu;
  sc_signal<bool> cam_irq{"cam_irq"}, acc_irq{"acc_irq"};
  Rig(camera::SyntheticSourceConfig scfg, cpu::HostCpu::Firmware fw, camera::CameraConfig ccfg = {})
      : sc_module("rig"),
        source(scfg, 9),
        bus("bus", bus::BusConfig{}, {{"camera", kCam, cr::kWindowBytes}, {"mem", kMem, 1 << 20}}),
        cam("camera", ccfg, source),
        cpu("cpu", cpu::CpuConfig{}, std::move(fw)) {
    cpu.bus_initiator_socket.bind(bus.target_socket);
    cam.dram_initiator_socket.bind(bus.target_socket);
    bus.initiator_socket.bind(cam.mmio_target_socket);
    bus.initiator_socket.bind(mem.socket);
    cam.irq_out.bind(cam_irq);
    cpu.irq_in[soc::kIrqCamera].bind(cam_irq);
    cpu.irq_in[soc::kIrqAccelerator].bind(acc_irq);
  }
};

camera::SyntheticSourceConfig source_config(uint64_t frames) {
  camera::SyntheticSourceConfig s;
  s.fps = 100.0;  // 10 ms per frame
  s.frames = frames;
  s.width = 12;
  s.height = 10;
  return s;
}

void configure(fw::Hal& hal, uint64_t base, uint32_t slots) {
  hal.write32(kCam + cr::kRingBaseLo, static_cast<uint32_t>(base));
  hal.write32(kCam + cr::kRingBaseHi, static_cast<uint32_t>(base >> 32));
  hal.write32(kCam + cr::kRingSlots, slots);
  hal.write32(kCam + cr::kIrqEnable, cr::kIrqAll);
  hal.write32(kCam + cr::kCtrl, cr::kCtrlEnable);
}

}  // namespace

TEST_CASE("frames arrive at the frame rate with header and pixels in their slot") {
  tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
  std::vector<uint64_t> irq_times;
  std::vector<cr::FrameHeader> headers;
  std::vector<std::vector<float>> pixels;
  uint32_t slot_bytes = 0;
  Rig rig(source_config(5), [&](fw::Hal& hal) {
    slot_bytes = hal.read32(kCam + cr::kSlotBytes);
    configure(hal, kMem + 0x1000, 3);
    for (uint32_t i = 0; i < 5; ++i) {
      REQUIRE(hal.wait_irq(1u << soc::kIrqCamera, 1'000'000'000'000ull) != 0);
      irq_times.push_back(hal.now_ps());
      hal.write32(kCam + cr::kIrqStatus, cr::kIrqFrame);
      const uint64_t slot = kMem + 0x1000 + (i % 3) * uint64_t(slot_bytes);
      headers.push_back(hal.mem_read_value<cr::FrameHeader>(slot));
      std::vector<float> px(120);
      hal.mem_read(slot + sizeof(cr::FrameHeader), px.data(), px.size() * 4);
      pixels.push_back(px);
      hal.write32(kCam + cr::kConsumed, i + 1);
    }
    return 0;
  });
  sc_start();
  CHECK(slot_bytes == 576);  // 64 + 12*10*4 = 544 → 576
  REQUIRE(irq_times.size() == 5);
  for (uint32_t i = 0; i < 5; ++i) {
    // Captured at i * 10 ms (enable happened a few hundred ns after 0); the IRQ follows the writes.
    CHECK(irq_times[i] >= i * 10'000'000'000ull);
    CHECK(irq_times[i] < i * 10'000'000'000ull + 5'000'000);
    CHECK(headers[i].magic == cr::kFrameMagic);
    CHECK(headers[i].frame_index == i);
    CHECK(headers[i].label == int(i % 10));
    CHECK(headers[i].width == 12);
    CHECK(pixels[i] == rig.source.frame(i).image.pixels);
  }
  CHECK(rig.cam.overruns() == 0);
}

TEST_CASE("frames written over unconsumed slots count as overruns") {
  tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
  uint32_t overruns = 0, written = 0, status = 0, raw = 0;
  Rig rig(source_config(10), [&](fw::Hal& hal) {
    configure(hal, kMem, 4);
    hal.wait_irq(0, 200'000'000'000ull);  // 200 ms: the whole stream, nothing consumed
    overruns = hal.read32(kCam + cr::kOverruns);
    written = hal.read32(kCam + cr::kFramesWritten);
    status = hal.read32(kCam + cr::kStatus);
    raw = hal.read32(kCam + cr::kIrqRaw);
    return 0;
  });
  sc_start();
  CHECK(written == 10);
  CHECK(overruns == 6);  // frames 4..9 overwrite frames 0..5
  CHECK((status & cr::kStatusEnded) != 0);
  CHECK((raw & cr::kIrqOverrun) != 0);
}

TEST_CASE("u8 pixels are written as rounded bytes") {
  tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
  camera::CameraConfig ccfg;
  ccfg.pixel_format = camera::PixelFormat::U8;
  std::vector<uint8_t> px(120);
  uint32_t caps = 1;
  Rig rig(source_config(1), [&](fw::Hal& hal) {
    caps = hal.read32(kCam + cr::kCaps);
    configure(hal, kMem, 2);
    hal.wait_irq(1u << soc::kIrqCamera, 1'000'000'000);
    hal.mem_read(kMem + 64, px.data(), px.size());
    return 0;
  }, ccfg);
  sc_start();
  CHECK(caps == 0);
  const auto f = rig.source.frame(0);
  for (size_t i = 0; i < px.size(); ++i) REQUIRE(px[i] == uint8_t(std::lround(f.image.pixels[i] * 255.0f)));
}

TEST_CASE("a ring outside memory gives DMA errors and an interrupt instead of a crash") {
  tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
  uint32_t errors = 0, written = 0, pending = 0;
  Rig rig(source_config(3), [&](fw::Hal& hal) {
    configure(hal, 0x4000'0000, 2);  // unmapped
    pending = hal.wait_irq(1u << soc::kIrqCamera, 1'000'000'000);
    hal.wait_irq(0, 100'000'000'000ull);
    errors = hal.read32(kCam + cr::kDmaErrors);
    written = hal.read32(kCam + cr::kFramesWritten);
    return 0;
  });
  sc_start();
  CHECK(pending != 0);
  CHECK(errors == 3);
  CHECK(written == 0);
}

TEST_CASE("register misuse gets TLM error responses") {
  tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
  std::vector<std::string> errors;
  Rig rig(source_config(3), [&](fw::Hal& hal) {
    auto expect_error = [&](auto fn) {
      try {
        fn();
      } catch (const fw::BusError& e) {
        errors.push_back(e.what());
      }
    };
    expect_error([&] { hal.write32(kCam + cr::kCtrl, cr::kCtrlEnable); });  // no ring yet
    expect_error([&] { hal.read32(kCam + 0x02); });                         // unaligned
    expect_error([&] { hal.write32(kCam + cr::kWidth, 5); });               // read-only
    expect_error([&] { hal.read32(kCam + 0x800); });                        // unknown register
    configure(hal, kMem, 2);
    expect_error([&] { hal.write32(kCam + cr::kRingSlots, 8); });            // ring moves while capturing
    expect_error([&] { hal.write32(kCam + cr::kConsumed, 100); });           // ahead of the camera
    return 0;
  });
  sc_start();
  REQUIRE(errors.size() == 6);
  CHECK_THAT(errors[0], Catch::Contains("COMMAND_ERROR"));
  CHECK_THAT(errors[1], Catch::Contains("ADDRESS_ERROR"));
  CHECK_THAT(errors[2], Catch::Contains("COMMAND_ERROR"));
  CHECK_THAT(errors[3], Catch::Contains("ADDRESS_ERROR"));
  CHECK_THAT(errors[4], Catch::Contains("COMMAND_ERROR"));
  CHECK_THAT(errors[5], Catch::Contains("COMMAND_ERROR"));
}
