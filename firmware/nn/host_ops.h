// Element-wise and data-movement work the host CPU does for training (pure functions on host buffers, no Hal).
// Each returns the number of element operations it performed; the caller charges them to the host CPU model
// (Hal::charge(ops · cycles_per_element)). All of them tolerate any float input (NaN, Inf: timing-only garbage)
// without undefined behaviour: indices never depend on data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "firmware/nn/model_def.h"

namespace dacapo::nn {

// Convolution geometry of one layer for `batch` NHWC images.
struct ConvGeometry {
  uint32_t batch = 1;
  Shape in{0, 0, 0}, out{0, 0, 0};
  int kernel = 1, stride = 1, pad = 0;
  size_t m() const { return size_t(batch) * size_t(out.h) * size_t(out.w); }
  size_t k() const { return size_t(kernel) * size_t(kernel) * size_t(in.c); }
};

// im2col: col[M × K] (row-major), row (b, oy, ox), column (ky, kx, c), zero outside the image (the same gather as
// the accelerator's CONV opcode).
uint64_t im2col(const ConvGeometry& g, const float* x, float* col);
// The adjoint of im2col: dx (NHWC, batch images) = Σ of dcol entries over the taps that read each pixel.
uint64_t col2im(const ConvGeometry& g, const float* dcol, float* dx);

// dx[i] = y[i] > 0 ? dx[i] : 0, with y the ReLU's output (the forward activation).
uint64_t relu_backward(float* dx, const float* y, size_t n);

// db[n] = Σ_m dy[m][n] for dy row-major [M × N].
uint64_t bias_grad(const float* dy, size_t m, size_t n, float* db);

// Softmax cross-entropy over `batch` rows of `classes` logits. Writes dlogits = (softmax − onehot) / batch,
// adds Σ −log softmax[label] to loss_sum and the number of rows whose argmax equals the label to correct.
// Labels must be in [0, classes) (checked by the caller).
uint64_t softmax_xent(const float* logits, size_t batch, size_t classes, const int* labels, float* dlogits,
                      double& loss_sum, size_t& correct);

// Index of the largest value (first one on ties; NaNs never win; 0 if all are NaN).
int argmax(const float* v, size_t n);

// SGD with momentum and L2 weight decay (PyTorch's SGD, dampening 0, not Nesterov), for every parameter:
//   g = grad + weight_decay·w;  v = momentum·v + g;  w = w − lr·v
struct SgdConfig {
  float lr = 1e-3f;
  float momentum = 0.9f;
  float weight_decay = 1e-4f;
  uint32_t batch = 16;
};
uint64_t sgd_update(const SgdConfig& cfg, float* w, const float* grad, float* velocity, size_t n);

}  // namespace dacapo::nn
