// FP32 host implementation of the layer list in firmware/nn/model_def.h: forward pass, backward pass and SGD
// with momentum, for pretraining the compact pair and measuring its accuracy. Single-threaded and deterministic:
// every sum runs in a fixed order, so the same inputs give bit-identical weights at any optimisation level.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/nn/model_def.h"

namespace dacapo::scenarios {

class Network {
 public:
  explicit Network(const nn::ModelDef& def);  // throws std::invalid_argument if the definition is invalid

  const nn::ModelDef& def() const { return def_; }
  const nn::ModelInfo& info() const { return info_; }
  std::size_t input_size() const { return def_.input.size(); }
  int num_outputs() const { return info_.output.c; }

  std::vector<float>& params() { return params_; }
  const std::vector<float>& params() const { return params_; }

  // He-uniform weights (bound sqrt(6 / K)), zero biases, from a seeded generator.
  void init(std::uint64_t seed);

  // Logits for one HWC input.
  std::vector<float> logits(const float* input) const;
  int predict(const float* input) const;

 private:
  nn::ModelDef def_;
  nn::ModelInfo info_;
  std::vector<float> params_;
};

struct SgdConfig {
  double learning_rate = 0.01;
  double momentum = 0.9;
  double weight_decay = 1e-4;  // added to the gradient (PyTorch's SGD convention), biases included
};

// Mini-batch SGD on a Network; keeps the momentum buffers and the per-shard workspaces. The batch gradient is the
// sum of kShards partial sums (fixed split, fixed order), computed on `threads` threads (1 or more) with
// bit-identical results for any thread count.
class SgdTrainer {
 public:
  static constexpr std::size_t kShards = 2;
  explicit SgdTrainer(Network& net, int threads = 1);
  // One update from a mini-batch (softmax cross-entropy averaged over the batch). Returns the mean loss.
  double step(const std::vector<const float*>& inputs, const std::vector<int>& labels, const SgdConfig& cfg);

 private:
  struct Shard {
    std::vector<std::vector<float>> acts, cols, grad_acts;
    std::vector<float> grad_cols, grad;
    double loss = 0;
  };
  void accumulate(Shard& shard, const float* input, int label, float inv_batch);

  Network& net_;
  int threads_;
  std::vector<float> velocity_;
  std::vector<std::vector<float>> transposed_;  // per layer: B^T [N×K], for the input gradient
  Shard shards_[kShards];
};

}  // namespace dacapo::scenarios
