#include "firmware/cl/accuracy_curve.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace dacapo::cl {

namespace {
constexpr double kMaxAccuracy = 0.999;  // keeps 1 / (1 - a) finite

double cost_of(const OptimusCurve& c, const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double r = c(x[i]) - y[i];
    s += r * r;
  }
  return s;
}

bool pole_free(const OptimusCurve& c, double lo, double hi) {
  return c.b0 * lo + c.b1 > 0 && c.b0 * hi + c.b1 > 0;  // linear in x: both ends positive => positive between
}

// Solves the 3x3 system a·d = b by Gaussian elimination with partial pivoting. False when singular.
bool solve3(std::array<std::array<double, 3>, 3> a, std::array<double, 3> b, std::array<double, 3>& d) {
  for (int col = 0; col < 3; ++col) {
    int piv = col;
    for (int r = col + 1; r < 3; ++r)
      if (std::fabs(a[r][col]) > std::fabs(a[piv][col])) piv = r;
    if (std::fabs(a[piv][col]) < 1e-300) return false;
    std::swap(a[piv], a[col]);
    std::swap(b[piv], b[col]);
    for (int r = col + 1; r < 3; ++r) {
      const double f = a[r][col] / a[col][col];
      for (int k = col; k < 3; ++k) a[r][k] -= f * a[col][k];
      b[r] -= f * b[col];
    }
  }
  for (int r = 2; r >= 0; --r) {
    double s = b[r];
    for (int k = r + 1; k < 3; ++k) s -= a[r][k] * d[k];
    d[r] = s / a[r][r];
  }
  return true;
}
}  // namespace

OptimusCurve optimus_through(double a0, double x1, double a1) {
  a0 = std::min(a0, kMaxAccuracy);
  a1 = std::min(a1, kMaxAccuracy);
  OptimusCurve c;
  c.b2 = 0;
  c.b1 = 1.0 / (1.0 - a0);
  c.b0 = (1.0 / (1.0 - a1) - c.b1) / x1;
  return c;
}

std::optional<OptimusCurve> fit_optimus(const std::vector<double>& x, const std::vector<double>& y,
                                        OptimusCurve start) {
  if (x.empty() || x.size() != y.size()) return std::nullopt;
  const double lo = *std::min_element(x.begin(), x.end());
  const double hi = *std::max_element(x.begin(), x.end());
  if (!pole_free(start, lo, hi)) return std::nullopt;
  OptimusCurve c = start;
  double cost = cost_of(c, x, y);
  double lambda = 1e-3;
  for (int iter = 0; iter < 200 && cost > 1e-20; ++iter) {
    std::array<std::array<double, 3>, 3> jtj{};
    std::array<double, 3> jtr{};
    for (size_t i = 0; i < x.size(); ++i) {
      const double d = c.b0 * x[i] + c.b1;
      const std::array<double, 3> j{x[i] / (d * d), 1.0 / (d * d), -1.0};
      const double r = c(x[i]) - y[i];
      for (int a = 0; a < 3; ++a) {
        jtr[a] += j[a] * r;
        for (int b = 0; b < 3; ++b) jtj[a][b] += j[a] * j[b];
      }
    }
    bool improved = false;
    while (lambda < 1e12) {
      auto m = jtj;
      for (int a = 0; a < 3; ++a) m[a][a] += lambda * (jtj[a][a] > 0 ? jtj[a][a] : 1.0);
      std::array<double, 3> neg{-jtr[0], -jtr[1], -jtr[2]};
      std::array<double, 3> step{};
      if (!solve3(m, neg, step)) {
        lambda *= 10;
        continue;
      }
      const OptimusCurve trial{c.b0 + step[0], c.b1 + step[1], c.b2 + step[2]};
      const double trial_cost = pole_free(trial, lo, hi) ? cost_of(trial, x, y) : INFINITY;
      if (std::isfinite(trial_cost) && trial_cost < cost) {
        const double gain = cost - trial_cost;
        c = trial;
        cost = trial_cost;
        lambda = std::max(lambda / 10, 1e-12);
        improved = gain > 1e-15 * (1 + cost);
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  if (!std::isfinite(c.b0) || !std::isfinite(c.b1) || !std::isfinite(c.b2) || !pole_free(c, lo, hi))
    return std::nullopt;
  return c;
}

double estimate_accuracy(double before, double after, double profile_epochs, double epochs,
                         const CurveEstimateConfig& config) {
  const double end = config.end_epoch;
  const OptimusCurve seed = optimus_through(before, end, config.end_accuracy);
  const double expected = seed(profile_epochs) * config.expectation_factor;
  const double deviation = expected > 0 ? std::min(after / expected, 1.0) : 1.0;
  const double new_end = config.end_accuracy * deviation;
  const OptimusCurve rescaled = optimus_through(before, end, new_end);

  std::vector<double> x, y;
  const int n = std::max(config.booster_points, 2);
  for (int i = 0; i < n; ++i) {
    const double xi = end * i / (n - 1);
    x.push_back(xi);
    y.push_back(rescaled(xi));
  }
  x.push_back(0);
  y.push_back(before);
  x.push_back(end);
  y.push_back(new_end);
  x.push_back(profile_epochs);
  y.push_back(after);
  const auto fit = fit_optimus(x, y, rescaled);
  double estimate = after;
  if (fit) {
    const double v = (*fit)(epochs);
    if (std::isfinite(v) && fit->b0 * epochs + fit->b1 > 0) estimate = v;
  }
  return std::clamp(estimate, 0.0, 1.0);
}

}  // namespace dacapo::cl
