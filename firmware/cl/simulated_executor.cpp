#include "firmware/cl/simulated_executor.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "firmware/cl/label_work.h"
#include "firmware/cl/pacing.h"

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

PhaseResult SimulatedExecutor::execute(const Phase& phase, FrameLog& log, double deadline) {
  PhaseResult r;
  r.start = now_;
  // Durations from the same formulas the policies plan with (pacing.h).
  const double work_end = phase_work_end(phase, costs_, clock_, now_, &r.label_wait);
  if (phase.kind == PhaseKind::Retrain)
    r.steps_trained = costs_.train_steps(phase.train.train.size(), phase.train.epochs, phase.train.max_steps);
  std::vector<FrameId> picks;
  if (phase.kind == PhaseKind::Label) picks = resolve_label_frames(phase.label, clock_.frame_count);
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
