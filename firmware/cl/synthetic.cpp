#include "firmware/cl/synthetic.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "firmware/cl/rng.h"

namespace dacapo::cl {

void SyntheticConfig::validate() const {
  if (num_classes < 2) throw std::invalid_argument("num_classes: must be >= 2");
  if (!(fps > 0)) throw std::invalid_argument("fps: must be > 0");
  if (!(learn_samples > 0)) throw std::invalid_argument("learn_samples: must be > 0");
  if (!(forget_samples > 0)) throw std::invalid_argument("forget_samples: must be > 0");
  if (!(teacher_accuracy >= 0 && teacher_accuracy <= 1)) throw std::invalid_argument("teacher_accuracy: must be in [0, 1]");
  if (!(changed_fraction_max >= 0 && changed_fraction_max <= 1))
    throw std::invalid_argument("changed_fraction_max: must be in [0, 1]");
  if (batch == 0) throw std::invalid_argument("batch: must be > 0");
}

namespace {
std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) {
    const auto b = f.find_first_not_of(" \t\r");
    const auto e = f.find_last_not_of(" \t\r");
    out.push_back(b == std::string::npos ? std::string() : f.substr(b, e - b + 1));
  }
  return out;
}

double number(const std::string& text, const std::string& where, const char* column, double lo, double hi) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != text.size() || !(v >= lo && v <= hi))
    throw SyntheticError(where + ": column '" + column + "': '" + text + "' is not a number in [" +
                         std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

// Reads rows of a CSV with the given header; calls row(fields, "source:line").
template <class Row>
void read_csv(std::istream& in, const std::string& source, const std::vector<std::string>& header, Row&& row) {
  std::string line;
  size_t n = 0;
  bool seen_header = false;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    const std::string where = source + ":" + std::to_string(n);
    const auto f = fields_of(line);
    if (!seen_header) {
      if (f != header) {
        std::string h;
        for (const auto& x : header) h += (h.empty() ? "" : ",") + x;
        throw SyntheticError(where + ": expected header '" + h + "'");
      }
      seen_header = true;
      continue;
    }
    if (f.size() != header.size())
      throw SyntheticError(where + ": expected " + std::to_string(header.size()) + " columns, got " +
                           std::to_string(f.size()));
    row(f, where);
  }
  if (!seen_header) throw SyntheticError(source + ": empty file (no header)");
}
}  // namespace

std::vector<SyntheticSegment> parse_segments_csv(std::istream& in, const std::string& source) {
  std::vector<SyntheticSegment> out;
  read_csv(in, source, {"duration_s", "domain", "classes"}, [&](const auto& f, const std::string& where) {
    SyntheticSegment s;
    s.duration_s = number(f[0], where, "duration_s", 1e-9, 1e7);
    s.domain = static_cast<uint32_t>(number(f[1], where, "domain", 0, 1e6));
    s.classes = static_cast<uint32_t>(number(f[2], where, "classes", 1, 1e6));
    if (static_cast<double>(s.domain) != std::stod(f[1]) || static_cast<double>(s.classes) != std::stod(f[2]))
      throw SyntheticError(where + ": columns 'domain' and 'classes' must be integers");
    out.push_back(s);
  });
  if (out.empty()) throw SyntheticError(source + ": no segments");
  return out;
}

std::vector<SyntheticDomain> parse_domains_csv(std::istream& in, const std::string& source) {
  std::vector<SyntheticDomain> out;
  read_csv(in, source, {"domain", "base_accuracy", "max_accuracy"}, [&](const auto& f, const std::string& where) {
    const double id = number(f[0], where, "domain", 0, 1e6);
    if (id != static_cast<double>(out.size()))
      throw SyntheticError(where + ": column 'domain': expected " + std::to_string(out.size()) + " (domains in order)");
    SyntheticDomain d;
    d.base_accuracy = number(f[1], where, "base_accuracy", 0, 1);
    d.max_accuracy = number(f[2], where, "max_accuracy", 0, 1);
    out.push_back(d);
  });
  if (out.empty()) throw SyntheticError(source + ": no domains");
  return out;
}

SyntheticStream::SyntheticStream(std::vector<SyntheticSegment> segments, const SyntheticConfig& config)
    : segments_(std::move(segments)), config_(config) {
  config_.validate();
  if (segments_.empty()) throw SyntheticError("synthetic stream: no segments");
  double t = 0;
  for (const auto& s : segments_) {
    if (s.classes == 0 || s.classes > config_.num_classes)
      throw SyntheticError("synthetic stream: segment classes must be in 1..num_classes");
    segment_start_.push_back(static_cast<FrameId>(std::llround(t * config_.fps)));
    t += s.duration_s;
  }
  clock_.fps = config_.fps;
  clock_.frame_count = static_cast<FrameId>(std::llround(t * config_.fps));
}

size_t SyntheticStream::segment_of(FrameId frame) const {
  const auto it = std::upper_bound(segment_start_.begin(), segment_start_.end(), frame);
  return static_cast<size_t>(it - segment_start_.begin()) - 1;
}

int SyntheticStream::ground_truth(FrameId frame) const {
  const uint32_t classes = segments_[segment_of(frame)].classes;
  return static_cast<int>(std::min<double>(classes - 1, std::floor(hash_unit(config_.seed, frame, 1) * classes)));
}

double SyntheticStream::changed_fraction(FrameId frame) const {
  if (frame + 1 >= clock_.frame_count) return 0.0;
  const size_t s = segment_of(frame + 1);
  if (frame + 1 == segment_start_[s]) return 1.0;  // the last frame before a new segment: the scene changes
  return hash_unit(config_.seed, frame, 2) * config_.changed_fraction_max;
}

std::vector<double> SyntheticStream::boundaries() const {
  std::vector<double> out;
  for (size_t s = 1; s < segment_start_.size(); ++s) out.push_back(clock_.arrival(segment_start_[s]));
  return out;
}

SyntheticLearner::SyntheticLearner(const SyntheticStream& stream, std::vector<SyntheticDomain> domains)
    : stream_(stream), domains_(std::move(domains)) {
  for (FrameId f = 0; f < stream_.clock().frame_count; f += 1)
    if (stream_.domain(f) >= domains_.size())
      throw SyntheticError("synthetic learner: the stream uses domain " + std::to_string(stream_.domain(f)) +
                           " but only " + std::to_string(domains_.size()) + " domains are defined");
  for (const auto& d : domains_) live_.accuracy.push_back(d.base_accuracy);
}

int SyntheticLearner::predict(const Student& s, FrameId frame) const {
  const int truth = stream_.ground_truth(frame);
  const uint64_t seed = stream_.config().seed;
  if (hash_unit(seed, frame, 1000 + 2 * s.version) < s.accuracy[stream_.domain(frame)]) return truth;
  const uint32_t c = stream_.config().num_classes;
  const auto shift = static_cast<int>(1 + std::floor(hash_unit(seed, frame, 1001 + 2 * s.version) * (c - 1)));
  return (truth + std::min<int>(shift, static_cast<int>(c) - 1)) % static_cast<int>(c);
}

double SyntheticLearner::accuracy_on(const Student& s, const std::vector<Sample>& samples) const {
  if (samples.empty()) return kNaN;
  size_t ok = 0;
  for (const Sample& x : samples) ok += predict(s, x.frame) == x.label;
  return 100.0 * static_cast<double>(ok) / static_cast<double>(samples.size());
}

void SyntheticLearner::apply_training(Student& s, const std::vector<Sample>& samples, uint32_t epochs,
                                      uint64_t max_steps) {
  s.version = ++versions_;
  if (samples.empty() || epochs == 0) return;
  const uint32_t batch = stream_.config().batch;
  const double full_steps = static_cast<double>(epochs) * std::ceil(static_cast<double>(samples.size()) / batch);
  const double share = max_steps > 0 ? std::min(1.0, static_cast<double>(max_steps) / full_steps) : 1.0;
  // Per domain: correctly labeled samples teach, mislabeled ones cancel as much.
  std::map<uint32_t, double> useful;
  double total = 0;
  for (const Sample& x : samples) {
    const double sign = x.label == stream_.ground_truth(x.frame) ? 1.0 : -1.0;
    useful[stream_.domain(x.frame)] += sign * epochs * share;
    total += epochs * share;
  }
  const SyntheticConfig& cfg = stream_.config();
  for (uint32_t d = 0; d < s.accuracy.size(); ++d) {
    const auto it = useful.find(d);
    if (it != useful.end()) {
      const double gain = 1.0 - std::exp(-std::max(0.0, it->second) / cfg.learn_samples);
      s.accuracy[d] += (domains_[d].max_accuracy - s.accuracy[d]) * gain;
    } else if (s.accuracy[d] > domains_[d].base_accuracy) {
      const double loss = 1.0 - std::exp(-total / cfg.forget_samples);
      s.accuracy[d] -= (s.accuracy[d] - domains_[d].base_accuracy) * loss;
    }
  }
}

int SyntheticLearner::infer(FrameId frame) { return predict(live_, frame); }

std::vector<int> SyntheticLearner::label(const std::vector<FrameId>& frames) {
  std::vector<int> out;
  const auto& cfg = stream_.config();
  for (FrameId f : frames) {
    const int truth = stream_.ground_truth(f);
    if (hash_unit(cfg.seed, f, 3) < cfg.teacher_accuracy) {
      out.push_back(truth);
    } else {
      const auto shift = static_cast<int>(1 + std::floor(hash_unit(cfg.seed, f, 4) * (cfg.num_classes - 1)));
      out.push_back((truth + std::min<int>(shift, static_cast<int>(cfg.num_classes) - 1)) %
                    static_cast<int>(cfg.num_classes));
    }
  }
  return out;
}

void SyntheticLearner::train(const std::vector<Sample>& samples, uint32_t epochs, uint64_t max_steps) {
  pending_ = live_;
  apply_training(pending_, samples, epochs, max_steps);
  has_pending_ = true;
}

double SyntheticLearner::validate(const std::vector<Sample>& samples) {
  return accuracy_on(has_pending_ ? pending_ : live_, samples);
}

void SyntheticLearner::commit() {
  if (!has_pending_) return;
  live_ = pending_;
  has_pending_ = false;
}

ProfileOutcome SyntheticLearner::microprofile(const std::vector<Sample>& train, const std::vector<Sample>& valid,
                                              uint32_t epochs) {
  ProfileOutcome out;
  out.before = accuracy_on(live_, valid);
  Student scratch = live_;
  apply_training(scratch, train, epochs, 0);
  out.after = accuracy_on(scratch, valid);
  return out;
}

}  // namespace dacapo::cl
