// The drift transforms move image statistics in their documented directions, by the documented amounts, and
// are deterministic for a given random stream.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "scenarios/src/drift.h"

using namespace dacapo::scenarios;

namespace {

constexpr int kSide = 28;

std::vector<std::uint8_t> constant_image(std::uint8_t v) { return std::vector<std::uint8_t>(kSide * kSide, v); }

// A 20×20 white square centred on black (an object on the pretraining background).
std::vector<std::uint8_t> square_image() {
  std::vector<std::uint8_t> img(kSide * kSide, 0);
  for (int r = 4; r < 24; ++r)
    for (int c = 4; c < 24; ++c) img[r * kSide + c] = 255;
  return img;
}

struct Stats {
  double mean, sd;
};
Stats stats(const Image& im) {
  double s = 0, q = 0;
  for (float v : im.pixels) {
    s += v;
    q += double{v} * v;
  }
  const double n = static_cast<double>(im.pixels.size());
  return {s / n, std::sqrt(std::max(0.0, q / n - (s / n) * (s / n)))};
}

Image drift(const std::vector<std::uint8_t>& src, Conditions c, std::uint64_t key = 42) {
  Rng rng(key);
  return apply_drift(src.data(), kSide, kSide, c, rng);
}

const Conditions kBase{};

}  // namespace

TEST_CASE("the pretraining domain (day, city, clear) is the identity") {
  const auto src = square_image();
  const Image a = drift(src, kBase);
  const Image b = to_image(src.data(), kSide, kSide);
  CHECK(a.pixels == b.pixels);
  CHECK(a.at(10, 10) == 1.0f);
  CHECK(a.at(0, 0) == 0.0f);
}

TEST_CASE("night: intensity x0.25, contrast x0.6 about the mean, Gaussian noise sigma 0.06") {
  const DriftParams p;
  Conditions night = kBase;
  night.time = TimeOfDay::night;
  // Flat white frame: expected 0.25 everywhere, so the residual is the sensor noise alone (clamping at 4 sigma).
  const Image flat = drift(constant_image(255), night);
  const Stats fs = stats(flat);
  CHECK(fs.mean == Approx(p.night_gain).margin(0.01));
  CHECK(fs.sd == Approx(p.night_noise_sigma).margin(0.006));
  // On a high-contrast frame the noise-free part is gain·(m + 0.6·(x − m)): contrast between the square and
  // the background falls from 1 to 0.25·0.6 = 0.15.
  const auto sq = square_image();
  double inside = 0, outside = 0;
  int n_in = 0, n_out = 0;
  for (std::uint64_t key = 0; key < 50; ++key) {
    const Image im = drift(sq, night, key);
    for (int r = 0; r < kSide; ++r)
      for (int c = 0; c < kSide; ++c) {
        const bool in = r >= 4 && r < 24 && c >= 4 && c < 24;
        (in ? inside : outside) += im.at(r, c);
        ++(in ? n_in : n_out);
      }
  }
  inside /= n_in;
  outside /= n_out;
  const double m = 400.0 / 784.0;  // mean of the clean square image
  // The background's expected value gain·m·(1 − contrast) ≈ 0.051 is only ~0.85 σ above 0, so clamping lifts
  // its mean: E[max(0, N(μ, σ))] = μ·Φ(μ/σ) + σ·φ(μ/σ).
  const double mu_out = p.night_gain * m * (1 - p.night_contrast), s = p.night_noise_sigma;
  const double z = mu_out / s;
  const double clamped_out = mu_out * 0.5 * std::erfc(-z / std::sqrt(2.0)) + s * std::exp(-z * z / 2) / std::sqrt(2 * M_PI);
  const double mu_in = p.night_gain * (m + p.night_contrast * (1 - m));
  CHECK(inside == Approx(mu_in).margin(0.004));
  CHECK(outside == Approx(clamped_out).margin(0.004));
  CHECK(stats(drift(sq, night)).mean < 0.3 * stats(drift(sq, kBase)).mean);
}

TEST_CASE("overcast is the documented affine map, without randomness") {
  const DriftParams p;
  Conditions c = kBase;
  c.weather = Weather::overcast;
  const auto sq = square_image();
  const Image im = drift(sq, c);
  for (int i = 0; i < kSide * kSide; ++i)
    CHECK(im.pixels[i] == Approx(p.overcast_gain * sq[i] / 255.0 + p.overcast_lift).margin(1e-6));
  CHECK(drift(sq, c, 1).pixels == drift(sq, c, 2).pixels);
}

TEST_CASE("fog pulls every pixel towards the fog level and lowers contrast") {
  const DriftParams p;
  Conditions c = kBase;
  c.weather = Weather::fog;
  const auto sq = square_image();
  const Stats clean = stats(drift(sq, kBase)), fog = stats(drift(sq, c));
  CHECK(fog.mean == Approx((1 - p.fog_density) * clean.mean + p.fog_density * p.fog_level).margin(0.01));
  CHECK(fog.sd < (1 - p.fog_density) * clean.sd + 1e-6);
  const Image im = drift(sq, c);
  CHECK(im.at(0, 0) == Approx(p.fog_density * p.fog_level).margin(1e-6));  // far from the edge: no blur effect
  CHECK(im.at(14, 14) == Approx((1 - p.fog_density) + p.fog_density * p.fog_level).margin(1e-6));
}

TEST_CASE("rain draws slanted bright streaks over a dimmed scene") {
  const DriftParams p;
  Conditions c = kBase;
  c.weather = Weather::rain;
  const auto black = constant_image(0);
  for (std::uint64_t key = 0; key < 20; ++key) {
    const Image im = drift(black, c, key);
    int lit = 0;
    for (float v : im.pixels) {
      if (v > 0) {
        ++lit;
        CHECK(v >= p.rain_alpha * p.rain_level - 1e-6);
      }
    }
    CHECK(lit >= p.rain_len_min);
    CHECK(lit <= p.rain_max * p.rain_len_max);
  }
  const Image white = drift(constant_image(255), c);
  CHECK(stats(white).mean < 1.0);
  CHECK(stats(white).mean > p.rain_dim - 0.01);
}

TEST_CASE("snow brightens the scene and adds flakes") {
  const DriftParams p;
  Conditions c = kBase;
  c.weather = Weather::snow;
  const auto black = constant_image(0);
  for (std::uint64_t key = 0; key < 20; ++key) {
    const Image im = drift(black, c, key);
    int flakes = 0;
    for (float v : im.pixels) {
      CHECK(v >= p.snow_lift - 1e-6);
      if (v > p.snow_lift + 0.1) ++flakes;
    }
    CHECK(flakes >= p.snow_min / 2);  // flakes may overlap
    CHECK(flakes <= p.snow_max * 4);
  }
  CHECK(stats(drift(black, c)).mean > p.snow_lift);
}

TEST_CASE("suburb: textured background and a smaller, shifted object") {
  const DriftParams p;
  Conditions c = kBase;
  c.location = Location::suburb;
  const auto black = constant_image(0);
  const Image bg = drift(black, c);
  const Stats bs = stats(bg);
  CHECK(bs.mean == Approx(p.suburb_bg_mean).margin(0.05));
  CHECK(bs.sd > 0.03);                          // textured, not flat
  CHECK(bs.sd < p.suburb_bg_amplitude + 0.01);  // but within the documented amplitude
  // The 20×20 square is scaled by 0.8 about the centre: about 16×16 fully opaque pixels remain.
  const auto sq = square_image();
  for (std::uint64_t key = 0; key < 10; ++key) {
    const Image im = drift(sq, c, key);
    int full = 0, r_min = kSide, r_max = -1;
    for (int r = 0; r < kSide; ++r)
      for (int col = 0; col < kSide; ++col)
        if (im.at(r, col) > 0.999f) {
          ++full;
          r_min = std::min(r_min, r);
          r_max = std::max(r_max, r);
        }
    const double expected = 400 * p.suburb_scale * p.suburb_scale;
    CHECK(full == Approx(expected).epsilon(0.2));
    const double centre = (r_min + r_max) / 2.0;
    CHECK(std::fabs(centre - 13.5) <= p.suburb_max_shift + 0.5);
  }
}

TEST_CASE("transforms are deterministic for a key and vary between keys") {
  const auto sq = square_image();
  for (const Conditions& c : all_conditions()) {
    INFO(describe(c));
    CHECK(drift(sq, c, 7).pixels == drift(sq, c, 7).pixels);
    const bool random = c.time == TimeOfDay::night || c.location == Location::suburb ||
                        c.weather == Weather::rain || c.weather == Weather::snow;
    if (random) CHECK(drift(sq, c, 7).pixels != drift(sq, c, 8).pixels);
    for (float v : drift(sq, c, 9).pixels) {
      CHECK(v >= 0.0f);
      CHECK(v <= 1.0f);
    }
  }
}

TEST_CASE("attribute names parse and print") {
  CHECK(parse_weather("snow") == Weather::snow);
  CHECK_FALSE(parse_weather("hail").has_value());
  CHECK(parse_location("suburb") == Location::suburb);
  CHECK(parse_time_of_day("night") == TimeOfDay::night);
  CHECK(describe({TimeOfDay::night, Location::suburb, Weather::fog}) == "night/suburb/fog");
  CHECK(all_conditions().size() == 20);
}
