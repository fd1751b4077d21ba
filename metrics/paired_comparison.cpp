#include "metrics/paired_comparison.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "metrics/stratified_bootstrap.hpp"

namespace gauntlet::metrics {
namespace {

bool as_success(double v) {
  if (v == 1.0) return true;
  if (v == 0.0) return false;
  throw std::invalid_argument("paired counts: success flags must be 0 or 1, got " +
                              std::to_string(v));
}

}  // namespace

PairedCounts paired_counts(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("paired counts: " + std::to_string(a.size()) +
                                " episodes of A but " + std::to_string(b.size()) + " of B");
  }
  PairedCounts c;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool sa = as_success(a[i]);
    const bool sb = as_success(b[i]);
    if (sa && sb)
      ++c.both;
    else if (sa)
      ++c.a_only;
    else if (sb)
      ++c.b_only;
    else
      ++c.neither;
  }
  return c;
}

PairedCounts paired_counts(const TaskScores& a, const TaskScores& b) {
  if (!same_layout(a, b)) {
    throw std::invalid_argument("paired counts: A and B differ in tasks or episodes per task");
  }
  return paired_counts(std::span<const double>(a.values), std::span<const double>(b.values));
}

TestResult mcnemar_exact(const PairedCounts& counts, Alternative alternative) {
  const std::int64_t n = counts.discordant();
  const auto wins_b = static_cast<double>(counts.b_only);
  if (n == 0) return {wins_b, 1.0};
  const boost::math::binomial_distribution<double> law(static_cast<double>(n), 0.5);
  double p = 1.0;
  switch (alternative) {
    case Alternative::kTwoSided: {
      const auto smaller = static_cast<double>(std::min(counts.a_only, counts.b_only));
      p = std::min(1.0, 2.0 * boost::math::cdf(law, smaller));
      break;
    }
    case Alternative::kGreater:  // P(X >= b_only)
      p = counts.b_only == 0 ? 1.0 : boost::math::cdf(boost::math::complement(law, wins_b - 1.0));
      break;
    case Alternative::kLess:  // P(X <= b_only)
      p = boost::math::cdf(law, wins_b);
      break;
  }
  return {wins_b, p};
}

std::vector<double> pairwise_mcnemar_p_values(std::span<const TaskScores> policies) {
  require_same_layout(policies, "pairwise McNemar");
  const std::size_t n = policies.size();
  std::vector<double> p(n * n, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double v = mcnemar_exact(paired_counts(policies[i], policies[j])).p_value;
      p[i * n + j] = v;
      p[j * n + i] = v;
    }
  }
  return p;
}

double mcnemar_power(std::int64_t n, double p_a_only, double p_b_only, double alpha,
                     Alternative alternative) {
  if (n < 0) throw std::invalid_argument("McNemar power: n must be >= 0");
  if (!(alpha > 0.0 && alpha < 1.0)) throw std::invalid_argument("McNemar power: alpha in (0, 1)");
  if (!(p_a_only >= 0.0 && p_b_only >= 0.0 && p_a_only + p_b_only <= 1.0)) {
    throw std::invalid_argument("McNemar power: discordant probabilities must be >= 0, sum <= 1");
  }
  const double discordance = p_a_only + p_b_only;
  if (n == 0 || discordance == 0.0) return 0.0;
  const double q = p_b_only / discordance;
  const boost::math::binomial_distribution<double> pairs(static_cast<double>(n), discordance);
  // Critical count k_d: reject when the relevant win count is <= k_d. For two-sided the count is
  // min(wins), with level alpha / 2 per tail; k_d never decreases with d.
  const double tail = alternative == Alternative::kTwoSided ? alpha / 2.0 : alpha;
  double power = 0.0;
  std::int64_t k = -1;
  for (std::int64_t d = 1; d <= n; ++d) {
    const double dd = static_cast<double>(d);
    const boost::math::binomial_distribution<double> null(dd, 0.5);
    while (k + 1 <= d && boost::math::cdf(null, static_cast<double>(k + 1)) <= tail) ++k;
    const double weight = boost::math::pdf(pairs, dd);
    if (k < 0 || weight < 1e-300) continue;
    const boost::math::binomial_distribution<double> wins(dd, q);
    const double kk = static_cast<double>(k);
    const double b_few = boost::math::cdf(wins, kk);  // B wins <= k
    const double b_many =                             // B wins >= d - k
        boost::math::cdf(boost::math::complement(wins, dd - kk - 1.0));
    switch (alternative) {
      case Alternative::kTwoSided:
        power += weight * std::min(1.0, b_few + b_many);
        break;
      case Alternative::kGreater:
        power += weight * b_many;
        break;
      case Alternative::kLess:
        power += weight * b_few;
        break;
    }
  }
  return std::min(power, 1.0);
}

BootstrapEstimate paired_bootstrap_difference(const TaskScores& a, const TaskScores& b,
                                              const AggregateSpec& spec,
                                              const BootstrapOptions& options) {
  const TaskScores both[2] = {a, b};
  const auto replicates = stratified_replicates(both, spec, options, Resampling::kPaired);
  std::vector<double> diff(replicates.resamples);
  for (std::size_t r = 0; r < replicates.resamples; ++r)
    diff[r] = replicates(r, 1) - replicates(r, 0);
  const double estimate = aggregate(b, spec) - aggregate(a, spec);
  if (options.method != BootstrapMethod::kBca) {
    return summarize_replicates(std::move(diff), estimate, nullptr, options);
  }
  TaskScores jackknife = jackknife_aggregate(b, spec);
  const TaskScores jack_a = jackknife_aggregate(a, spec);
  for (std::size_t i = 0; i < jackknife.values.size(); ++i) jackknife.values[i] -= jack_a.values[i];
  return summarize_replicates(std::move(diff), estimate, &jackknife, options);
}

CmhResult cochran_mantel_haenszel(std::span<const TwoByTwo> tables, bool correction) {
  double sum = 0.0;
  double variance = 0.0;
  double or_num = 0.0;
  double or_den = 0.0;
  bool any = false;
  for (const auto& t : tables) {
    check_table(t);
    const double a = static_cast<double>(t.a);
    const double b = static_cast<double>(t.b);
    const double c = static_cast<double>(t.c);
    const double d = static_cast<double>(t.d);
    const double n = a + b + c + d;
    if (n < 2.0) continue;
    any = true;
    sum += a - (a + b) * (a + c) / n;
    variance += (a + b) * (a + c) * (b + d) * (c + d) / (n * n * (n - 1.0));
    or_num += a * d / n;
    or_den += b * c / n;
  }
  CmhResult out;
  out.pooled_odds_ratio = or_den > 0.0 ? or_num / or_den : std::numeric_limits<double>::infinity();
  if (!any || !(variance > 0.0)) {
    out.statistic = std::numeric_limits<double>::quiet_NaN();
    out.p_value = 1.0;
    return out;
  }
  double stat = std::abs(sum);
  if (correction) stat -= 0.5;
  out.statistic = stat * stat / variance;
  const boost::math::chi_squared_distribution<double> chi2(1.0);
  out.p_value = boost::math::cdf(boost::math::complement(chi2, out.statistic));
  return out;
}

}  // namespace gauntlet::metrics
