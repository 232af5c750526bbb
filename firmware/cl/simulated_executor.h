// Runs phases on a simulated clock: durations from the cost oracle (the same formulas the policies plan with),
// outcomes from a LearningOracle. Used by unit tests and by cl-sim ("what would the policy do" runs).
#pragma once

#include <cstdint>

#include "firmware/cl/cost.h"
#include "firmware/cl/interfaces.h"

namespace dacapo::cl {

class SimulatedExecutor : public PhaseExecutor {
 public:
  // `bsa_rows`: rows of the inference SA; its batch-1 latency decides frame drops. The T-SA rows are in `costs`.
  SimulatedExecutor(const FrameClock& clock, const PhaseCosts& costs, uint32_t bsa_rows, LearningOracle& learner);
  double now() const override { return now_; }
  PhaseResult execute(const Phase& phase, FrameLog& log, double deadline) override;
  uint64_t frames_dropped() const { return dropped_; }

 private:
  // Infers every frame arriving before `t` that has not been handled yet, with the live student. The B-SA takes
  // the newest frame when it is free; a frame that arrives while it is busy with an earlier one is dropped (no
  // prediction, counted wrong). This gives the emulator's drop ratio max(0, 1 - 1/(fps·t_I)).
  void infer_until(double t, FrameLog& log);

  FrameClock clock_;
  const PhaseCosts& costs_;
  LearningOracle& learner_;
  double inference_seconds_;
  double now_ = 0;
  FrameId next_frame_ = 0;   // first frame not yet handled by the B-SA
  double bsa_free_ = 0;      // time the B-SA finishes its current frame
  uint64_t dropped_ = 0;
};

}  // namespace dacapo::cl
