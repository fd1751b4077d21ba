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

double two_sided_z(double level) {
  const boost::math::normal_distribution<double> normal;
  return boost::math::quantile(normal, 0.5 + level / 2.0);
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
    case ProportionMethod::kWilson: return "wilson";
    case ProportionMethod::kClopperPearson: return "exact";
    case ProportionMethod::kJeffreys: return "jeffreys";
    case ProportionMethod::kAgrestiCoull: return "agresti-coull";
  }
  return "?";
}

Interval wilson_interval(std::int64_t k, std::int64_t n, double level) {
  check_counts(k, n, level);
  if (n == 0) return {0.0, 1.0};
  const double z = two_sided_z(level);
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double center = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  // At k = 0 and k = n the bound is exactly 0 or 1; do not let rounding say otherwise.
  const double lo = k == 0 ? 0.0 : std::max(0.0, center - half);
  const double hi = k == n ? 1.0 : std::min(1.0, center + half);
  return {lo, hi};
}

Interval proportion_interval(std::int64_t k, std::int64_t n, ProportionMethod method,
                             double level) {
  check_counts(k, n, level);
  if (n == 0) return {0.0, 1.0};
  const double alpha = 1.0 - level;
  const double kk = static_cast<double>(k);
  const double nn = static_cast<double>(n);
  switch (method) {
    case ProportionMethod::kWilson:
      return wilson_interval(k, n, level);
    case ProportionMethod::kClopperPearson: {
      const double lo =
          k == 0 ? 0.0 : boost::math::quantile(boost::math::beta_distribution<>(kk, nn - kk + 1), alpha / 2);
      const double hi = k == n ? 1.0
                               : boost::math::quantile(
                                     boost::math::beta_distribution<>(kk + 1, nn - kk), 1 - alpha / 2);
      return {lo, hi};
    }
    case ProportionMethod::kJeffreys: {
      const boost::math::beta_distribution<> posterior(kk + 0.5, nn - kk + 0.5);
      const double lo = k == 0 ? 0.0 : boost::math::quantile(posterior, alpha / 2);
      const double hi = k == n ? 1.0 : boost::math::quantile(posterior, 1 - alpha / 2);
      return {lo, hi};
    }
    case ProportionMethod::kAgrestiCoull: {
      const double z = two_sided_z(level);
      const double n_tilde = nn + z * z;
      const double p_tilde = (kk + z * z / 2.0) / n_tilde;
      const double half = z * std::sqrt(p_tilde * (1.0 - p_tilde) / n_tilde);
      return {std::max(0.0, p_tilde - half), std::min(1.0, p_tilde + half)};
    }
  }
  throw std::logic_error("unreachable proportion method");
}

}  // namespace gauntlet::metrics
