#include "scenarios/src/scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dacapo::scenarios {
namespace {

class Errors {
 public:
  explicit Errors(std::string source) : source_(std::move(source)) {}
  [[noreturn]] void at(int line, const std::string& what) const {
    throw std::runtime_error(source_ + ":" + std::to_string(line) + ": " + what);
  }
  [[noreturn]] void file(const std::string& what) const { throw std::runtime_error(source_ + ": " + what); }

 private:
  std::string source_;
};

double number(const Errors& err, int line, const std::string& key, const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (text.empty() || end != begin + text.size() || !std::isfinite(v))
    err.at(line, key + ": '" + text + "' is not a number");
  return v;
}

// Frame index of a time that must fall on a frame boundary.
std::uint64_t frame_at(const Errors& err, int line, const std::string& key, double seconds, double fps) {
  const double f = seconds * fps;
  const double r = std::round(f);
  if (std::fabs(f - r) > 1e-6)
    err.at(line, key + ": " + std::to_string(seconds) + " s is not on a frame boundary at " + std::to_string(fps) +
                     " fps");
  return static_cast<std::uint64_t>(r);
}

}  // namespace

std::uint64_t Scenario::warmup_frames() const { return static_cast<std::uint64_t>(std::llround(warmup_s * fps)); }

std::size_t Scenario::segment_index(std::uint64_t frame) const {
  auto it = std::upper_bound(segments.begin(), segments.end(), frame,
                             [](std::uint64_t f, const Segment& s) { return f < s.end_frame; });
  if (it == segments.end()) throw std::out_of_range(source + ": frame " + std::to_string(frame) + " is past the end");
  return static_cast<std::size_t>(it - segments.begin());
}

Scenario parse_scenario(std::istream& in, const std::string& source) {
  const Errors err(source);
  Scenario sc;
  sc.source = source;
  int fps_line = 0, length_line = 0, warmup_line = 0;
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const std::size_t hash = raw.find('#');
    if (hash != std::string::npos) raw.erase(hash);
    std::istringstream words(raw);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    const std::string& key = w[0];
    if (key == "fps" || key == "length" || key == "warmup") {
      if (w.size() != 2) err.at(line, key + " takes one value");
      int& seen = key == "fps" ? fps_line : key == "length" ? length_line : warmup_line;
      if (seen) err.at(line, key + " given twice (first on line " + std::to_string(seen) + ")");
      seen = line;
      const double v = number(err, line, key, w[1]);
      if (key == "fps") {
        if (v <= 0 || v > 1000) err.at(line, "fps must be in (0, 1000]");
        sc.fps = v;
      } else if (key == "length") {
        if (v <= 0) err.at(line, "length must be > 0");
        sc.length_s = v;
      } else {
        if (v < 0) err.at(line, "warmup must be >= 0");
        sc.warmup_s = v;
      }
    } else if (key == "labels") {
      if (w.size() != 2 + kNumClasses)
        err.at(line, "labels takes a name and " + std::to_string(kNumClasses) + " weights");
      for (const LabelSet& ls : sc.label_sets)
        if (ls.name == w[1]) err.at(line, "label set '" + w[1] + "' defined twice");
      LabelSet ls;
      ls.name = w[1];
      double sum = 0;
      for (int c = 0; c < kNumClasses; ++c) {
        const double v = number(err, line, "labels " + w[1], w[2 + c]);
        if (v < 0) err.at(line, "labels " + w[1] + ": weight of class " + std::to_string(c) + " is negative");
        ls.prior[c] = v;
        sum += v;
      }
      if (sum <= 0) err.at(line, "labels " + w[1] + ": weights sum to 0");
      for (double& p : ls.prior) p /= sum;
      sc.label_sets.push_back(ls);
    } else if (key == "segment") {
      if (!fps_line) err.at(line, "segment before fps");
      if (w.size() != 7) err.at(line, "segment takes <start> <duration> labels= time= location= weather=");
      Segment seg;
      seg.line = line;
      seg.start_s = number(err, line, "segment start", w[1]);
      seg.duration_s = number(err, line, "segment duration", w[2]);
      if (seg.duration_s <= 0) err.at(line, "segment duration must be > 0");
      const double expected = sc.segments.empty() ? 0.0 : sc.segments.back().start_s + sc.segments.back().duration_s;
      if (std::fabs(seg.start_s - expected) > 1e-9)
        err.at(line, "segment starts at " + w[1] + " s but the previous one ends at " + std::to_string(expected) +
                         " s (segments must be contiguous from 0)");
      seg.first_frame = frame_at(err, line, "segment start", seg.start_s, sc.fps);
      seg.end_frame = frame_at(err, line, "segment end", seg.start_s + seg.duration_s, sc.fps);
      bool have[4] = {false, false, false, false};
      for (std::size_t i = 3; i < w.size(); ++i) {
        const std::size_t eq = w[i].find('=');
        if (eq == std::string::npos) err.at(line, "'" + w[i] + "' is not key=value");
        const std::string k = w[i].substr(0, eq), v = w[i].substr(eq + 1);
        int slot = -1;
        if (k == "labels") {
          slot = 0;
          auto it = std::find_if(sc.label_sets.begin(), sc.label_sets.end(),
                                 [&](const LabelSet& ls) { return ls.name == v; });
          if (it == sc.label_sets.end()) err.at(line, "labels=" + v + ": no such label set (define it with 'labels')");
          seg.label_set = static_cast<std::size_t>(it - sc.label_sets.begin());
        } else if (k == "time") {
          slot = 1;
          auto t = parse_time_of_day(v);
          if (!t) err.at(line, "time=" + v + ": expected day or night");
          seg.conditions.time = *t;
        } else if (k == "location") {
          slot = 2;
          auto l = parse_location(v);
          if (!l) err.at(line, "location=" + v + ": expected city or suburb");
          seg.conditions.location = *l;
        } else if (k == "weather") {
          slot = 3;
          auto x = parse_weather(v);
          if (!x) err.at(line, "weather=" + v + ": expected clear, overcast, rain, snow or fog");
          seg.conditions.weather = *x;
        } else {
          err.at(line, "unknown segment attribute '" + k + "'");
        }
        if (have[slot]) err.at(line, "attribute '" + k + "' given twice");
        have[slot] = true;
      }
      sc.segments.push_back(seg);
    } else {
      err.at(line, "unknown directive '" + key + "'");
    }
  }
  if (!fps_line) err.file("missing 'fps'");
  if (!length_line) err.file("missing 'length'");
  if (!warmup_line) err.file("missing 'warmup'");
  if (sc.segments.empty()) err.file("no segments");
  const double end = sc.segments.back().start_s + sc.segments.back().duration_s;
  if (std::fabs(end - sc.length_s) > 1e-9)
    err.at(sc.segments.back().line, "segments end at " + std::to_string(end) + " s but length is " +
                                        std::to_string(sc.length_s) + " s (line " + std::to_string(length_line) + ")");
  if (sc.warmup_s >= sc.length_s) err.at(warmup_line, "warmup must be shorter than length");
  frame_at(err, warmup_line, "warmup", sc.warmup_s, sc.fps);
  return sc;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open scenario file");
  return parse_scenario(in, path);
}

}  // namespace dacapo::scenarios
