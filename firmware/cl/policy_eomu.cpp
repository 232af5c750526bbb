#include "firmware/cl/policy_eomu.h"

#include <algorithm>
#include <cmath>

#include "firmware/cl/window_plan.h"

namespace dacapo::cl {

bool eomu_trigger(const std::vector<double>& history, double accuracy) {
  double mean = 0;
  if (!history.empty()) {
    double weight_sum = 0;
    for (size_t j = 0; j < history.size(); ++j) weight_sum += std::exp(-static_cast<double>(j));
    for (size_t j = 0; j < history.size(); ++j)
      mean += std::exp(-static_cast<double>(j)) / weight_sum * history[history.size() - 1 - j];
  }
  double sd = 0;
  if (history.size() > 1) {
    double plain = 0;
    for (double h : history) plain += h;
    plain /= static_cast<double>(history.size());
    for (double h : history) sd += (h - plain) * (h - plain);
    sd = std::sqrt(sd / static_cast<double>(history.size()));
  }
  return mean - sd > accuracy;
}

uint32_t eomu_anneal_epochs(double accuracy, uint64_t key_frames, double frames_per_window, double c_label,
                            double c_train, const EomuConfig& config, SplitMix64& rng) {
  const double k = static_cast<double>(key_frames);
  const double urgency = k / frames_per_window;
  const auto utility = [&](int64_t e) {
    return std::max(0.0, accuracy - urgency * (c_label * k + static_cast<double>(e) * k * c_train));
  };
  int64_t e = config.epochs_start;
  double best = utility(e);
  int64_t proposed = e;
  uint32_t fails = 0;
  for (uint32_t it = 0; it < config.anneal_iterations && fails < config.anneal_max_failures; ++it) {
    proposed = std::clamp<int64_t>(e + rng.between(-1, 1), config.epochs_min, config.epochs_max);
    const double u = utility(proposed);
    const bool accept = u > best || rng.uniform() < std::exp((u - best) / (u + 1e-5));
    if (accept) {
      e = proposed;
      best = u;
      fails = 0;
    } else {
      ++fails;
    }
  }
  return static_cast<uint32_t>(proposed);
}

Phase EomuPolicy::next(const PolicyContext& ctx) {
  switch (step_) {
    case Step::WaitWindow:
      step_ = Step::Label;
      return idle_until(window_end(window_), "idle");
    case Step::Label: {
      const double tau = window_end(window_);
      if (std::fabs(tau - config_.warmup_s) < 1e-9) history_.clear();  // checked first, before the trigger
      frames_per_window_ = ctx.clock.fps * config_.window_s;
      c_label_ = ctx.costs.label_seconds_per_frame();
      c_train_ = ctx.costs.step_seconds() / ctx.costs.plan().train_batch;
      std::vector<FrameId> key;
      const FrameId first = ctx.clock.first_at_or_after(tau - config_.window_s);
      const FrameId last = ctx.clock.first_at_or_after(tau);
      for (FrameId f = first; f < last; ++f)
        if (ctx.stream.changed_fraction(f) > config_.key_frame_threshold) key.push_back(f);
      const size_t budget = static_cast<size_t>(std::floor(config_.label_budget_rate * frames_per_window_ + 1e-9));
      if (budget > 0 && key.size() > budget) {
        const size_t stride = key.size() / budget;
        std::vector<FrameId> kept;
        for (size_t j = 0; j < key.size(); j += stride) kept.push_back(key[j]);
        if (config_.strict_label_budget && kept.size() > budget) kept.resize(budget);
        key.swap(kept);
      }
      if (key.empty()) {  // no key frame: nothing to label or judge (the authors' code divides by zero here)
        ++window_;
        return idle_until(window_end(window_), "idle");
      }
      Phase p;
      p.kind = PhaseKind::Label;
      p.tag = "label";
      p.label.frames = std::move(key);
      p.label.count = static_cast<uint32_t>(p.label.frames.size());
      return p;
    }
    case Step::Retrain: {
      const double tau = window_end(window_);
      Phase p;
      p.kind = PhaseKind::Retrain;
      p.tag = "retrain";
      p.train.train = key_samples_;
      p.train.epochs = retrain_epochs_;
      // Cut retraining where the window's T-SA time runs out (the next window's decision is at tau + W).
      const double remaining = tau + config_.window_s - ctx.now;
      const double step = ctx.costs.step_seconds();
      if (ctx.costs.train_seconds(key_samples_.size(), retrain_epochs_) > remaining) {
        const double steps = std::floor(std::max(0.0, remaining) / step);
        if (steps < 1) {
          ++window_;
          step_ = Step::Label;
          return idle_until(window_end(window_), "idle");
        }
        p.train.max_steps = static_cast<uint64_t>(steps);
      }
      return p;
    }
  }
  throw std::logic_error("EomuPolicy: bad step");
}

PolicyNote EomuPolicy::complete(const Phase& phase, const PhaseResult& result) {
  PolicyNote note;
  if (result.completed) {
    if (phase.kind == PhaseKind::Label) {
      const double tau = window_end(window_);
      const double a = result.label_accuracy;
      const bool retrain = eomu_trigger(history_, a) || tau < config_.warmup_s - 1e-9;
      history_.push_back(a);
      note.drift = retrain;
      const double label_time = result.end - result.start;
      if (retrain && label_time < config_.window_s) {
        key_samples_ = result.labeled;
        retrain_epochs_ = eomu_anneal_epochs(a, key_samples_.size(), frames_per_window_, c_label_, c_train_,
                                             config_, rng_);
        step_ = Step::Retrain;
      } else {
        ++window_;
        step_ = Step::WaitWindow;
      }
    } else if (phase.kind == PhaseKind::Retrain) {
      ++window_;
      step_ = Step::WaitWindow;
    }
    // Idle phases (waiting for a window's end) keep the step chosen in next().
  }
  note.buffer_fill = key_samples_.size();
  return note;
}

}  // namespace dacapo::cl
