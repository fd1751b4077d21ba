// Internal to metrics/: the arithmetic of one aggregate evaluation, shared by the point estimate,
// the jackknife and the bootstrap inner loop so that all three round identically.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include "metrics/aggregate.hpp"
#include "metrics/random.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics::detail {

// Scores as the aggregate consumes them: min(score, gamma) for the optimality gap, else as is.
inline std::vector<double> transformed_values(const TaskScores& scores, const AggregateSpec& spec) {
  std::vector<double> v = scores.values;
  if (spec.kind == Aggregate::kOptimalityGap) {
    for (double& x : v) x = std::min(x, spec.gamma);
  }
  return v;
}

// One policy's scores prepared for repeated evaluation: values as the aggregate consumes them
// (min(score, gamma) for the optimality gap) and, for the IQM, every episode's position in the
// sorted pool, so that a resample's trimmed mean is a counting pass instead of a selection.
struct PreparedScores {
  std::vector<double> values;
  const std::vector<std::size_t>* offsets = nullptr;
  std::vector<double> sorted;       // IQM only: values in ascending order
  std::vector<std::uint32_t> rank;  // IQM only: position of episode e in `sorted`

  PreparedScores(const TaskScores& scores, const AggregateSpec& spec)
      : values(transformed_values(scores, spec)), offsets(&scores.offsets) {
    if (spec.kind == Aggregate::kIqm) {
      std::vector<std::uint32_t> order(values.size());
      std::iota(order.begin(), order.end(), 0u);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::uint32_t i, std::uint32_t j) { return values[i] < values[j]; });
      sorted.resize(values.size());
      rank.resize(values.size());
      for (std::size_t r = 0; r < order.size(); ++r) {
        sorted[r] = values[order[r]];
        rank[order[r]] = static_cast<std::uint32_t>(r);
      }
    }
  }
};

// Per-thread buffers: task means (or pooled values) and IQM multiplicities.
struct Scratch {
  std::vector<double> means;
  std::vector<std::uint32_t> counts;
  explicit Scratch(std::size_t size) : means(size), counts(size) {}
};

// The aggregate from the task means m[0..t) (every aggregate except the IQM); reorders m.
inline double from_task_means(double* m, std::size_t t, const AggregateSpec& spec) {
  switch (spec.kind) {
    case Aggregate::kMedian: {
      const std::size_t mid = t / 2;
      std::nth_element(m, m + mid, m + t);
      const double upper = m[mid];
      if (t % 2 == 1) return upper;
      const double lower = *std::max_element(m, m + mid);
      return (lower + upper) / 2.0;
    }
    case Aggregate::kOptimalityGap:
    case Aggregate::kMean:
    case Aggregate::kIqm: {
      double sum = 0.0;
      for (std::size_t i = 0; i < t; ++i) sum += m[i];
      const double mean = sum / static_cast<double>(t);
      return spec.kind == Aggregate::kOptimalityGap ? spec.gamma - mean : mean;
    }
  }
  return 0.0;
}

// scipy.stats.trim_mean(pool, 0.25) of a pool given as multiplicities of the sorted values:
// drop int(n / 4) values at each end, average the rest.
inline double trimmed_mean_of_counts(const std::vector<double>& sorted, const std::uint32_t* counts,
                                     std::size_t n) {
  const std::size_t lowercut = n / 4;
  const std::size_t uppercut = n - lowercut;
  std::size_t pos = 0;
  double sum = 0.0;
  for (std::size_t j = 0; j < sorted.size() && pos < uppercut; ++j) {
    const std::size_t c = counts[j];
    if (c == 0) continue;
    const std::size_t lo = std::max(pos, lowercut);
    const std::size_t hi = std::min(pos + c, uppercut);
    if (hi > lo) sum += static_cast<double>(hi - lo) * sorted[j];
    pos += c;
  }
  return sum / static_cast<double>(uppercut - lowercut);
}

// One evaluation. pick(t, n) returns the index (into the policy's values) of the next episode
// drawn for task t of size n; it is called exactly n times per task, tasks in order.
template <class Pick>
double evaluate(const PreparedScores& p, const AggregateSpec& spec, Pick&& pick, Scratch& scratch) {
  const auto& offsets = *p.offsets;
  const std::size_t tasks = offsets.size() - 1;
  if (spec.kind == Aggregate::kIqm) {
    std::uint32_t* counts = scratch.counts.data();
    std::fill(counts, counts + p.values.size(), 0u);
    for (std::size_t t = 0; t < tasks; ++t) {
      const std::size_t n = offsets[t + 1] - offsets[t];
      for (std::size_t i = 0; i < n; ++i) ++counts[p.rank[pick(t, n)]];
    }
    return trimmed_mean_of_counts(p.sorted, counts, p.values.size());
  }
  const double* values = p.values.data();
  for (std::size_t t = 0; t < tasks; ++t) {
    const std::size_t n = offsets[t + 1] - offsets[t];
    // Four partial sums break the floating-point add dependency chain (the inner loop's
    // bottleneck); the order of the draws, and so the result, does not change with threads.
    double s0 = 0.0;
    double s1 = 0.0;
    double s2 = 0.0;
    double s3 = 0.0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += values[pick(t, n)];
      s1 += values[pick(t, n)];
      s2 += values[pick(t, n)];
      s3 += values[pick(t, n)];
    }
    for (; i < n; ++i) s0 += values[pick(t, n)];
    scratch.means[t] = ((s0 + s1) + (s2 + s3)) / static_cast<double>(n);
  }
  return from_task_means(scratch.means.data(), tasks, spec);
}

// One bootstrap resample of every task, drawn on the spot (independent resampling); thr[t] is
// index_threshold of task t's size. Same arithmetic as evaluate() with four partial sums.
inline double evaluate_resample(const PreparedScores& p, const AggregateSpec& spec,
                                const std::uint32_t* thr, Xoshiro256& rng, Scratch& scratch) {
  const auto& offsets = *p.offsets;
  const std::size_t tasks = offsets.size() - 1;
  if (spec.kind == Aggregate::kIqm) {
    std::uint32_t* counts = scratch.counts.data();
    std::fill(counts, counts + p.values.size(), 0u);
    const std::uint32_t* rank = p.rank.data();
    for (std::size_t t = 0; t < tasks; ++t) {
      const std::uint32_t* task_rank = rank + offsets[t];
      uniform_indices(rng, static_cast<std::uint32_t>(offsets[t + 1] - offsets[t]), thr[t],
                      [&](std::uint32_t, std::uint32_t i) { ++counts[task_rank[i]]; });
    }
    return trimmed_mean_of_counts(p.sorted, counts, p.values.size());
  }
  for (std::size_t t = 0; t < tasks; ++t) {
    const double* v = p.values.data() + offsets[t];
    const auto n = static_cast<std::uint32_t>(offsets[t + 1] - offsets[t]);
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    uniform_indices(rng, n, thr[t], [&](std::uint32_t lane, std::uint32_t i) { s[lane] += v[i]; });
    scratch.means[t] = ((s[0] + s[1]) + (s[2] + s[3])) / static_cast<double>(n);
  }
  return from_task_means(scratch.means.data(), tasks, spec);
}

}  // namespace gauntlet::metrics::detail
