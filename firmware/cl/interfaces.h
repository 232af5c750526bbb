// The boundary between the continuous-learning runtime and whatever runs the work.
//
// Two ways to drive the runtime (docs/continuous-learning.md):
//  (a) host / unit tests: SimulatedExecutor (simulated_executor.h) on a simulated clock, with a CostOracle and a
//      LearningOracle implemented by a model of learning (e.g. the synthetic learner);
//  (b) the board: the firmware app implements PhaseExecutor itself (time from the HAL, real T-SA jobs, B-SA
//      predictions from its frame interrupts), or implements LearningOracle with real jobs and reuses
//      SimulatedExecutor's bookkeeping where time is simulated anyway.
// Policies see only PolicyContext (policy.h) and PhaseResult; they never call the oracles directly.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/cl/frame_clock.h"
#include "firmware/cl/types.h"

namespace dacapo::cl {

// The camera stream as the runtime needs to know it.
class StreamInfo {
 public:
  virtual ~StreamInfo() = default;
  virtual FrameClock clock() const = 0;
  // The true class of a frame, for scoring only (never shown to a policy).
  virtual int ground_truth(FrameId frame) const = 0;
  // Share of pixels that changed noticeably from `frame` to `frame + 1`, in [0, 1] (EOMU's key-frame test,
  // cl-policies.md §4.2: K = {i : changed_fraction(x_i, x_i+1) > β}). Supplied by the frame source (the
  // scenario), since it is a property of the images; 0 for the last frame.
  virtual double changed_fraction(FrameId frame) const = 0;
};

// Learning work with a model's real outcome. Accuracies are percentages in [0, 100].
class LearningOracle {
 public:
  virtual ~LearningOracle() = default;
  // Class predicted for `frame` by the live student (the weights the B-SA uses now).
  virtual int infer(FrameId frame) = 0;
  // The teacher's labels for `frames` (or the data set's ground truth, when teacher error is not modelled).
  virtual std::vector<int> label(const std::vector<FrameId>& frames) = 0;
  // Trains a pending copy of the live student for `epochs` over `samples` (at most `max_steps` batches when > 0);
  // the live student is unchanged until commit(). A new call starts again from the live student.
  virtual void train(const std::vector<Sample>& samples, uint32_t epochs, uint64_t max_steps) = 0;
  // Accuracy of the pending student (the live one when nothing is pending) on `samples` against their labels.
  virtual double validate(const std::vector<Sample>& samples) = 0;
  // The pending student becomes the live one (weights swap at the end of a retrain phase).
  virtual void commit() = 0;
  // Ekya's micro-profiler: accuracy on `valid` of the live student, then of a scratch copy trained on `train`
  // for `epochs`. Changes neither the live nor the pending student.
  virtual ProfileOutcome microprofile(const std::vector<Sample>& train, const std::vector<Sample>& valid,
                                      uint32_t epochs) = 0;
};

// Per-frame B-SA predictions of the run (kNoPrediction = dropped or not yet inferred).
struct FrameLog {
  std::vector<int> prediction;
  explicit FrameLog(FrameId frames = 0) : prediction(frames, kNoPrediction) {}
};

// Runs one T-SA phase while the B-SA keeps inferring, and reports what happened.
class PhaseExecutor {
 public:
  virtual ~PhaseExecutor() = default;
  virtual double now() const = 0;
  // Runs `phase` from now(). Frames arriving during the phase are inferred with the student as it was when the
  // phase started and their predictions written to `log`; trained weights take effect at the phase end. If the
  // phase cannot finish by `deadline` (the end of the stream) it runs to the deadline, trains and labels
  // nothing, and returns completed = false.
  virtual PhaseResult execute(const Phase& phase, FrameLog& log, double deadline) = 0;
};

}  // namespace dacapo::cl
