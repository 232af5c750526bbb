// EOMU-style policy as DaCapo ran it (cl-policies.md §4.2): 10 s windows, key frames by frame difference,
// retraining triggered when the labeled accuracy falls below the weighted mean minus the standard deviation of
// the history, epochs by a small simulated-annealing search.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "firmware/cl/policy.h"
#include "firmware/cl/rng.h"

namespace dacapo::cl {

struct EomuConfig {
  double window_s = 10;
  double warmup_s = 480;              // history is cleared at the window ending here; always retrain before it
  double label_budget_rate = 0.19;    // ρ: b = floor(ρ · frames per window) (0.19 / 0.04 / 0.17 per teacher)
  double key_frame_threshold = 0.4;   // β on the frame source's changed_fraction
  bool strict_label_budget = false;   // false: as coded (keeps between b and 2b-1 key frames); true: at most b
  uint32_t epochs_min = 1;
  uint32_t epochs_max = 30;
  uint32_t epochs_start = 15;
  uint32_t anneal_iterations = 100;
  uint32_t anneal_max_failures = 5;
  uint64_t seed = 1;

  template <class V>
  void visit_params(V& v) {
    v("window_s", window_s, "s", "window length");
    v("warmup_s", warmup_s, "s", "history cleared at this time; retrain always before it");
    v("label_budget_rate", label_budget_rate, "", "label budget as a share of a window's frames");
    v("key_frame_threshold", key_frame_threshold, "", "a frame is a key frame when changed_fraction > this");
    v("strict_label_budget", strict_label_budget, "", "cap key frames at the budget (false = as the authors coded)");
    v("epochs_min", epochs_min, "", "annealing lower bound");
    v("epochs_max", epochs_max, "", "annealing upper bound");
    v("epochs_start", epochs_start, "", "annealing start");
    v("anneal_iterations", anneal_iterations, "", "annealing proposals at most");
    v("anneal_max_failures", anneal_max_failures, "", "annealing stops after this many rejections in a row");
    v("seed", seed, "", "seed of the annealing search");
  }
  void validate() const {
    if (!(window_s > 0)) throw std::invalid_argument("window_s: must be > 0");
    if (!(label_budget_rate > 0 && label_budget_rate <= 1))
      throw std::invalid_argument("label_budget_rate: must be in (0, 1]");
    if (epochs_min == 0 || epochs_max < epochs_min || epochs_start < epochs_min || epochs_start > epochs_max)
      throw std::invalid_argument("epochs_min/epochs_start/epochs_max: need 1 <= min <= start <= max");
  }
};

// Trigger: with weights e^-j / sum e^-j over the history (j = 0 newest), m = weighted mean (0 if empty),
// s = population standard deviation (0 if fewer than 2 entries); retrain when m - s > accuracy.
bool eomu_trigger(const std::vector<double>& history, double accuracy);

// The annealing search over epochs with utility U(e) = max(0, a - u·(c_label·k + e·k·c_train)), u = k / frames
// per window; returns the last proposed epoch count, as the authors' code does. Always in [epochs_min, epochs_max].
uint32_t eomu_anneal_epochs(double accuracy, uint64_t key_frames, double frames_per_window, double c_label,
                            double c_train, const EomuConfig& config, SplitMix64& rng);

class EomuPolicy : public Policy {
 public:
  explicit EomuPolicy(const EomuConfig& config) : config_((config.validate(), config)), rng_(config.seed) {}
  std::string name() const override { return "eomu"; }
  Phase next(const PolicyContext& ctx) override;
  PolicyNote complete(const Phase& phase, const PhaseResult& result) override;
  const std::vector<double>& history() const { return history_; }

 private:
  enum class Step { WaitWindow, Label, Retrain };
  double window_end(uint64_t k) const { return static_cast<double>(k + 1) * config_.window_s; }

  const EomuConfig config_;
  SplitMix64 rng_;
  uint64_t window_ = 0;  // the window whose frames are handled next
  Step step_ = Step::WaitWindow;
  std::vector<double> history_;
  std::vector<Sample> key_samples_;
  uint32_t retrain_epochs_ = 0;
  double c_label_ = 0, c_train_ = 0, frames_per_window_ = 0;
};

}  // namespace dacapo::cl
