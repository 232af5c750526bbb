#include "models/camera/synthetic_source.h"

#include <cmath>

#include "models/common/params.h"

namespace dacapo::camera {
namespace {
uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

void SyntheticSourceConfig::validate() const {
  if (!(fps > 0.0)) throw ParamError("camera synthetic source: fps must be > 0");
  if (width == 0 || height == 0 || width > 4096 || height > 4096)
    throw ParamError("camera synthetic source: width and height must be 1..4096");
}

SyntheticFrameSource::SyntheticFrameSource(const SyntheticSourceConfig& cfg, uint64_t seed) : cfg_(cfg), seed_(seed) {
  cfg_.validate();
}

scenarios::Frame SyntheticFrameSource::frame(uint64_t index) const {
  scenarios::Frame f;
  f.index = index;
  f.time_s = double(index) / cfg_.fps;
  f.label = static_cast<int>(index % 10);
  f.image.rows = static_cast<int>(cfg_.height);
  f.image.cols = static_cast<int>(cfg_.width);
  f.image.pixels.resize(size_t(cfg_.width) * cfg_.height);
  uint64_t state = mix(seed_ ^ mix(index));
  const double angle = 3.14159265358979 * f.label / 10.0;
  const double phase = double(state % 1000) / 1000.0 * 6.283185307;
  const double cx = std::cos(angle), cy = std::sin(angle);
  for (uint32_t r = 0; r < cfg_.height; ++r)
    for (uint32_t c = 0; c < cfg_.width; ++c) {
      state = mix(state);
      const double noise = (double(state >> 11) / double(1ull << 53) - 0.5) * 0.1;
      const double v = 0.5 + 0.4 * std::sin(0.7 * (cx * c + cy * r) + phase) + noise;
      f.image.pixels[size_t(r) * cfg_.width + c] = static_cast<float>(std::fmin(1.0, std::fmax(0.0, v)));
    }
  return f;
}

}  // namespace dacapo::camera
