// Internal to metrics/: the arithmetic of one aggregate evaluation, shared by the point estimate,
// the jackknife and the bootstrap inner loop so that all three round identically.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "metrics/aggregate.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics::detail {

// Scores as the aggregate consumes them: min(score, gamma) for the optimality gap, else as is.
inline std::vector<double> prepared_values(const TaskScores& scores, const AggregateSpec& spec) {
  std::vector<double> v = scores.values;
  if (spec.kind == Aggregate::kOptimalityGap) {
    for (double& x : v) x = std::min(x, spec.gamma);
  }
  return v;
}

// scipy.stats.trim_mean(x[0..n), 0.25); reorders x.
inline double trimmed_mean(double* x, std::size_t n) {
  const std::size_t lowercut = n / 4;  // int(0.25 * n)
  const std::size_t uppercut = n - lowercut;
  if (lowercut > 0) std::nth_element(x, x + lowercut, x + n);
  std::nth_element(x + lowercut, x + uppercut - 1, x + n);
  double sum = 0.0;
  for (std::size_t i = lowercut; i < uppercut; ++i) sum += x[i];
  return sum / static_cast<double>(uppercut - lowercut);
}

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

// One evaluation. pick(t, n) returns the index (into `values`) of the next episode drawn for
// task t of size n; scratch holds at least max(episodes, tasks) doubles.
template <class Pick>
double evaluate(const double* values, const std::vector<std::size_t>& offsets,
                const AggregateSpec& spec, Pick&& pick, double* scratch) {
  const std::size_t tasks = offsets.size() - 1;
  if (spec.kind == Aggregate::kIqm) {
    std::size_t k = 0;
    for (std::size_t t = 0; t < tasks; ++t) {
      const std::size_t n = offsets[t + 1] - offsets[t];
      for (std::size_t i = 0; i < n; ++i) scratch[k++] = values[pick(t, n)];
    }
    return trimmed_mean(scratch, k);
  }
  for (std::size_t t = 0; t < tasks; ++t) {
    const std::size_t n = offsets[t + 1] - offsets[t];
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += values[pick(t, n)];
    scratch[t] = sum / static_cast<double>(n);
  }
  return from_task_means(scratch, tasks, spec);
}

}  // namespace gauntlet::metrics::detail
