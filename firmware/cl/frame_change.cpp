#include "firmware/cl/frame_change.h"

#include <algorithm>
#include <vector>

namespace dacapo::cl {

namespace {
// Reflect-101 (the border pixel is not repeated): -1 -> 1, n -> n - 2.
uint32_t reflect(int64_t i, uint32_t n) {
  if (n == 1) return 0;
  if (i < 0) return static_cast<uint32_t>(-i);
  if (i >= n) return static_cast<uint32_t>(2 * static_cast<int64_t>(n) - 2 - i);
  return static_cast<uint32_t>(i);
}
}  // namespace

double changed_fraction(const float* prev, const float* next, uint32_t width, uint32_t height, uint32_t channels,
                        const FrameChangeConfig& config) {
  config.validate();
  if (width == 0 || height == 0) throw std::invalid_argument("changed_fraction: empty image");
  if (channels != 1 && channels != 3) throw std::invalid_argument("changed_fraction: channels must be 1 or 3");
  const size_t pixels = static_cast<size_t>(width) * height;
  std::vector<double> luma(pixels);
  for (size_t p = 0; p < pixels; ++p) {
    double d[3] = {0, 0, 0};
    for (uint32_t c = 0; c < channels; ++c) {
      const double a = (prev[p * channels + c] - config.mean) / config.std;
      const double b = (next[p * channels + c] - config.mean) / config.std;
      d[c] = std::clamp(b - a, 0.0, 1.0);
    }
    luma[p] = channels == 1 ? d[0] : 0.299 * d[0] + 0.587 * d[1] + 0.114 * d[2];
  }
  std::vector<double> rows(pixels);  // horizontal pass
  for (uint32_t y = 0; y < height; ++y)
    for (uint32_t x = 0; x < width; ++x) {
      const size_t r = static_cast<size_t>(y) * width;
      rows[r + x] = 0.25 * luma[r + reflect(int64_t{x} - 1, width)] + 0.5 * luma[r + x] +
                    0.25 * luma[r + reflect(int64_t{x} + 1, width)];
    }
  size_t changed = 0;
  for (uint32_t y = 0; y < height; ++y)
    for (uint32_t x = 0; x < width; ++x) {
      const double v = 0.25 * rows[static_cast<size_t>(reflect(int64_t{y} - 1, height)) * width + x] +
                       0.5 * rows[static_cast<size_t>(y) * width + x] +
                       0.25 * rows[static_cast<size_t>(reflect(int64_t{y} + 1, height)) * width + x];
      changed += v >= config.pixel_threshold;
    }
  return static_cast<double>(changed) / static_cast<double>(pixels);
}

}  // namespace dacapo::cl
