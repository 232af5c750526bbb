// Scenario files: a stream of frames cut into segments, each with drift attributes.
//
// Format (line-oriented; '#' starts a comment; blank lines are ignored; see docs/scenarios.md):
//   fps 30                                  frames per second (> 0)
//   length 1680                             seconds; length·fps must be a whole number of frames
//   warmup 480                              seconds not scored (0 ≤ warmup < length)
//   labels <name> w0 w1 ... w9              a class distribution: 10 non-negative weights (normalised), sum > 0
//   segment <start> <duration> labels=<name> time=day|night location=city|suburb
//           weather=clear|overcast|rain|snow|fog
// Segments are contiguous from 0 to length, in order; start and start+duration fall on frame times. Every
// segment names all four attributes. Errors name the file and the line.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "scenarios/src/drift.h"

namespace dacapo::scenarios {

inline constexpr int kNumClasses = 10;

struct LabelSet {
  std::string name;
  std::array<double, kNumClasses> prior{};  // sums to 1
};

struct Segment {
  double start_s = 0;
  double duration_s = 0;
  std::size_t label_set = 0;  // index into Scenario::label_sets
  Conditions conditions;
  std::uint64_t first_frame = 0;  // [first_frame, end_frame)
  std::uint64_t end_frame = 0;
  int line = 0;  // where it was defined
};

struct Scenario {
  std::string source;  // file name (or the name given to parse_scenario)
  double fps = 0;
  double length_s = 0;
  double warmup_s = 0;
  std::vector<LabelSet> label_sets;
  std::vector<Segment> segments;

  std::uint64_t frame_count() const { return segments.empty() ? 0 : segments.back().end_frame; }
  std::uint64_t warmup_frames() const;
  std::size_t segment_index(std::uint64_t frame) const;  // frame < frame_count()
  const Segment& segment_of(std::uint64_t frame) const { return segments[segment_index(frame)]; }
};

// Throws std::runtime_error("<source>:<line>: <what>") on any malformed input.
Scenario parse_scenario(std::istream& in, const std::string& source);
Scenario load_scenario(const std::string& path);

}  // namespace dacapo::scenarios
