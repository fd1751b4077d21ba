// Statistics that compare policies in a report: the paired layout of their
// common episodes, the rank distribution, letter groups and pairwise paired
// differences with adjusted p-values. Built on metrics/, shared by report,
// compare and leaderboard.
#pragma once

#include <string>
#include <vector>

#include "harness/results_store.hpp"
#include "metrics/proportion_interval.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::reports {

// Episodes every run has (same task, perturbation and episode index), none of
// them a simulator error, as success flags in one layout per run: episode i of
// task t is the same seed in every run (common random numbers).
struct PairedLayout {
  bool same_seeds = true;                     // every run used the same suite seed
  std::vector<std::string> tasks;             // tasks with at least one common episode
  std::vector<metrics::TaskScores> success;   // per run
  std::vector<metrics::TaskScores> progress;  // per run
  int common_episodes = 0;
  int excluded_sim_errors = 0;  // keys dropped because some run had a sim_error there
  int unmatched_episodes = 0;   // rows present in some runs only
};

PairedLayout paired_layout(const std::vector<const RunResults*>& runs,
                           const std::string& perturbation = "nominal");

struct StatisticsOptions {
  double alpha = 0.05;
  std::string adjustment = "holm";  // holm | bh | none
  long resamples = 4000;
  std::uint64_t seed = 20261121;
};

struct PairComparison {
  std::size_t a = 0, b = 0;  // run indices; difference = success(b) - success(a)
  double difference = 0.0;   // task-mean success difference over this pair's common episodes
                             // (unpaired: the Mantel-Haenszel difference)
  metrics::Interval ci;      // paired stratified bootstrap interval of the difference
  double p_value = 1.0;      // two-sided task-stratified exact paired test of `difference`
                             // (unpaired: Cochran-Mantel-Haenszel over tasks)
  double p_adjusted = 1.0;   // over all pairs
  bool significant = false;
  long long a_only = 0, b_only = 0, pairs = 0;
  std::string verdict;  // "better" / "worse" / "no significant difference" (b relative to a)
};

struct RankingStatistics {
  bool available = false;
  std::string note;  // why not, or what was excluded
  PairedLayout layout;
  std::vector<double> task_mean;                // mean over tasks of success, per run
  std::vector<metrics::Interval> task_mean_ci;  // stratified bootstrap
  std::vector<double> p_best;
  std::vector<double> mean_rank;
  std::vector<std::size_t> rank_lo, rank_hi;
  std::vector<double> rank_probability;  // [run * runs + rank - 1]
  std::vector<std::string> letters;      // compact letter display
  std::vector<PairComparison> pairs;     // every a < b
  std::vector<double> elo;               // Bradley-Terry on paired wins
  std::vector<metrics::Interval> elo_ci;
  StatisticsOptions options;

  const PairComparison* pair(std::size_t a, std::size_t b) const;
};

// `runs` in display order (the letters follow it). Paired statistics need the
// same suite seed; without it the note says so and pairwise tests fall back to
// the unpaired Cochran-Mantel-Haenszel test over tasks.
RankingStatistics ranking_statistics(const std::vector<const RunResults*>& runs,
                                     const StatisticsOptions& options = {});

std::string verdict_text(double difference, bool significant);

}  // namespace gauntlet::reports
