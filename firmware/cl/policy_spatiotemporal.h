// DaCapo-Spatiotemporal: Algorithm 1 of the paper as the authors' release runs it (reference/cl-policies.md §2.3).
#pragma once

#include <cstdint>
#include <stdexcept>

#include "firmware/cl/policy.h"
#include "firmware/cl/sample_buffer.h"

namespace dacapo::cl {

struct SpatiotemporalConfig {  // defaults: casys-kaist/DaCapo release values
  uint32_t buffer_capacity = 1080;          // C
  uint32_t train_samples = 324;             // N_T
  uint32_t valid_samples = 108;             // N_V
  uint32_t label_samples = 108;             // N_L
  uint32_t label_samples_after_drift = 432; // N_L+ (also the first fill)
  double drift_threshold = -5.0;            // θ, percentage points on A_label - A_valid
  uint32_t epochs = 1;                      // E

  template <class V>
  void visit_params(V& v) {
    v("buffer_capacity", buffer_capacity, "samples", "sample buffer capacity C");
    v("train_samples", train_samples, "samples", "samples drawn to retrain on per cycle (N_T)");
    v("valid_samples", valid_samples, "samples", "samples drawn to validate on per cycle (N_V)");
    v("label_samples", label_samples, "frames", "frames labeled per normal label phase (N_L)");
    v("label_samples_after_drift", label_samples_after_drift, "frames",
      "buffer fill after a drift and at start-up (N_L+)");
    v("drift_threshold", drift_threshold, "points", "drift when A_label - A_valid <= this");
    v("epochs", epochs, "", "epochs per retrain phase");
  }
  void validate() const {
    if (buffer_capacity == 0) throw std::invalid_argument("buffer_capacity: must be > 0");
    if (train_samples == 0) throw std::invalid_argument("train_samples: must be > 0");
    if (label_samples == 0) throw std::invalid_argument("label_samples: must be > 0");
    if (label_samples_after_drift < label_samples)
      throw std::invalid_argument("label_samples_after_drift: must be >= label_samples");
    if (label_samples_after_drift > buffer_capacity)
      throw std::invalid_argument("label_samples_after_drift: must be <= buffer_capacity");
    if (epochs == 0) throw std::invalid_argument("epochs: must be > 0");
  }
  // Every k-th drawn sample of a class validates: k = (N_T + N_V) / N_V rounded (4 with the release values).
  uint32_t valid_every() const;
};

class SpatiotemporalPolicy : public Policy {
 public:
  explicit SpatiotemporalPolicy(const SpatiotemporalConfig& config);
  std::string name() const override { return "spatiotemporal"; }
  Phase next(const PolicyContext& ctx) override;
  PolicyNote complete(const Phase& phase, const PhaseResult& result) override;
  const SampleBuffer& buffer() const { return buffer_; }

 private:
  enum class Step { FirstFill, Retrain, Label, ExtraLabel };
  Phase fill_phase(const PolicyContext& ctx, uint32_t count, const char* tag) const;

  const SpatiotemporalConfig config_;
  SampleBuffer buffer_;
  Step step_ = Step::FirstFill;
  FrameId cycle_first_ = 0;  // first frame of the current retrain + label cycle
  double valid_accuracy_ = kNaN;
};

}  // namespace dacapo::cl
