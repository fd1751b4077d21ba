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
  const std::int64_t max_m =
      options.max_discordant > 0 ? std::min(options.max_discordant, budget) : budget;
  const auto boundary = sequential_boundary(max_m, options);

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
        if (m >= max_m) break;
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

double SequentialDesign::saving(double pairs) const {
  return fixed_n > 0 ? 1.0 - pairs / static_cast<double>(fixed_n) : 0.0;
}

SequentialDesign design_sequential_test(const SequentialDesignRequest& r) {
  const double delta = r.p_b - r.p_a;
  if (!(r.p_a >= 0.0 && r.p_a <= 1.0 && r.p_b >= 0.0 && r.p_b <= 1.0) || delta == 0.0) {
    throw std::invalid_argument("sequential design: need p_a != p_b in [0, 1], got " + fmt(r.p_a) +
                                " and " + fmt(r.p_b));
  }
  if ((r.alternative == Alternative::kGreater && delta < 0) ||
      (r.alternative == Alternative::kLess && delta > 0)) {
    throw std::invalid_argument("sequential design: p_b - p_a points against the alternative");
  }
  if (!(r.alpha > 0.0 && r.alpha < 1.0 && r.power > 0.0 && r.power < 1.0)) {
    throw std::invalid_argument("sequential design: alpha and power must be in (0, 1)");
  }
  if (r.fixed_n < 1 || !(r.max_factor >= 1.0)) {
    throw std::invalid_argument("sequential design: need fixed_n >= 1 and max_factor >= 1");
  }
  SequentialDesign d;
  d.discordance = std::isnan(r.discordance) ? independent_discordance(r.p_a, r.p_b) : r.discordance;
  check_discordance(r.p_a, r.p_b, d.discordance);
  d.fixed_n = r.fixed_n;
  d.win_share = design_win_share(std::min(r.p_a, r.p_b), std::max(r.p_a, r.p_b), d.discordance);
  const bool up = delta > 0;
  const double q_design = up ? d.win_share : 1.0 - d.win_share;
  SequentialOptions o;
  o.alpha = r.alpha;
  o.alternative = r.alternative;
  o.design_win_share = d.win_share;
  o.calibrate = false;
  o.futility_beta = 0.0;  // the futility threshold is designed below
  o.max_discordant = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(
             std::ceil(r.max_factor * static_cast<double>(r.fixed_n) * d.discordance)));
  const double side = r.alternative == Alternative::kTwoSided ? r.alpha / 2.0 : r.alpha;
  const double step_down = std::log(2.0 * (1.0 - d.win_share));  // < 0

  // Exact power and type-I error of thresholds (log A, log B) within max_discordant pairs.
  auto boundary = [&](double log_a, double log_b) {
    SequentialOptions t = o;
    t.threshold = std::exp(log_a);
    t.futility_threshold = std::exp(log_b);
    if (!(t.futility_threshold > 0.0)) t.futility_threshold = std::nan("");  // no futility
    return sequential_boundary(o.max_discordant, t);
  };
  auto power = [&](double log_a, double log_b) {
    const auto c = sequential_crossing(boundary(log_a, log_b), q_design);
    return up ? c.p_b_better : c.p_b_worse;
  };
  auto fpr = [&](double log_a, double log_b) {
    const auto c = sequential_crossing(boundary(log_a, log_b), 0.5);
    return c.p_b_better + c.p_b_worse;
  };
  // Below this no state is ever futile (every E >= exp(m log 2(1 - q1)) for m <= max).
  auto no_futility = [&] { return static_cast<double>(o.max_discordant) * step_down - 1.0; };
  // The largest futility threshold keeping the power at the target for decision threshold A.
  auto best_futility = [&](double log_a) {
    double lo = no_futility();
    double hi = -1e-9;
    if (power(log_a, hi) >= r.power) return hi;
    while (hi - lo > 1e-6) {
      const double mid = (lo + hi) / 2.0;
      (power(log_a, mid) >= r.power ? lo : hi) = mid;
    }
    return lo;
  };
  // Ville's threshold log(1 / alpha_side) keeps the type-I error <= alpha with any futility
  // rule; the cap must leave room for the power there, else it grows.
  const double ville = std::log(1.0 / side);
  for (int grow = 0; power(ville, no_futility()) < r.power; ++grow) {
    if (grow == 12) {
      throw std::invalid_argument("sequential design: power " + fmt(r.power) +
                                  " not reachable within " + std::to_string(o.max_discordant) +
                                  " discordant pairs");
    }
    o.max_discordant = o.max_discordant + o.max_discordant / 2 + 1;
  }
  // The smallest A (with its best futility threshold) whose type-I error is <= alpha.
  double lo = 0.0;  // A = 1 decides at the first discordant pair: type-I error 1
  double hi = ville;
  double hi_b = best_futility(hi);
  while (hi - lo > 1e-5) {
    const double mid = (lo + hi) / 2.0;
    const double b = best_futility(mid);
    if (fpr(mid, b) <= r.alpha) {
      hi = mid;
      hi_b = b;
    } else {
      lo = mid;
    }
  }
  // With B fixed, lower A to the smallest value whose type-I error is <= alpha (the power only
  // rises), so that the p-value (the type-I error at the threshold raised to the evidence seen)
  // is <= alpha exactly when the test decides.
  lo = 0.0;
  for (int i = 0; i < 40; ++i) {
    const double mid = (lo + hi) / 2.0;
    (fpr(mid, hi_b) <= r.alpha ? hi : lo) = mid;
  }
  o.threshold = std::exp(hi);
  o.futility_threshold = std::exp(hi_b);
  if (!(o.futility_threshold > 0.0) || hi_b <= no_futility()) o.futility_threshold = std::nan("");
  validate(o);
  const auto table = sequential_boundary(o.max_discordant, o);
  d.options = o;
  d.at_design = sequential_crossing(table, q_design);
  d.at_null = sequential_crossing(table, 0.5);
  d.power = up ? d.at_design.p_b_better : d.at_design.p_b_worse;
  d.false_positive_rate = d.at_null.p_b_better + d.at_null.p_b_worse;
  d.expected_pairs = d.at_design.expected_discordant / d.discordance;
  d.expected_pairs_null = d.at_null.expected_discordant / d.discordance;
  return d;
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
  const double discordance =
      (!r.paired || std::isnan(r.discordance)) ? independent_discordance(p_a, p_b) : r.discordance;
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
  if (r.sequential_design) {
    SequentialDesignRequest dr;
    dr.p_a = p_a;
    dr.p_b = p_b;
    dr.discordance = discordance;
    dr.alpha = r.alpha;
    dr.power = r.power;
    dr.alternative = r.alternative;
    dr.fixed_n = plan.batch_exact;
    dr.max_factor = r.sequential_max_factor;
    plan.design = design_sequential_test(dr);
    o = plan.design.options;
  } else {
    // The mixture test with a budget of episode pairs and a calibrated threshold.
    o.alpha = r.alpha;
    o.alternative = r.alternative;
    o.budget =
        r.sequential_budget > 0
            ? r.sequential_budget
            : static_cast<std::int64_t>(std::ceil(1.5 * static_cast<double>(plan.batch_exact)));
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
