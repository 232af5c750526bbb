#include <catch2/catch.hpp>

#include <limits>

#include "firmware/cl/engine.h"
#include "firmware/cl/policy_none.h"
#include "firmware/cl/simulated_executor.h"
#include "support.h"

using namespace dacapo::cl;
using dacapo::cl::test::ConstCost;
using dacapo::cl::test::samples_of;
using dacapo::cl::test::ScriptedLearner;
using dacapo::cl::test::ScriptedStream;

namespace {
// Retrains once on 16 samples (one step) starting at `start`, then idles.
struct OneRetrain : Policy {
  double start;
  const StreamInfo& stream;
  int step = 0;
  OneRetrain(double s, const StreamInfo& st) : start(s), stream(st) {}
  std::string name() const override { return "one_retrain"; }
  Phase next(const PolicyContext& ctx) override {
    Phase p;
    if (step == 0) {
      p.kind = PhaseKind::Idle;
      p.min_end = start;
    } else if (step == 1) {
      p.kind = PhaseKind::Retrain;
      p.train.train = samples_of(stream, 0, 16);
      p.train.epochs = 1;
    } else {
      p.kind = PhaseKind::Idle;
      p.min_end = std::numeric_limits<double>::infinity();
    }
    return p;
  }
  PolicyNote complete(const Phase&, const PhaseResult&) override {
    ++step;
    return {};
  }
};
}  // namespace

TEST_CASE("Retrained weights take effect at the end of the retrain phase") {
  ScriptedStream s(20);
  ConstCost cost;
  cost.train_step = 3.0;  // one step: the retrain phase is [5, 8)
  KernelPlan plan;
  PhaseCosts costs(cost, plan, 13);
  ScriptedLearner learner(s);
  learner.correct = [](FrameId, int version) { return version >= 1; };  // right only after the first retraining
  SimulatedExecutor ex(s.clock(), costs, 3, learner);
  OneRetrain policy(5.0, s);
  const RunRecord run = run_policy(policy, ex, s, costs);
  REQUIRE(run.phases.size() == 3);
  REQUIRE(run.phases[1].start == Approx(5));
  REQUIRE(run.phases[1].end == Approx(8));
  for (FrameId f = 0; f < s.clock().frame_count; ++f) {
    const bool right = run.log.prediction[f] == s.ground_truth(f);
    INFO("frame " << f);
    REQUIRE(right == (f >= 240));  // frame 240 arrives at 8 s: the first one the new student infers
  }
}

TEST_CASE("Frames are dropped when inference is slower than the frame period") {
  ScriptedStream s(10);
  ConstCost cost;
  cost.infer_row_seconds = 3 * 2.0 / 30;  // 3 B-SA rows: two frame periods per inference
  KernelPlan plan;
  PhaseCosts costs(cost, plan, 13);
  ScriptedLearner learner(s);
  SimulatedExecutor ex(s.clock(), costs, 3, learner);
  NoRetrainPolicy none;
  const RunRecord run = run_policy(none, ex, s, costs);
  size_t dropped = 0;
  for (FrameId f = 0; f < 300; ++f) {
    dropped += run.log.prediction[f] == kNoPrediction;
    REQUIRE((run.log.prediction[f] == kNoPrediction) == (f % 2 == 1));  // 1 - 1/(fps · t_I) = 1/2
  }
  REQUIRE(dropped == 150);
  REQUIRE(ex.frames_dropped() == 150);
}

TEST_CASE("No frame is dropped when inference fits the frame period") {
  ScriptedStream s(10);
  ConstCost cost;
  cost.infer_row_seconds = 3.0 / 30;  // exactly one frame period on 3 rows
  KernelPlan plan;
  PhaseCosts costs(cost, plan, 13);
  ScriptedLearner learner(s);
  SimulatedExecutor ex(s.clock(), costs, 3, learner);
  NoRetrainPolicy none;
  run_policy(none, ex, s, costs);
  REQUIRE(ex.frames_dropped() == 0);
}

TEST_CASE("A phase that cannot finish before the stream ends trains nothing") {
  ScriptedStream s(6);
  ConstCost cost;
  cost.train_step = 3.0;  // retrain [5, 8) does not fit a 6 s stream
  KernelPlan plan;
  PhaseCosts costs(cost, plan, 13);
  ScriptedLearner learner(s);
  SimulatedExecutor ex(s.clock(), costs, 3, learner);
  OneRetrain policy(5.0, s);
  const RunRecord run = run_policy(policy, ex, s, costs);
  REQUIRE(run.phases.size() == 2);
  REQUIRE_FALSE(run.phases[1].completed);
  REQUIRE(run.phases[1].end == Approx(6));
  REQUIRE(learner.train_calls.empty());
  REQUIRE(run.log.prediction[179] != kNoPrediction);  // every frame was still inferred
}

TEST_CASE("A policy that makes no progress is reported") {
  struct Stuck : Policy {
    std::string name() const override { return "stuck"; }
    Phase next(const PolicyContext&) override { return Phase{}; }
    PolicyNote complete(const Phase&, const PhaseResult&) override { return {}; }
  } stuck;
  ScriptedStream s(5);
  ConstCost cost;
  KernelPlan plan;
  PhaseCosts costs(cost, plan, 13);
  ScriptedLearner learner(s);
  SimulatedExecutor ex(s.clock(), costs, 3, learner);
  REQUIRE_THROWS_WITH(run_policy(stuck, ex, s, costs), Catch::Contains("no progress"));
}
