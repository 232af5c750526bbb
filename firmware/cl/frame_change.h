// EOMU's frame-difference measure (cl-policies.md §4.2), for frame sources that hold images: the share of pixels
// of GaussianBlur3x3(luma(clamp(x_next - x_prev, 0, 1))) that are >= a threshold (0.5).
// The blur is the separable binomial kernel [1 2 1]/4 (OpenCV's fixed 3x3 Gaussian) with reflect-101 borders;
// luma is 0.299 R + 0.587 G + 0.114 B for 3 channels and the value itself for 1. The authors applied it to the
// mean/std-normalised inference tensors; `mean` and `std` reproduce that (0 and 1 = raw pixel values).
#pragma once

#include <cstdint>
#include <stdexcept>

namespace dacapo::cl {

struct FrameChangeConfig {
  double pixel_threshold = 0.5;
  double mean = 0.0;  // x = (pixel - mean) / std before differencing
  double std = 1.0;

  template <class V>
  void visit_params(V& v) {
    v("pixel_threshold", pixel_threshold, "", "a blurred difference pixel at or above this counts as changed");
    v("mean", mean, "", "normalisation mean applied to pixels before differencing");
    v("std", std, "", "normalisation standard deviation applied to pixels before differencing");
  }
  void validate() const {
    if (!(std > 0)) throw std::invalid_argument("std: must be > 0");
  }
};

// Images are height x width x channels, interleaved (HWC), channels 1 or 3. Throws std::invalid_argument on
// other shapes. Result in [0, 1].
double changed_fraction(const float* prev, const float* next, uint32_t width, uint32_t height, uint32_t channels,
                        const FrameChangeConfig& config = {});

}  // namespace dacapo::cl
