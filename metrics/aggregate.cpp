#include "metrics/aggregate.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "metrics/aggregate_kernel.hpp"
#include "metrics/parallel.hpp"
#include "metrics/stratified_bootstrap.hpp"

namespace gauntlet::metrics {
namespace {

// Jackknife of the IQM in O(N log N): removing the score at sorted position k shifts the
// trimmed window, whose sum prefix sums give in O(1).
void jackknife_iqm(const std::vector<double>& values, std::vector<double>& out) {
  const std::size_t n = values.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  std::vector<double> prefix(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + values[order[i]];
  const std::size_t m = n - 1;
  const std::size_t lc = m / 4;
  const std::size_t uc = m - lc;
  for (std::size_t k = 0; k < n; ++k) {
    // Remaining sorted r[j] = s[j] (j < k), s[j + 1] (j >= k); sum r over [lc, uc).
    double sum = 0.0;
    const std::size_t left_end = std::min(uc, k);
    if (left_end > lc) sum += prefix[left_end] - prefix[lc];
    const std::size_t right_begin = std::max(lc, k);
    if (uc > right_begin) sum += prefix[uc + 1] - prefix[right_begin + 1];
    out[order[k]] = sum / static_cast<double>(uc - lc);
  }
}

}  // namespace

Aggregate parse_aggregate(std::string_view name) {
  if (name == "mean") return Aggregate::kMean;
  if (name == "median") return Aggregate::kMedian;
  if (name == "iqm") return Aggregate::kIqm;
  if (name == "optimality-gap" || name == "optimality_gap") return Aggregate::kOptimalityGap;
  throw std::invalid_argument("unknown aggregate '" + std::string(name) +
                              "'; expected one of: mean, median, iqm, optimality-gap");
}

std::string_view to_string(Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kMean:
      return "mean";
    case Aggregate::kMedian:
      return "median";
    case Aggregate::kIqm:
      return "iqm";
    case Aggregate::kOptimalityGap:
      return "optimality-gap";
  }
  return "?";
}

bool higher_is_better(Aggregate aggregate) {
  return aggregate != Aggregate::kOptimalityGap;
}

double aggregate(const TaskScores& scores, const AggregateSpec& spec) {
  validate(scores, "aggregate scores");
  const detail::PreparedScores prepared(scores, spec);
  detail::Scratch scratch(std::max(scores.episodes(), scores.tasks()));
  std::size_t k = 0;
  return detail::evaluate(
      prepared, spec, [&](std::size_t, std::size_t) { return k++; }, scratch);
}

TaskScores jackknife_aggregate(const TaskScores& scores, const AggregateSpec& spec) {
  validate(scores, "aggregate scores");
  TaskScores out;
  out.offsets = scores.offsets;
  out.values.assign(scores.episodes(), 0.0);
  const auto values = detail::transformed_values(scores, spec);
  if (spec.kind == Aggregate::kIqm) {
    if (scores.episodes() < 2) {
      out.values.assign(scores.episodes(), aggregate(scores, spec));
    } else {
      jackknife_iqm(values, out.values);
    }
    return out;
  }
  const std::size_t tasks = scores.tasks();
  std::vector<double> sums(tasks, 0.0);
  std::vector<double> means(tasks);
  for (std::size_t t = 0; t < tasks; ++t) {
    for (std::size_t e = scores.offsets[t]; e < scores.offsets[t + 1]; ++e) sums[t] += values[e];
    means[t] = sums[t] / static_cast<double>(scores.task_size(t));
  }
  std::vector<double> scratch(tasks);
  std::copy(means.begin(), means.end(), scratch.begin());
  const double full = detail::from_task_means(scratch.data(), tasks, spec);
  for (std::size_t t = 0; t < tasks; ++t) {
    const std::size_t n = scores.task_size(t);
    for (std::size_t e = scores.offsets[t]; e < scores.offsets[t + 1]; ++e) {
      if (n < 2) {
        out.values[e] = full;
        continue;
      }
      std::copy(means.begin(), means.end(), scratch.begin());
      scratch[t] = (sums[t] - values[e]) / static_cast<double>(n - 1);
      out.values[e] = detail::from_task_means(scratch.data(), tasks, spec);
    }
  }
  return out;
}

BootstrapEstimate aggregate_interval(const TaskScores& scores, const AggregateSpec& spec,
                                     const BootstrapOptions& options) {
  return aggregate_intervals(std::span<const TaskScores>(&scores, 1), spec, options)[0];
}

std::vector<BootstrapEstimate> aggregate_intervals(std::span<const TaskScores> policies,
                                                   const AggregateSpec& spec,
                                                   const BootstrapOptions& options) {
  const auto replicates = stratified_replicates(policies, spec, options, Resampling::kIndependent);
  std::vector<BootstrapEstimate> out(policies.size());
  // Summaries (a sort of the replicates, the jackknife for BCa) are independent per policy.
  parallel_for(policies.size(), options.threads, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t p = begin; p < end; ++p) {
      const double estimate = aggregate(policies[p], spec);
      TaskScores jackknife;
      const bool bca = options.method == BootstrapMethod::kBca;
      if (bca) jackknife = jackknife_aggregate(policies[p], spec);
      out[p] =
          summarize_replicates(replicates.column(p), estimate, bca ? &jackknife : nullptr, options);
    }
  });
  return out;
}

}  // namespace gauntlet::metrics
