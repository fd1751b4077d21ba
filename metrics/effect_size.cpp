#include "metrics/effect_size.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {
namespace {

const boost::math::normal_distribution<double> kNormal;

double isf(double q) {
  return boost::math::quantile(boost::math::complement(kNormal, q));
}
double ppf(double q) {
  return boost::math::quantile(kNormal, q);
}
double sf(double x) {
  return boost::math::cdf(boost::math::complement(kNormal, x));
}
double cdf(double x) {
  return boost::math::cdf(kNormal, x);
}

void check_design(double alpha, double power, double ratio) {
  if (!(alpha > 0.0 && alpha < 1.0)) {
    throw std::invalid_argument("power analysis: alpha must be in (0, 1), got " +
                                std::to_string(alpha));
  }
  if (!(power > 0.0 && power < 1.0)) {
    throw std::invalid_argument("power analysis: power must be in (0, 1), got " +
                                std::to_string(power));
  }
  if (!(ratio > 0.0)) {
    throw std::invalid_argument("power analysis: ratio n2/n1 must be positive, got " +
                                std::to_string(ratio));
  }
}

// Solves increasing f(x) = target on [lo, hi] (expanding hi) to near machine precision.
template <class F>
double solve_increasing(F f, double target, double lo, double hi) {
  while (f(hi) < target) {
    hi *= 2.0;
    if (hi > 1e15) throw std::invalid_argument("power analysis: no solution (target unreachable)");
  }
  std::uintmax_t iterations = 200;
  const auto r =
      boost::math::tools::toms748_solve([&](double x) { return f(x) - target; }, lo, hi,
                                        boost::math::tools::eps_tolerance<double>(50), iterations);
  return (r.first + r.second) / 2.0;
}

}  // namespace

double cohens_h(double p1, double p2) {
  return 2.0 * std::asin(std::sqrt(p1)) - 2.0 * std::asin(std::sqrt(p2));
}

RiskDifference risk_difference(std::int64_t k1, std::int64_t n1, std::int64_t k2, std::int64_t n2,
                               double level) {
  if (n1 <= 0 || n2 <= 0) {
    throw std::invalid_argument("risk difference: both samples need at least one trial");
  }
  const Interval w1 = wilson_interval(k1, n1, level);
  const Interval w2 = wilson_interval(k2, n2, level);
  const double p1 = static_cast<double>(k1) / static_cast<double>(n1);
  const double p2 = static_cast<double>(k2) / static_cast<double>(n2);
  const double diff = p1 - p2;
  const double d_low = std::sqrt((p1 - w1.lo) * (p1 - w1.lo) + (w2.hi - p2) * (w2.hi - p2));
  const double d_upp = std::sqrt((p2 - w2.lo) * (p2 - w2.lo) + (w1.hi - p1) * (w1.hi - p1));
  return {diff, {diff - d_low, diff + d_upp}, cohens_h(p1, p2)};
}

double normal_power(double h, double n1, double alpha, double ratio, Alternative alternative) {
  check_design(alpha, 0.5, ratio);
  const double n2 = n1 * ratio;
  const double nobs = 1.0 / (1.0 / n1 + 1.0 / n2);
  const double shift = h * std::sqrt(nobs);
  const double alpha_ = alternative == Alternative::kTwoSided ? alpha / 2.0 : alpha;
  double power = 0.0;
  if (alternative != Alternative::kLess) power += sf(isf(alpha_) - shift);
  if (alternative != Alternative::kGreater) power += cdf(ppf(alpha_) - shift);
  return power;
}

double normal_sample_size(double h, double alpha, double power, double ratio,
                          Alternative alternative) {
  check_design(alpha, power, ratio);
  if (h == 0.0 || !std::isfinite(h)) {
    throw std::invalid_argument("sample size: the effect size must be nonzero and finite");
  }
  // For a one-sided test the effect must point the way of the alternative.
  if ((alternative == Alternative::kGreater && h < 0) ||
      (alternative == Alternative::kLess && h > 0)) {
    throw std::invalid_argument("sample size: the effect points against the one-sided alternative");
  }
  if (normal_power(h, 1e-9, alpha, ratio, alternative) >= power) return 1e-9;
  return solve_increasing([&](double n) { return normal_power(h, n, alpha, ratio, alternative); },
                          power, 1e-9, 16.0);
}

double detectable_cohens_h(double n1, double alpha, double power, double ratio,
                           Alternative alternative) {
  check_design(alpha, power, ratio);
  if (!(n1 > 0.0)) throw std::invalid_argument("detectable effect: n1 must be positive");
  const double sign = alternative == Alternative::kLess ? -1.0 : 1.0;
  return solve_increasing(
      [&](double h) { return normal_power(sign * h, n1, alpha, ratio, alternative); }, power, 0.0,
      1.0);
}

DetectableDifference minimum_detectable_difference(double p0, double n1, double n2, double alpha,
                                                   double power, Alternative alternative) {
  if (!(p0 >= 0.0 && p0 <= 1.0)) {
    throw std::invalid_argument("minimum detectable difference: p0 must be in [0, 1]");
  }
  if (!(n1 > 0.0 && n2 > 0.0)) {
    throw std::invalid_argument("minimum detectable difference: n1 and n2 must be positive");
  }
  const double h = detectable_cohens_h(n1, alpha, power, n2 / n1, alternative);
  const double phi0 = 2.0 * std::asin(std::sqrt(p0));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  DetectableDifference out;
  out.cohens_h = h;
  const double up = phi0 + h;
  const double down = phi0 - h;
  out.up = up <= std::numbers::pi ? std::pow(std::sin(up / 2.0), 2) - p0 : nan;
  out.down = down >= 0.0 ? p0 - std::pow(std::sin(down / 2.0), 2) : nan;
  return out;
}

}  // namespace gauntlet::metrics
