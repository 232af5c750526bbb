#include "firmware/cl/policy_spatiotemporal.h"

#include <cmath>

namespace dacapo::cl {

uint32_t SpatiotemporalConfig::valid_every() const {
  if (valid_samples == 0) return 0;
  return static_cast<uint32_t>(std::lround(static_cast<double>(train_samples + valid_samples) / valid_samples));
}

SpatiotemporalPolicy::SpatiotemporalPolicy(const SpatiotemporalConfig& config)
    : config_((config.validate(), config)), buffer_(config.buffer_capacity) {}

// Label `count` frames from those arriving while they are being labeled: range [now, now + count · t_L).
Phase SpatiotemporalPolicy::fill_phase(const PolicyContext& ctx, uint32_t count, const char* tag) const {
  Phase p;
  p.kind = PhaseKind::Label;
  p.tag = tag;
  p.label.first = ctx.clock.first_at_or_after(ctx.now);
  p.label.end = ctx.clock.first_at_or_after(ctx.now + ctx.costs.label_seconds(count));
  p.label.count = count;
  return p;
}

Phase SpatiotemporalPolicy::next(const PolicyContext& ctx) {
  switch (step_) {
    case Step::FirstFill:
      return fill_phase(ctx, config_.label_samples_after_drift, "first_fill");
    case Step::ExtraLabel: {
      const uint32_t n = static_cast<uint32_t>(config_.label_samples_after_drift - buffer_.size());
      return fill_phase(ctx, n, "extra_label");
    }
    case Step::Retrain: {
      cycle_first_ = ctx.clock.first_at_or_after(ctx.now);
      const auto draw = buffer_.draw(config_.train_samples + config_.valid_samples, config_.valid_every());
      Phase p;
      p.kind = PhaseKind::Retrain;
      p.tag = "retrain";
      p.train.train = draw.train;
      p.train.valid = draw.valid;
      p.train.epochs = config_.epochs;
      return p;
    }
    case Step::Label: {
      // F = every frame of this cycle: from the retrain phase's start to the end of this label phase.
      Phase p;
      p.kind = PhaseKind::Label;
      p.tag = "label";
      p.label.first = cycle_first_;
      p.label.end = ctx.clock.first_at_or_after(ctx.now + ctx.costs.label_seconds(config_.label_samples));
      p.label.count = config_.label_samples;
      return p;
    }
  }
  throw std::logic_error("SpatiotemporalPolicy: bad step");
}

PolicyNote SpatiotemporalPolicy::complete(const Phase& phase, const PhaseResult& result) {
  PolicyNote note;
  if (!result.completed) {
    note.buffer_fill = buffer_.size();
    return note;
  }
  switch (step_) {
    case Step::FirstFill:
    case Step::ExtraLabel:
      buffer_.push(result.labeled);
      step_ = Step::Retrain;
      break;
    case Step::Retrain:
      valid_accuracy_ = result.valid_accuracy;
      step_ = Step::Label;
      break;
    case Step::Label: {
      // Without validation samples (N_V = 0) there is no reference, so no drift test.
      const double delta = result.label_accuracy - valid_accuracy_;
      // The small tolerance keeps a difference of exactly θ (e.g. 75 - 80) on the drift side despite rounding.
      note.drift = std::isfinite(delta) && delta <= config_.drift_threshold + 1e-9;
      if (note.drift) {
        buffer_.clear();
        buffer_.push(result.labeled);
        step_ = buffer_.size() < config_.label_samples_after_drift ? Step::ExtraLabel : Step::Retrain;
      } else {
        buffer_.push(result.labeled);
        step_ = Step::Retrain;
      }
      break;
    }
  }
  (void)phase;
  note.buffer_fill = buffer_.size();
  return note;
}

}  // namespace dacapo::cl
