#include <catch2/catch.hpp>

#include <cmath>

#include "firmware/cl/accuracy_curve.h"

using namespace dacapo::cl;

TEST_CASE("Optimus curve through two points with asymptote one") {
  const OptimusCurve c = optimus_through(0.5, 10, 0.9);
  REQUIRE(c(0) == Approx(0.5));
  REQUIRE(c(10) == Approx(0.9));
  REQUIRE(c.b2 == 0);
  // 1 - 1/(b0 x + b1) with b1 = 2, b0 = (10 - 2)/10.
  REQUIRE(c(5) == Approx(1 - 1 / (0.8 * 5 + 2)));
}

TEST_CASE("Least squares recovers a curve sampled exactly") {
  const OptimusCurve truth{0.7, 1.6, 0.05};
  std::vector<double> x, y;
  for (double e : {0.0, 1.0, 2.0, 4.0, 7.0, 10.0}) {
    x.push_back(e);
    y.push_back(truth(e));
  }
  const auto fit = fit_optimus(x, y, optimus_through(y.front(), 10, y.back()));
  REQUIRE(fit.has_value());
  for (double e : {0.5, 3.0, 8.0, 10.0}) REQUIRE((*fit)(e) == Approx(truth(e)).margin(1e-6));
}

TEST_CASE("Ekya estimate grows with epochs and with the micro-profiled accuracy") {
  const CurveEstimateConfig cfg;  // end epoch 10, end accuracy 0.95, factor 0.95
  const double low = estimate_accuracy(0.5, 0.6, 5, 10, cfg);
  const double high = estimate_accuracy(0.5, 0.8, 5, 10, cfg);
  REQUIRE(high > low);
  REQUIRE(estimate_accuracy(0.5, 0.8, 5, 2, cfg) < estimate_accuracy(0.5, 0.8, 5, 8, cfg));
  // The fit passes near its anchors: at 0 epochs the estimate is the accuracy before training.
  REQUIRE(estimate_accuracy(0.5, 0.8, 5, 0, cfg) == Approx(0.5).margin(0.03));
  // Micro-profiling at or above expectation keeps the end target: the estimate at the end epoch is near 0.95.
  const OptimusCurve seed = optimus_through(0.5, 10, 0.95);
  const double at_expectation = seed(5) * 0.95;
  REQUIRE(estimate_accuracy(0.5, at_expectation, 5, 10, cfg) == Approx(0.95).margin(0.03));
  for (double e = 0; e <= 10; e += 1) {
    const double v = estimate_accuracy(0.3, 0.35, 5, e, cfg);
    REQUIRE(v >= 0);
    REQUIRE(v <= 1);
  }
}
