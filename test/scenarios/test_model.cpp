// The model definitions and the FP32 trainer, against independent computations.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "firmware/nn/model_def.h"
#include "scenarios/src/cnn.h"
#include "scenarios/src/rng.h"

using namespace dacapo::scenarios;
namespace nn = dacapo::nn;

namespace {

constexpr nn::LayerDef kSmallLayers[] = {nn::conv(3, 2, 1, 4), nn::relu(), nn::conv(2, 1, 0, 3), nn::relu(),
                                         nn::linear(5)};
constexpr nn::ModelDef kSmall{"small", {7, 6, 2}, kSmallLayers, 5};

// Direct evaluation of the documented semantics in double: HWC tensors, conv weight B[(ky,kx,cin)][cout], linear
// weight B[(h,w,c)][out], bias after the weight.
std::vector<double> reference_forward(const nn::ModelDef& def, const std::vector<float>& params,
                                      const std::vector<double>& input) {
  std::vector<double> x = input;
  nn::Shape s = def.input;
  std::size_t off = 0;
  for (std::size_t li = 0; li < def.num_layers; ++li) {
    const nn::LayerDef& l = def.layers[li];
    if (l.kind == nn::LayerKind::relu) {
      for (double& v : x) v = std::max(v, 0.0);
      continue;
    }
    if (l.kind == nn::LayerKind::linear) {
      const std::size_t K = s.size();
      std::vector<double> y(l.out);
      for (int o = 0; o < l.out; ++o) {
        double acc = params[off + K * l.out + o];
        for (std::size_t k = 0; k < K; ++k) acc += x[k] * params[off + k * l.out + o];
        y[o] = acc;
      }
      off += K * l.out + l.out;
      x = y;
      s = {1, 1, l.out};
      continue;
    }
    const int oh = (s.h + 2 * l.pad - l.kernel) / l.stride + 1, ow = (s.w + 2 * l.pad - l.kernel) / l.stride + 1;
    const std::size_t K = static_cast<std::size_t>(l.kernel) * l.kernel * s.c;
    std::vector<double> y(static_cast<std::size_t>(oh) * ow * l.out);
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int o = 0; o < l.out; ++o) {
          double acc = params[off + K * l.out + o];
          for (int ky = 0; ky < l.kernel; ++ky)
            for (int kx = 0; kx < l.kernel; ++kx)
              for (int c = 0; c < s.c; ++c) {
                const int iy = oy * l.stride - l.pad + ky, ix = ox * l.stride - l.pad + kx;
                if (iy < 0 || ix < 0 || iy >= s.h || ix >= s.w) continue;
                const std::size_t k = (static_cast<std::size_t>(ky) * l.kernel + kx) * s.c + c;
                acc += x[(static_cast<std::size_t>(iy) * s.w + ix) * s.c + c] * params[off + k * l.out + o];
              }
          y[(static_cast<std::size_t>(oy) * ow + ox) * l.out + o] = acc;
        }
    off += K * l.out + l.out;
    x = y;
    s = {oh, ow, l.out};
  }
  return x;
}

double reference_loss(const std::vector<float>& params, const std::vector<std::vector<double>>& inputs,
                      const std::vector<int>& labels) {
  double total = 0;
  for (std::size_t b = 0; b < inputs.size(); ++b) {
    const std::vector<double> z = reference_forward(kSmall, params, inputs[b]);
    double m = z[0];
    for (double v : z) m = std::max(m, v);
    double sum = 0;
    for (double v : z) sum += std::exp(v - m);
    total += std::log(sum) + m - z[labels[b]];
  }
  return total / static_cast<double>(inputs.size());
}

std::vector<double> random_input(Rng& rng, std::size_t n) {
  std::vector<double> v(n);
  for (double& x : v) x = static_cast<float>(rng.uniform());
  return v;
}

}  // namespace

TEST_CASE("student and teacher have the intended sizes and GEMM shapes") {
  const nn::ModelInfo s = nn::describe(nn::kStudent), t = nn::describe(nn::kTeacher);
  REQUIRE(s.error.empty());
  REQUIRE(t.error.empty());
  // By hand: (9·8+8) + (72·16+16) + (784·24+24) + (24·10+10)
  CHECK(s.parameter_count == 80 + 1168 + 18840 + 250);
  // (25·24+24) + (216·48+48) + (2352·64+64) + (64·10+10)
  CHECK(t.parameter_count == 624 + 10416 + 150592 + 650);
  CHECK(t.parameter_count >= 5 * s.parameter_count);
  CHECK(s.output.c == 10);
  CHECK(t.output.c == 10);
  CHECK(s.layers[2].gemm_m == 49);
  CHECK(s.layers[2].gemm_n == 16);
  CHECK(s.layers[2].gemm_k == 72);
  CHECK(t.layers[0].gemm_k == 25);
  CHECK(t.layers[4].gemm_k == 7 * 7 * 48);
}

TEST_CASE("describe rejects invalid definitions and the hash tracks every field") {
  constexpr nn::LayerDef too_big[] = {nn::conv(9, 1, 0, 4)};
  CHECK(nn::describe({"x", {7, 7, 1}, too_big, 1}).error.find("larger than") != std::string::npos);
  constexpr nn::LayerDef zero[] = {nn::linear(0)};
  CHECK(nn::describe({"x", {7, 7, 1}, zero, 1}).error.find("out > 0") != std::string::npos);
  CHECK_THROWS_AS(Network(nn::ModelDef{"x", {7, 7, 1}, too_big, 1}), std::invalid_argument);
  constexpr nn::LayerDef ends_in_conv[] = {nn::conv(3, 1, 1, 4)};
  CHECK_THROWS_AS(Network(nn::ModelDef{"x", {7, 7, 1}, ends_in_conv, 1}), std::invalid_argument);

  const std::uint64_t h = nn::definition_hash(kSmall);
  CHECK(h == nn::definition_hash(kSmall));
  CHECK(h != nn::definition_hash(nn::kStudent));
  constexpr nn::LayerDef pad_changed[] = {nn::conv(3, 2, 0, 4), nn::relu(), nn::conv(2, 1, 0, 3), nn::relu(),
                                          nn::linear(5)};
  CHECK(h != nn::definition_hash({"small", {7, 6, 2}, pad_changed, 5}));
  CHECK(h != nn::definition_hash({"small", {6, 7, 2}, kSmallLayers, 5}));
}

TEST_CASE("forward pass matches a direct evaluation of the documented layout") {
  Network net(kSmall);
  net.init(3);
  Rng rng(11);
  for (float& b : net.params()) b += static_cast<float>(rng.uniform(-0.1, 0.1));  // non-zero biases
  for (int trial = 0; trial < 5; ++trial) {
    const std::vector<double> x = random_input(rng, kSmall.input.size());
    const std::vector<float> xf(x.begin(), x.end());
    const std::vector<float> got = net.logits(xf.data());
    const std::vector<double> want = reference_forward(kSmall, net.params(), x);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-5));
  }
}

TEST_CASE("one SGD step applies the analytic gradient (checked by finite differences) with momentum and decay") {
  Network net(kSmall);
  net.init(5);
  Rng rng(17);
  for (float& b : net.params()) b += static_cast<float>(rng.uniform(-0.05, 0.05));
  std::vector<std::vector<double>> xs;
  std::vector<std::vector<float>> xf;
  std::vector<int> labels;
  for (int b = 0; b < 3; ++b) {
    xs.push_back(random_input(rng, kSmall.input.size()));
    xf.emplace_back(xs.back().begin(), xs.back().end());
    labels.push_back(b + 1);
  }
  std::vector<const float*> ptrs;
  for (auto& v : xf) ptrs.push_back(v.data());
  const std::vector<float> w0 = net.params();

  SgdTrainer trainer(net);
  const double loss = trainer.step(ptrs, labels, {1.0, 0.0, 0.0});  // lr 1, no momentum/decay: Δw = −grad
  CHECK(loss == Approx(reference_loss(w0, xs, labels)).epsilon(1e-5));
  std::vector<float> grad(w0.size());
  for (std::size_t j = 0; j < w0.size(); ++j) grad[j] = w0[j] - net.params()[j];
  int checked = 0;
  for (std::size_t j = 0; j < w0.size(); j += 7) {
    std::vector<float> plus = w0, minus = w0;
    const float eps = 1e-3f;
    plus[j] += eps;
    minus[j] -= eps;
    const double numeric =
        (reference_loss(plus, xs, labels) - reference_loss(minus, xs, labels)) / (double{plus[j]} - minus[j]);
    INFO("parameter " << j);
    CHECK(grad[j] == Approx(numeric).margin(2e-4).epsilon(0.02));
    ++checked;
  }
  CHECK(checked > 20);

  // Momentum and weight decay follow v ← μv + g + λw, w ← w − ηv: two steps from the same start, same batch.
  Network net2(kSmall);
  net2.params() = w0;
  SgdTrainer t2(net2);
  const SgdConfig cfg{0.1, 0.9, 0.01};
  t2.step(ptrs, labels, cfg);
  const std::vector<float> w1 = net2.params();
  for (std::size_t j = 0; j < w0.size(); j += 13) {
    const double v1 = grad[j] + 0.01 * w0[j];
    CHECK(w1[j] == Approx(w0[j] - 0.1 * v1).margin(1e-6));
  }
}

TEST_CASE("training is deterministic for any thread count and reduces the loss on a learnable toy task") {
  auto run = [](int threads) {
    Network net(kSmall);
    net.init(9);
    SgdTrainer trainer(net, threads);
    Rng rng(21);
    std::vector<std::vector<float>> xs;
    std::vector<int> ys;
    for (int i = 0; i < 64; ++i) {
      const int y = i % 5;
      std::vector<float> x(kSmall.input.size());
      for (std::size_t k = 0; k < x.size(); ++k)
        x[k] = static_cast<float>(0.2 * rng.uniform() + (static_cast<int>(k % 5) == y ? 0.8 : 0.0));
      xs.push_back(x);
      ys.push_back(y);
    }
    std::vector<const float*> ptrs;
    for (auto& x : xs) ptrs.push_back(x.data());
    double first = 0, last = 0;
    for (int it = 0; it < 60; ++it) {
      const double l = trainer.step(ptrs, ys, {0.05, 0.9, 1e-4});
      if (it == 0) first = l;
      last = l;
    }
    CHECK(last < 0.3 * first);
    return net.params();
  };
  const std::vector<float> single = run(1);
  CHECK(single == run(1));
  CHECK(single == run(2));  // the shard split, not the thread count, fixes the summation order
}
