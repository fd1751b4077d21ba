#include "metrics/bootstrap.hpp"

#include <algorithm>
#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/accumulators/statistics/variance.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {

BootstrapMethod parse_bootstrap_method(std::string_view name) {
  if (name == "percentile") return BootstrapMethod::kPercentile;
  if (name == "bca" || name == "BCa") return BootstrapMethod::kBca;
  throw std::invalid_argument("unknown bootstrap method '" + std::string(name) +
                              "'; expected one of: percentile, bca");
}

std::string_view to_string(BootstrapMethod method) {
  switch (method) {
    case BootstrapMethod::kPercentile:
      return "percentile";
    case BootstrapMethod::kBca:
      return "bca";
  }
  return "?";
}

void validate(const BootstrapOptions& options) {
  if (options.resamples < 1) {
    throw std::invalid_argument("bootstrap: resamples must be at least 1, got " +
                                std::to_string(options.resamples));
  }
  if (!(options.level > 0.0 && options.level < 1.0)) {
    throw std::invalid_argument("bootstrap: level must be in (0, 1), got " +
                                std::to_string(options.level));
  }
}

double sorted_quantile(std::span<const double> sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("quantile of an empty sample");
  const double h = q * static_cast<double>(sorted.size() - 1);
  const double lo = std::floor(h);
  const auto i =
      static_cast<std::size_t>(std::clamp(lo, 0.0, static_cast<double>(sorted.size() - 1)));
  const std::size_t j = std::min(i + 1, sorted.size() - 1);
  const double t = h - lo;
  const double a = sorted[i];
  const double b = sorted[j];
  // numpy's _lerp: symmetric formula that is exact at both ends.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

Interval percentile_interval(std::span<const double> sorted, double level) {
  const double alpha = (1.0 - level) / 2.0;
  return {sorted_quantile(sorted, alpha), sorted_quantile(sorted, 1.0 - alpha)};
}

Interval bca_interval(std::span<const double> sorted, double estimate, const TaskScores& jackknife,
                      double level) {
  const boost::math::normal_distribution<double> normal;
  const double b = static_cast<double>(sorted.size());
  const auto below = std::lower_bound(sorted.begin(), sorted.end(), estimate) - sorted.begin();
  const auto at_or_below =
      std::upper_bound(sorted.begin(), sorted.end(), estimate) - sorted.begin();
  const double share = static_cast<double>(below + at_or_below) / (2.0 * b);
  if (!(share > 0.0 && share < 1.0)) return percentile_interval(sorted, level);
  const double z0 = boost::math::quantile(normal, share);

  double nums = 0.0;
  double dens = 0.0;
  for (std::size_t t = 0; t < jackknife.tasks(); ++t) {
    const auto values = jackknife.task(t);
    const double n = static_cast<double>(values.size());
    if (values.size() < 2) continue;
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= n;
    double u2 = 0.0;
    double u3 = 0.0;
    for (double v : values) {
      const double u = (n - 1.0) * (mean - v);
      u2 += u * u;
      u3 += u * u * u;
    }
    nums += u3 / (n * n * n);
    dens += u2 / (n * n);
  }
  if (!(dens > 0.0)) return percentile_interval(sorted, level);
  const double a_hat = nums / (6.0 * std::pow(dens, 1.5));

  const double alpha = (1.0 - level) / 2.0;
  const double z_alpha = boost::math::quantile(normal, alpha);
  const double num1 = z0 + z_alpha;
  const double num2 = z0 - z_alpha;
  const double alpha_1 = boost::math::cdf(normal, z0 + num1 / (1.0 - a_hat * num1));
  const double alpha_2 = boost::math::cdf(normal, z0 + num2 / (1.0 - a_hat * num2));
  return {sorted_quantile(sorted, alpha_1), sorted_quantile(sorted, alpha_2)};
}

BootstrapEstimate summarize_replicates(std::vector<double> replicates, double estimate,
                                       const TaskScores* jackknife,
                                       const BootstrapOptions& options) {
  using namespace boost::accumulators;
  if (replicates.empty()) throw std::invalid_argument("bootstrap: no replicates");
  accumulator_set<double, stats<tag::variance>> acc;
  for (double v : replicates) acc(v);
  const double n = static_cast<double>(replicates.size());
  const double se = n > 1 ? std::sqrt(variance(acc) * n / (n - 1.0)) : 0.0;
  std::sort(replicates.begin(), replicates.end());
  BootstrapEstimate out;
  out.estimate = estimate;
  out.standard_error = se;
  if (options.method == BootstrapMethod::kBca && jackknife != nullptr) {
    out.interval = bca_interval(replicates, estimate, *jackknife, options.level);
  } else {
    out.interval = percentile_interval(replicates, options.level);
  }
  return out;
}

}  // namespace gauntlet::metrics
