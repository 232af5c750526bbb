// Drift attributes and the image transforms that realise them.
//
// Every transform is a real image operation, deterministic given the Rng it is handed (the caller derives that
// Rng from (seed, frame index), so a frame never depends on other frames). All parameters are in DriftParams,
// documented in docs/scenarios.md. Order of application: location (scene geometry and background), then weather
// (the atmosphere between scene and camera), then time of day (illumination and the sensor's noise), then the
// result is clamped to [0, 1].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/src/rng.h"

namespace dacapo::scenarios {

enum class TimeOfDay : std::uint8_t { day, night };
enum class Location : std::uint8_t { city, suburb };
enum class Weather : std::uint8_t { clear, overcast, rain, snow, fog };

// The image-affecting attributes of a segment (the label distribution is handled by the frame source).
struct Conditions {
  TimeOfDay time = TimeOfDay::day;
  Location location = Location::city;
  Weather weather = Weather::clear;
  bool operator==(const Conditions& o) const {
    return time == o.time && location == o.location && weather == o.weather;
  }
  bool operator!=(const Conditions& o) const { return !(*this == o); }
};

const char* to_string(TimeOfDay v);
const char* to_string(Location v);
const char* to_string(Weather v);
std::optional<TimeOfDay> parse_time_of_day(const std::string& s);
std::optional<Location> parse_location(const std::string& s);
std::optional<Weather> parse_weather(const std::string& s);
std::string describe(const Conditions& c);  // e.g. "night/suburb/rain"

// Every enumerated combination (2 × 2 × 5 = 20), for the teacher's all-domain training and the accuracy tables.
std::vector<Conditions> all_conditions();

struct DriftParams {
  // time=night: y = gain · (m + contrast · (x − m)) + N(0, σ), m = the frame's mean.
  double night_gain = 0.25;
  double night_contrast = 0.6;
  double night_noise_sigma = 0.06;
  // location=suburb: object scaled about its centre and shifted by up to ±max_shift px per axis, composited
  // over a fixed textured background (smoothed noise + stripes, mean bg_mean, about ±bg_amplitude) seen
  // through a window that moves by up to texture_slack px between frames. The object covers the background
  // with alpha = min(1, object_alpha_gain · intensity).
  double suburb_scale = 0.8;
  int suburb_max_shift = 2;
  double suburb_bg_mean = 0.22;
  double suburb_bg_amplitude = 0.12;
  int suburb_texture_slack = 12;
  double object_alpha_gain = 4.0;
  // weather=overcast: flat light, y = gain · x + lift.
  double overcast_gain = 0.7;
  double overcast_lift = 0.08;
  // weather=rain: y = dim · x, then rain_min..rain_max streaks of rain_len_min..rain_len_max px, slanted one
  // column per rain_slant rows, blended towards rain_level with alpha rain_alpha.
  double rain_dim = 0.85;
  int rain_min = 10, rain_max = 18;
  int rain_len_min = 5, rain_len_max = 9;
  int rain_slant = 3;
  double rain_level = 0.9;
  double rain_alpha = 0.45;
  // weather=snow: y = snow_gain · x + snow_lift, then snow_min..snow_max flakes (1 px, or 2×2 with probability
  // snow_big) blended towards snow_level with alpha snow_alpha.
  double snow_gain = 0.9;
  double snow_lift = 0.06;
  int snow_min = 12, snow_max = 22;
  double snow_big = 0.3;
  double snow_level = 0.95;
  double snow_alpha = 0.8;
  // weather=fog: y = (1 − density) · x + density · fog_level, then a 3×3 box blur with weight fog_blur.
  double fog_density = 0.4;
  double fog_level = 0.55;
  double fog_blur = 0.5;
};

// A grayscale image, row-major, values in [0, 1].
struct Image {
  int rows = 0;
  int cols = 0;
  std::vector<float> pixels;
  float at(int r, int c) const { return pixels[static_cast<std::size_t>(r) * cols + c]; }
};

// 8-bit source (0 = black) to [0, 1] without any drift.
Image to_image(const std::uint8_t* src, int rows, int cols);

// Applies the conditions' transforms to the source image; consumes random numbers from rng.
Image apply_drift(const std::uint8_t* src, int rows, int cols, const Conditions& conditions, Rng& rng,
                  const DriftParams& params = {});

// Bumped whenever a transform's behaviour changes: part of the pretraining inputs hash.
inline constexpr std::uint32_t kDriftVersion = 1;

}  // namespace dacapo::scenarios
