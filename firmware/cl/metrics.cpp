#include "firmware/cl/metrics.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string>

namespace dacapo::cl {

namespace {
std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
}  // namespace

double arithmetic_mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  double s = 0;
  for (double v : values) s += v;
  return s / static_cast<double>(values.size());
}

double geometric_mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  double log_sum = 0;
  for (double v : values) {
    if (v <= 0) return 0;
    log_sum += std::log(v);
  }
  return std::exp(log_sum / static_cast<double>(values.size()));
}

std::vector<WindowAccuracy> window_accuracies(const RunRecord& run, const StreamInfo& stream,
                                              const MetricsConfig& config) {
  config.validate();
  std::vector<WindowAccuracy> out;
  const FrameClock& clock = run.clock;
  std::vector<double> scored;
  for (uint64_t k = 0;; ++k) {
    WindowAccuracy w;
    w.index = k;
    w.start = static_cast<double>(k) * config.window_s;
    if (w.start >= clock.end_time() - 1e-9) break;
    w.end = w.start + config.window_s;
    const FrameId first = clock.first_at_or_after(w.start);
    const FrameId last = clock.first_at_or_after(w.end);
    w.complete = w.end <= clock.end_time() + 1e-9;
    for (FrameId f = first; f < last; ++f) {
      const int p = f < run.log.prediction.size() ? run.log.prediction[f] : kNoPrediction;
      if (p == kNoPrediction) ++w.dropped;
      else if (p == stream.ground_truth(f)) ++w.correct;
    }
    w.frames = last - first;
    if (w.frames > 0) w.accuracy = 100.0 * static_cast<double>(w.correct) / static_cast<double>(w.frames);
    w.scored = w.complete && w.frames > 0 && w.start >= config.warmup_s - 1e-9;
    if (w.scored) scored.push_back(w.accuracy);
    if (!scored.empty()) {
      w.running_arithmetic = arithmetic_mean(scored);
      w.running_geometric = geometric_mean(scored);
    }
    out.push_back(w);
  }
  return out;
}

AccuracySummary summarize(const std::vector<WindowAccuracy>& windows) {
  AccuracySummary s;
  std::vector<double> acc;
  for (const auto& w : windows) {
    if (!w.scored) continue;
    acc.push_back(w.accuracy);
    s.frames += w.frames;
    s.correct += w.correct;
    s.dropped += w.dropped;
  }
  s.scored_windows = acc.size();
  s.arithmetic_mean = arithmetic_mean(acc);
  s.geometric_mean = geometric_mean(acc);
  return s;
}

DriftReport match_drifts(std::vector<double> boundaries, std::vector<double> detections, double tolerance_s) {
  std::sort(boundaries.begin(), boundaries.end());
  std::sort(detections.begin(), detections.end());
  DriftReport r;
  r.boundaries = boundaries;
  r.detections = detections;
  std::vector<bool> used(detections.size(), false);
  for (double b : boundaries) {
    bool hit = false;
    for (size_t i = 0; i < detections.size(); ++i) {
      if (used[i] || detections[i] < b) continue;
      if (detections[i] > b + tolerance_s) break;
      used[i] = true;
      r.matched.push_back(detections[i]);
      r.delays.push_back(detections[i] - b);
      hit = true;
      break;
    }
    if (!hit) r.matched.push_back(kNaN);
    hit ? ++r.hits : ++r.misses;
  }
  r.false_alarms = static_cast<size_t>(std::count(used.begin(), used.end(), false));
  return r;
}

void write_accuracy_csv(std::ostream& os, const std::vector<WindowAccuracy>& windows) {
  os << "window,start_s,end_s,frames,correct,dropped,accuracy,complete,scored,running_mean,running_geomean\n";
  for (const auto& w : windows)
    os << w.index << ',' << fixed(w.start, 3) << ',' << fixed(w.end, 3) << ',' << w.frames << ',' << w.correct << ','
       << w.dropped << ',' << fixed(w.accuracy, 4) << ',' << (w.complete ? 1 : 0) << ',' << (w.scored ? 1 : 0)
       << ',' << fixed(w.running_arithmetic, 4) << ',' << fixed(w.running_geometric, 4) << '\n';
}

void write_phases_csv(std::ostream& os, const std::vector<PhaseRecord>& phases) {
  os << "phase,tag,kernel,start_s,end_s,frames,train,valid,label,epochs,steps,a_valid,a_label,drift,buffer_fill,"
        "label_wait_s,completed\n";
  for (const auto& p : phases)
    os << p.index << ',' << p.tag << ',' << to_string(p.kind) << ',' << fixed(p.start, 6) << ',' << fixed(p.end, 6)
       << ',' << p.frames << ',' << p.train_samples << ',' << p.valid_samples << ',' << p.labeled << ',' << p.epochs
       << ',' << p.steps << ',' << fixed(p.valid_accuracy, 4) << ',' << fixed(p.label_accuracy, 4) << ','
       << (p.drift ? 1 : 0) << ',' << p.buffer_fill << ',' << fixed(p.label_wait, 6) << ','
       << (p.completed ? 1 : 0) << '\n';
}

void write_drifts_csv(std::ostream& os, const DriftReport& d) {
  struct Row {
    double t;
    std::string text;
  };
  std::vector<Row> rows;
  std::vector<bool> used(d.detections.size(), false);
  for (size_t i = 0; i < d.boundaries.size(); ++i) {
    const double m = i < d.matched.size() ? d.matched[i] : kNaN;
    for (size_t j = 0; j < d.detections.size(); ++j)
      if (!used[j] && d.detections[j] == m) {
        used[j] = true;
        break;
      }
    const bool hit = std::isfinite(m);
    rows.push_back({d.boundaries[i], std::string(hit ? "hit" : "miss") + ',' + fixed(d.boundaries[i], 3) + ',' +
                                         fixed(m, 3) + ',' + fixed(hit ? m - d.boundaries[i] : kNaN, 3)});
  }
  for (size_t j = 0; j < d.detections.size(); ++j)
    if (!used[j]) rows.push_back({d.detections[j], "false_alarm,," + fixed(d.detections[j], 3) + ","});
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t < b.t; });
  os << "event,boundary_s,detection_s,delay_s\n";
  for (const auto& r : rows) os << r.text << '\n';
}

void write_summary(std::ostream& os, const std::string& policy, const AccuracySummary& s, const DriftReport& d) {
  double delay = kNaN;
  if (!d.delays.empty()) delay = arithmetic_mean(d.delays);
  os << "policy = " << policy << '\n'
     << "scored_windows = " << s.scored_windows << '\n'
     << "accuracy_mean = " << fixed(s.arithmetic_mean, 4) << '\n'
     << "accuracy_geomean = " << fixed(s.geometric_mean, 4) << '\n'
     << "scored_frames = " << s.frames << '\n'
     << "scored_correct = " << s.correct << '\n'
     << "scored_dropped = " << s.dropped << '\n'
     << "drift_boundaries = " << d.boundaries.size() << '\n'
     << "drift_detections = " << d.detections.size() << '\n'
     << "drift_hits = " << d.hits << '\n'
     << "drift_misses = " << d.misses << '\n'
     << "drift_false_alarms = " << d.false_alarms << '\n'
     << "drift_mean_delay_s = " << fixed(delay, 3) << '\n';
}

}  // namespace dacapo::cl
