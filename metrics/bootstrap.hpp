// Bootstrap confidence intervals from a bootstrap distribution: percentile and BCa, computed the
// way scipy.stats.bootstrap computes them, plus the options every bootstrap in metrics/ takes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "metrics/proportion_interval.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics {

enum class BootstrapMethod { kPercentile, kBca };

// Parses "percentile", "bca"; throws std::invalid_argument naming the valid choices.
BootstrapMethod parse_bootstrap_method(std::string_view name);
std::string_view to_string(BootstrapMethod method);

struct BootstrapOptions {
  std::int64_t resamples = 10000;
  std::uint64_t seed = 0;  // same seed, same numbers, for any thread count
  double level = 0.95;
  BootstrapMethod method = BootstrapMethod::kPercentile;
  int threads = 0;  // 0: all hardware threads
};

// Throws std::invalid_argument when resamples < 1 or level is outside (0, 1).
void validate(const BootstrapOptions& options);

struct BootstrapEstimate {
  double estimate = 0.0;        // the statistic on the data
  Interval interval;            // at options.level
  double standard_error = 0.0;  // standard deviation of the replicates (ddof = 1)
};

// numpy.percentile(sorted, 100 q) with linear interpolation, for an ascending sample.
double sorted_quantile(std::span<const double> sorted, double q);

// Equal-tailed percentile interval of ascending replicates.
Interval percentile_interval(std::span<const double> sorted, double level);

// Bias-corrected and accelerated interval (Efron and Tibshirani 1993, 14.3), as scipy: the bias
// from the share of replicates below the estimate, the acceleration from jackknife values
// grouped by stratum (leave one episode out of one task; scipy's multi-sample formula).
// Falls back to the percentile interval when the correction is undefined (all replicates on one
// side of the estimate, or no jackknife variation); scipy returns NaN there.
Interval bca_interval(std::span<const double> sorted, double estimate, const TaskScores& jackknife,
                      double level);

// Sorts `replicates` and summarises them with options.method (jackknife needed only for BCa).
BootstrapEstimate summarize_replicates(std::vector<double> replicates, double estimate,
                                       const TaskScores* jackknife,
                                       const BootstrapOptions& options);

}  // namespace gauntlet::metrics
