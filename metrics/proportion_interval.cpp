#include "metrics/proportion_interval.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {
namespace {

void check_counts(std::int64_t k, std::int64_t n, double level) {
  if (n < 0 || k < 0 || k > n) {
    throw std::invalid_argument("proportion interval: need 0 <= k <= n, got k=" +
                                std::to_string(k) + " n=" + std::to_string(n));
  }
  if (!(level > 0.0 && level < 1.0)) {
    throw std::invalid_argument("proportion interval: level must be in (0, 1), got " +
                                std::to_string(level));
  }
}

// Upper quantile of the standard normal at tail probability `tail` (statsmodels' norm.isf).
double normal_isf(double tail) {
  const boost::math::normal_distribution<double> normal;
  return boost::math::quantile(boost::math::complement(normal, tail));
}

// Wilson bounds with critical value z; the sides not asked for are 0 and 1.
Interval wilson(double k, double n, double z, bool want_lo, bool want_hi) {
  const double p = k / n;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / n;
  const double center = (p + z2 / (2.0 * n)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
  // At k = 0 and k = n the bound is exactly 0 or 1 (scipy sets it so); do not let rounding
  // say otherwise.
  const double lo = (!want_lo || k == 0.0) ? 0.0 : std::max(0.0, center - half);
  const double hi = (!want_hi || k == n) ? 1.0 : std::min(1.0, center + half);
  return {lo, hi};
}

// tail: probability outside each requested bound (alpha/2 two-sided, alpha one-sided).
Interval interval_with_tail(double k, double n, ProportionMethod method, double tail, bool want_lo,
                            bool want_hi) {
  using boost::math::beta_distribution;
  using boost::math::complement;
  using boost::math::quantile;
  switch (method) {
    case ProportionMethod::kWilson:
      return wilson(k, n, normal_isf(tail), want_lo, want_hi);
    case ProportionMethod::kClopperPearson: {
      const double lo =
          (!want_lo || k == 0.0) ? 0.0 : quantile(beta_distribution<>(k, n - k + 1), tail);
      const double hi = (!want_hi || k == n)
                            ? 1.0
                            : quantile(complement(beta_distribution<>(k + 1, n - k), tail));
      return {lo, hi};
    }
    case ProportionMethod::kJeffreys: {
      // statsmodels: beta.interval(1 - alpha, k + 0.5, n - k + 0.5), also at k = 0 and k = n.
      const beta_distribution<> posterior(k + 0.5, n - k + 0.5);
      const double lo = want_lo ? quantile(posterior, tail) : 0.0;
      const double hi = want_hi ? quantile(posterior, 1.0 - tail) : 1.0;
      return {lo, hi};
    }
    case ProportionMethod::kAgrestiCoull: {
      const double z = normal_isf(tail);
      const double n_tilde = n + z * z;
      const double p_tilde = (k + z * z / 2.0) / n_tilde;
      const double half = z * std::sqrt(p_tilde * (1.0 - p_tilde) / n_tilde);
      // statsmodels clips Agresti-Coull to [0, 1].
      const double lo = want_lo ? std::clamp(p_tilde - half, 0.0, 1.0) : 0.0;
      const double hi = want_hi ? std::clamp(p_tilde + half, 0.0, 1.0) : 1.0;
      return {lo, hi};
    }
  }
  throw std::logic_error("unreachable proportion method");
}

}  // namespace

ProportionMethod parse_proportion_method(std::string_view name) {
  if (name == "wilson") return ProportionMethod::kWilson;
  if (name == "exact" || name == "clopper-pearson" || name == "beta") {
    return ProportionMethod::kClopperPearson;
  }
  if (name == "jeffreys") return ProportionMethod::kJeffreys;
  if (name == "agresti-coull") return ProportionMethod::kAgrestiCoull;
  throw std::invalid_argument("unknown interval method '" + std::string(name) +
                              "'; expected one of: wilson, exact, jeffreys, agresti-coull");
}

std::string_view to_string(ProportionMethod method) {
  switch (method) {
    case ProportionMethod::kWilson:
      return "wilson";
    case ProportionMethod::kClopperPearson:
      return "exact";
    case ProportionMethod::kJeffreys:
      return "jeffreys";
    case ProportionMethod::kAgrestiCoull:
      return "agresti-coull";
  }
  return "?";
}

Interval wilson_interval(std::int64_t k, std::int64_t n, double level) {
  return proportion_interval(k, n, ProportionMethod::kWilson, level, Alternative::kTwoSided);
}

Interval proportion_interval(std::int64_t k, std::int64_t n, ProportionMethod method,
                             double level) {
  return proportion_interval(k, n, method, level, Alternative::kTwoSided);
}

Interval proportion_interval(std::int64_t k, std::int64_t n, ProportionMethod method, double level,
                             Alternative alternative) {
  check_counts(k, n, level);
  if (n == 0) return {0.0, 1.0};
  const double kk = static_cast<double>(k);
  const double nn = static_cast<double>(n);
  switch (alternative) {
    case Alternative::kTwoSided:
      return interval_with_tail(kk, nn, method, (1.0 - level) / 2.0, true, true);
    case Alternative::kLess:
      return interval_with_tail(kk, nn, method, 1.0 - level, false, true);
    case Alternative::kGreater:
      return interval_with_tail(kk, nn, method, 1.0 - level, true, false);
  }
  throw std::logic_error("unreachable alternative");
}

}  // namespace gauntlet::metrics
