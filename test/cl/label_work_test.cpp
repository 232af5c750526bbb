#include <catch2/catch.hpp>

#include <cmath>

#include "firmware/cl/label_work.h"

using namespace dacapo::cl;

TEST_CASE("Label requests resolve to stride picks or to waiting for the next frames") {
  LabelRequest stride{100, 1000, 108, {}};
  const auto s = resolve_label_frames(stride, 5000);
  REQUIRE(s.size() == 108);
  REQUIRE(s[1] == 108);  // floor(900 / 108) = 8
  LabelRequest short_range{100, 150, 108, {}};  // 50 frames for 108 labels: take 100..207 as they arrive
  const auto w = resolve_label_frames(short_range, 5000);
  REQUIRE(w.size() == 108);
  REQUIRE(w.front() == 100);
  REQUIRE(w.back() == 207);
  REQUIRE(resolve_label_frames(short_range, 150).size() == 50);  // the stream ends first: incomplete
  LabelRequest list{0, 0, 3, {7, 3, 9}};
  REQUIRE(resolve_label_frames(list, 10) == std::vector<FrameId>{7, 3, 9});
}

TEST_CASE("Label accuracy counts live predictions that match the teacher and drops as wrong") {
  FrameLog log(10);
  log.prediction = {0, 1, 2, kNoPrediction, 4, 5, 6, 7, 8, 9};
  PhaseResult r;
  score_labels({1, 2, 3, 4}, {1, 0, kNoPrediction, 4}, log, r);
  // Frame 1 right, 2 wrong, 3 dropped (no prediction counts wrong even against a -1 label), 4 right.
  REQUIRE(r.live_correct == 2);
  REQUIRE(r.label_accuracy == Approx(50));
  REQUIRE(r.labeled.size() == 4);
  REQUIRE(r.labeled[1].label == 0);
  PhaseResult empty;
  score_labels({}, {}, log, empty);
  REQUIRE(std::isnan(empty.label_accuracy));
  REQUIRE_THROWS(score_labels({1, 2}, {1}, log, r));
}
