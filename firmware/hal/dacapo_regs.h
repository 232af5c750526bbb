// DaCapo accelerator hardware/software contract: register map, descriptor format, interrupt bits, error codes.
//
// This header is the single source of truth for both sides: models/dacapo implements it, firmware/driver
// programs it. Plain C++17, no SystemC. All registers are 32 bits wide, 4-byte aligned; any other access
// (unaligned, sub-word, wider) gets TLM_ADDRESS_ERROR_RESPONSE from the model. Every 4 KiB page starts with
// ID / VERSION / CAPS. Multi-byte fields are little-endian.
#pragma once

#include <cstdint>
#include <cstddef>
#include <cstring>

namespace dacapo::regs {

inline constexpr uint32_t kVersion = 0x0001'0000;  // major.minor = 1.0
inline constexpr uint64_t kPageBytes = 0x1000;
inline constexpr uint64_t kCsrBytes = 4 * kPageBytes;  // size of the accelerator's register window

// Page offsets inside the accelerator's register window.
inline constexpr uint64_t kGlobalPage = 0x0000;
inline constexpr uint64_t kQueuePage[2] = {0x1000, 0x2000};  // [0] = T-SA, [1] = B-SA: identical layout
inline constexpr uint64_t kPerfPage = 0x3000;

// Common header of every page.
inline constexpr uint32_t kId = 0x00;       // RO: page identifier (below)
inline constexpr uint32_t kVersionReg = 0x04;  // RO: kVersion
inline constexpr uint32_t kCaps = 0x08;     // RO: page-specific capabilities

inline constexpr uint32_t kGlobalId = 0xDAC0'0001;
inline constexpr uint32_t kQueueId = 0xDAC0'0002;
inline constexpr uint32_t kPerfId = 0xDAC0'0003;

enum class Sa : uint32_t { Top = 0, Bottom = 1 };  // T-SA (labeling/retraining), B-SA (inference)

// ---- Global page ------------------------------------------------------------------------------------------
// CAPS: [7:0] array rows, [15:8] array columns, [16] MX4, [17] MX6, [18] MX9, [19] functional fidelity
// (0 = timing-only: no arithmetic, no payload data).
inline constexpr uint32_t kCapsRowsShift = 0, kCapsColsShift = 8;
inline constexpr uint32_t kCapsMx4 = 1u << 16, kCapsMx6 = 1u << 17, kCapsMx9 = 1u << 18;
inline constexpr uint32_t kCapsFunctional = 1u << 19;

namespace global {
inline constexpr uint32_t kSramKib = 0x0C;    // RO: on-chip SRAM in KiB
inline constexpr uint32_t kCtrl = 0x10;       // WO: bit 0 = soft reset (both queues, IRQs, PARTITION kept)
inline constexpr uint32_t kStatus = 0x14;     // RO: see kStatus* bits
inline constexpr uint32_t kPartition = 0x18;  // RW: T-SA rows r (0..rows); T-SA = rows [0, r), B-SA = [r, rows)
inline constexpr uint32_t kIrqRaw = 0x20;     // RO: latched events (kIrq* bits)
inline constexpr uint32_t kIrqEnable = 0x24;  // RW
inline constexpr uint32_t kIrqStatus = 0x28;  // R: raw & enable; W1C: clears the written bits in raw
inline constexpr uint32_t kCycleLo = 0x30;    // RO: accelerator clock cycles since reset (reading LO latches HI)
inline constexpr uint32_t kCycleHi = 0x34;
}  // namespace global

inline constexpr uint32_t kCtrlSoftReset = 1u << 0;

inline constexpr uint32_t kStatusTopBusy = 1u << 0;
inline constexpr uint32_t kStatusBottomBusy = 1u << 1;
inline constexpr uint32_t kStatusTopHalted = 1u << 2;
inline constexpr uint32_t kStatusBottomHalted = 1u << 3;
inline constexpr uint32_t kStatusPartitionError = 1u << 4;  // last PARTITION write rejected (busy or > rows)

// Interrupt bits (IRQ_RAW / IRQ_ENABLE / IRQ_STATUS). The irq line is OR(raw & enable), level-sensitive.
inline constexpr uint32_t kIrqDone(Sa sa) { return 1u << (2 * static_cast<uint32_t>(sa)); }
inline constexpr uint32_t kIrqError(Sa sa) { return 1u << (2 * static_cast<uint32_t>(sa) + 1); }
inline constexpr uint32_t kIrqPartitionError = 1u << 4;
inline constexpr uint32_t kIrqAll = 0x1F;

// ---- Queue pages (T-SA and B-SA, identical) ----------------------------------------------------------------
// CAPS: [7:0] descriptor size in bytes / 16.
namespace queue {
inline constexpr uint32_t kCtrl = 0x10;        // RW: bit 0 enable; W1: bit 1 clear error (skips the bad descriptor)
inline constexpr uint32_t kStatus = 0x14;      // RO: kQueueStatus* bits, [15:8] rows currently owned
inline constexpr uint32_t kPrecision = 0x18;   // RW: compute precision of the rows (Precision); only while idle
inline constexpr uint32_t kRingBaseLo = 0x20;  // RW: descriptor ring base (64-byte aligned); only while idle
inline constexpr uint32_t kRingBaseHi = 0x24;
inline constexpr uint32_t kRingSize = 0x28;    // RW: number of descriptor slots (1..kMaxRingSlots); only while idle
inline constexpr uint32_t kHead = 0x2C;        // RO: next slot the hardware will fetch
inline constexpr uint32_t kTail = 0x30;        // RW: doorbell; firmware writes the slot after its last descriptor
inline constexpr uint32_t kError = 0x34;       // RO: [7:0] ErrorCode, [31:16] offending slot
inline constexpr uint32_t kCompleted = 0x38;   // RO: descriptors completed since reset (wraps at 2^32)
}  // namespace queue

inline constexpr uint32_t kQueueCtrlEnable = 1u << 0;
inline constexpr uint32_t kQueueCtrlClearError = 1u << 1;
inline constexpr uint32_t kQueueStatusBusy = 1u << 0;    // a descriptor is being fetched or executed
inline constexpr uint32_t kQueueStatusHalted = 1u << 1;  // stopped on an error until CLEAR_ERROR
inline constexpr uint32_t kQueueStatusRowsShift = 8;
inline constexpr uint32_t kMaxRingSlots = 4096;

enum class Precision : uint32_t { MX4 = 0, MX6 = 1, MX9 = 2 };

enum class ErrorCode : uint32_t {
  None = 0,
  BadOpcode = 1,
  BadDims = 2,          // M, N or K zero or above kMaxDim, or conv geometry inconsistent with M/K
  BadAlignment = 3,     // operand address or stride not aligned to its element/block size
  BadAddress = 4,       // a DMA access got an error response (unmapped or outside DRAM)
  BadFormat = 5,        // unknown element format, or an MX operand in a format other than the queue precision
  NoRows = 6,           // the SA owns no rows under the current PARTITION
  BadRing = 7,          // ring base unaligned / size 0 or too large / TAIL >= size
  BadStride = 8,        // stride smaller than the row/column it must hold
};

inline constexpr uint32_t kMaxDim = 1u << 20;

// ---- Perf page --------------------------------------------------------------------------------------------
// 64-bit counters as LO/HI pairs; reading LO latches the counter so the following HI read is consistent.
// Counter c of SA s is at kPerfPage + kPerfSaBase + s * kPerfSaStride + 8 * c (LO) and +4 (HI).
inline constexpr uint32_t kPerfSaBase = 0x100;
inline constexpr uint32_t kPerfSaStride = 0x100;
enum class PerfCounter : uint32_t {
  BusyCycles = 0,        // cycles with a descriptor in flight
  ComputeCycles,         // cycles the rows computed (tile formula)
  StallSramCycles,       // waiting for SRAM (operand buffers full / conflicts)
  StallDramCycles,       // waiting for DMA from DRAM
  MacsMx4,
  MacsMx6,
  MacsMx9,
  DramReadBytes,
  DramWriteBytes,
  SramInputBytes,        // bytes read + written in the input (A) buffer
  SramWeightBytes,       // weight (B) buffer
  SramOutputBytes,       // output (C) buffer
  Jobs,                  // descriptors completed
  Count
};
inline constexpr uint32_t perf_offset(Sa sa, PerfCounter c) {
  return kPerfSaBase + static_cast<uint32_t>(sa) * kPerfSaStride + 8 * static_cast<uint32_t>(c);
}

// ---- GEMM descriptor (128 bytes, 64-byte aligned, in a DRAM ring) ------------------------------------------
// C[M x N] (+)= op(A)[M x K] · op(B)[K x N]. Dataflow: M on the 16 columns, N on the SA's rows, K streamed.
//
// Element formats (a_format, b_format, c_format): bits [3:0] = ElemFormat, bit 4 = kColMajor.
//  FP32 row-major:    element (i, j) at addr + i * ld + 4 * j          (ld in bytes)
//  FP32 column-major: element (i, j) at addr + j * ld + 4 * i
//  MX row-major:      blocks of 16 along the column index j; row i's blocks are contiguous at addr + i * ld
//  MX column-major:   blocks of 16 along the row index i; column j's blocks are contiguous at addr + j * ld
// The MX operands of a GEMM must be blocked along K: A row-major (M x K), B column-major (K x N). An MX
// C (M x N) is written row-major (blocks along N: the next layer's A) or column-major (blocks along M: the
// transposed operand of a weight-gradient GEMM). Packed MX blocks follow DESIGN.md §3 (18/12/8 bytes).
//
// Opcode CONV: A is not read as a matrix but gathered (im2col) from an NHWC FP32 or row-major MX tensor at
// a_addr: images of in_h x in_w pixels, in_c channels, pixel stride lda bytes (>= in_c elements); M must equal
// batch * out_h * out_w and K = kernel_h * kernel_w * in_c, with
// out_h = (in_h + 2 pad - kernel_h) / stride + 1 (same for w). K is ordered (kh, kw, c) with c fastest.
enum class Opcode : uint8_t { Gemm = 1, Conv = 2 };
enum class ElemFormat : uint8_t { FP32 = 0, MX4 = 1, MX6 = 2, MX9 = 3 };
inline constexpr uint8_t kColMajor = 1u << 4;
inline constexpr uint8_t kFormatMask = 0x0F;

inline constexpr uint8_t kFlagAccumulate = 1u << 0;  // C += A·B (C read first; FP32 C only)
inline constexpr uint8_t kFlagBias = 1u << 1;        // + bias[n] (FP32 vector at bias_addr)
inline constexpr uint8_t kFlagRelu = 1u << 2;        // max(0, .) after bias
inline constexpr uint8_t kFlagIrqOnDone = 1u << 3;   // raise the SA's done interrupt on completion

enum class DescStatus : uint32_t { Pending = 0, Done = 1, Error = 2 };  // [7:0]; [15:8] ErrorCode on error

inline constexpr uint32_t kDescriptorBytes = 128;
inline constexpr uint32_t kDescriptorAlign = 64;

struct Descriptor {
  uint8_t opcode = static_cast<uint8_t>(Opcode::Gemm);  // 0x00
  uint8_t flags = 0;                                     // 0x01
  uint8_t a_format = 0;                                  // 0x02
  uint8_t b_format = 0;                                  // 0x03
  uint8_t c_format = 0;                                  // 0x04
  uint8_t reserved0[3] = {};                             // 0x05
  uint32_t m = 0;                                        // 0x08
  uint32_t n = 0;                                        // 0x0C
  uint32_t k = 0;                                        // 0x10
  uint32_t tag = 0;                                      // 0x14 user tag, echoed in stats/jobs.csv
  uint64_t a_addr = 0;                                   // 0x18
  uint64_t b_addr = 0;                                   // 0x20
  uint64_t c_addr = 0;                                   // 0x28
  uint64_t bias_addr = 0;                                // 0x30
  uint32_t lda = 0;                                      // 0x38 bytes
  uint32_t ldb = 0;                                      // 0x3C bytes
  uint32_t ldc = 0;                                      // 0x40 bytes
  uint32_t batch = 0;                                    // 0x44 CONV: images
  uint16_t in_h = 0, in_w = 0, in_c = 0;                 // 0x48 CONV geometry
  uint8_t kernel_h = 0, kernel_w = 0;                    // 0x4E
  uint8_t stride = 0, pad = 0;                           // 0x50
  uint8_t reserved1[14] = {};                            // 0x52
  // Written back by the accelerator on completion:
  uint32_t status = 0;                                   // 0x60 DescStatus | ErrorCode << 8
  uint32_t reserved2 = 0;                                // 0x64
  uint64_t start_cycle = 0;                              // 0x68 accelerator cycle the job started
  uint64_t compute_cycles = 0;                           // 0x70 cycles of the tile formula
  uint64_t total_cycles = 0;                             // 0x78 start to completion, including stalls
};
static_assert(sizeof(Descriptor) == kDescriptorBytes, "descriptor layout must be 128 bytes");
static_assert(offsetof(Descriptor, a_addr) == 0x18 && offsetof(Descriptor, in_h) == 0x48 &&
                  offsetof(Descriptor, status) == 0x60 && offsetof(Descriptor, total_cycles) == 0x78,
              "descriptor field offsets are part of the contract");
inline constexpr uint32_t kDescStatusOffset = 0x60;
inline constexpr uint32_t kDescWritebackBytes = 0x20;  // status .. total_cycles

// The model and the firmware run on little-endian hosts (x86-64, AArch64); the byte image is the struct image.
inline void descriptor_to_bytes(const Descriptor& d, uint8_t out[kDescriptorBytes]) {
  std::memcpy(out, &d, kDescriptorBytes);
}
inline Descriptor descriptor_from_bytes(const uint8_t in[kDescriptorBytes]) {
  Descriptor d;
  std::memcpy(&d, in, kDescriptorBytes);
  return d;
}

inline constexpr uint32_t mx_block_bytes(ElemFormat f) {
  return f == ElemFormat::MX4 ? 8 : f == ElemFormat::MX6 ? 12 : f == ElemFormat::MX9 ? 18 : 0;
}

}  // namespace dacapo::regs
