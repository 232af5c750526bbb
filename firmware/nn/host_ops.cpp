#include "firmware/nn/host_ops.h"

#include <algorithm>
#include <cmath>

namespace dacapo::nn {

namespace {
// Calls f(row, col, pixel_index) for every in-image tap of the im2col matrix; pixel_index is the NHWC pixel of
// the input (times channels gives the element offset). Taps outside the image are skipped.
template <class F>
void for_each_tap(const ConvGeometry& g, F&& f) {
  const size_t k = g.k();
  size_t row = 0;
  for (uint32_t b = 0; b < g.batch; ++b)
    for (int oy = 0; oy < g.out.h; ++oy)
      for (int ox = 0; ox < g.out.w; ++ox, ++row)
        for (int ky = 0; ky < g.kernel; ++ky) {
          const int iy = oy * g.stride - g.pad + ky;
          if (iy < 0 || iy >= g.in.h) continue;
          for (int kx = 0; kx < g.kernel; ++kx) {
            const int ix = ox * g.stride - g.pad + kx;
            if (ix < 0 || ix >= g.in.w) continue;
            const size_t pixel = (size_t(b) * g.in.h + size_t(iy)) * g.in.w + size_t(ix);
            const size_t col = (size_t(ky) * g.kernel + size_t(kx)) * g.in.c;
            f(row * k + col, pixel * g.in.c);
          }
        }
}
}  // namespace

uint64_t im2col(const ConvGeometry& g, const float* x, float* col) {
  std::fill(col, col + g.m() * g.k(), 0.0f);
  const size_t c = size_t(g.in.c);
  for_each_tap(g, [&](size_t dst, size_t src) { std::copy(x + src, x + src + c, col + dst); });
  return g.m() * g.k();
}

uint64_t col2im(const ConvGeometry& g, const float* dcol, float* dx) {
  std::fill(dx, dx + size_t(g.batch) * g.in.size(), 0.0f);
  const size_t c = size_t(g.in.c);
  for_each_tap(g, [&](size_t src, size_t dst) {
    for (size_t i = 0; i < c; ++i) dx[dst + i] += dcol[src + i];
  });
  return g.m() * g.k();
}

uint64_t relu_backward(float* dx, const float* y, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!(y[i] > 0.0f)) dx[i] = 0.0f;
  return n;
}

uint64_t bias_grad(const float* dy, size_t m, size_t n, float* db) {
  std::fill(db, db + n, 0.0f);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) db[j] += dy[i * n + j];
  return m * n;
}

int argmax(const float* v, size_t n) {
  int best = 0;
  bool found = false;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(v[i])) continue;
    if (!found || v[i] > v[best]) {
      best = static_cast<int>(i);
      found = true;
    }
  }
  return best;
}

uint64_t softmax_xent(const float* logits, size_t batch, size_t classes, const int* labels, float* dlogits,
                      double& loss_sum, size_t& correct) {
  std::vector<double> p(classes);
  for (size_t b = 0; b < batch; ++b) {
    const float* z = logits + b * classes;
    float* dz = dlogits + b * classes;
    double zmax = -INFINITY;
    for (size_t c = 0; c < classes; ++c) zmax = std::max(zmax, double(z[c]));
    double sum = 0;
    for (size_t c = 0; c < classes; ++c) sum += (p[c] = std::exp(double(z[c]) - zmax));
    const size_t label = static_cast<size_t>(labels[b]);
    for (size_t c = 0; c < classes; ++c)
      dz[c] = static_cast<float>((p[c] / sum - (c == label ? 1.0 : 0.0)) / double(batch));
    loss_sum += -(double(z[label]) - zmax - std::log(sum));
    if (static_cast<size_t>(argmax(z, classes)) == label) ++correct;
  }
  return 3 * batch * classes;  // max, exp, normalise
}

uint64_t sgd_update(const SgdConfig& cfg, float* w, const float* grad, float* velocity, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float g = grad[i] + cfg.weight_decay * w[i];
    velocity[i] = cfg.momentum * velocity[i] + g;
    w[i] -= cfg.lr * velocity[i];
  }
  return n;
}

}  // namespace dacapo::nn
