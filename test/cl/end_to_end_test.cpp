#include <catch2/catch.hpp>

#include <sstream>

#include "firmware/cl/engine.h"
#include "firmware/cl/metrics.h"
#include "firmware/cl/policy_factory.h"
#include "firmware/cl/simulated_executor.h"
#include "firmware/cl/synthetic.h"
#include "support.h"

using namespace dacapo::cl;

namespace {
// 28 minutes: the pretrained domain through the warm-up, then four drifts 300 s apart to domains the pretrained
// student handles badly but can learn (a toy stand-in for night / new location).
std::vector<SyntheticSegment> segments() {
  return {{480, 0, 10}, {300, 1, 10}, {300, 2, 10}, {300, 0, 10}, {300, 1, 10}};
}
std::vector<SyntheticDomain> domains() { return {{0.85, 0.90}, {0.35, 0.85}, {0.30, 0.80}}; }

struct Outcome {
  AccuracySummary summary;
  DriftReport drifts;
  std::string phases_csv, accuracy_csv;
};

Outcome run(const std::string& policy, uint64_t seed) {
  SyntheticConfig sc;
  sc.seed = seed;
  const SyntheticStream stream(segments(), sc);
  SyntheticLearner learner(stream, domains());
  test::ConstCost cost;  // 0.5 s per SGD step, 0.02 s per label, 0.03 s per frame on 3 B-SA rows
  ClConfig cfg;
  cfg.policy = policy;
  cfg.eomu.seed = seed;
  const auto bsa = choose_bsa_rows(cost, cfg.kernels, 30);
  REQUIRE(bsa == 3u);
  const PhaseCosts costs(cost, cfg.kernels, 16 - *bsa);
  SimulatedExecutor ex(stream.clock(), costs, *bsa, learner);
  const auto p = make_policy(cfg);
  const RunRecord rec = run_policy(*p, ex, stream, costs);
  Outcome o;
  const auto windows = window_accuracies(rec, stream, cfg.metrics);
  o.summary = summarize(windows);
  o.drifts = match_drifts(stream.boundaries(), rec.drift_times, cfg.metrics.drift_tolerance_s);
  std::ostringstream ph, acc;
  write_phases_csv(ph, rec.phases);
  write_accuracy_csv(acc, windows);
  o.phases_csv = ph.str();
  o.accuracy_csv = acc.str();
  return o;
}
}  // namespace

TEST_CASE("Spatiotemporal detects the drifts and beats no retraining") {
  for (uint64_t seed : {1, 2, 3}) {
    const Outcome st = run("spatiotemporal", seed);
    const Outcome none = run("none", seed);
    INFO("seed " << seed << ": spatiotemporal " << st.summary.arithmetic_mean << " %, none "
                 << none.summary.arithmetic_mean << " %, hits " << st.drifts.hits << ", false alarms "
                 << st.drifts.false_alarms);
    REQUIRE(st.summary.scored_windows == 10);
    REQUIRE(st.drifts.hits >= 3);  // of 4 boundaries, within 120 s
    REQUIRE(st.summary.arithmetic_mean > none.summary.arithmetic_mean + 10);
    REQUIRE(st.summary.geometric_mean > none.summary.geometric_mean + 10);
    // No retraining never detects anything.
    REQUIRE(none.drifts.detections.empty());
  }
}

TEST_CASE("Every policy runs the stream and repeats byte for byte with the same seed") {
  for (const char* policy : {"spatiotemporal", "spatial", "ekya", "eomu", "none"}) {
    INFO(policy);
    const Outcome a = run(policy, 5);
    const Outcome b = run(policy, 5);
    REQUIRE(a.summary.scored_windows == 10);
    REQUIRE(a.phases_csv == b.phases_csv);
    REQUIRE(a.accuracy_csv == b.accuracy_csv);
  }
}
