// The fixed two-phase window shared by DaCapo-Spatial and DaCapo-Ekya (reference/cl-policies.md §2.5, §3.7):
// window k = [k·W, (k+1)·W); n = floor(fps·W·s) frames are labeled in phase 2 = the last n·t_L seconds, the
// first p1 = W - n·t_L seconds retrain on the previous window's labels.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "firmware/cl/policy.h"

namespace dacapo::cl {

struct WindowPlan {
  double start = 0;        // k·W
  double retrain_end = 0;  // start + p1
  double end = 0;          // (k+1)·W
  uint32_t label_count = 0;
  FrameId first = 0;       // frames of the window: [first, last)
  FrameId last = 0;
};

inline WindowPlan plan_window(const PolicyContext& ctx, uint64_t k, double window_s, double sampling_rate) {
  WindowPlan w;
  w.start = static_cast<double>(k) * window_s;
  w.end = w.start + window_s;
  // The small tolerance keeps products such as 3600 · 0.2075 = 747 from flooring to 746.
  w.label_count = static_cast<uint32_t>(std::floor(ctx.clock.fps * window_s * sampling_rate + 1e-9));
  const double p2 = ctx.costs.label_seconds(w.label_count);
  if (p2 > window_s)
    throw std::invalid_argument("labeling " + std::to_string(w.label_count) + " frames takes " +
                                std::to_string(p2) + " s, longer than the " + std::to_string(window_s) +
                                " s window (lower the sampling rate)");
  w.retrain_end = w.end - p2;
  w.first = ctx.clock.first_at_or_after(w.start);
  w.last = ctx.clock.first_at_or_after(w.end);
  return w;
}

// Phase 2: label the window's frames with a uniform stride over all of it (the authors' lookahead), until its end.
inline Phase window_label_phase(const WindowPlan& w) {
  Phase p;
  p.kind = PhaseKind::Label;
  p.tag = "label";
  p.label.first = w.first;
  p.label.end = w.last;
  p.label.count = w.label_count;
  p.min_end = w.end;
  return p;
}

inline Phase idle_until(double t, const char* tag) {
  Phase p;
  p.kind = PhaseKind::Idle;
  p.tag = tag;
  p.min_end = t;
  return p;
}

}  // namespace dacapo::cl
