// Ekya's accuracy-vs-epochs estimate (the curve of Optimus, as Ekya's micro-profiler uses it):
//   a(e) = 1 - (1 / (b0·e + b1) + b2)
// fitted by least squares. Accuracies here are fractions in [0, 1].
#pragma once

#include <optional>
#include <vector>

namespace dacapo::cl {

struct OptimusCurve {
  double b0 = 0, b1 = 1, b2 = 0;
  double operator()(double epochs) const { return 1.0 - (1.0 / (b0 * epochs + b1) + b2); }
};

// The curve with asymptote 1 (b2 = 0) through (0, a0) and (x1, a1); a0, a1 < 1, x1 > 0.
// (Two points leave one of the three parameters free; fixing the asymptote at 100 % is our choice.)
OptimusCurve optimus_through(double a0, double x1, double a1);

// Levenberg-Marquardt least squares from `start`. Empty when the fit does not converge to a curve without a pole
// (b0·x + b1 > 0) over [min x, max x].
std::optional<OptimusCurve> fit_optimus(const std::vector<double>& x, const std::vector<double>& y,
                                        OptimusCurve start);

struct CurveEstimateConfig {
  double end_epoch = 10;          // DaCapo-Ekya: 10 (Ekya on Orin: 30)
  double end_accuracy = 0.95;     // accuracy the seed curve reaches at end_epoch
  double expectation_factor = 0.95;  // micro-profiling is expected to reach this share of the seed curve
  int booster_points = 4;         // points sampled from the rescaled seed curve to weight it in the final fit
};

// Expected accuracy after `epochs` epochs, given the micro-profile (accuracy `before` training and `after`
// `profile_epochs` epochs). As in Ekya: seed curve through (0, before) and (end_epoch, end_accuracy); the end
// accuracy is scaled down by min(1, after / (expectation_factor · seed(profile_epochs))); the final curve is the
// least-squares fit to the rescaled seed curve's booster points, its two anchor points and the measured point.
// Falls back to `after` when the fit fails. Result clamped to [0, 1].
double estimate_accuracy(double before, double after, double profile_epochs, double epochs,
                         const CurveEstimateConfig& config);

}  // namespace dacapo::cl
