// Arithmetic for the board's FakeAccelerator (which checks and sequences descriptors but computes nothing): executes
// a GEMM or CONV descriptor as dacapo_regs.h defines it, on the fake board's DRAM. Written for the nn tests from
// the register contract, independently of firmware/nn's lowering.
//  Mx:        FP32 operands are converted to the queue precision like the PCU does (models/mx to_mx: blocks of 16
//             along K, truncation) and multiplied by models/mx's bit-exact DPE GEMM; FP32 accumulate, bias, ReLU.
//  ExactFp32: no quantization, double sums rounded to FP32 once (to check lowering and gradients tightly).
// FP32 operands only (row- or column-major); an MX operand throws std::logic_error (not needed by firmware/nn).
#pragma once

#include <functional>

#include "firmware/hal/dacapo_regs.h"
#include "firmware/hal/fake_board.h"

namespace dacapo::nn_test {

enum class Arithmetic { Mx, ExactFp32 };

std::function<void(const regs::Descriptor&, regs::Precision, fw::FakeBoard&)> make_compute(Arithmetic arithmetic);

}  // namespace dacapo::nn_test
