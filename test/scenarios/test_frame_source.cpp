#include <catch2/catch.hpp>
#include <sstream>

#include "scenarios/src/frame_source.h"

using namespace dacapo::scenarios;

namespace {

const FashionMnist& data() {
  static const FashionMnist d = load_fashion_mnist();
  return d;
}

Scenario scenario() {
  std::istringstream in(
      "fps 30\nlength 20\nwarmup 5\n"
      "labels all 1 1 1 1 1 1 1 1 1 1\n"
      "labels skew 0 4 0 0 0 1 0 0 0 5\n"
      "segment 0 5 labels=all time=day location=city weather=clear\n"
      "segment 5 15 labels=skew time=night location=suburb weather=snow\n");
  return parse_scenario(in, "fs.scn");
}

void require_same(const Frame& a, const Frame& b) {
  REQUIRE(a.index == b.index);
  CHECK(a.label == b.label);
  CHECK(a.pool_index == b.pool_index);
  CHECK(a.segment == b.segment);
  CHECK(a.image.pixels == b.image.pixels);
}

}  // namespace

TEST_CASE("frame i is identical across sources and independent of the reading order") {
  const Scenario sc = scenario();
  const ScenarioFrameSource a(sc, data().test, 123), b(sc, data().test, 123);
  std::vector<Frame> forward;
  for (std::uint64_t i = 0; i < 40; ++i) forward.push_back(a.frame(i));
  for (std::uint64_t i = 40; i-- > 0;) require_same(forward[i], b.frame(i));  // reversed order, other object
  require_same(a.frame(590), b.frame(590));
  for (std::uint64_t i = 0; i < 40; ++i) require_same(forward[i], a.frame(i));  // re-read
  const ScenarioFrameSource other_seed(sc, data().test, 124);
  int same = 0;
  for (std::uint64_t i = 0; i < 40; ++i) same += other_seed.frame(i).image.pixels == forward[i].image.pixels;
  CHECK(same < 10);
  CHECK_THROWS(a.frame(sc.frame_count()));
}

TEST_CASE("frames carry the segment's attributes, time and a pool image of the drawn class") {
  const Scenario sc = scenario();
  const ScenarioFrameSource src(sc, data().test, 5);
  CHECK(src.frame_count() == 600);
  CHECK(src.fps() == 30);
  const Frame f0 = src.frame(149), f1 = src.frame(150);
  CHECK(f0.segment == 0);
  CHECK(f1.segment == 1);
  CHECK(f1.time_s == Approx(5.0));
  CHECK(f0.conditions == Conditions{});
  CHECK(f1.conditions == Conditions{TimeOfDay::night, Location::suburb, Weather::snow});
  CHECK(data().test.labels[f0.pool_index] == f0.label);
  CHECK(data().test.labels[f1.pool_index] == f1.label);
  // In the clean segment the frame is exactly the pool image.
  CHECK(f0.image.pixels == to_image(data().test.image(f0.pool_index), 28, 28).pixels);
}

TEST_CASE("class frequencies follow the segment's prior") {
  const Scenario sc = scenario();
  const ScenarioFrameSource src(sc, data().test, 9);
  std::vector<int> hist(10);
  const std::uint64_t first = 150, n = 450;
  for (std::uint64_t i = first; i < first + n; ++i) ++hist[src.frame(i).label];
  // prior 0.4 / 0.1 / 0.5 for classes 1 / 5 / 9, nothing else; binomial sd ≤ 0.024 at n = 450.
  for (int c : {0, 2, 3, 4, 6, 7, 8}) CHECK(hist[c] == 0);
  CHECK(hist[1] / double(n) == Approx(0.4).margin(0.08));
  CHECK(hist[5] / double(n) == Approx(0.1).margin(0.05));
  CHECK(hist[9] / double(n) == Approx(0.5).margin(0.08));
  std::vector<int> uniform(10);
  for (std::uint64_t i = 0; i < 150; ++i) ++uniform[src.frame(i).label];
  int classes_seen = 0;
  for (int v : uniform) classes_seen += v > 0;
  CHECK(classes_seen == 10);
}
