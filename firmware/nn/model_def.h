// The compact student/teacher model pair, defined once as a layer list.
//
// Plain C++17, no SystemC and nothing from models/ or scenarios/: the firmware's NN code lowers these layers to
// GEMM descriptors, and the host pretraining tool (scenarios/tools/pretrain.cpp) trains the same definitions.
//
// Only ops that lower to a GEMM (conv via im2col, linear) plus an element-wise ReLU the host does. Strided
// convolutions replace pooling so that no extra host-side op is needed.
//
// Tensor and parameter layout (normative; the weight files and the firmware use it):
//  - Activations are HWC (row-major [h][w][c]): a GEMM output C[M×N] with M = output pixels and N = output
//    channels (DESIGN §2) is already the next layer's HWC input.
//  - conv(k, s, p, cout): im2col row for output pixel (oy, ox) lists input taps in (ky, kx, cin) order, zero
//    outside the image, so K = k·k·cin. Weight = GEMM operand B[K×N], row-major [K][cout]; then bias[cout].
//  - linear(out): input is the previous HWC tensor flattened in (h, w, c) order, K = h·w·c. Weight = B[K×out]
//    row-major [K][out]; then bias[out].
//  - Parameters of all layers are concatenated in layer order (weight, then bias) as FP32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dacapo::nn {

enum class LayerKind : std::uint8_t { conv = 1, relu = 2, linear = 3 };

struct LayerDef {
  LayerKind kind;
  int kernel;  // conv only
  int stride;  // conv only
  int pad;     // conv only
  int out;     // output channels (conv) or features (linear)
};

constexpr LayerDef conv(int kernel, int stride, int pad, int out_channels) {
  return {LayerKind::conv, kernel, stride, pad, out_channels};
}
constexpr LayerDef relu() { return {LayerKind::relu, 0, 0, 0, 0}; }
constexpr LayerDef linear(int out_features) { return {LayerKind::linear, 0, 0, 0, out_features}; }

struct Shape {
  int h, w, c;
  constexpr std::size_t size() const { return static_cast<std::size_t>(h) * w * c; }
};

struct ModelDef {
  const char* name;
  Shape input;
  const LayerDef* layers;
  std::size_t num_layers;
};

// ---- the pair ---------------------------------------------------------------------------------------------
// Input: one 28×28 grayscale frame in [0, 1], 10 classes.

// Student, ~20k parameters: small enough that batch-1 MX6 inference on a few B-SA rows is far below 1/30 s.
inline constexpr LayerDef kStudentLayers[] = {
    conv(3, 2, 1, 8),   // 28×28×1  → 14×14×8    GEMM M=196 N=8  K=9
    relu(),
    conv(3, 2, 1, 16),  // 14×14×8  → 7×7×16     GEMM M=49  N=16 K=72
    relu(),
    linear(24),         // 784 → 24              GEMM M=1   N=24 K=784
    relu(),
    linear(10),         // 24 → 10
};
inline constexpr ModelDef kStudent{"student", {28, 28, 1}, kStudentLayers,
                                   sizeof(kStudentLayers) / sizeof(kStudentLayers[0])};

// Teacher, ~160k parameters (8× the student), wider convolutions and a larger classifier.
inline constexpr LayerDef kTeacherLayers[] = {
    conv(5, 2, 2, 24),  // 28×28×1  → 14×14×24   GEMM M=196 N=24 K=25
    relu(),
    conv(3, 2, 1, 48),  // 14×14×24 → 7×7×48     GEMM M=49  N=48 K=216
    relu(),
    linear(64),         // 2352 → 64
    relu(),
    linear(10),         // 64 → 10
};
inline constexpr ModelDef kTeacher{"teacher", {28, 28, 1}, kTeacherLayers,
                                   sizeof(kTeacherLayers) / sizeof(kTeacherLayers[0])};

// ---- shape inference (shared by the firmware's lowering and the host trainer) ------------------------------

// One layer after shape inference. For conv/linear the GEMM is C[gemm_m × gemm_n] = A[gemm_m × gemm_k]·B.
struct LayerInfo {
  LayerDef def;
  Shape in, out;
  std::size_t weight_offset, weight_count;  // into the concatenated parameter vector (floats)
  std::size_t bias_offset, bias_count;
  int gemm_m, gemm_n, gemm_k;                // 0 for relu
};

struct ModelInfo {
  std::vector<LayerInfo> layers;
  std::size_t parameter_count = 0;
  Shape output{0, 0, 0};
  std::string error;  // empty when the definition is valid
};

inline ModelInfo describe(const ModelDef& def) {
  ModelInfo info;
  Shape s = def.input;
  if (s.h <= 0 || s.w <= 0 || s.c <= 0) {
    info.error = std::string(def.name) + ": input shape must be positive";
    return info;
  }
  for (std::size_t i = 0; i < def.num_layers; ++i) {
    const LayerDef& l = def.layers[i];
    LayerInfo li{l, s, s, 0, 0, 0, 0, 0, 0, 0};
    const std::string where = std::string(def.name) + " layer " + std::to_string(i) + ": ";
    switch (l.kind) {
      case LayerKind::conv: {
        if (l.kernel <= 0 || l.stride <= 0 || l.pad < 0 || l.out <= 0) {
          info.error = where + "conv needs kernel, stride, out > 0 and pad >= 0";
          return info;
        }
        const int oh = (s.h + 2 * l.pad - l.kernel) / l.stride + 1;
        const int ow = (s.w + 2 * l.pad - l.kernel) / l.stride + 1;
        if (s.h + 2 * l.pad < l.kernel || s.w + 2 * l.pad < l.kernel || oh <= 0 || ow <= 0) {
          info.error = where + "conv kernel larger than its padded input";
          return info;
        }
        li.out = {oh, ow, l.out};
        li.gemm_m = oh * ow;
        li.gemm_n = l.out;
        li.gemm_k = l.kernel * l.kernel * s.c;
        break;
      }
      case LayerKind::linear:
        if (l.out <= 0) {
          info.error = where + "linear needs out > 0";
          return info;
        }
        li.out = {1, 1, l.out};
        li.gemm_m = 1;
        li.gemm_n = l.out;
        li.gemm_k = static_cast<int>(s.size());
        break;
      case LayerKind::relu:
        break;
      default:
        info.error = where + "unknown layer kind";
        return info;
    }
    if (l.kind != LayerKind::relu) {
      li.weight_offset = info.parameter_count;
      li.weight_count = static_cast<std::size_t>(li.gemm_k) * li.gemm_n;
      li.bias_offset = li.weight_offset + li.weight_count;
      li.bias_count = static_cast<std::size_t>(li.gemm_n);
      info.parameter_count = li.bias_offset + li.bias_count;
    }
    info.layers.push_back(li);
    s = li.out;
  }
  info.output = s;
  return info;
}

// Version of the layout rules above; part of the definition hash so that a layout change invalidates weights.
inline constexpr std::uint32_t kLayoutVersion = 1;

// FNV-1a 64 over the name, input shape, layout version and every layer field: weight files carry it and
// loaders reject files made for another definition.
inline std::uint64_t definition_hash(const ModelDef& def) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::int64_t v) {
    for (int b = 0; b < 8; ++b) {
      h ^= static_cast<std::uint64_t>(v >> (8 * b)) & 0xffu;
      h *= 1099511628211ull;
    }
  };
  for (const char* p = def.name; *p; ++p) mix(*p);
  mix(kLayoutVersion);
  mix(def.input.h);
  mix(def.input.w);
  mix(def.input.c);
  for (std::size_t i = 0; i < def.num_layers; ++i) {
    const LayerDef& l = def.layers[i];
    mix(static_cast<int>(l.kind));
    mix(l.kernel);
    mix(l.stride);
    mix(l.pad);
    mix(l.out);
  }
  return h;
}

}  // namespace dacapo::nn
