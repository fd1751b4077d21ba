#include "metrics/chain_length.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "metrics/aggregate.hpp"
#include "metrics/paired_comparison.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics {
namespace {

TaskScores one_task(std::span<const int> lengths) {
  std::vector<double> v(lengths.begin(), lengths.end());
  TaskScores s;
  s.add_task(v);
  return s;
}

// log of C(n, k) / 2^n.
double log_half_binomial(std::int64_t n, std::int64_t k) {
  return std::lgamma(static_cast<double>(n) + 1.0) - std::lgamma(static_cast<double>(k) + 1.0) -
         std::lgamma(static_cast<double>(n - k) + 1.0) - static_cast<double>(n) * std::log(2.0);
}

}  // namespace

int chain_length(std::span<const ChainStep> chain) {
  int n = 0;
  while (n < static_cast<int>(chain.size()) && chain[static_cast<std::size_t>(n)].success) ++n;
  return n;
}

ChainSummary summarize_chains(std::span<const Chain> chains, const BootstrapOptions& options) {
  validate(options);
  if (chains.empty()) throw std::invalid_argument("chain metrics: no chains");
  ChainSummary s;
  s.chains = static_cast<std::int64_t>(chains.size());
  s.level = options.level;
  std::vector<int> lengths;
  lengths.reserve(chains.size());
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_subtask;  // attempts, wins
  for (const Chain& c : chains) {
    s.horizon = std::max(s.horizon, static_cast<int>(c.size()));
    const int length = chain_length(c);
    lengths.push_back(length);
    // Attempted: every step up to and including the first failure.
    const std::size_t attempted = std::min(c.size(), static_cast<std::size_t>(length) + 1);
    for (std::size_t i = 0; i < attempted; ++i) {
      auto& [attempts, wins] = per_subtask[c[i].name];
      ++attempts;
      wins += c[i].success ? 1 : 0;
    }
  }
  if (s.horizon == 0) {
    throw std::invalid_argument("chain metrics: every chain is empty (no subtask attempted)");
  }
  s.length_counts.assign(static_cast<std::size_t>(s.horizon) + 1, 0);
  for (const int l : lengths) ++s.length_counts[static_cast<std::size_t>(l)];
  std::int64_t at_least = s.chains;
  for (int k = 1; k <= s.horizon; ++k) {
    at_least -= s.length_counts[static_cast<std::size_t>(k - 1)];
    SuccessAt row;
    row.k = k;
    row.successes = at_least;
    row.chains = s.chains;
    row.rate = static_cast<double>(at_least) / static_cast<double>(s.chains);
    row.ci = wilson_interval(at_least, s.chains, options.level);
    s.success_at.push_back(row);
  }
  for (const auto& [name, counts] : per_subtask) {
    SubtaskRate row;
    row.name = name;
    row.attempts = counts.first;
    row.successes = counts.second;
    row.rate = static_cast<double>(counts.second) / static_cast<double>(counts.first);
    row.ci = wilson_interval(counts.second, counts.first, options.level);
    s.subtasks.push_back(std::move(row));
  }
  s.average_length = aggregate_interval(one_task(lengths), {}, options);
  return s;
}

PairedLengthTest paired_length_test(std::span<const int> baseline, std::span<const int> candidate,
                                    const BootstrapOptions& options, double max_work) {
  validate(options);
  if (baseline.size() != candidate.size()) {
    throw std::invalid_argument("paired length test: " + std::to_string(baseline.size()) +
                                " baseline chains but " + std::to_string(candidate.size()) +
                                " candidate chains (pairs must match)");
  }
  if (baseline.empty()) throw std::invalid_argument("paired length test: no chains");
  PairedLengthTest r;
  r.pairs = static_cast<std::int64_t>(baseline.size());
  std::map<std::int64_t, std::int64_t> count_of;  // |d| -> pairs
  std::int64_t positive_sum = 0;                  // T: sum of the positive differences
  std::int64_t total = 0;                         // M: sum of |d|
  double sum_a = 0.0, sum_b = 0.0;
  for (std::size_t i = 0; i < baseline.size(); ++i) {
    if (baseline[i] < 0 || candidate[i] < 0) {
      throw std::invalid_argument("paired length test: chain " + std::to_string(i) +
                                  " has a negative length");
    }
    sum_a += baseline[i];
    sum_b += candidate[i];
    const std::int64_t d = candidate[i] - baseline[i];
    if (d > 0) {
      ++r.candidate_longer;
      positive_sum += d;
    } else if (d < 0) {
      ++r.baseline_longer;
    } else {
      ++r.ties;
      continue;
    }
    ++count_of[std::abs(d)];
    total += std::abs(d);
  }
  const double n = static_cast<double>(r.pairs);
  r.baseline = sum_a / n;
  r.candidate = sum_b / n;
  r.difference = (sum_b - sum_a) / n;
  r.ci = paired_bootstrap_difference(one_task(baseline), one_task(candidate), {}, options).interval;
  const std::int64_t nonzero = r.candidate_longer + r.baseline_longer;
  if (nonzero == 0) return r;  // every pair tied: D = 0 under every sign flip

  const double work = static_cast<double>(total) * static_cast<double>(nonzero);
  if (work > max_work) {
    // Normal approximation of T = sum over pairs of |d_i| [sign kept], with the lattice's
    // continuity correction (half the gcd of the |d_i|).
    r.exact = false;
    std::int64_t g = 0;
    double var = 0.0;
    for (const auto& [v, c] : count_of) {
      g = std::gcd(g, v);
      var += static_cast<double>(v) * static_cast<double>(v) * static_cast<double>(c) / 4.0;
    }
    const double mean = static_cast<double>(total) / 2.0;
    const double sd = std::sqrt(var);
    const double half = static_cast<double>(g) / 2.0;
    const boost::math::normal_distribution<double> normal;
    const double t = static_cast<double>(positive_sum);
    r.p_greater = boost::math::cdf(boost::math::complement(normal, (t - half - mean) / sd));
    r.p_less = boost::math::cdf(normal, (t + half - mean) / sd);
  } else {
    // pmf[t] = P0(T = t), built by convolving one scaled Binomial(c, 1/2) per value v.
    std::vector<double> pmf(static_cast<std::size_t>(total) + 1, 0.0);
    pmf[0] = 1.0;
    std::int64_t reach = 0;
    std::vector<double> next(pmf.size());
    for (const auto& [v, c] : count_of) {
      std::vector<double> binom(static_cast<std::size_t>(c) + 1);
      for (std::int64_t x = 0; x <= c; ++x) binom[x] = std::exp(log_half_binomial(c, x));
      std::fill(next.begin(), next.begin() + reach + v * c + 1, 0.0);
      for (std::int64_t t = 0; t <= reach; ++t) {
        const double p = pmf[static_cast<std::size_t>(t)];
        if (p == 0.0) continue;
        for (std::int64_t x = 0; x <= c; ++x)
          next[static_cast<std::size_t>(t + v * x)] += p * binom[x];
      }
      reach += v * c;
      std::swap(pmf, next);
    }
    double le = 0.0, ge = 0.0;
    for (std::int64_t t = 0; t <= total; ++t) {
      const double p = pmf[static_cast<std::size_t>(t)];
      if (t <= positive_sum) le += p;
      if (t >= positive_sum) ge += p;
    }
    r.p_less = std::min(1.0, le);
    r.p_greater = std::min(1.0, ge);
  }
  r.p_two_sided = std::min(1.0, 2.0 * std::min(r.p_less, r.p_greater));
  return r;
}

}  // namespace gauntlet::metrics
