#include "metrics/paired_comparison.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <numeric>
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
  double w_sum = 0.0, rd = 0.0, r1 = 0.0, r2 = 0.0, rd_var = 0.0;
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
    const double n1 = a + c, n2 = b + d;
    if (n1 > 0.0 && n2 > 0.0) {
      const double w = n1 * n2 / n;
      const double p1 = a / n1, p2 = b / n2;
      w_sum += w;
      rd += w * (p1 - p2);
      r1 += w * p1;
      r2 += w * p2;
      rd_var += w * w * (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    }
    or_num += a * d / n;
    or_den += b * c / n;
  }
  CmhResult out;
  out.pooled_odds_ratio = or_den > 0.0 ? or_num / or_den : std::numeric_limits<double>::infinity();
  if (w_sum > 0.0) {
    out.risk_difference = rd / w_sum;
    out.rate1 = r1 / w_sum;
    out.rate2 = r2 / w_sum;
    out.risk_difference_se = std::sqrt(rd_var) / w_sum;
  }
  if (!any || !(variance > 0.0)) {
    out.statistic = std::numeric_limits<double>::quiet_NaN();
    out.p_value = 1.0;
    return out;
  }
  out.z = sum / std::sqrt(variance);
  double stat = std::abs(sum);
  if (correction) stat -= 0.5;
  out.statistic = stat * stat / variance;
  const boost::math::chi_squared_distribution<double> chi2(1.0);
  out.p_value = boost::math::cdf(boost::math::complement(chi2, out.statistic));
  return out;
}

double StratifiedPairedResult::p_value(Alternative alternative) const {
  switch (alternative) {
    case Alternative::kLess:
      return p_less;
    case Alternative::kGreater:
      return p_greater;
    case Alternative::kTwoSided:
      break;
  }
  return p_two_sided;
}

StratifiedPairedResult stratified_mcnemar(const TaskScores& a, const TaskScores& b,
                                          std::size_t max_states) {
  if (!same_layout(a, b))
    throw std::invalid_argument("stratified_mcnemar: the two policies need the same layout");
  struct Stratum {
    std::int64_t n = 0, m = 0, b_wins = 0;
  };
  std::vector<Stratum> strata;
  StratifiedPairedResult out;
  const std::size_t tasks = a.tasks();
  double d = 0.0;
  for (std::size_t t = 0; t < tasks; ++t) {
    const PairedCounts c = paired_counts(a.task(t), b.task(t));
    out.a_only += c.a_only;
    out.b_only += c.b_only;
    out.pairs += c.pairs();
    d += static_cast<double>(c.b_only - c.a_only) / static_cast<double>(c.pairs());
    if (c.discordant() > 0) strata.push_back({c.pairs(), c.discordant(), c.b_only});
  }
  out.difference = tasks > 0 ? d / static_cast<double>(tasks) : 0.0;
  if (strata.empty()) return out;

  // Lattice: the unit h, and each task's term (2X - m) / n as an integer number of units.
  std::int64_t steps = 0;  // sum of (m_t + 1): the work per lattice point
  for (const auto& s : strata) steps += s.m + 1;
  if (max_states == 0) {
    max_states =
        static_cast<std::size_t>(std::clamp<std::int64_t>(300'000'000 / steps, 20'000, 4'000'000));
  }
  // Exact lattice 1 / L, L = lcm(n_t), when its span fits.
  std::int64_t lcm = 1;
  bool exact = true;
  for (const auto& s : strata) {
    const std::int64_t g = std::gcd(lcm, s.n);
    if (lcm / g > std::numeric_limits<std::int64_t>::max() / s.n / 4) {
      exact = false;
      break;
    }
    lcm = lcm / g * s.n;
  }
  double span = 0.0;  // sum of 2 m_t / n_t: the width of the support of n D
  for (const auto& s : strata) span += 2.0 * static_cast<double>(s.m) / static_cast<double>(s.n);
  if (exact && span * static_cast<double>(lcm) + 1.0 > static_cast<double>(max_states))
    exact = false;
  const double h =
      exact ? 1.0 / static_cast<double>(lcm) : span / static_cast<double>(max_states - 1);
  out.exact = exact;

  // units(task, x): the term for x B-wins, rounded down (exact on the exact lattice).
  auto units = [&](const Stratum& s, std::int64_t x) -> std::int64_t {
    if (exact) return (2 * x - s.m) * (lcm / s.n);
    return static_cast<std::int64_t>(
        std::floor(static_cast<double>(2 * x - s.m) / static_cast<double>(s.n) / h));
  };
  std::vector<double> dist{1.0};
  std::int64_t lowest = 0;  // the value of dist[0], in units
  std::vector<double> pmf;
  std::vector<std::int64_t> off;
  for (const auto& s : strata) {
    pmf.assign(static_cast<std::size_t>(s.m + 1), 0.0);
    const double log_half = static_cast<double>(s.m) * std::log(0.5);
    for (std::int64_t x = 0; x <= s.m; ++x) {
      pmf[static_cast<std::size_t>(x)] = std::exp(
          std::lgamma(static_cast<double>(s.m + 1)) - std::lgamma(static_cast<double>(x + 1)) -
          std::lgamma(static_cast<double>(s.m - x + 1)) + log_half);
    }
    const std::int64_t base = units(s, 0);
    off.resize(pmf.size());
    for (std::int64_t x = 0; x <= s.m; ++x) off[static_cast<std::size_t>(x)] = units(s, x) - base;
    std::vector<double> next(dist.size() + static_cast<std::size_t>(off.back()), 0.0);
    for (std::size_t j = 0; j < dist.size(); ++j) {
      const double pj = dist[j];
      if (pj == 0.0) continue;
      for (std::size_t x = 0; x < pmf.size(); ++x)
        next[j + static_cast<std::size_t>(off[x])] += pj * pmf[x];
    }
    dist.swap(next);
    lowest += base;
  }
  // P(S <= v) for v in units.
  auto cdf = [&](std::int64_t v) {
    const std::int64_t top = v - lowest;
    if (top < 0) return 0.0;
    const std::size_t end = std::min<std::size_t>(dist.size(), static_cast<std::size_t>(top) + 1);
    double p = 0.0;
    for (std::size_t j = 0; j < end; ++j) p += dist[j];
    return std::min(1.0, p);
  };
  std::int64_t obs_units = 0;  // n D in units (exact lattice), else floor(n D / h)
  if (exact) {
    for (const auto& s : strata) obs_units += (2 * s.b_wins - s.m) * (lcm / s.n);
    out.p_less = cdf(obs_units);
    out.p_greater = cdf(-obs_units);  // the null law is symmetric: P(S >= s) = P(S <= -s)
  } else {
    double obs = 0.0;
    for (const auto& s : strata)
      obs += static_cast<double>(2 * s.b_wins - s.m) / static_cast<double>(s.n);
    out.p_less = cdf(static_cast<std::int64_t>(std::floor(obs / h + 1e-9)));
    out.p_greater = cdf(static_cast<std::int64_t>(std::floor(-obs / h + 1e-9)));
  }
  out.p_two_sided = std::min(1.0, 2.0 * std::min(out.p_less, out.p_greater));
  return out;
}

}  // namespace gauntlet::metrics
