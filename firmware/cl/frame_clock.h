// The camera's frame clock: frame i arrives at i / fps; the stream has frame_count frames.
#pragma once

#include <cmath>
#include <cstdint>

#include "firmware/cl/types.h"

namespace dacapo::cl {

struct FrameClock {
  double fps = 30.0;
  FrameId frame_count = 0;

  double arrival(FrameId i) const { return static_cast<double>(i) / fps; }
  double end_time() const { return arrival(frame_count); }

  // First frame whose arrival is >= t, clamped to frame_count. Phase boundaries are quantised to frames (as in
  // the authors' emulator); the 1e-6-frame tolerance keeps "120 s at 30 fps" at exactly frame 3600 despite
  // rounding in the caller's time arithmetic.
  FrameId first_at_or_after(double t) const {
    if (!(t > 0)) return 0;
    const double x = std::ceil(t * fps - 1e-6);
    if (x >= static_cast<double>(frame_count)) return frame_count;
    return x < 0 ? 0 : static_cast<FrameId>(x);
  }
};

}  // namespace dacapo::cl
