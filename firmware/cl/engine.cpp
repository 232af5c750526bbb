#include "firmware/cl/engine.h"

#include <stdexcept>

namespace dacapo::cl {

RunRecord run_policy(Policy& policy, PhaseExecutor& executor, const StreamInfo& stream, const PhaseCosts& costs,
                     const std::function<void(const RunRecord&)>& after_phase) {
  RunRecord run;
  run.policy = policy.name();
  run.clock = stream.clock();
  run.log = FrameLog(run.clock.frame_count);
  const double deadline = run.clock.end_time();
  uint32_t stalled = 0;
  while (executor.now() < deadline) {
    const PolicyContext ctx{executor.now(), run.clock, costs, stream};
    const Phase phase = policy.next(ctx);
    const PhaseResult result = executor.execute(phase, run.log, deadline);
    const PolicyNote note = policy.complete(phase, result);

    PhaseRecord rec;
    rec.index = run.phases.size();
    rec.tag = phase.tag;
    rec.kind = phase.kind;
    rec.start = result.start;
    rec.end = result.end;
    rec.frames = result.frames_arrived;
    rec.train_samples = phase.kind == PhaseKind::Retrain ? phase.train.train.size() : 0;
    rec.valid_samples = phase.kind == PhaseKind::Retrain ? phase.train.valid.size() : 0;
    rec.labeled = result.labeled.size();
    rec.epochs = phase.kind == PhaseKind::Retrain ? phase.train.epochs
                 : phase.kind == PhaseKind::Profile ? phase.profile.epochs : 0;
    rec.steps = result.steps_trained;
    rec.valid_accuracy = result.valid_accuracy;
    rec.label_accuracy = result.label_accuracy;
    rec.drift = note.drift;
    rec.buffer_fill = note.buffer_fill;
    rec.label_wait = result.label_wait;
    rec.completed = result.completed;
    run.phases.push_back(rec);
    if (note.drift) run.drift_times.push_back(result.end);
    if (after_phase) after_phase(run);
    if (!result.completed) break;

    stalled = result.end > result.start ? 0 : stalled + 1;
    if (stalled > 1000)
      throw std::logic_error("run_policy: policy '" + run.policy + "' made no progress for 1000 phases at t = " +
                             std::to_string(executor.now()) + " s");
  }
  return run;
}

}  // namespace dacapo::cl
