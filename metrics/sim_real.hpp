// How well a simulator predicts real-robot success, as SimplerEnv measures it: per task, the
// Pearson correlation and the mean maximum rank violation (MMRV) of the policies' success rates,
// averaged over tasks, plus the same on all (policy, task) points pooled; intervals by
// resampling episodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "metrics/bootstrap.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

// SimplerEnv's pearson_correlation(perf_sim, perf_real) (simpler_env/utils/metrics.py): the
// centred cross product over sqrt(sum sim^2 * sum real^2) + 1e-8, and 1 when the centred
// vectors are equal (e.g. both constant). Equals scipy's pearsonr up to the 1e-8 where that is
// defined; stays finite where scipy returns NaN. Throws std::invalid_argument on a size mismatch
// or fewer than 2 values.
double simpler_pearson(std::span<const double> sim, std::span<const double> real);

struct ValidityValue {
  double value = 0.0;                // NaN when undefined (Spearman of a constant input)
  std::optional<Interval> interval;  // percentile interval over episode resamples
};

struct ValidityStats {
  std::size_t points = 0;  // policies (per task) or (policy, task) pairs (pooled); tasks (mean)
  ValidityValue pearson;   // simpler_pearson(sim, real)
  double pearson_p_value = 0.0;  // scipy pearsonr's p; NaN when an input is constant or averaged
  ValidityValue spearman;        // scipy spearmanr
  // MMRV is asymmetric. mmrv_sim_real = SimplerEnv's mean_maximum_rank_violation(sim, real):
  // a pair counts when sim and real order it differently, weighted by the REAL rate gap (how
  // much real performance a wrong sim ranking costs). mmrv_real_sim swaps the arguments: the
  // same pairs, weighted by the SIM rate gap.
  ValidityValue mmrv_sim_real;
  ValidityValue mmrv_real_sim;
};

struct TaskValidity {
  std::string task;
  std::vector<std::size_t> policies;  // indices into ValidityInput::policies with both sides
  std::vector<double> sim_rate;
  std::vector<double> real_rate;
  ValidityStats stats;
};

struct ValidityInput {
  std::vector<std::string> policies;
  std::vector<std::string> tasks;
  // sim[p][t] and real[p][t]: the episode scores (1 success, 0 failure) of policy p on task t;
  // empty when that side lacks them. Without per-episode data (per_episode false) every
  // non-empty cell holds exactly one number, the rate, and nothing is resampled.
  std::vector<std::vector<std::vector<double>>> sim;
  std::vector<std::vector<std::vector<double>>> real;
  bool per_episode = true;
};

struct ValidityResult {
  std::vector<TaskValidity> tasks;         // tasks with at least min_policies on both sides
  std::vector<std::string> skipped_tasks;  // "TASK: why"
  // SimplerEnv's summary: each statistic computed per task, then the mean over tasks (a
  // Spearman that is undefined for a task is left out of its mean; points = tasks averaged).
  ValidityStats task_mean;
  // All (policy, task) rate pairs of the compared tasks as one sample.
  ValidityStats pooled;
  std::int64_t resamples = 0;  // 0 when nothing was resampled
  double level = 0.95;
};

// Resamples the episodes of every (policy, task, side) independently, with replacement, and
// recomputes every statistic (percentile intervals; options.method is ignored). Throws
// std::invalid_argument when shapes disagree, a score is not finite or no task has
// min_policies policies on both sides (min_policies >= 2).
ValidityResult sim_real_validity(const ValidityInput& input, const BootstrapOptions& options,
                                 std::size_t min_policies = 3);

}  // namespace gauntlet::metrics
