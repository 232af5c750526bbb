#include "scenarios/src/cnn.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "scenarios/src/rng.h"

namespace dacapo::scenarios {
namespace {

using nn::LayerInfo;
using nn::LayerKind;

// im2col for an HWC input: row p = output pixel, columns in (ky, kx, cin) order, zero outside the image.
void im2col(const LayerInfo& l, const float* in, float* cols) {
  const int k = l.def.kernel, s = l.def.stride, pad = l.def.pad, cin = l.in.c;
  const std::size_t K = static_cast<std::size_t>(l.gemm_k);
  for (int oy = 0; oy < l.out.h; ++oy)
    for (int ox = 0; ox < l.out.w; ++ox) {
      float* row = cols + (static_cast<std::size_t>(oy) * l.out.w + ox) * K;
      for (int ky = 0; ky < k; ++ky)
        for (int kx = 0; kx < k; ++kx) {
          float* dst = row + (static_cast<std::size_t>(ky) * k + kx) * cin;
          const int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
          if (iy < 0 || ix < 0 || iy >= l.in.h || ix >= l.in.w) {
            std::fill(dst, dst + cin, 0.0f);
          } else {
            const float* src = in + (static_cast<std::size_t>(iy) * l.in.w + ix) * cin;
            std::copy(src, src + cin, dst);
          }
        }
    }
}

// The inverse scatter: accumulate column gradients back into the HWC input gradient.
void col2im(const LayerInfo& l, const float* cols, float* in_grad) {
  const int k = l.def.kernel, s = l.def.stride, pad = l.def.pad, cin = l.in.c;
  const std::size_t K = static_cast<std::size_t>(l.gemm_k);
  std::fill(in_grad, in_grad + l.in.size(), 0.0f);
  for (int oy = 0; oy < l.out.h; ++oy)
    for (int ox = 0; ox < l.out.w; ++ox) {
      const float* row = cols + (static_cast<std::size_t>(oy) * l.out.w + ox) * K;
      for (int ky = 0; ky < k; ++ky)
        for (int kx = 0; kx < k; ++kx) {
          const int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
          if (iy < 0 || ix < 0 || iy >= l.in.h || ix >= l.in.w) continue;
          const float* src = row + (static_cast<std::size_t>(ky) * k + kx) * cin;
          float* dst = in_grad + (static_cast<std::size_t>(iy) * l.in.w + ix) * cin;
          for (int c = 0; c < cin; ++c) dst[c] += src[c];
        }
    }
}

// C[M×N] = A[M×K]·B[K×N] + bias; the inner loop runs over N so it vectorises without reordering any sum.
void gemm_bias(int M, int N, int K, const float* A, const float* B, const float* bias, float* C) {
  for (int m = 0; m < M; ++m) {
    float* c = C + static_cast<std::size_t>(m) * N;
    std::copy(bias, bias + N, c);
    const float* a = A + static_cast<std::size_t>(m) * K;
    for (int k = 0; k < K; ++k) {
      const float av = a[k];
      if (av == 0.0f) continue;  // ReLU outputs and padding are often zero
      const float* b = B + static_cast<std::size_t>(k) * N;
      for (int n = 0; n < N; ++n) c[n] += av * b[n];
    }
  }
}

// Forward through all layers; acts[i] is layer i's input, acts[i+1] its output; cols[i] its im2col matrix.
void forward(const nn::ModelInfo& info, const std::vector<float>& params, const float* input,
             std::vector<std::vector<float>>& acts, std::vector<std::vector<float>>& cols) {
  const std::size_t L = info.layers.size();
  acts.resize(L + 1);
  cols.resize(L);
  acts[0].assign(input, input + info.layers.front().in.size());
  for (std::size_t i = 0; i < L; ++i) {
    const LayerInfo& l = info.layers[i];
    acts[i + 1].resize(l.out.size());
    switch (l.def.kind) {
      case LayerKind::conv:
        cols[i].resize(static_cast<std::size_t>(l.gemm_m) * l.gemm_k);
        im2col(l, acts[i].data(), cols[i].data());
        gemm_bias(l.gemm_m, l.gemm_n, l.gemm_k, cols[i].data(), &params[l.weight_offset], &params[l.bias_offset],
                  acts[i + 1].data());
        break;
      case LayerKind::linear:
        gemm_bias(1, l.gemm_n, l.gemm_k, acts[i].data(), &params[l.weight_offset], &params[l.bias_offset],
                  acts[i + 1].data());
        break;
      case LayerKind::relu:
        for (std::size_t j = 0; j < l.in.size(); ++j) acts[i + 1][j] = std::max(acts[i][j], 0.0f);
        break;
    }
  }
}

}  // namespace

Network::Network(const nn::ModelDef& def) : def_(def), info_(nn::describe(def)) {
  if (!info_.error.empty()) throw std::invalid_argument(info_.error);
  if (info_.layers.empty() || info_.output.h != 1 || info_.output.w != 1)
    throw std::invalid_argument(std::string(def.name) + ": the last layer must produce a vector (linear)");
  params_.assign(info_.parameter_count, 0.0f);
}

void Network::init(std::uint64_t seed) {
  Rng rng(derive_key(seed, 0x1417));
  std::fill(params_.begin(), params_.end(), 0.0f);
  for (const LayerInfo& l : info_.layers) {
    if (l.def.kind == LayerKind::relu) continue;
    const double bound = std::sqrt(6.0 / l.gemm_k);
    for (std::size_t j = 0; j < l.weight_count; ++j)
      params_[l.weight_offset + j] = static_cast<float>(rng.uniform(-bound, bound));
  }
}

std::vector<float> Network::logits(const float* input) const {
  std::vector<std::vector<float>> acts, cols;
  forward(info_, params_, input, acts, cols);
  return acts.back();
}

int Network::predict(const float* input) const {
  const std::vector<float> z = logits(input);
  return static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
}

SgdTrainer::SgdTrainer(Network& net, int threads)
    : net_(net), threads_(threads), velocity_(net.params().size(), 0.0f), transposed_(net.info().layers.size()) {}

void SgdTrainer::accumulate(Shard& sh, const float* input, int label, float inv_batch) {
  const nn::ModelInfo& info = net_.info();
  const std::vector<float>& w = net_.params();
  const std::size_t L = info.layers.size();
  forward(info, w, input, sh.acts, sh.cols);
  // Softmax cross-entropy gradient, scaled for the batch mean.
  const std::vector<float>& z = sh.acts.back();
  const float zmax = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (float v : z) sum += std::exp(static_cast<double>(v - zmax));
  const int y = label;
  sh.loss += std::log(sum) - (z[y] - zmax);
  std::vector<float>& dz = sh.grad_acts[L];
  dz.resize(z.size());
  for (std::size_t j = 0; j < z.size(); ++j)
    dz[j] = static_cast<float>(std::exp(static_cast<double>(z[j] - zmax)) / sum - (static_cast<int>(j) == y)) *
            inv_batch;
  for (std::size_t i = L; i-- > 0;) {
    const LayerInfo& l = info.layers[i];
    const std::vector<float>& dout = sh.grad_acts[i + 1];
    std::vector<float>& din = sh.grad_acts[i];
    if (l.def.kind == LayerKind::relu) {
      din.resize(l.in.size());
      for (std::size_t j = 0; j < din.size(); ++j) din[j] = sh.acts[i + 1][j] > 0.0f ? dout[j] : 0.0f;
      continue;
    }
    const int M = l.gemm_m, N = l.gemm_n, K = l.gemm_k;
    const float* a = l.def.kind == LayerKind::conv ? sh.cols[i].data() : sh.acts[i].data();
    float* dw = &sh.grad[l.weight_offset];
    float* db = &sh.grad[l.bias_offset];
    for (int m = 0; m < M; ++m) {
      const float* g = dout.data() + static_cast<std::size_t>(m) * N;
      for (int n = 0; n < N; ++n) db[n] += g[n];
      const float* am = a + static_cast<std::size_t>(m) * K;
      for (int k = 0; k < K; ++k) {
        const float av = am[k];
        if (av == 0.0f) continue;
        float* dwk = dw + static_cast<std::size_t>(k) * N;
        for (int n = 0; n < N; ++n) dwk[n] += av * g[n];
      }
    }
    if (i == 0) break;  // no gradient w.r.t. the image
    // dA[M×K] = dC[M×N]·B^T, accumulated over n so the inner loop runs over k.
    float* da;
    if (l.def.kind == LayerKind::conv) {
      sh.grad_cols.assign(static_cast<std::size_t>(M) * K, 0.0f);
      da = sh.grad_cols.data();
    } else {
      din.assign(static_cast<std::size_t>(K), 0.0f);
      da = din.data();
    }
    const std::vector<float>& bt = transposed_[i];
    for (int m = 0; m < M; ++m) {
      const float* g = dout.data() + static_cast<std::size_t>(m) * N;
      float* dam = da + static_cast<std::size_t>(m) * K;
      for (int n = 0; n < N; ++n) {
        const float gv = g[n];
        if (gv == 0.0f) continue;
        const float* btn = bt.data() + static_cast<std::size_t>(n) * K;
        for (int k = 0; k < K; ++k) dam[k] += gv * btn[k];
      }
    }
    if (l.def.kind == LayerKind::conv) {
      din.resize(l.in.size());
      col2im(l, sh.grad_cols.data(), din.data());
    }
  }
}

double SgdTrainer::step(const std::vector<const float*>& inputs, const std::vector<int>& labels,
                        const SgdConfig& cfg) {
  if (inputs.empty() || inputs.size() != labels.size())
    throw std::invalid_argument("SgdTrainer::step: need as many labels as inputs, at least one");
  for (int y : labels)  // checked here: the shards may run on worker threads
    if (y < 0 || y >= net_.num_outputs()) throw std::invalid_argument("SgdTrainer::step: label out of range");
  const nn::ModelInfo& info = net_.info();
  std::vector<float>& w = net_.params();
  const std::size_t L = info.layers.size();
  // B^T of every GEMM layer whose input gradient is needed (all but the first), for a vectorisable backward.
  for (std::size_t i = 1; i < L; ++i) {
    const LayerInfo& l = info.layers[i];
    if (l.def.kind == LayerKind::relu) continue;
    transposed_[i].resize(l.weight_count);
    for (int k = 0; k < l.gemm_k; ++k)
      for (int n = 0; n < l.gemm_n; ++n)
        transposed_[i][static_cast<std::size_t>(n) * l.gemm_k + k] =
            w[l.weight_offset + static_cast<std::size_t>(k) * l.gemm_n + n];
  }
  // The batch is always cut into the same kShards contiguous parts whose gradients are summed in shard order,
  // so the result does not depend on how many threads compute the shards.
  const float inv_batch = 1.0f / static_cast<float>(inputs.size());
  const std::size_t per_shard = (inputs.size() + kShards - 1) / kShards;
  auto run_shard = [&](std::size_t s) {
    Shard& sh = shards_[s];
    sh.grad.assign(w.size(), 0.0f);
    sh.grad_acts.resize(L + 1);
    sh.loss = 0;
    const std::size_t end = std::min(inputs.size(), (s + 1) * per_shard);
    for (std::size_t b = s * per_shard; b < end; ++b) accumulate(sh, inputs[b], labels[b], inv_batch);
  };
  if (threads_ > 1) {
    std::vector<std::thread> workers;
    for (std::size_t s = 1; s < kShards; ++s) workers.emplace_back(run_shard, s);
    run_shard(0);
    for (std::thread& t : workers) t.join();
  } else {
    for (std::size_t s = 0; s < kShards; ++s) run_shard(s);
  }
  double loss = 0;
  for (std::size_t s = 0; s < kShards; ++s) loss += shards_[s].loss;
  std::vector<float>& grad = shards_[0].grad;
  for (std::size_t s = 1; s < kShards; ++s)
    for (std::size_t j = 0; j < grad.size(); ++j) grad[j] += shards_[s].grad[j];
  const float lr = static_cast<float>(cfg.learning_rate), mu = static_cast<float>(cfg.momentum),
              wd = static_cast<float>(cfg.weight_decay);
  for (std::size_t j = 0; j < w.size(); ++j) {
    const float g = grad[j] + wd * w[j];
    velocity_[j] = mu * velocity_[j] + g;
    w[j] -= lr * velocity_[j];
  }
  return loss / static_cast<double>(inputs.size());
}

}  // namespace dacapo::scenarios
