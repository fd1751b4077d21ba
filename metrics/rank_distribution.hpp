// Bootstrap distribution of the ranks of many policies: for each policy the probability of each
// rank, a rank interval and the probability of being best.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "metrics/aggregate.hpp"
#include "metrics/bootstrap.hpp"
#include "metrics/stratified_bootstrap.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics {

struct RankOptions {
  BootstrapOptions bootstrap;                   // resamples, seed, level of the rank interval
  Resampling resampling = Resampling::kPaired;  // paired keeps common-random-number pairing
};

// Rank 1 is best. Policies tied in a resample share the tied ranks equally (two policies tied
// for first each get 1/2 of rank 1 and 1/2 of rank 2), so every row and every column of the
// probability matrix sums to 1.
struct RankDistribution {
  std::size_t policies = 0;
  std::vector<double> estimate;      // the aggregate on the data
  std::vector<double> probability;   // P(policy p has rank r + 1) at [p * policies + r]
  std::vector<double> p_best;        // P(rank 1)
  std::vector<double> mean_rank;     // expected rank
  std::vector<std::size_t> rank_lo;  // central interval of the rank at the bootstrap level:
  std::vector<std::size_t> rank_hi;  //   lo = min{r: P(rank <= r) > a/2}, hi = min{r: >= 1-a/2}

  double at(std::size_t policy, std::size_t rank) const {
    return probability[policy * policies + (rank - 1)];
  }
};

RankDistribution rank_distribution(std::span<const TaskScores> policies,
                                   const AggregateSpec& spec = {}, const RankOptions& options = {});

// The same from replicates already computed (column p = policy p).
RankDistribution rank_distribution(const ReplicateMatrix& replicates,
                                   std::span<const double> estimate, bool higher_is_better,
                                   double level);

}  // namespace gauntlet::metrics
