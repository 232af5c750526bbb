// A synthetic frame stream for the camera when no scenario is configured: frame i has class i mod 10 and shows a
// class-specific oriented stripe pattern with a seeded per-frame phase and noise. Deterministic for a seed;
// plain C++.
#pragma once

#include <cstdint>

#include "scenarios/src/frame_source.h"

namespace dacapo::camera {

struct SyntheticSourceConfig {
  double fps = 30.0;
  uint64_t frames = 300;
  uint32_t width = 28, height = 28;

  template <class V>
  void visit_params(V& v) {
    v("fps", fps, "1/s", "frame rate of the synthetic stream (used when no scenario is set)");
    v("frames", frames, "", "frames in the synthetic stream");
    v("width", width, "px", "synthetic frame width");
    v("height", height, "px", "synthetic frame height");
  }
  void validate() const;
};

class SyntheticFrameSource final : public scenarios::FrameSource {
 public:
  SyntheticFrameSource(const SyntheticSourceConfig& cfg, uint64_t seed);
  uint64_t frame_count() const override { return cfg_.frames; }
  double fps() const override { return cfg_.fps; }
  scenarios::Frame frame(uint64_t index) const override;

 private:
  SyntheticSourceConfig cfg_;
  uint64_t seed_;
};

}  // namespace dacapo::camera
