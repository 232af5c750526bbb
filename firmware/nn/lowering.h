// Lowering of a ModelDef to accelerator descriptors (pure functions, no Hal): which layers become GEMM / CONV
// jobs, with which fused epilogue, and the descriptors of the forward pass and of both backward GEMMs.
//
//  forward  conv:   CONV  Y[B·oh·ow × cout] = im2col(X)·W (+bias, ReLU)   the memory interface gathers im2col(X)
//           linear: GEMM  Y[B × out]        = X[B × K]·W  (+bias, ReLU)   X = the previous HWC tensor, flattened
//  data gradient:   GEMM  dA[M × K] = dY[M × N]·Wᵀ     Wᵀ = the row-major W[K×N] read as a column-major N×K operand
//  weight gradient: GEMM  dW[K × N] = Aᵀ·dY[M × N]     Aᵀ = the row-major A[M×K] read as a column-major K×M operand;
//                                                     for conv, A = im2col(X) materialised in DRAM by the host
// M = B·oh·ow (conv) or B (linear), K = k·k·cin or the flattened input size, N = cout / out.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/hal/dacapo_regs.h"
#include "firmware/nn/model_def.h"
#include "firmware/nn/tensor.h"

namespace dacapo::nn {

// One accelerator layer (conv or linear) after fusing the ReLU that follows it.
struct Stage {
  size_t layer = 0;   // index into ModelInfo::layers
  LayerInfo info{};   // shapes and parameter offsets (gemm_m is per image)
  bool relu = false;  // a ReLU follows: fused into the forward epilogue, undone by the host in backward
  bool conv() const { return info.def.kind == LayerKind::conv; }
  uint32_t m(uint32_t batch) const { return batch * static_cast<uint32_t>(info.gemm_m); }
  uint32_t n() const { return static_cast<uint32_t>(info.gemm_n); }
  uint32_t k() const { return static_cast<uint32_t>(info.gemm_k); }
};

struct Plan {
  ModelInfo info;
  std::vector<Stage> stages;
};

// Validates the definition (describe(), plus what the lowering needs: a ReLU must follow a conv or linear layer,
// a repeated ReLU is idempotent and dropped, conv geometry must fit the descriptor's 16/8-bit fields) and fuses.
// Throws NnError naming the model and layer.
Plan make_plan(const ModelDef& def);

// Descriptor tags: what the job is, for jobs.csv and error messages.
enum class JobKind : uint32_t { Forward = 1, DataGrad = 2, WeightGrad = 3 };
inline uint32_t make_tag(JobKind kind, size_t stage) { return (static_cast<uint32_t>(kind) << 8) | uint32_t(stage); }
const char* to_string(JobKind kind);

// C = A·B (+ flags) for FP32 or MX tensors of matching shapes (A: M×K, B: K×N, C: M×N). Throws NnError on a
// shape mismatch.
regs::Descriptor gemm_descriptor(const Tensor& a, const Tensor& b, const Tensor& c, uint8_t flags = 0,
                                 uint64_t bias_addr = 0, uint32_t tag = 0);

// Forward of a stage on `batch` inputs. x: conv → FP32 [B·h·w × cin] (NHWC); linear → FP32 [B × K].
regs::Descriptor forward_descriptor(const Stage& s, uint32_t batch, const Tensor& x, const Tensor& w,
                                    uint64_t bias_addr, const Tensor& y, uint32_t tag);

}  // namespace dacapo::nn
