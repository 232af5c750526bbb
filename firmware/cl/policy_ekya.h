// DaCapo-Ekya: Ekya's per-window choice of (retraining subset, epochs) by micro-profiling and an accuracy-curve
// estimate under the window's time budget, run in DaCapo-Spatial's two-phase window (cl-policies.md §3.7).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "firmware/cl/accuracy_curve.h"
#include "firmware/cl/policy.h"

namespace dacapo::cl {

struct EkyaConfig {
  double window_s = 120;
  double label_rate = 0.2075;       // share of each window's frames labeled (0.2075 / 0.0961 / 0.2 per pair)
  double subset_small = 0.235;      // retraining subsets, as shares of the previous window's labeled samples
  double subset_mid = 0.63;
  double subset_full = 1.0;
  uint32_t epochs_min = 2;          // candidate epochs: epochs_min..epochs_max
  uint32_t epochs_max = 10;
  double profile_fraction = 0.1;    // micro-profile on this share of each subset
  uint32_t profile_valid_every = 5; // of the micro-profile set, every k-th sample validates (80/20 split)
  uint32_t profile_epochs = 5;
  double curve_end_epoch = 10;
  double curve_end_accuracy = 0.95;
  double curve_expectation_factor = 0.95;
  uint32_t curve_booster_points = 4;  // points of the rescaled seed curve in the final fit (weights it)

  template <class V>
  void visit_params(V& v) {
    v("window_s", window_s, "s", "window length W");
    v("label_rate", label_rate, "", "share of each window's frames labeled");
    v("subset_small", subset_small, "", "smallest retraining subset (share of the labeled samples)");
    v("subset_mid", subset_mid, "", "middle retraining subset");
    v("subset_full", subset_full, "", "largest retraining subset");
    v("epochs_min", epochs_min, "", "smallest candidate epoch count");
    v("epochs_max", epochs_max, "", "largest candidate epoch count");
    v("profile_fraction", profile_fraction, "", "share of a subset used to micro-profile it");
    v("profile_valid_every", profile_valid_every, "", "every k-th micro-profile sample validates (5 = 80/20)");
    v("profile_epochs", profile_epochs, "", "micro-profiling epochs");
    v("curve_end_epoch", curve_end_epoch, "", "epoch at which the seed curve reaches curve_end_accuracy");
    v("curve_end_accuracy", curve_end_accuracy, "", "seed curve's accuracy at curve_end_epoch (fraction)");
    v("curve_expectation_factor", curve_expectation_factor, "", "expected share of the seed curve micro-profiling reaches");
    v("curve_booster_points", curve_booster_points, "", "seed-curve points added to the final curve fit");
  }
  void validate() const;
};

class EkyaPolicy : public Policy {
 public:
  explicit EkyaPolicy(const EkyaConfig& config);
  std::string name() const override { return "ekya"; }
  Phase next(const PolicyContext& ctx) override;
  PolicyNote complete(const Phase& phase, const PhaseResult& result) override;

  struct Choice {
    size_t subset = 0;  // index into the subsets
    uint32_t epochs = 0;
    double estimate = 0;  // expected accuracy (fraction)
    double seconds = 0;
  };
  // The best (subset, epochs) whose training time fits `budget` seconds, by the curve estimate from each
  // subset's micro-profile; ties go to the cheaper candidate. Empty when nothing fits. Candidates whose profile
  // is missing (NaN) are skipped, unless no subset has one: then the smallest subset with epochs_min (Ekya's
  // fallback) if it fits.
  std::optional<Choice> choose(const std::vector<size_t>& subset_sizes, const std::vector<ProfileOutcome>& profiles,
                               const PhaseCosts& costs, double budget) const;

 private:
  enum class Step { Profile, Retrain, Label };
  std::vector<std::vector<Sample>> subsets() const;

  const EkyaConfig config_;
  uint64_t window_ = 0;
  Step step_ = Step::Profile;
  std::vector<Sample> pending_;  // labeled in the previous window
  std::vector<ProfileOutcome> profiles_;
};

}  // namespace dacapo::cl
