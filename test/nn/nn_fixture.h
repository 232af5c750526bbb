// Test bench for firmware/nn: the board's FakeBoard + FakeAccelerator (with test/nn's arithmetic), a probed
// driver with rings on both queues, a DRAM arena and an NnRuntime; plus an independent double-precision host
// reference of a ModelDef (forward, loss) for finite differences.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "firmware/driver/dacapo_driver.h"
#include "firmware/driver/dram_arena.h"
#include "firmware/hal/fake_accelerator.h"
#include "firmware/hal/fake_board.h"
#include "firmware/hal/soc_map.h"
#include "firmware/nn/network.h"
#include "test/nn/acc_compute.h"

namespace dacapo::nn_test {

struct Bench {
  static constexpr uint64_t kDramBytes = 256ull << 20;
  fw::FakeBoard board{soc::kDramBase, kDramBytes};
  fw::FakeAccelerator acc;
  fw::DacapoDriver driver{board};
  fw::DramArena arena{soc::kDramBase + (1u << 20), kDramBytes - (1u << 20)};
  nn::TensorAllocator alloc{arena};
  std::unique_ptr<nn::NnRuntime> rt;

  static fw::FakeAccelerator::Options options(bool functional, uint64_t job_ps) {
    fw::FakeAccelerator::Options o;
    o.functional = functional;
    o.job_ps = job_ps;
    return o;
  }

  explicit Bench(Arithmetic arithmetic, bool functional = true, uint64_t job_ps = 1'000'000)
      : acc(board, options(functional, job_ps)) {
    if (functional) acc.compute = make_compute(arithmetic);
    board.map_device(soc::kAccCsrBase, regs::kCsrBytes, static_cast<int>(soc::kIrqAccelerator), &acc);
    driver.probe();
    driver.set_partition(8);
    for (regs::Sa sa : {regs::Sa::Top, regs::Sa::Bottom})
      driver.init_queue(sa, arena.alloc(64 * regs::kDescriptorBytes, 64), 64);
    nn::RuntimeConfig cfg;
    cfg.irq_line = soc::kIrqAccelerator;
    rt = std::make_unique<nn::NnRuntime>(board, driver, alloc, cfg);
  }
};

// He-uniform random parameters (biases small and nonzero so the bias path is exercised).
inline std::vector<float> random_params(const nn::ModelDef& def, uint64_t seed) {
  const nn::ModelInfo info = nn::describe(def);
  std::vector<float> p(info.parameter_count);
  std::mt19937_64 gen(seed);
  for (const nn::LayerInfo& l : info.layers) {
    if (l.def.kind == nn::LayerKind::relu) continue;
    const double bound = std::sqrt(6.0 / l.gemm_k);
    std::uniform_real_distribution<double> w(-bound, bound), b(-0.1, 0.1);
    for (size_t i = 0; i < l.weight_count; ++i) p[l.weight_offset + i] = static_cast<float>(w(gen));
    for (size_t i = 0; i < l.bias_count; ++i) p[l.bias_offset + i] = static_cast<float>(b(gen));
  }
  return p;
}

inline std::vector<float> random_images(const nn::Shape& s, size_t count, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> x(count * s.size());
  for (float& v : x) v = u(gen);
  return x;
}

// Double-precision forward of one HWC image, written directly from model_def.h's layout rules.
inline std::vector<double> reference_logits(const nn::ModelDef& def, const std::vector<double>& params,
                                            const float* image) {
  const nn::ModelInfo info = nn::describe(def);
  std::vector<double> x(image, image + def.input.size());
  for (const nn::LayerInfo& l : info.layers) {
    if (l.def.kind == nn::LayerKind::relu) {
      for (double& v : x) v = v > 0 ? v : 0;
      continue;
    }
    const double* w = params.data() + l.weight_offset;
    const double* bias = params.data() + l.bias_offset;
    std::vector<double> y(l.out.size());
    if (l.def.kind == nn::LayerKind::linear) {
      for (int o = 0; o < l.out.c; ++o) {
        double s = bias[o];
        for (int i = 0; i < l.gemm_k; ++i) s += x[size_t(i)] * w[size_t(i) * l.out.c + o];
        y[size_t(o)] = s;
      }
    } else {
      const int k = l.def.kernel;
      for (int oy = 0; oy < l.out.h; ++oy)
        for (int ox = 0; ox < l.out.w; ++ox)
          for (int o = 0; o < l.out.c; ++o) {
            double s = bias[o];
            for (int ky = 0; ky < k; ++ky)
              for (int kx = 0; kx < k; ++kx) {
                const int iy = oy * l.def.stride + ky - l.def.pad, ix = ox * l.def.stride + kx - l.def.pad;
                if (iy < 0 || ix < 0 || iy >= l.in.h || ix >= l.in.w) continue;
                for (int c = 0; c < l.in.c; ++c)
                  s += x[(size_t(iy) * l.in.w + ix) * l.in.c + c] * w[((size_t(ky) * k + kx) * l.in.c + c) * l.out.c + o];
              }
            y[(size_t(oy) * l.out.w + ox) * l.out.c + o] = s;
          }
    }
    x = std::move(y);
  }
  return x;
}

// Mean softmax cross-entropy over the batch.
inline double reference_loss(const nn::ModelDef& def, const std::vector<double>& params, const std::vector<float>& images,
                             const std::vector<int>& labels) {
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::vector<double> z = reference_logits(def, params, images.data() + i * def.input.size());
    double zmax = z[0];
    for (double v : z) zmax = std::max(zmax, v);
    double sum = 0;
    for (double v : z) sum += std::exp(v - zmax);
    total += -(z[size_t(labels[i])] - zmax - std::log(sum));
  }
  return total / double(labels.size());
}

}  // namespace dacapo::nn_test
