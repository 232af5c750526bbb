// Vocabulary of the continuous-learning runtime: frames, labeled samples, T-SA phases and their results.
// Plain C++17 (firmware): no SystemC, nothing from models/.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace dacapo::cl {

using FrameId = uint64_t;

// Prediction slot of a frame the B-SA did not infer (dropped, or not reached yet). Counts as wrong.
inline constexpr int kNoPrediction = -1;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A labeled sample: a reference to a stream frame and the class the teacher gave it.
struct Sample {
  FrameId frame = 0;
  int label = 0;
  friend bool operator==(const Sample& a, const Sample& b) { return a.frame == b.frame && a.label == b.label; }
};

// What the T-SA does during a phase. The B-SA infers every frame during every phase.
enum class PhaseKind { Idle, Retrain, Label, Profile };
const char* to_string(PhaseKind kind);

// Frames to label. Either an explicit list, or `count` frames with the uniform stride floor(|F|/count) over the
// contiguous range F = [first, end). When the range holds fewer than `count` frames the phase waits for the
// camera and labels the `count` frames starting at `first` instead (DESIGN.md §6: never label a frame twice).
struct LabelRequest {
  FrameId first = 0;
  FrameId end = 0;
  uint32_t count = 0;
  std::vector<FrameId> frames;  // used instead of the range when non-empty
};

// Train a pending copy of the live student; it replaces the live student at the end of the phase.
struct TrainRequest {
  std::vector<Sample> train;
  std::vector<Sample> valid;  // validated with the new weights when non-empty (charged to the phase)
  uint32_t epochs = 0;
  uint64_t max_steps = 0;  // cap on SGD steps (batches); 0 = no cap
};

// Micro-profiling (Ekya): train a scratch copy of the live student on each candidate and report the validation
// accuracy before and after; the live student is not changed.
struct ProfileRequest {
  struct Candidate {
    std::vector<Sample> train;
    std::vector<Sample> valid;
  };
  std::vector<Candidate> candidates;
  uint32_t epochs = 0;
};

struct Phase {
  PhaseKind kind = PhaseKind::Idle;
  std::string tag;  // what the policy calls it (first_fill, retrain, label, extra_label, ...), for phases.csv
  TrainRequest train;
  LabelRequest label;
  ProfileRequest profile;
  double min_end = 0;  // absolute time (s): the phase lasts at least until here (static windows, idling)
};

struct ProfileOutcome {
  double before = kNaN;  // % on the candidate's validation samples, live weights
  double after = kNaN;   // % after training the scratch copy
};

struct PhaseResult {
  double start = 0;
  double end = 0;
  bool completed = true;      // false: the stream ended first; nothing was trained or labeled
  uint64_t frames_arrived = 0;  // frames whose arrival falls in [start, end)
  uint64_t steps_trained = 0;
  double valid_accuracy = kNaN;  // %, new weights on TrainRequest::valid
  std::vector<Sample> labeled;   // in label order, with the teacher's labels
  uint32_t live_correct = 0;     // labeled frames whose live B-SA prediction equals the teacher's label
  double label_accuracy = kNaN;  // %, live_correct / labeled
  double label_wait = 0;         // seconds the labeler idled waiting for frames to arrive
  std::vector<ProfileOutcome> profiles;
};

}  // namespace dacapo::cl
