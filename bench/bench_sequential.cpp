// Savings and type-I error of the two sequential gates of `compare --sequential` at their design
// point (baseline 0.5 -> candidate 0.4, one-sided alpha 0.05, power 0.8), by simulation at full
// scale (100,000 null runs per row and test): the designed SPRT on paired success and the
// betting test on paired progress (--metric progress), against the fixed-N designs.
//
// Episodes follow a latent model with common random numbers: pair i has a shared difficulty
// Z ~ N(0, 1); policy P reaches L = mu_P + rho Z + sqrt(1 - rho^2) eps (eps ~ N(0, 1) its own),
// succeeds when L >= 0 (mu_P = Phi^-1(p_P)) and scores progress min(1, exp(gamma L)): partial
// credit that shrinks with how far from success it stopped. gamma = 0 means progress = success
// (0/1 progress, the case where progress carries no extra information). Both tests are designed
// with the model's true nuisance parameters (discordance; progress gap and sd), as a user with a
// pilot run would. Not in CI: `build/release/bench/bench_sequential` (about a minute).
#include <benchmark/benchmark.h>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "metrics/random.hpp"
#include "metrics/sample_size.hpp"
#include "metrics/sequential_progress.hpp"

namespace gm = gauntlet::metrics;

namespace {

constexpr double kBaseline = 0.5;
constexpr double kCandidate = 0.4;
constexpr std::int64_t kNulls = 100000;

double normal(gm::Xoshiro256& rng) {
  const double u = 1.0 - rng.uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * rng.uniform());
}

struct Latent {
  double mu_a, mu_b, rho, gamma;
  // One episode pair: (success A, success B, progress A, progress B).
  struct Pair {
    bool sa, sb;
    double pa, pb;
  };
  Pair draw(gm::Xoshiro256& rng) const {
    const double z = normal(rng);
    const double s = std::sqrt(1.0 - rho * rho);
    const double la = mu_a + rho * z + s * normal(rng);
    const double lb = mu_b + rho * z + s * normal(rng);
    Pair p{la >= 0.0, lb >= 0.0, 0.0, 0.0};
    p.pa = gamma > 0.0 ? std::min(1.0, std::exp(gamma * la)) : (p.sa ? 1.0 : 0.0);
    p.pb = gamma > 0.0 ? std::min(1.0, std::exp(gamma * lb)) : (p.sb ? 1.0 : 0.0);
    return p;
  }
  gm::DifferenceSampler progress_difference() const {
    return [*this](gm::Xoshiro256& rng) {
      const auto p = draw(rng);
      return p.pb - p.pa;
    };
  }
};

struct Moments {
  double discordance = 0.0, delta = 0.0, sd = 0.0;
};

Moments moments(const Latent& m, std::uint64_t seed) {
  gm::Xoshiro256 rng(seed);
  const int n = 2'000'000;
  double disc = 0.0, sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const auto p = m.draw(rng);
    disc += p.sa != p.sb ? 1.0 : 0.0;
    const double d = p.pb - p.pa;
    sum += d;
    sum_sq += d * d;
  }
  Moments out;
  out.discordance = disc / n;
  out.delta = sum / n;
  out.sd = std::sqrt(sum_sq / n - out.delta * out.delta);
  return out;
}

void BM_SequentialSuccessVsProgress(benchmark::State& state) {
  const boost::math::normal_distribution<double> nd;
  const double rho = static_cast<double>(state.range(0)) / 10.0;
  const double gamma = static_cast<double>(state.range(1)) / 10.0;
  const Latent alt{boost::math::quantile(nd, kBaseline), boost::math::quantile(nd, kCandidate), rho,
                   gamma};
  Latent null = alt;
  null.mu_b = null.mu_a;
  Moments at_alt, at_null;
  gm::SamplePlan binary;
  gm::ProgressDesign progress;
  gm::SequentialSimulation binary_null;
  gm::ProgressSimulation progress_alt, progress_null, progress_worst;
  for (auto _ : state) {
    at_alt = moments(alt, 1);
    at_null = moments(null, 2);
    // The success gate: compare --sequential's designed SPRT at the model's discordance.
    gm::PlanRequest req;
    req.p0 = kBaseline;
    req.delta = kCandidate - kBaseline;
    req.alternative = gm::Alternative::kLess;
    req.paired = true;
    req.discordance = at_alt.discordance;
    req.simulations = 0;
    binary = gm::plan_sample_size(req);
    // Only discordant pairs matter to it, so its runs under the latent null are those of
    // independent pairs with the null's discordance.
    binary_null = gm::simulate_sequential(kBaseline, kBaseline, at_null.discordance,
                                          binary.design.options, kNulls, 11);
    // The progress gate, designed for the model's progress gap and sd.
    gm::ProgressDesignRequest pr;
    pr.delta = -at_alt.delta;
    pr.sd = at_alt.sd;
    pr.seed = 3;
    progress = gm::design_progress_test(pr);
    progress_alt =
        gm::simulate_progress_test(progress.options, alt.progress_difference(), kNulls, 12);
    progress_null =
        gm::simulate_progress_test(progress.options, null.progress_difference(), kNulls, 13);
    // The worst bounded law of a mean-zero difference: +-1 with equal chance.
    progress_worst = gm::simulate_progress_test(
        progress.options, [](gm::Xoshiro256& r) { return r.bernoulli(0.5) ? 1.0 : -1.0; }, kNulls,
        14);
  }
  const auto& d = binary.design;
  const double fixed = static_cast<double>(d.fixed_n);
  state.counters["D"] = at_alt.discordance;
  state.counters["fixed_n_mcnemar"] = fixed;
  state.counters["succ_seq_n"] = d.expected_pairs;
  state.counters["succ_saving"] = d.saving(d.expected_pairs);
  state.counters["succ_power"] = d.power;
  state.counters["succ_seq_n_null"] = d.expected_pairs_null;
  state.counters["succ_fpr_exact"] = d.false_positive_rate;
  state.counters["succ_fpr_sim_100k"] = binary_null.p_b_better + binary_null.p_b_worse;
  state.counters["prog_delta"] = -at_alt.delta;
  state.counters["prog_sd"] = at_alt.sd;
  state.counters["prog_fixed_n_z"] = static_cast<double>(progress.fixed_n);
  state.counters["prog_seq_n"] = progress_alt.mean_pairs;
  state.counters["prog_saving_vs_z"] = progress.saving(progress_alt.mean_pairs);
  state.counters["prog_saving_vs_mcnemar"] = 1.0 - progress_alt.mean_pairs / fixed;
  state.counters["prog_vs_succ_seq"] = 1.0 - progress_alt.mean_pairs / d.expected_pairs;
  state.counters["prog_power"] = progress_alt.p_decided;
  state.counters["prog_seq_n_null"] = progress_null.mean_pairs;
  state.counters["prog_fpr_100k"] = progress_null.p_decided;
  state.counters["prog_fpr_pm1_100k"] = progress_worst.p_decided;
  state.SetLabel("rho=" + std::to_string(rho).substr(0, 3) +
                 (gamma > 0 ? ", gamma=" + std::to_string(gamma).substr(0, 3) : ", 0/1 progress"));
}
BENCHMARK(BM_SequentialSuccessVsProgress)
    ->Args({0, 0})
    ->Args({0, 10})
    ->Args({5, 10})
    ->Args({8, 10})
    ->Args({8, 20})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The progress design alone over (delta, sd) of the paired difference: savings against the
// fixed-N paired z-test, with 100,000 nulls at mean 0 (the design model) and at +-1.
void BM_SequentialProgressDesign(benchmark::State& state) {
  gm::ProgressDesignRequest r;
  r.delta = static_cast<double>(state.range(0)) / 100.0;
  r.sd = static_cast<double>(state.range(1)) / 100.0;
  r.seed = 4;
  gm::ProgressDesign d;
  gm::ProgressSimulation null_model, worst;
  for (auto _ : state) {
    d = gm::design_progress_test(r);
    null_model =
        gm::simulate_progress_test(d.options, gm::scaled_beta_difference(0.0, r.sd), kNulls, 21);
    worst = gm::simulate_progress_test(
        d.options, [](gm::Xoshiro256& g) { return g.bernoulli(0.5) ? 1.0 : -1.0; }, kNulls, 22);
  }
  state.counters["fixed_n_z"] = static_cast<double>(d.fixed_n);
  state.counters["seq_n"] = d.expected_pairs;
  state.counters["saving"] = d.saving(d.expected_pairs);
  state.counters["power"] = d.power;
  state.counters["seq_n_null"] = d.expected_pairs_null;
  state.counters["fpr_100k"] = null_model.p_decided;
  state.counters["fpr_pm1_100k"] = worst.p_decided;
  state.counters["max_pairs"] = static_cast<double>(d.options.max_pairs);
}
BENCHMARK(BM_SequentialProgressDesign)
    ->Args({10, 30})
    ->Args({10, 50})
    ->Args({10, 70})
    ->Args({5, 30})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
