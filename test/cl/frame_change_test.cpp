#include <catch2/catch.hpp>

#include <vector>

#include "firmware/cl/frame_change.h"

using namespace dacapo::cl;

namespace {
std::vector<float> square(uint32_t w, uint32_t h, uint32_t x0, uint32_t y0, uint32_t size, float value) {
  std::vector<float> img(w * h, 0.0f);
  for (uint32_t y = y0; y < y0 + size; ++y)
    for (uint32_t x = x0; x < x0 + size; ++x) img[y * w + x] = value;
  return img;
}
}  // namespace

TEST_CASE("A square that appears changes exactly its own pixels after the blur") {
  // Inside the square the blur keeps 1; on its edge 0.75, at its corners 0.75 · 0.75 = 0.5625 (>= 0.5); just
  // outside at most 0.25. So the 4x4 square of an 8x8 image is 16 of 64 pixels.
  const auto before = square(8, 8, 0, 0, 0, 0);
  const auto after = square(8, 8, 2, 2, 4, 1.0f);  // one pixel of background on every side of it and beyond
  REQUIRE(changed_fraction(before.data(), after.data(), 8, 8, 1) == Approx(16.0 / 64));
  // The same square at the corner: reflect-101 borders keep its border pixels at 1.
  const auto corner = square(8, 8, 0, 0, 4, 1.0f);
  REQUIRE(changed_fraction(before.data(), corner.data(), 8, 8, 1) == Approx(16.0 / 64));
  // Only increases count (clamp to [0, 1]): the square disappearing changes nothing.
  REQUIRE(changed_fraction(after.data(), before.data(), 8, 8, 1) == 0.0);
  // A 1-pixel dot blurs to 0.25: not a change.
  const auto dot = square(8, 8, 4, 4, 1, 1.0f);
  REQUIRE(changed_fraction(before.data(), dot.data(), 8, 8, 1) == 0.0);
  // Reflect-101 mirrors across the border pixel: a square ending one pixel before the bottom edge sees itself
  // on both vertical sides of the last row, which blurs to 0.25 + 0.25 = 0.5 under its 2 interior columns.
  const auto low = square(8, 8, 2, 3, 4, 1.0f);
  REQUIRE(changed_fraction(before.data(), low.data(), 8, 8, 1) == Approx(18.0 / 64));
}

TEST_CASE("Colour frames use luma and normalisation scales the difference") {
  // A uniform change of +0.6 in red only: luma 0.299 · 0.6 = 0.18 < 0.5; with std 0.25 the difference is 2.4,
  // clamped to 1 -> luma 0.299 < 0.5; in all three channels -> luma 1 >= 0.5 everywhere.
  std::vector<float> a(4 * 4 * 3, 0.2f), red = a, all = a;
  for (size_t p = 0; p < 16; ++p) {
    red[3 * p] = 0.8f;
    for (int c = 0; c < 3; ++c) all[3 * p + c] = 0.8f;
  }
  REQUIRE(changed_fraction(a.data(), red.data(), 4, 4, 3) == 0.0);
  FrameChangeConfig norm;
  norm.std = 0.25;
  REQUIRE(changed_fraction(a.data(), red.data(), 4, 4, 3, norm) == 0.0);
  REQUIRE(changed_fraction(a.data(), all.data(), 4, 4, 3) == 1.0);
  // +0.4 everywhere is below 0.5 raw, but 1.6 -> 1 once normalised by std 0.25.
  std::vector<float> plus(16, 0.5f), base(16, 0.1f);
  REQUIRE(changed_fraction(base.data(), plus.data(), 4, 4, 1) == 0.0);
  REQUIRE(changed_fraction(base.data(), plus.data(), 4, 4, 1, norm) == 1.0);
  REQUIRE_THROWS(changed_fraction(base.data(), plus.data(), 4, 4, 2));
  REQUIRE_THROWS(changed_fraction(base.data(), plus.data(), 0, 4, 1));
}
