#include "firmware/cl/policy_spatial.h"

#include <cmath>

#include "firmware/cl/window_plan.h"

namespace dacapo::cl {

Phase SpatialPolicy::next(const PolicyContext& ctx) {
  const WindowPlan w = plan_window(ctx, window_, config_.window_s, config_.sampling_rate);
  if (labeling_) return window_label_phase(w);
  if (pending_.empty()) return idle_until(w.retrain_end, "idle");  // window 0 retrains nothing
  Phase p;
  p.kind = PhaseKind::Retrain;
  p.tag = "retrain";
  p.train.train = pending_;
  p.train.epochs = config_.epochs;
  p.min_end = w.retrain_end;
  // The sampling rate is meant to make E epochs fill phase 1; if the board is slower than that, train as many
  // whole steps as fit rather than overrun the static phase (the phase record shows the steps actually run).
  const double budget = w.retrain_end - ctx.now;
  if (ctx.costs.train_seconds(pending_.size(), config_.epochs) > budget) {
    const double steps = std::floor(std::max(0.0, budget) / ctx.costs.step_seconds());
    p.train.max_steps = static_cast<uint64_t>(std::max(1.0, steps));
    if (steps < 1) return idle_until(w.retrain_end, "idle");
  }
  return p;
}

PolicyNote SpatialPolicy::complete(const Phase& phase, const PhaseResult& result) {
  PolicyNote note;
  if (result.completed) {
    if (phase.kind == PhaseKind::Label) {
      pending_ = result.labeled;
      ++window_;
      labeling_ = false;
    } else {
      labeling_ = true;
    }
  }
  note.buffer_fill = pending_.size();
  return note;
}

}  // namespace dacapo::cl
