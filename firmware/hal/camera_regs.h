// Camera peripheral: register map and the layout of a frame in the DRAM ring. Single source of truth for
// models/camera (the device) and the firmware (its driver). Plain C++17.
//
// The camera captures a frame every 1/fps seconds and writes it into slot (frame_index mod RING_SLOTS) of a
// ring in DRAM that firmware configures (base + slot count; the slot size is fixed by the sensor geometry and
// read from SLOT_BYTES). After each frame it raises FRAME in IRQ_RAW. Firmware consumes frames in order and
// tells the camera with CONSUMED (the number of frames it has taken, monotonic). A frame written into a slot
// whose previous frame was not yet consumed counts as overwritten (OVERRUNS) and raises OVERRUN.
// Registers are 32 bits, 4-byte aligned; other accesses get TLM_ADDRESS_ERROR_RESPONSE.
#pragma once

#include <cstdint>

namespace dacapo::camera_regs {

inline constexpr uint32_t kId = 0x00;           // RO: kCameraId
inline constexpr uint32_t kVersionReg = 0x04;   // RO: kVersion
inline constexpr uint32_t kCaps = 0x08;         // RO: [0] FP32 pixels (else 8-bit)
inline constexpr uint32_t kWidth = 0x0C;        // RO: pixels per line
inline constexpr uint32_t kHeight = 0x10;       // RO: lines
inline constexpr uint32_t kChannels = 0x14;     // RO: values per pixel
inline constexpr uint32_t kFpsMilli = 0x18;     // RO: frame rate in 1/1000 frames per second
inline constexpr uint32_t kSlotBytes = 0x1C;    // RO: bytes of one ring slot (header + pixels, 64-byte multiple)
inline constexpr uint32_t kCtrl = 0x20;         // RW: bit 0 = capture enable (configure the ring first)
inline constexpr uint32_t kStatus = 0x24;       // RO: bit 0 = capturing, bit 1 = stream ended
inline constexpr uint32_t kRingBaseLo = 0x28;   // RW: ring base (64-byte aligned); writable while disabled
inline constexpr uint32_t kRingBaseHi = 0x2C;
inline constexpr uint32_t kRingSlots = 0x30;    // RW: slots in the ring (1..kMaxSlots); writable while disabled
inline constexpr uint32_t kFramesWritten = 0x34;  // RO: frames written since enable
inline constexpr uint32_t kConsumed = 0x38;     // RW: frames the firmware has consumed (monotonic, <= written)
inline constexpr uint32_t kOverruns = 0x3C;     // RO: frames written over a slot whose frame was never consumed
inline constexpr uint32_t kIrqRaw = 0x40;       // RO
inline constexpr uint32_t kIrqEnable = 0x44;    // RW
inline constexpr uint32_t kIrqStatus = 0x48;    // R: raw & enable; W1C
inline constexpr uint32_t kDmaErrors = 0x4C;    // RO: frame writes that got a bus error (frame dropped)

inline constexpr uint32_t kCameraId = 0xCA3E'0001;
inline constexpr uint32_t kVersion = 0x0001'0000;
inline constexpr uint32_t kCapsFp32 = 1u << 0;
inline constexpr uint32_t kCtrlEnable = 1u << 0;
inline constexpr uint32_t kStatusCapturing = 1u << 0;
inline constexpr uint32_t kStatusEnded = 1u << 1;
inline constexpr uint32_t kIrqFrame = 1u << 0;
inline constexpr uint32_t kIrqOverrun = 1u << 1;
inline constexpr uint32_t kIrqDmaError = 1u << 2;
inline constexpr uint32_t kIrqAll = 0x7;
inline constexpr uint32_t kMaxSlots = 65536;
inline constexpr uint64_t kWindowBytes = 0x1000;

// Each ring slot starts with this 64-byte header, followed by the pixels (row-major, channels fastest).
// `label` and `segment` are simulation metadata from the scenario (the ground truth the authors' emulator used);
// a real sensor has no such field, and firmware that models a real system must not use them for decisions.
struct FrameHeader {
  uint32_t magic = 0;           // kFrameMagic once the frame is complete
  uint32_t header_bytes = 0;    // sizeof(FrameHeader)
  uint64_t frame_index = 0;     // 0, 1, 2, ... since enable
  uint64_t capture_time_ps = 0; // simulated time the frame was captured (index / fps)
  int32_t label = -1;           // ground truth class, -1 if unknown
  uint32_t segment = 0;         // scenario segment
  uint32_t width = 0, height = 0, channels = 0;
  uint32_t pixel_bytes = 0;     // 1 (u8) or 4 (FP32)
  uint8_t reserved[16] = {};
};
static_assert(sizeof(FrameHeader) == 64, "frame header is 64 bytes");
inline constexpr uint32_t kFrameMagic = 0xF7A3'E000;

}  // namespace dacapo::camera_regs
