// Validation of GEMM/CONV descriptors before execution (pure C++). Any failure is an ErrorCode, never a crash.
#pragma once

#include <cstdint>

#include "firmware/hal/dacapo_regs.h"
#include "models/dacapo/operand_io.h"

namespace dacapo::acc {

struct CheckContext {
  regs::Precision precision = regs::Precision::MX9;  // the queue's PRECISION
  uint32_t sa_rows = 0;                              // rows the SA owns now
  uint32_t cols = 16;                                // array columns (MX col-major C is blocked per tile)
  uint64_t dram_base = 0;
  uint64_t dram_bytes = 0;
};

// The decoded, validated view of a descriptor the controller executes.
struct Job {
  regs::Opcode opcode = regs::Opcode::Gemm;
  uint64_t m = 0, n = 0, k = 0;
  KOperand a;        // GEMM A (outer = m)
  ConvGeometry conv; // CONV A
  KOperand b;        // outer = n
  COperand c;
  bool accumulate = false, bias = false, relu = false, irq_on_done = false;
  uint64_t bias_addr = 0;
  uint32_t tag = 0;
};

// Checks in this order: opcode, formats, dims/geometry, rows, alignment, strides, address ranges.
// Returns ErrorCode::None and fills `job` when the descriptor can run.
regs::ErrorCode check_descriptor(const regs::Descriptor& d, const CheckContext& ctx, Job& job);

}  // namespace dacapo::acc
