#include "firmware/cl/simulated_executor.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "firmware/cl/label_work.h"

namespace dacapo::cl {

SimulatedExecutor::SimulatedExecutor(const FrameClock& clock, const PhaseCosts& costs, uint32_t bsa_rows,
                                     LearningOracle& learner)
    : clock_(clock),
      costs_(costs),
      learner_(learner),
      inference_seconds_(costs.oracle().seconds(Kernel::Inference, costs.plan().eval(), bsa_rows, 1)) {}

void SimulatedExecutor::infer_until(double t, FrameLog& log) {
  if (log.prediction.size() < clock_.frame_count) log.prediction.resize(clock_.frame_count, kNoPrediction);
  const FrameId end = clock_.first_at_or_after(t);
  for (; next_frame_ < end; ++next_frame_) {
    const double arrival = clock_.arrival(next_frame_);
    if (arrival >= bsa_free_ - 1e-9) {  // 1 ns tolerance: a latency of exactly one frame period keeps up
      log.prediction[next_frame_] = learner_.infer(next_frame_);
      bsa_free_ = arrival + inference_seconds_;
    } else {
      log.prediction[next_frame_] = kNoPrediction;
      ++dropped_;
    }
  }
}

double SimulatedExecutor::schedule_labels(const std::vector<FrameId>& frames, double start, double& wait) const {
  const double per_frame = costs_.label_seconds_per_frame();
  double t = start;
  for (FrameId f : frames) {
    const double arrival = clock_.arrival(f);
    if (arrival > t) {
      wait += arrival - t;
      t = arrival;
    }
    t += per_frame;
  }
  return t;
}

PhaseResult SimulatedExecutor::execute(const Phase& phase, FrameLog& log, double deadline) {
  PhaseResult r;
  r.start = now_;
  double work_end = now_;
  std::vector<FrameId> picks;
  switch (phase.kind) {
    case PhaseKind::Idle:
      break;
    case PhaseKind::Retrain:
      r.steps_trained = costs_.train_steps(phase.train.train.size(), phase.train.epochs, phase.train.max_steps);
      work_end += costs_.train_seconds(phase.train.train.size(), phase.train.epochs, phase.train.max_steps) +
                  costs_.valid_seconds(phase.train.valid.size());
      break;
    case PhaseKind::Label:
      picks = resolve_label_frames(phase.label, clock_.frame_count);
      if (picks.size() < phase.label.count) work_end = INFINITY;  // the stream ends before enough frames arrive
      else work_end = schedule_labels(picks, now_, r.label_wait);
      break;
    case PhaseKind::Profile:
      for (const auto& c : phase.profile.candidates)
        work_end += costs_.train_seconds(c.train.size(), phase.profile.epochs) + 2 * costs_.valid_seconds(c.valid.size());
      break;
  }
  const bool idle_forever = phase.kind == PhaseKind::Idle;
  double end = std::max(work_end, phase.min_end);
  if (end > deadline) {
    infer_until(deadline, log);
    r.end = now_ = deadline;
    r.frames_arrived = clock_.first_at_or_after(r.end) - clock_.first_at_or_after(r.start);
    r.completed = idle_forever;  // idling to the end of the stream is a complete idle phase
    r.label_wait = 0;
    r.steps_trained = 0;
    return r;
  }
  // Frames of [start, end) are inferred by the student as it was at the phase start.
  infer_until(end, log);
  switch (phase.kind) {
    case PhaseKind::Idle:
      break;
    case PhaseKind::Retrain:
      learner_.train(phase.train.train, phase.train.epochs, phase.train.max_steps);
      if (!phase.train.valid.empty()) r.valid_accuracy = learner_.validate(phase.train.valid);
      learner_.commit();
      break;
    case PhaseKind::Label:
      score_labels(picks, learner_.label(picks), log, r);
      break;
    case PhaseKind::Profile:
      for (const auto& c : phase.profile.candidates)
        r.profiles.push_back(learner_.microprofile(c.train, c.valid, phase.profile.epochs));
      break;
  }
  r.end = now_ = end;
  r.frames_arrived = clock_.first_at_or_after(r.end) - clock_.first_at_or_after(r.start);
  return r;
}

}  // namespace dacapo::cl
