// Scoring of a continuous-learning run (DESIGN.md §6): accuracy per window with a warm-up excluded, arithmetic
// and geometric means over the scored windows, drift detections against the scenario's true segment boundaries,
// and the CSV files. Writers produce text on a stream; the platform writes files atomically.
#pragma once

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <vector>

#include "firmware/cl/engine.h"

namespace dacapo::cl {

struct MetricsConfig {
  double window_s = 120;
  double warmup_s = 480;
  double drift_tolerance_s = 120;  // a detection up to this long after a true boundary is a hit

  template <class V>
  void visit_params(V& v) {
    v("window_s", window_s, "s", "accuracy window");
    v("warmup_s", warmup_s, "s", "windows starting before this are not scored");
    v("drift_tolerance_s", drift_tolerance_s, "s", "a drift detection within this time after a boundary is a hit");
  }
  void validate() const {
    if (!(window_s > 0)) throw std::invalid_argument("window_s: must be > 0");
    if (!(warmup_s >= 0)) throw std::invalid_argument("warmup_s: must be >= 0");
    if (!(drift_tolerance_s >= 0)) throw std::invalid_argument("drift_tolerance_s: must be >= 0");
  }
};

struct WindowAccuracy {
  uint64_t index = 0;
  double start = 0, end = 0;
  uint64_t frames = 0, correct = 0, dropped = 0;
  double accuracy = kNaN;  // %
  bool complete = true;    // the stream covers the whole window
  bool scored = false;     // complete and not in the warm-up
  double running_arithmetic = kNaN;  // means over the scored windows up to and including this one
  double running_geometric = kNaN;
};

// Windows [kW, (k+1)W) over the stream; a frame is correct when its B-SA prediction equals the ground truth
// (a dropped frame has none and counts wrong). A window starting before the warm-up end, or cut short by the end
// of the stream, is listed but not scored.
std::vector<WindowAccuracy> window_accuracies(const RunRecord& run, const StreamInfo& stream,
                                              const MetricsConfig& config);

double arithmetic_mean(const std::vector<double>& values);  // NaN when empty
double geometric_mean(const std::vector<double>& values);   // NaN when empty; 0 if any value is 0

struct AccuracySummary {
  size_t scored_windows = 0;
  double arithmetic_mean = kNaN;  // % over scored windows
  double geometric_mean = kNaN;
  uint64_t frames = 0, correct = 0, dropped = 0;  // over the scored windows
};
AccuracySummary summarize(const std::vector<WindowAccuracy>& windows);

// Detections vs true boundaries: boundaries in time order each take the earliest unused detection d with
// b <= d <= b + tolerance (a hit); a boundary without one is a miss; a detection used by no boundary is a false
// alarm. A detection counts for at most one boundary.
struct DriftReport {
  std::vector<double> boundaries, detections;  // sorted
  std::vector<double> matched;  // per boundary: the detection that hit it, NaN for a miss
  std::vector<double> delays;   // per hit: detection - boundary
  size_t hits = 0, misses = 0, false_alarms = 0;
};
DriftReport match_drifts(std::vector<double> boundaries, std::vector<double> detections, double tolerance_s);

void write_accuracy_csv(std::ostream& os, const std::vector<WindowAccuracy>& windows);
void write_phases_csv(std::ostream& os, const std::vector<PhaseRecord>& phases);
// One row per boundary (hit or miss, with the matching detection) and per false alarm, in time order of the
// event: "event,boundary_s,detection_s,delay_s".
void write_drifts_csv(std::ostream& os, const DriftReport& drifts);
// Key/value lines: policy, windows, means, drift hits/misses/false alarms, mean delay.
void write_summary(std::ostream& os, const std::string& policy, const AccuracySummary& summary,
                   const DriftReport& drifts);

}  // namespace dacapo::cl
