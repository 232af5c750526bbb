// A network on the accelerator: a ModelDef with its parameters, momentum, gradients and activation workspace in
// DRAM, and the jobs that run it (inference, evaluation, gradients, SGD training). Jobs go through an NnRuntime
// (runtime.h), asynchronously (make a job, rt.start it, rt.wait_any) or with the blocking helpers below.
//
// Data: every tensor is FP32 in DRAM; the accelerator's memory interface converts operands to the queue's MX
// precision as it reads them (docs/nn.md explains why packed MX is not used for these tensors). Inputs are FP32
// HWC images anywhere in DRAM (e.g. camera ring slots, an ImageSet); a batch whose images are contiguous is read
// in place, otherwise the host copies it into the network's input buffer.
//
// Each Network has its own workspace, so two networks can run at the same time on the two SAs (e.g. the live
// student on the B-SA and its retraining copy on the T-SA); one network runs at most one job at a time.
// A Network must outlive its jobs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "firmware/nn/host_ops.h"
#include "firmware/nn/lowering.h"
#include "firmware/nn/model_def.h"
#include "firmware/nn/runtime.h"
#include "firmware/nn/tensor.h"

namespace dacapo::nn {

struct NetworkConfig {
  uint32_t max_batch = 16;  // largest batch of one accelerator pass (inference chunks, training batches)
  // Weights are B[K×N] row-major [K][N] (model_def.h), which the memory interface reads along K one element row
  // at a time: a B-SA of r rows fetches r·4 bytes per k (a 1-row B-SA issues one 4-byte DRAM request per weight).
  // With this on, inference and evaluation read a column-major copy (each output's K weights contiguous) that the
  // host rebuilds, charged per element, before the first forward-only job after the weights changed. Training
  // keeps using the master weights. Same MX blocks, so the same results; fewer, longer DRAM requests.
  bool inference_weights_col_major = false;
};

struct TrainConfig {
  SgdConfig sgd;               // lr, momentum, weight decay, batch
  uint64_t shuffle_seed = 0;   // 0: samples in the given order; else a seeded shuffle per epoch
};

// FP32 HWC images in DRAM for tests and for the app's sample store: one contiguous tensor of `count` images.
struct ImageSet {
  Tensor data;  // [count·h·w × c]
  uint32_t count = 0;
  uint64_t image_bytes = 0;
  uint64_t address(uint32_t i) const { return data.addr + uint64_t(i) * image_bytes; }
  std::vector<uint64_t> addresses() const;
};
// Allocates and fills an ImageSet from host images (each `shape.size()` floats, concatenated).
ImageSet upload_images(NnRuntime& rt, const Shape& shape, const std::vector<float>& pixels);

class Network {
 public:
  // Allocates parameters (zero), gradients, momentum and workspace for cfg.max_batch. Throws NnError.
  Network(NnRuntime& rt, const ModelDef& def, NetworkConfig cfg = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const ModelDef& def() const { return def_; }
  const Plan& plan() const { return plan_; }
  size_t parameter_count() const { return plan_.info.parameter_count; }
  size_t classes() const { return plan_.info.output.size(); }
  uint32_t max_batch() const { return cfg_.max_batch; }
  bool busy() const { return *busy_; }

  // Parameters in model_def.h's layout (concatenated FP32, weight then bias per layer).
  void load_weights(const std::vector<float>& params);
  std::vector<float> read_weights();
  std::vector<float> read_gradients();  // of the last gradient / training step
  void reset_momentum();
  // Copies the other network's parameters (same definition) in DRAM; the momentum here is reset.
  void copy_weights_from(Network& other);
  // Exchanges parameter and momentum buffers with the other network (same definition): O(1), no data moves.
  // This is how retrained weights "take effect at phase end".
  void swap_weights(Network& other);

  // ---- jobs (start them with NnRuntime::start) ----
  // Logits and predictions of every image (in chunks of max_batch).
  std::unique_ptr<Job> infer_job(regs::Sa sa, regs::Precision p, const std::vector<uint64_t>& images);
  // Predictions compared with labels: result.correct / result.samples.
  std::unique_ptr<Job> evaluate_job(regs::Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                                    const std::vector<int>& labels);
  // Loss and parameter gradients of one batch (≤ max_batch) without an update (read_gradients()).
  std::unique_ptr<Job> gradient_job(regs::Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                                    const std::vector<int>& labels);
  // `epochs` passes of mini-batch SGD over the samples (batches of cfg.sgd.batch, the last one may be short).
  std::unique_ptr<Job> train_job(regs::Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                                 const std::vector<int>& labels, const TrainConfig& cfg, uint32_t epochs = 1);

  // ---- blocking helpers (start + wait; throw NnError when the job fails) ----
  NetResult infer(regs::Sa sa, regs::Precision p, const std::vector<uint64_t>& images);
  double evaluate(regs::Sa sa, regs::Precision p, const std::vector<uint64_t>& images, const std::vector<int>& labels);
  NetResult train_epoch(regs::Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                        const std::vector<int>& labels, const TrainConfig& cfg);

 private:
  struct Batch;  // host state shared by the steps of one batch
  void check_inputs(const char* what, const std::vector<uint64_t>& images, const std::vector<int>* labels) const;
  std::unique_ptr<Job> new_job(const std::string& what, regs::Sa sa, regs::Precision p);
  // Appends the steps of one batch: forward; then (labels) loss and, with `backward`, the gradients.
  // `inference`: a forward-only pass, which uses the column-major weight copy when the config asks for it.
  void add_forward(Job& job, std::shared_ptr<Batch> b, bool inference = false);
  // Rebuilds the column-major copy from the master weights if they changed since (host work counted on `job`).
  void refresh_inference_weights(Job& job);
  void add_backward(Job& job, std::shared_ptr<Batch> b);
  void add_sgd(Job& job, const SgdConfig& sgd);
  Tensor stage_input(size_t s, uint32_t batch, const Tensor& x0) const;
  Tensor stage_output(size_t s, uint32_t batch, const std::vector<Tensor>& bufs) const;
  Tensor weight(size_t s) const;
  uint64_t bias_addr(const Tensor& params, size_t s) const;

  NnRuntime& rt_;
  const ModelDef def_;
  const Plan plan_;
  const NetworkConfig cfg_;
  std::shared_ptr<bool> busy_;  // shared with running jobs, which clear it when they finish
  Tensor params_, grads_, velocity_;
  std::vector<Tensor> inference_weights_;  // per stage, column-major copy of weight(s) (inference_weights_col_major)
  bool inference_weights_stale_ = true;    // the master weights changed since the copy was made
  Tensor input_;                        // staging for non-contiguous batches [max_batch·h·w × c]
  std::vector<Tensor> act_, dact_;      // per stage: output (after the fused ReLU) and its gradient
  Tensor col_, dcol_;                   // conv im2col and its gradient, largest stage
};

}  // namespace dacapo::nn
