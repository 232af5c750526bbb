#include "scenarios/src/drift.h"

#include <algorithm>
#include <cmath>

namespace dacapo::scenarios {
namespace {

float clamp01(double v) { return static_cast<float>(std::min(1.0, std::max(0.0, v))); }

int uniform_int(Rng& rng, int lo, int hi) {  // inclusive
  return lo + static_cast<int>(rng.below(static_cast<std::uint32_t>(hi - lo + 1)));
}

// The suburb's background: a fixed scene (same for every frame, from a constant key), larger than a frame by
// `slack` px so that the camera window can move a little from frame to frame.
std::vector<double> suburb_texture(int rows, int cols, const DriftParams& p) {
  Rng rng(derive_key(0x5ab0b5ull, 1));
  std::vector<double> noise(static_cast<std::size_t>(rows) * cols);
  for (double& v : noise) v = rng.uniform(-1.0, 1.0);
  // Two passes of a 3×3 box blur make blotches a few pixels wide (foliage / pavement rather than pixel noise).
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<double> out(noise.size());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        double s = 0;
        int n = 0;
        for (int dr = -1; dr <= 1; ++dr)
          for (int dc = -1; dc <= 1; ++dc) {
            const int rr = r + dr, cc = c + dc;
            if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
            s += noise[static_cast<std::size_t>(rr) * cols + cc];
            ++n;
          }
        out[static_cast<std::size_t>(r) * cols + c] = s / n;
      }
    noise.swap(out);
  }
  double peak = 1e-9;
  for (double v : noise) peak = std::max(peak, std::fabs(v));
  std::vector<double> tex(noise.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double stripes = std::sin(6.283185307179586 * (r + 0.5 * c) / 6.0);  // fences, kerbs, rows of houses
      const std::size_t i = static_cast<std::size_t>(r) * cols + c;
      tex[i] = p.suburb_bg_mean + p.suburb_bg_amplitude * (0.6 * noise[i] / peak + 0.4 * stripes);
    }
  return tex;
}

double bilinear_u8(const std::uint8_t* src, int rows, int cols, double y, double x) {
  const int y0 = static_cast<int>(std::floor(y)), x0 = static_cast<int>(std::floor(x));
  const double fy = y - y0, fx = x - x0;
  auto px = [&](int r, int c) -> double {
    if (r < 0 || c < 0 || r >= rows || c >= cols) return 0.0;
    return src[static_cast<std::size_t>(r) * cols + c] / 255.0;
  };
  return (1 - fy) * ((1 - fx) * px(y0, x0) + fx * px(y0, x0 + 1)) +
         fy * ((1 - fx) * px(y0 + 1, x0) + fx * px(y0 + 1, x0 + 1));
}

void apply_location(const std::uint8_t* src, int rows, int cols, Location loc, Rng& rng, const DriftParams& p,
                    std::vector<double>& img) {
  if (loc == Location::city) {  // the pretraining domain: object centred on a dark background
    for (std::size_t i = 0; i < img.size(); ++i) img[i] = src[i] / 255.0;
    return;
  }
  const int slack = p.suburb_texture_slack;
  const int trows = rows + slack, tcols = cols + slack;
  const std::vector<double> tex = suburb_texture(trows, tcols, p);
  const int wy = uniform_int(rng, 0, slack), wx = uniform_int(rng, 0, slack);
  const int dy = uniform_int(rng, -p.suburb_max_shift, p.suburb_max_shift);
  const int dx = uniform_int(rng, -p.suburb_max_shift, p.suburb_max_shift);
  const double cy = (rows - 1) / 2.0, cx = (cols - 1) / 2.0;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double sy = (r - cy - dy) / p.suburb_scale + cy;
      const double sx = (c - cx - dx) / p.suburb_scale + cx;
      const double obj = bilinear_u8(src, rows, cols, sy, sx);
      const double alpha = std::min(1.0, p.object_alpha_gain * obj);
      const double bg = tex[static_cast<std::size_t>(r + wy) * tcols + (c + wx)];
      img[static_cast<std::size_t>(r) * cols + c] = alpha * obj + (1 - alpha) * bg;
    }
}

void blend(std::vector<double>& img, int cols, int r, int c, double level, double alpha) {
  double& v = img[static_cast<std::size_t>(r) * cols + c];
  v = (1 - alpha) * v + alpha * level;
}

void apply_weather(int rows, int cols, Weather w, Rng& rng, const DriftParams& p, std::vector<double>& img) {
  switch (w) {
    case Weather::clear:
      return;
    case Weather::overcast:
      for (double& v : img) v = p.overcast_gain * v + p.overcast_lift;
      return;
    case Weather::rain: {
      for (double& v : img) v *= p.rain_dim;
      const int streaks = uniform_int(rng, p.rain_min, p.rain_max);
      for (int s = 0; s < streaks; ++s) {
        const int len = uniform_int(rng, p.rain_len_min, p.rain_len_max);
        const int r0 = uniform_int(rng, -len, rows - 1);
        const int c0 = uniform_int(rng, -len / p.rain_slant, cols - 1);
        for (int k = 0; k < len; ++k) {
          const int r = r0 + k, c = c0 + k / p.rain_slant;
          if (r >= 0 && c >= 0 && r < rows && c < cols) blend(img, cols, r, c, p.rain_level, p.rain_alpha);
        }
      }
      return;
    }
    case Weather::snow: {
      for (double& v : img) v = p.snow_gain * v + p.snow_lift;
      const int flakes = uniform_int(rng, p.snow_min, p.snow_max);
      for (int f = 0; f < flakes; ++f) {
        const int r = uniform_int(rng, 0, rows - 1), c = uniform_int(rng, 0, cols - 1);
        const int size = rng.uniform() < p.snow_big ? 2 : 1;
        for (int dr = 0; dr < size; ++dr)
          for (int dc = 0; dc < size; ++dc)
            if (r + dr < rows && c + dc < cols) blend(img, cols, r + dr, c + dc, p.snow_level, p.snow_alpha);
      }
      return;
    }
    case Weather::fog: {
      for (double& v : img) v = (1 - p.fog_density) * v + p.fog_density * p.fog_level;
      std::vector<double> blurred(img.size());
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          double s = 0;
          int n = 0;
          for (int dr = -1; dr <= 1; ++dr)
            for (int dc = -1; dc <= 1; ++dc) {
              const int rr = r + dr, cc = c + dc;
              if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
              s += img[static_cast<std::size_t>(rr) * cols + cc];
              ++n;
            }
          const std::size_t i = static_cast<std::size_t>(r) * cols + c;
          blurred[i] = (1 - p.fog_blur) * img[i] + p.fog_blur * s / n;
        }
      img.swap(blurred);
      return;
    }
  }
}

void apply_time(TimeOfDay t, Rng& rng, const DriftParams& p, std::vector<double>& img) {
  if (t == TimeOfDay::day) return;
  double mean = 0;
  for (double v : img) mean += v;
  mean /= static_cast<double>(img.size());
  for (double& v : img) v = p.night_gain * (mean + p.night_contrast * (v - mean)) + p.night_noise_sigma * rng.normal();
}

}  // namespace

const char* to_string(TimeOfDay v) { return v == TimeOfDay::day ? "day" : "night"; }
const char* to_string(Location v) { return v == Location::city ? "city" : "suburb"; }
const char* to_string(Weather v) {
  switch (v) {
    case Weather::clear: return "clear";
    case Weather::overcast: return "overcast";
    case Weather::rain: return "rain";
    case Weather::snow: return "snow";
    case Weather::fog: return "fog";
  }
  return "?";
}

std::optional<TimeOfDay> parse_time_of_day(const std::string& s) {
  if (s == "day") return TimeOfDay::day;
  if (s == "night") return TimeOfDay::night;
  return std::nullopt;
}
std::optional<Location> parse_location(const std::string& s) {
  if (s == "city") return Location::city;
  if (s == "suburb") return Location::suburb;
  return std::nullopt;
}
std::optional<Weather> parse_weather(const std::string& s) {
  for (Weather w : {Weather::clear, Weather::overcast, Weather::rain, Weather::snow, Weather::fog})
    if (s == to_string(w)) return w;
  return std::nullopt;
}

std::string describe(const Conditions& c) {
  return std::string(to_string(c.time)) + "/" + to_string(c.location) + "/" + to_string(c.weather);
}

std::vector<Conditions> all_conditions() {
  std::vector<Conditions> out;
  for (TimeOfDay t : {TimeOfDay::day, TimeOfDay::night})
    for (Location l : {Location::city, Location::suburb})
      for (Weather w : {Weather::clear, Weather::overcast, Weather::rain, Weather::snow, Weather::fog})
        out.push_back({t, l, w});
  return out;
}

Image to_image(const std::uint8_t* src, int rows, int cols) {
  Image img{rows, cols, std::vector<float>(static_cast<std::size_t>(rows) * cols)};
  for (std::size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<float>(src[i] / 255.0);
  return img;
}

Image apply_drift(const std::uint8_t* src, int rows, int cols, const Conditions& conditions, Rng& rng,
                  const DriftParams& params) {
  std::vector<double> work(static_cast<std::size_t>(rows) * cols);
  apply_location(src, rows, cols, conditions.location, rng, params, work);
  apply_weather(rows, cols, conditions.weather, rng, params, work);
  apply_time(conditions.time, rng, params, work);
  Image img{rows, cols, std::vector<float>(work.size())};
  for (std::size_t i = 0; i < work.size(); ++i) img.pixels[i] = clamp01(work[i]);
  return img;
}

}  // namespace dacapo::scenarios
