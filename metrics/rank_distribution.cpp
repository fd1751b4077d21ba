#include "metrics/rank_distribution.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace gauntlet::metrics {

RankDistribution rank_distribution(std::span<const TaskScores> policies, const AggregateSpec& spec,
                                   const RankOptions& options) {
  const auto replicates =
      stratified_replicates(policies, spec, options.bootstrap, options.resampling);
  std::vector<double> estimate;
  estimate.reserve(policies.size());
  for (const auto& p : policies) estimate.push_back(aggregate(p, spec));
  return rank_distribution(replicates, estimate, higher_is_better(spec.kind),
                           options.bootstrap.level);
}

RankDistribution rank_distribution(const ReplicateMatrix& replicates,
                                   std::span<const double> estimate, bool higher_is_better,
                                   double level) {
  const std::size_t n = replicates.policies;
  if (estimate.size() != n)
    throw std::invalid_argument("rank distribution: one estimate per policy");
  if (replicates.resamples == 0) throw std::invalid_argument("rank distribution: no replicates");
  RankDistribution out;
  out.policies = n;
  out.estimate.assign(estimate.begin(), estimate.end());
  std::vector<double> counts(n * n, 0.0);
  std::vector<std::size_t> order(n);
  for (std::size_t r = 0; r < replicates.resamples; ++r) {
    const double* row = replicates.values.data() + r * n;
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
      return higher_is_better ? row[i] > row[j] : row[i] < row[j];
    });
    for (std::size_t i = 0; i < n;) {
      std::size_t j = i + 1;
      while (j < n && row[order[j]] == row[order[i]]) ++j;
      const double share = 1.0 / static_cast<double>(j - i);
      for (std::size_t k = i; k < j; ++k) {
        for (std::size_t rank = i; rank < j; ++rank) counts[order[k] * n + rank] += share;
      }
      i = j;
    }
  }
  const double b = static_cast<double>(replicates.resamples);
  out.probability.resize(n * n);
  for (std::size_t i = 0; i < n * n; ++i) out.probability[i] = counts[i] / b;
  const double tail = (1.0 - level) / 2.0;
  for (std::size_t p = 0; p < n; ++p) {
    out.p_best.push_back(out.probability[p * n]);
    double mean = 0.0;
    double cdf = 0.0;
    std::size_t lo = 0;
    std::size_t hi = 0;
    for (std::size_t rank = 1; rank <= n; ++rank) {
      const double q = out.probability[p * n + rank - 1];
      mean += q * static_cast<double>(rank);
      cdf += q;
      // A little slack so that rounding in the sums never skips a rank.
      if (lo == 0 && cdf > tail + 1e-12) lo = rank;
      if (hi == 0 && cdf >= 1.0 - tail - 1e-12) hi = rank;
    }
    out.mean_rank.push_back(mean);
    out.rank_lo.push_back(lo == 0 ? n : lo);
    out.rank_hi.push_back(hi == 0 ? n : hi);
  }
  return out;
}

}  // namespace gauntlet::metrics
