// Correlation of two evaluations of the same policies: Pearson (Fisher-z interval), Spearman,
// Kendall tau-b, and SimplerEnv's mean maximum rank violation (MMRV).
#pragma once

#include <span>
#include <vector>

#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

struct CorrelationResult {
  double statistic = 0.0;  // NaN when an input is constant
  double p_value = 1.0;    // two-sided test of no association
};

struct PearsonResult {
  double r = 0.0;
  double p_value = 1.0;
  Interval interval;  // Fisher z: tanh(atanh(r) -+ z / sqrt(n - 3)); [-1, 1] when n <= 3
};

// scipy.stats.pearsonr(x, y) with .confidence_interval(level): exact p-value from the Beta law
// of r under independent normal data. Throws std::invalid_argument unless sizes match and n >= 2.
PearsonResult pearson(std::span<const double> x, std::span<const double> y, double level = 0.95);

// scipy.stats.spearmanr(x, y): Pearson on average ranks, p-value from Student's t with n - 2
// degrees of freedom.
CorrelationResult spearman(std::span<const double> x, std::span<const double> y);

// scipy.stats.kendalltau(x, y) (variant 'b', ties corrected; method 'auto': exact p-value
// without ties when n <= 33, else the normal approximation with the tie-corrected variance).
CorrelationResult kendall_tau_b(std::span<const double> x, std::span<const double> y);

// Ranks 1..n with ties given their average rank (scipy.stats.rankdata, method 'average').
std::vector<double> average_ranks(std::span<const double> x);

// Mean maximum rank violation as SimplerEnv defines it (simpler_env/utils/metrics.py,
// mean_maximum_rank_violation(perf_sim, perf_real)): for each policy i, the largest
// |real_i - real_j| over the policies j whose order differs between the two evaluations
// ((sim_i > sim_j) != (real_i > real_j)), averaged over i. 0 is perfect agreement; the
// violations are measured in the reference's (`real`) units.
double mean_maximum_rank_violation(std::span<const double> sim, std::span<const double> real);

}  // namespace gauntlet::metrics
