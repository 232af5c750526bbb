#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <sstream>

#include "scenarios/src/scenario.h"

using namespace dacapo::scenarios;

namespace {

const std::string kScnDir = std::string(DACAPO_SOURCE_DIR) + "/scenarios/scn";

Scenario parse(const std::string& text) {
  std::istringstream in(text);
  return parse_scenario(in, "t.scn");
}

const char* kHeader = "fps 30\nlength 10\nwarmup 2\nlabels all 1 1 1 1 1 1 1 1 1 1\n";  // lines 1-4

void expect_error(const std::string& text, const std::string& where, const std::string& phrase) {
  try {
    parse(text);
    FAIL("accepted: " << text);
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.rfind(where, 0) == 0);
    CHECK(msg.find(phrase) != std::string::npos);
  }
}

bool labels_change(const Scenario& s, const Segment& a, const Segment& b) {
  return s.label_sets[a.label_set].name != s.label_sets[b.label_set].name;
}

}  // namespace

TEST_CASE("a minimal scenario parses into frames and segments") {
  const Scenario s = parse(std::string(kHeader) +
                           "labels odd 0 1 0 1 0 1 0 1 0 1  # comment\n\n"
                           "segment 0 2 labels=all time=day location=city weather=clear\n"
                           "segment 2 8 labels=odd time=night location=suburb weather=rain\n");
  CHECK(s.fps == 30);
  CHECK(s.frame_count() == 300);
  CHECK(s.warmup_frames() == 60);
  REQUIRE(s.segments.size() == 2);
  CHECK(s.segments[1].first_frame == 60);
  CHECK(s.segments[1].line == 8);
  CHECK(s.segment_index(0) == 0);
  CHECK(s.segment_index(59) == 0);
  CHECK(s.segment_index(60) == 1);
  CHECK(s.segment_index(299) == 1);
  CHECK_THROWS(s.segment_index(300));
  CHECK(s.segments[1].conditions == Conditions{TimeOfDay::night, Location::suburb, Weather::rain});
  CHECK(s.label_sets[1].prior[1] == Approx(0.2));
  CHECK(s.label_sets[1].prior[0] == 0.0);
}

TEST_CASE("malformed scenarios are rejected with file and line") {
  const std::string seg0 = "segment 0 10 labels=all time=day location=city weather=clear\n";
  expect_error(std::string(kHeader) + "segmnt 0 10\n", "t.scn:5:", "unknown directive 'segmnt'");
  expect_error(std::string(kHeader) + "fps 25\n" + seg0, "t.scn:5:", "fps given twice (first on line 1)");
  expect_error("fps abc\n", "t.scn:1:", "'abc' is not a number");
  expect_error("fps 0\n", "t.scn:1:", "fps must be");
  expect_error("length -3\n", "t.scn:1:", "length must be > 0");
  expect_error(std::string(kHeader) + "labels bad 1 1 1\n", "t.scn:5:", "10 weights");
  expect_error(std::string(kHeader) + "labels all 1 1 1 1 1 1 1 1 1 1\n", "t.scn:5:", "defined twice");
  expect_error(std::string(kHeader) + "labels neg 1 1 1 1 -1 1 1 1 1 1\n", "t.scn:5:", "negative");
  expect_error(std::string(kHeader) + "labels zero 0 0 0 0 0 0 0 0 0 0\n", "t.scn:5:", "sum to 0");
  expect_error(std::string(kHeader) + "segment 0 10 labels=all time=noon location=city weather=clear\n", "t.scn:5:",
               "time=noon");
  expect_error(std::string(kHeader) + "segment 0 10 labels=all time=day location=mars weather=clear\n", "t.scn:5:",
               "location=mars");
  expect_error(std::string(kHeader) + "segment 0 10 labels=all time=day location=city weather=hail\n", "t.scn:5:",
               "weather=hail");
  expect_error(std::string(kHeader) + "segment 0 10 labels=few time=day location=city weather=clear\n", "t.scn:5:",
               "no such label set");
  expect_error(std::string(kHeader) + "segment 0 10 labels=all time=day time=day weather=clear\n", "t.scn:5:",
               "given twice");
  expect_error(std::string(kHeader) + "segment 0 10 labels=all time=day location=city colour=red\n", "t.scn:5:",
               "unknown segment attribute 'colour'");
  expect_error(std::string(kHeader) + "segment 0 10 labels=all time=day location=city\n", "t.scn:5:",
               "segment takes");
  expect_error(std::string(kHeader) + "segment 0 10 labels=all time=day location=city weather\n", "t.scn:5:",
               "not key=value");
  expect_error(std::string(kHeader) + "segment 0 4 labels=all time=day location=city weather=clear\n"
                                      "segment 5 5 labels=all time=day location=city weather=clear\n",
               "t.scn:6:", "must be contiguous");
  expect_error(std::string(kHeader) + "segment 0 0 labels=all time=day location=city weather=clear\n", "t.scn:5:",
               "duration must be > 0");
  expect_error(std::string(kHeader) + "segment 0 4.01 labels=all time=day location=city weather=clear\n", "t.scn:5:",
               "not on a frame boundary");
  expect_error(std::string(kHeader) + "segment 0 9 labels=all time=day location=city weather=clear\n", "t.scn:5:",
               "segments end at 9");
  expect_error("segment 0 10 labels=all time=day location=city weather=clear\n", "t.scn:1:", "segment before fps");
  expect_error("fps 30\nwarmup 1\n", "t.scn:", "missing 'length'");
  expect_error("fps 30\nlength 10\n", "t.scn:", "missing 'warmup'");
  expect_error(kHeader, "t.scn:", "no segments");
  expect_error("fps 30\nlength 10\nwarmup 10\nlabels all 1 1 1 1 1 1 1 1 1 1\n" + seg0, "t.scn:3:",
               "warmup must be shorter");
  CHECK_THROWS_WITH(load_scenario("/nonexistent.scn"), Catch::Contains("/nonexistent.scn: cannot open"));
}

TEST_CASE("the shipped scenarios parse and follow the structure of DaCapo's Table II") {
  const std::vector<std::string> names = {"S1", "S2", "S3", "S4", "S5", "S6", "ES1", "ES2"};
  for (const bool is_short : {false, true}) {
    for (const std::string& name : names) {
      const std::string path = kScnDir + (is_short ? "/short/" : "/") + name + ".scn";
      INFO(path);
      const Scenario s = load_scenario(path);
      CHECK(s.fps == 30);
      if (is_short) {
        CHECK(s.length_s >= 60);
        CHECK(s.length_s <= 180);
      } else {
        CHECK(s.length_s == 28 * 60);
        CHECK(s.warmup_s == 8 * 60);
        CHECK(s.frame_count() == 28 * 60 * 30);
      }
      // Warm-up in the student's domain apart from the scenario's weather, then four scored drifts.
      REQUIRE(s.segments.size() == 5);
      CHECK(s.segments[0].duration_s == s.warmup_s);
      CHECK(s.segments[0].conditions.time == TimeOfDay::day);
      CHECK(s.segments[0].conditions.location == Location::city);
      std::set<TimeOfDay> times;
      std::set<Location> locations;
      std::set<Weather> weathers;
      for (std::size_t i = 1; i < s.segments.size(); ++i) {
        const Segment &a = s.segments[i - 1], &b = s.segments[i];
        const bool changes = labels_change(s, a, b) || a.conditions != b.conditions;
        CHECK(changes);
        if (name[0] == 'E') {  // every attribute drifts at every boundary
          CHECK(labels_change(s, a, b));
          CHECK(a.conditions.time != b.conditions.time);
          CHECK(a.conditions.location != b.conditions.location);
          CHECK(a.conditions.weather != b.conditions.weather);
        }
      }
      for (const Segment& g : s.segments) {
        times.insert(g.conditions.time);
        locations.insert(g.conditions.location);
        weathers.insert(g.conditions.weather);
      }
      const int n = name[0] == 'E' ? 7 : name[1] - '0';
      if (n <= 6) CHECK(weathers.size() == 1);  // S1–S6: weather fixed per scenario
      CHECK((times.size() == 2) == (n >= 3));   // S3+: time of day drifts
      CHECK((locations.size() == 2) == (n >= 5));  // S5+: location drifts
      if (n <= 6) {
        const Weather w = *weathers.begin();
        const Weather expected = n <= 2 ? (n == 1 ? Weather::clear : Weather::overcast)
                                 : n <= 4 ? (n == 3 ? Weather::clear : Weather::snow)
                                          : (n == 5 ? Weather::clear : Weather::rain);
        CHECK(w == expected);
      }
    }
  }
}
