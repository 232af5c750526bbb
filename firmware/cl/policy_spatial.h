// DaCapo-Spatial: the B-SA/T-SA split with a fixed 120 s window of two static phases (cl-policies.md §2.5).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "firmware/cl/policy.h"

namespace dacapo::cl {

struct SpatialConfig {
  double window_s = 120;         // W
  double sampling_rate = 0.2075; // s: share of the window's frames labeled (ResNet18/WRN50-2 release value)
  uint32_t epochs = 2;           // E (initial_epoch)

  template <class V>
  void visit_params(V& v) {
    v("window_s", window_s, "s", "window length W");
    v("sampling_rate", sampling_rate, "", "share of each window's frames labeled (0.2075 / 0.0961 / 0.1269 per pair)");
    v("epochs", epochs, "", "epochs per retrain phase");
  }
  void validate() const {
    if (!(window_s > 0)) throw std::invalid_argument("window_s: must be > 0");
    if (!(sampling_rate > 0 && sampling_rate <= 1)) throw std::invalid_argument("sampling_rate: must be in (0, 1]");
    if (epochs == 0) throw std::invalid_argument("epochs: must be > 0");
  }
};

class SpatialPolicy : public Policy {
 public:
  explicit SpatialPolicy(const SpatialConfig& config) : config_((config.validate(), config)) {}
  std::string name() const override { return "spatial"; }
  Phase next(const PolicyContext& ctx) override;
  PolicyNote complete(const Phase& phase, const PhaseResult& result) override;

 private:
  const SpatialConfig config_;
  uint64_t window_ = 0;
  bool labeling_ = false;        // false: phase 1 (retrain) next, true: phase 2 (label) next
  std::vector<Sample> pending_;  // labeled in the previous window, trained on in this one
};

}  // namespace dacapo::cl
