// Aggregate performance over tasks (mean, median, IQM, optimality gap as rliable defines them) and
// their stratified bootstrap intervals: episodes are resampled within each task.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "metrics/bootstrap.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics {

// With T tasks, m_t the mean score of task t over its episodes:
//   kMean            mean over tasks of m_t (every task weighs the same; for success = the
//                    task-averaged success rate)
//   kMedian          median over tasks of m_t (numpy's median: mean of the middle two if T even)
//   kIqm             interquartile mean of all episode scores pooled, scipy.stats.trim_mean(x,
//                    0.25): drop int(N/4) scores at each end (rliable's IQM; with equal episodes
//                    per task every task weighs the same)
//   kOptimalityGap   gamma - mean over tasks of mean(min(score, gamma)) (rliable; lower is better)
enum class Aggregate { kMean, kMedian, kIqm, kOptimalityGap };

// Parses "mean", "median", "iqm", "optimality-gap"; throws std::invalid_argument naming the
// valid choices.
Aggregate parse_aggregate(std::string_view name);
std::string_view to_string(Aggregate aggregate);

struct AggregateSpec {
  Aggregate kind = Aggregate::kMean;
  double gamma = 1.0;  // threshold of the optimality gap (rliable's default: 1)
};

// True for every aggregate except the optimality gap.
bool higher_is_better(Aggregate aggregate);

double aggregate(const TaskScores& scores, const AggregateSpec& spec = {});

// Leave-one-episode-out values of the aggregate, laid out like `scores` (the value at episode i
// of task t is the aggregate without that episode); the input of the BCa acceleration. A task
// with one episode gets the full-data value (it carries no jackknife information).
TaskScores jackknife_aggregate(const TaskScores& scores, const AggregateSpec& spec = {});

// The aggregate with a stratified bootstrap interval (10,000 resamples by default).
BootstrapEstimate aggregate_interval(const TaskScores& scores, const AggregateSpec& spec = {},
                                     const BootstrapOptions& options = {});

// One estimate per policy, each resampled independently; element p equals
// aggregate_interval(policies[p]) run with the same options and seed stream p (policy 0 uses the
// stream of a single-policy call). Parallel over resamples.
std::vector<BootstrapEstimate> aggregate_intervals(std::span<const TaskScores> policies,
                                                   const AggregateSpec& spec = {},
                                                   const BootstrapOptions& options = {});

}  // namespace gauntlet::metrics
