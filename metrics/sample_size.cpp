#include "metrics/sample_size.hpp"

#include <algorithm>
#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/mean.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "metrics/effect_size.hpp"
#include "metrics/paired_comparison.hpp"
#include "metrics/parallel.hpp"
#include "metrics/random.hpp"
#include "metrics/unconditional_exact.hpp"

namespace gauntlet::metrics {
namespace {

constexpr std::int64_t kUnlimitedCap = 100000;

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Smallest n in [1, max_n] with power(n) >= target, searched from the estimate n0: coarse steps
// to bracket, then unit steps (exact power is not monotone in n, so this is the first crossing
// near the normal approximation, which is what practice reports).
template <class Power>
std::pair<std::int64_t, double> smallest_n(Power power, double target, std::int64_t n0,
                                           std::int64_t max_n) {
  n0 = std::clamp<std::int64_t>(n0, 1, max_n);
  const std::int64_t step = std::max<std::int64_t>(1, n0 / 40);
  std::int64_t lo = 0;  // known to fail (0: none)
  std::int64_t hi = 0;  // known to pass
  double hi_power = 0.0;
  double p = power(n0);
  if (p >= target) {
    hi = n0;
    hi_power = p;
    std::int64_t n = n0;
    while (n > 1) {
      n = std::max<std::int64_t>(1, n - step);
      p = power(n);
      if (p < target) {
        lo = n;
        break;
      }
      hi = n;
      hi_power = p;
    }
  } else {
    lo = n0;
    std::int64_t n = n0;
    while (n < max_n) {
      n = std::min(max_n, n + step);
      p = power(n);
      if (p >= target) {
        hi = n;
        hi_power = p;
        break;
      }
      lo = n;
    }
    if (hi == 0) {
      throw std::invalid_argument("sample size: power " + fmt(target) + " is not reached within " +
                                  std::to_string(max_n) + " episodes per policy");
    }
  }
  for (std::int64_t n = lo + 1; n < hi; ++n) {
    p = power(n);
    if (p >= target) return {n, p};
  }
  return {hi, hi_power};
}

}  // namespace

double independent_discordance(double p_a, double p_b) {
  return p_a * (1.0 - p_b) + p_b * (1.0 - p_a);
}

void check_discordance(double p_a, double p_b, double d) {
  const double delta = p_b - p_a;
  const double hi = std::min(p_a + p_b, 2.0 - p_a - p_b);
  if (!(d >= std::abs(delta) - 1e-12 && d <= hi + 1e-12)) {
    throw std::invalid_argument("discordance " + fmt(d) + " is impossible for success rates " +
                                fmt(p_a) + " and " + fmt(p_b) + "; it must lie in [" +
                                fmt(std::abs(delta)) + ", " + fmt(hi) + "]");
  }
}

SequentialSimulation simulate_sequential(double p_a, double p_b, double discordance,
                                         const SequentialOptions& options, std::int64_t simulations,
                                         std::uint64_t seed, int threads) {
  validate(options);
  if (!(p_a >= 0.0 && p_a <= 1.0 && p_b >= 0.0 && p_b <= 1.0)) {
    throw std::invalid_argument("sequential simulation: success rates must be in [0, 1]");
  }
  if (simulations < 1) throw std::invalid_argument("sequential simulation: simulations >= 1");
  const double d = std::isnan(discordance) ? independent_discordance(p_a, p_b) : discordance;
  check_discordance(p_a, p_b, d);
  const double p_b_only = std::max(0.0, (d + (p_b - p_a)) / 2.0);
  const double p_discordant = std::clamp(d, 0.0, 1.0);
  const std::int64_t budget = options.budget > 0 ? options.budget : kUnlimitedCap;
  const auto boundary = sequential_boundary(budget, options);

  const auto n = static_cast<std::size_t>(simulations);
  std::vector<std::int64_t> used(n);
  std::vector<int> outcome(n);  // 0 undecided at budget, 1 better, 2 worse, 3 futility
  parallel_for(n, threads, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t s = begin; s < end; ++s) {
      Xoshiro256 rng(stream_seed(seed, 0x5e9, s));
      std::int64_t wins_b = 0;
      std::int64_t m = 0;
      std::int64_t pairs = 0;
      int result = 0;
      while (pairs < budget) {
        ++pairs;
        const double u = rng.uniform();
        if (u >= p_discordant) continue;
        ++m;
        if (u < p_b_only) ++wins_b;
        const auto mu = static_cast<std::size_t>(m);
        if (wins_b >= boundary.upper[mu]) {
          result = 1;
          break;
        }
        if (wins_b <= boundary.lower[mu]) {
          result = 2;
          break;
        }
        if (wins_b >= boundary.futile_lo[mu] && wins_b <= boundary.futile_hi[mu]) {
          result = 3;
          break;
        }
      }
      used[s] = pairs;
      outcome[s] = result;
    }
  });

  using namespace boost::accumulators;
  accumulator_set<double, stats<tag::mean>> pairs_used;
  SequentialSimulation out;
  out.simulations = simulations;
  out.budget = budget;
  for (std::size_t s = 0; s < n; ++s) {
    pairs_used(static_cast<double>(used[s]));
    switch (outcome[s]) {
      case 1:
        out.p_b_better += 1.0;
        break;
      case 2:
        out.p_b_worse += 1.0;
        break;
      case 3:
        out.p_futility += 1.0;
        break;
      default:
        break;
    }
  }
  const double sims = static_cast<double>(n);
  out.p_b_better /= sims;
  out.p_b_worse /= sims;
  out.p_futility /= sims;
  out.p_undecided = 1.0 - out.p_b_better - out.p_b_worse;
  out.mean_pairs = mean(pairs_used);
  std::sort(used.begin(), used.end());
  out.median_pairs = static_cast<double>(used[n / 2]);
  out.p90_pairs = static_cast<double>(used[std::min(n - 1, n * 9 / 10)]);
  return out;
}

SamplePlan plan_sample_size(const PlanRequest& r) {
  const double p_a = r.p0;
  const double p_b = r.p0 + r.delta;
  if (!(p_a >= 0.0 && p_a <= 1.0 && p_b >= 0.0 && p_b <= 1.0)) {
    throw std::invalid_argument("sample size: p0 and p0 + delta must be in [0, 1], got " +
                                fmt(p_a) + " and " + fmt(p_b));
  }
  if (r.delta == 0.0) throw std::invalid_argument("sample size: delta must be nonzero");
  if ((r.alternative == Alternative::kGreater && r.delta < 0) ||
      (r.alternative == Alternative::kLess && r.delta > 0)) {
    throw std::invalid_argument("sample size: delta points against the one-sided alternative");
  }
  if (!(r.alpha > 0.0 && r.alpha < 1.0 && r.power > 0.0 && r.power < 1.0)) {
    throw std::invalid_argument("sample size: alpha and power must be in (0, 1)");
  }
  SamplePlan plan;
  // Unpaired plans assume independent policies, whatever discordance was passed.
  const double discordance = (!r.paired || std::isnan(r.discordance))
                                 ? independent_discordance(p_a, p_b)
                                 : r.discordance;
  if (r.paired) {
    check_discordance(p_a, p_b, discordance);
    const boost::math::normal_distribution<double> normal;
    const double tail = r.alternative == Alternative::kTwoSided ? r.alpha / 2.0 : r.alpha;
    const double z_a = boost::math::quantile(boost::math::complement(normal, tail));
    const double z_b = boost::math::quantile(normal, r.power);
    const double dd = r.delta * r.delta;
    // Connor (1987): n = (z_a sqrt(D) + z_b sqrt(D - delta^2))^2 / delta^2.
    const double n =
        std::pow(z_a * std::sqrt(discordance) + z_b * std::sqrt(discordance - dd), 2) / dd;
    plan.batch_normal = static_cast<std::int64_t>(std::ceil(n));
    const double p_a_only = (discordance - r.delta) / 2.0;
    const double p_b_only = (discordance + r.delta) / 2.0;
    const auto [n_exact, power] = smallest_n(
        [&](std::int64_t m) {
          return mcnemar_power(m, p_a_only, p_b_only, r.alpha, r.alternative);
        },
        r.power, plan.batch_normal, r.max_episodes);
    plan.batch_exact = n_exact;
    plan.batch_exact_power = power;
    plan.exact_test = "mcnemar";
  } else {
    const double h = cohens_h(p_b, p_a);
    plan.batch_normal = static_cast<std::int64_t>(
        std::ceil(normal_sample_size(h, r.alpha, r.power, 1.0, r.alternative)));
    const auto [n_exact, power] = smallest_n(
        [&](std::int64_t m) { return barnard_power(m, m, p_b, p_a, r.alpha, r.alternative); },
        r.power, plan.batch_normal, r.max_episodes);
    plan.batch_exact = n_exact;
    plan.batch_exact_power = power;
    plan.exact_test = "barnard";
  }
  SequentialOptions& o = plan.sequential_options;
  // The sequential test spends alpha / 2 per direction; a one-sided plan gives each direction
  // the full alpha.
  o.alpha = r.alternative == Alternative::kTwoSided ? r.alpha : std::min(0.999, 2.0 * r.alpha);
  o.budget =
      r.sequential_budget > 0
          ? r.sequential_budget
          : static_cast<std::int64_t>(std::ceil(1.5 * static_cast<double>(plan.batch_exact)));
  if (r.sequential_design) {
    o.design_win_share = design_win_share(std::min(p_a, p_b), std::max(p_a, p_b), discordance);
  }
  if (r.simulations > 0) {
    plan.sequential =
        simulate_sequential(p_a, p_b, discordance, o, r.simulations, r.seed, r.threads);
    const double null_discordance =
        r.paired && !std::isnan(r.discordance) ? discordance : independent_discordance(p_a, p_a);
    plan.sequential_null =
        simulate_sequential(p_a, p_a, null_discordance, o, r.simulations, r.seed, r.threads);
  }
  return plan;
}

}  // namespace gauntlet::metrics
