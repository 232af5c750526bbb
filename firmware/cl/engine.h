// Drives a policy over the whole stream: asks it for the next T-SA phase, has the executor run it, records what
// happened. The executor decides how time passes (simulated clock or the board's HAL).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "firmware/cl/interfaces.h"
#include "firmware/cl/policy.h"

namespace dacapo::cl {

// One row of phases.csv.
struct PhaseRecord {
  uint64_t index = 0;
  std::string tag;
  PhaseKind kind = PhaseKind::Idle;
  double start = 0, end = 0;
  uint64_t frames = 0;  // frames that arrived during the phase
  size_t train_samples = 0, valid_samples = 0, labeled = 0;
  uint32_t epochs = 0;
  uint64_t steps = 0;
  double valid_accuracy = kNaN, label_accuracy = kNaN;
  bool drift = false;
  size_t buffer_fill = 0;
  double label_wait = 0;
  bool completed = true;
};

struct RunRecord {
  std::string policy;
  FrameClock clock;
  std::vector<PhaseRecord> phases;
  FrameLog log;                      // B-SA prediction per frame
  std::vector<double> drift_times;   // end times of the phases whose result triggered the drift rule
};

// Runs until the stream ends. Throws std::logic_error if the policy stops making progress (a long run of
// zero-length phases), which would otherwise loop forever.
// `after_phase`, if given, sees the record after every phase (the firmware publishes partial outputs from it, so
// that an interrupted run still leaves what it did so far).
RunRecord run_policy(Policy& policy, PhaseExecutor& executor, const StreamInfo& stream, const PhaseCosts& costs,
                     const std::function<void(const RunRecord&)>& after_phase = {});

}  // namespace dacapo::cl
