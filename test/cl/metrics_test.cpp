#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "firmware/cl/metrics.h"
#include "support.h"

using namespace dacapo::cl;
using dacapo::cl::test::ScriptedStream;

namespace {
// A run over `seconds` whose windows of 120 s have the given accuracies (first k·frames correct).
RunRecord run_with(const ScriptedStream& s, const std::vector<double>& window_acc) {
  RunRecord run;
  run.clock = s.clock();
  run.log = FrameLog(run.clock.frame_count);
  for (size_t w = 0; w < window_acc.size(); ++w)
    for (FrameId i = 0; i < 3600; ++i) {
      const FrameId f = w * 3600 + i;
      if (f >= run.clock.frame_count) break;
      const bool right = i < static_cast<FrameId>(std::lround(window_acc[w] * 36));
      run.log.prediction[f] = right ? s.ground_truth(f) : s.ground_truth(f) + 1;
    }
  return run;
}
}  // namespace

TEST_CASE("Window accuracy excludes the warm-up and uses the geometric mean") {
  ScriptedStream s(6 * 120);
  const RunRecord run = run_with(s, {10, 20, 30, 40, 50, 72});
  const auto w = window_accuracies(run, s, MetricsConfig{});
  REQUIRE(w.size() == 6);
  REQUIRE(w[3].accuracy == Approx(40));
  REQUIRE_FALSE(w[3].scored);  // starts at 360 s < 480 s
  REQUIRE(w[4].scored);
  REQUIRE(w[5].scored);
  REQUIRE(w[4].running_arithmetic == Approx(50));
  const auto sum = summarize(w);
  REQUIRE(sum.scored_windows == 2);
  REQUIRE(sum.arithmetic_mean == Approx(61));
  REQUIRE(sum.geometric_mean == Approx(60));  // sqrt(50 · 72)
  REQUIRE(sum.frames == 7200);
  REQUIRE(sum.correct == 1800 + 2592);
}

TEST_CASE("Dropped frames count wrong and a partial last window is not scored") {
  ScriptedStream s(5 * 120 + 60);
  RunRecord run = run_with(s, {100, 100, 100, 100, 100, 100});
  for (FrameId f = 4 * 3600; f < 4 * 3600 + 900; ++f) run.log.prediction[f] = kNoPrediction;
  const auto w = window_accuracies(run, s, MetricsConfig{});
  REQUIRE(w.size() == 6);
  REQUIRE(w[4].dropped == 900);
  REQUIRE(w[4].accuracy == Approx(75));
  REQUIRE_FALSE(w[5].complete);
  REQUIRE_FALSE(w[5].scored);
  REQUIRE(summarize(w).scored_windows == 1);
}

TEST_CASE("Means of nothing are undefined and a zero makes the geometric mean zero") {
  REQUIRE(std::isnan(arithmetic_mean({})));
  REQUIRE(std::isnan(geometric_mean({})));
  REQUIRE(geometric_mean({0, 50}) == 0);
  REQUIRE(geometric_mean({2, 8}) == Approx(4));
}

TEST_CASE("Drift report counts hits misses and false alarms") {
  // Boundaries 480 (found 20 s later), 780 (found 150 s later: too late), 1080 (found twice).
  const auto r = match_drifts({780, 480, 1080}, {100, 500, 930, 1090, 1100}, 120);
  REQUIRE(r.hits == 2);
  REQUIRE(r.misses == 1);
  REQUIRE(r.false_alarms == 3);  // 100 (before any boundary), 930 (too late for 780), 1100 (second for 1080)
  REQUIRE(r.delays == std::vector<double>{20, 10});
  REQUIRE(r.matched[0] == 500);
  REQUIRE(std::isnan(r.matched[1]));
  REQUIRE(r.matched[2] == 1090);
  std::ostringstream os;
  write_drifts_csv(os, r);
  REQUIRE(os.str() ==
          "event,boundary_s,detection_s,delay_s\n"
          "false_alarm,,100.000,\n"
          "hit,480.000,500.000,20.000\n"
          "miss,780.000,,\n"
          "false_alarm,,930.000,\n"
          "hit,1080.000,1090.000,10.000\n"
          "false_alarm,,1100.000,\n");
  const auto none = match_drifts({480}, {}, 120);
  REQUIRE(none.misses == 1);
  REQUIRE(none.false_alarms == 0);
}

TEST_CASE("CSV writers produce one header and one row per record") {
  PhaseRecord p;
  p.index = 3;
  p.tag = "label";
  p.kind = PhaseKind::Label;
  p.start = 1.5;
  p.end = 3.75;
  p.frames = 68;
  p.labeled = 108;
  p.label_accuracy = 75;
  p.drift = true;
  p.buffer_fill = 108;
  std::ostringstream os;
  write_phases_csv(os, {p});
  REQUIRE(os.str() ==
          "phase,tag,kernel,start_s,end_s,frames,train,valid,label,epochs,steps,a_valid,a_label,drift,buffer_fill,"
          "label_wait_s,completed\n"
          "3,label,label,1.500000,3.750000,68,0,0,108,0,0,,75.0000,1,108,0.000000,1\n");
  WindowAccuracy w;
  w.index = 0;
  w.end = 120;
  w.frames = 3600;
  w.correct = 1800;
  w.accuracy = 50;
  std::ostringstream acc;
  write_accuracy_csv(acc, {w});
  REQUIRE(acc.str() ==
          "window,start_s,end_s,frames,correct,dropped,accuracy,complete,scored,running_mean,running_geomean\n"
          "0,0.000,120.000,3600,1800,0,50.0000,1,0,,\n");
}
