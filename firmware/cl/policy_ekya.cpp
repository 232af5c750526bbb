#include "firmware/cl/policy_ekya.h"

#include <algorithm>
#include <cmath>

#include "firmware/cl/sample_buffer.h"
#include "firmware/cl/window_plan.h"

namespace dacapo::cl {

void EkyaConfig::validate() const {
  if (!(window_s > 0)) throw std::invalid_argument("window_s: must be > 0");
  if (!(label_rate > 0 && label_rate <= 1)) throw std::invalid_argument("label_rate: must be in (0, 1]");
  for (double s : {subset_small, subset_mid, subset_full})
    if (!(s > 0 && s <= 1)) throw std::invalid_argument("subset_*: must be in (0, 1]");
  if (epochs_min == 0 || epochs_max < epochs_min)
    throw std::invalid_argument("epochs_min/epochs_max: need 1 <= epochs_min <= epochs_max");
  if (!(profile_fraction > 0 && profile_fraction <= 1))
    throw std::invalid_argument("profile_fraction: must be in (0, 1]");
  if (profile_valid_every < 2) throw std::invalid_argument("profile_valid_every: must be >= 2");
  if (profile_epochs == 0) throw std::invalid_argument("profile_epochs: must be > 0");
  if (!(curve_end_epoch > 0)) throw std::invalid_argument("curve_end_epoch: must be > 0");
  if (curve_booster_points < 2 || curve_booster_points > 1000)
    throw std::invalid_argument("curve_booster_points: must be in 2..1000");
  if (!(curve_end_accuracy > 0 && curve_end_accuracy < 1))
    throw std::invalid_argument("curve_end_accuracy: must be in (0, 1)");
}

EkyaPolicy::EkyaPolicy(const EkyaConfig& config) : config_((config.validate(), config)) {}

std::vector<std::vector<Sample>> EkyaPolicy::subsets() const {
  std::vector<std::vector<Sample>> out;
  for (double share : {config_.subset_small, config_.subset_mid, config_.subset_full}) {
    const size_t n = std::clamp<size_t>(static_cast<size_t>(std::floor(share * pending_.size() + 1e-9)), 1,
                                        pending_.size());
    out.push_back(pick_stride(pending_, n));
  }
  return out;
}

std::optional<EkyaPolicy::Choice> EkyaPolicy::choose(const std::vector<size_t>& subset_sizes,
                                                     const std::vector<ProfileOutcome>& profiles,
                                                     const PhaseCosts& costs, double budget) const {
  const CurveEstimateConfig curve{config_.curve_end_epoch, config_.curve_end_accuracy,
                                  config_.curve_expectation_factor, static_cast<int>(config_.curve_booster_points)};
  bool any_profile = false;
  for (const auto& p : profiles) any_profile |= std::isfinite(p.before) && std::isfinite(p.after);
  std::optional<Choice> best;
  for (size_t i = 0; i < subset_sizes.size(); ++i) {
    for (uint32_t e = config_.epochs_min; e <= config_.epochs_max; ++e) {
      const double seconds = costs.train_seconds(subset_sizes[i], e);
      if (seconds > budget) continue;
      double estimate = 0;
      if (any_profile) {
        if (i >= profiles.size() || !std::isfinite(profiles[i].before) || !std::isfinite(profiles[i].after))
          continue;
        estimate = estimate_accuracy(profiles[i].before / 100.0, profiles[i].after / 100.0,
                                     config_.profile_epochs, e, curve);
      } else if (i != 0 || e != config_.epochs_min) {
        continue;
      }
      if (!best || estimate > best->estimate) best = Choice{i, e, estimate, seconds};
    }
  }
  return best;
}

Phase EkyaPolicy::next(const PolicyContext& ctx) {
  const WindowPlan w = plan_window(ctx, window_, config_.window_s, config_.label_rate);
  switch (step_) {
    case Step::Label:
      return window_label_phase(w);
    case Step::Profile: {
      if (pending_.empty()) {  // window 0: nothing labeled yet, nothing to train
        step_ = Step::Retrain;
        return idle_until(w.retrain_end, "idle");
      }
      Phase p;
      p.kind = PhaseKind::Profile;
      p.tag = "profile";
      p.profile.epochs = config_.profile_epochs;
      for (const auto& subset : subsets()) {
        const size_t m = std::clamp<size_t>(static_cast<size_t>(std::lround(config_.profile_fraction * subset.size())),
                                            std::min<size_t>(2, subset.size()), subset.size());
        ProfileRequest::Candidate c;
        const auto picks = pick_stride(subset, m);
        for (size_t j = 0; j < picks.size(); ++j)
          ((j + 1) % config_.profile_valid_every == 0 ? c.valid : c.train).push_back(picks[j]);
        if (c.valid.empty() && c.train.size() >= 2) {  // too few for the split: keep one for validation
          c.valid.push_back(c.train.back());
          c.train.pop_back();
        }
        p.profile.candidates.push_back(std::move(c));
      }
      return p;
    }
    case Step::Retrain: {
      if (pending_.empty()) {
        step_ = Step::Label;
        return window_label_phase(w);
      }
      const auto sets = subsets();
      std::vector<size_t> sizes;
      for (const auto& s : sets) sizes.push_back(s.size());
      // Micro-profiling ran on the T-SA (Ekya's W' = W - profiling time): the budget is what is left of phase 1.
      const double budget = w.retrain_end - ctx.now;
      const auto choice = choose(sizes, profiles_, ctx.costs, budget);
      if (!choice) return idle_until(w.retrain_end, "idle");
      Phase p;
      p.kind = PhaseKind::Retrain;
      p.tag = "retrain";
      p.train.train = sets[choice->subset];
      p.train.epochs = choice->epochs;
      p.min_end = w.retrain_end;
      return p;
    }
  }
  throw std::logic_error("EkyaPolicy: bad step");
}

PolicyNote EkyaPolicy::complete(const Phase& phase, const PhaseResult& result) {
  PolicyNote note;
  if (result.completed) {
    switch (phase.kind) {
      case PhaseKind::Profile:
        profiles_ = result.profiles;
        step_ = Step::Retrain;
        break;
      case PhaseKind::Retrain:
        step_ = Step::Label;
        break;
      case PhaseKind::Idle:
        step_ = Step::Label;
        break;
      case PhaseKind::Label:
        pending_ = result.labeled;
        profiles_.clear();
        ++window_;
        step_ = Step::Profile;
        break;
    }
  }
  note.buffer_fill = pending_.size();
  return note;
}

}  // namespace dacapo::cl
