// Test doubles for the continuous-learning runtime: constant kernel costs, a scripted stream and a scripted
// learner whose outcomes the tests set directly.
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "firmware/cl/cost.h"
#include "firmware/cl/interfaces.h"

namespace dacapo::cl::test {

// Seconds per call per kernel, the same for every precision; inference scales as base / rows.
struct ConstCost : CostOracle {
  double train_step = 0.5, valid_batch = 0.05, label_frame = 0.02, infer_row_seconds = 0.09;
  double seconds(Kernel k, Precision, uint32_t rows, uint32_t) const override {
    switch (k) {
      case Kernel::Retrain: return train_step;
      case Kernel::Validate: return valid_batch;
      case Kernel::Label: return label_frame;
      case Kernel::Inference: return infer_row_seconds / rows;
    }
    return 0;
  }
};

// Frame i has class i % classes; changed_fraction from a function (0 by default).
struct ScriptedStream : StreamInfo {
  FrameClock clk;
  int classes = 9;
  std::function<double(FrameId)> change = [](FrameId) { return 0.0; };
  ScriptedStream(double seconds, double fps = 30) {
    clk.fps = fps;
    clk.frame_count = static_cast<FrameId>(seconds * fps + 0.5);
  }
  FrameClock clock() const override { return clk; }
  int ground_truth(FrameId f) const override { return static_cast<int>(f % static_cast<FrameId>(classes)); }
  double changed_fraction(FrameId f) const override { return change(f); }
};

// The live student is right on a frame when `correct(frame, live_version)` says so; every commit increments
// the live version. validate() returns `valid_accuracy`. The teacher returns the ground truth.
struct ScriptedLearner : LearningOracle {
  const StreamInfo& stream;
  std::function<bool(FrameId, int)> correct = [](FrameId, int) { return true; };
  double valid_accuracy = 80.0;
  int live_version = 0;
  bool pending = false;
  struct TrainCall {
    size_t samples;
    uint32_t epochs;
    uint64_t max_steps;
  };
  std::vector<TrainCall> train_calls;
  std::vector<std::vector<FrameId>> label_calls;
  size_t profile_calls = 0;
  std::function<ProfileOutcome(size_t)> profile = [](size_t n) { return ProfileOutcome{50.0, 60.0}; };

  explicit ScriptedLearner(const StreamInfo& s) : stream(s) {}
  int infer(FrameId f) override {
    const int t = stream.ground_truth(f);
    return correct(f, live_version) ? t : t + 1;
  }
  std::vector<int> label(const std::vector<FrameId>& frames) override {
    label_calls.push_back(frames);
    std::vector<int> out;
    for (FrameId f : frames) out.push_back(stream.ground_truth(f));
    return out;
  }
  void train(const std::vector<Sample>& s, uint32_t epochs, uint64_t max_steps) override {
    train_calls.push_back({s.size(), epochs, max_steps});
    pending = true;
  }
  double validate(const std::vector<Sample>&) override { return valid_accuracy; }
  void commit() override {
    if (pending) ++live_version;
    pending = false;
  }
  ProfileOutcome microprofile(const std::vector<Sample>& t, const std::vector<Sample>&, uint32_t) override {
    ++profile_calls;
    return profile(t.size());
  }
};

// `n` samples of frames first, first+1, ... labeled with their ground truth.
inline std::vector<Sample> samples_of(const StreamInfo& s, FrameId first, size_t n) {
  std::vector<Sample> out;
  for (size_t i = 0; i < n; ++i) out.push_back(Sample{first + i, s.ground_truth(first + i)});
  return out;
}

}  // namespace dacapo::cl::test
