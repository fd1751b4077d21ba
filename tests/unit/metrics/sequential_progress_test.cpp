#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "metrics/random.hpp"
#include "metrics/sequential_progress.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;

namespace {

// alpha plus 2.6 binomial standard errors: a correct test fails this with probability ~0.5%.
double fpr_tolerance(double alpha, int sims) {
  return alpha + 2.6 * std::sqrt(alpha * (1 - alpha) / sims);
}

// A fixed sequence of paired scores in [0, 1], with exact 0s and 1s (binary-like episodes).
std::vector<std::pair<double, double>> fixed_scores(int n, std::uint64_t seed) {
  Xoshiro256 rng(seed);
  std::vector<std::pair<double, double>> out;
  for (int i = 0; i < n; ++i) {
    double a = rng.uniform();
    double b = std::max(0.0, rng.uniform() - 0.15);
    if (i % 7 == 0) a = 1.0;
    if (i % 11 == 0) b = 0.0;
    if (i % 13 == 0) b = 1.0;
    out.emplace_back(a, b);
  }
  return out;
}

}  // namespace

TEST_CASE("The progress test's bets and capital agree with numpy's recomputation to 1e-12",
          "[metrics][sequential][progress][golden]") {
  for (const Alternative alt : {Alternative::kLess, Alternative::kGreater}) {
    ProgressTestOptions o;
    o.alternative = alt;
    o.alpha = 1e-300;       // never decides: every pair enters the capital
    o.design_delta = 0.08;  // bets around 0.4: the plug-in formula, not the cap, sets most of them
    o.design_sd = 0.35;
    o.prior_weight = 7.5;
    o.max_bet = 0.6;
    const auto scores = fixed_scores(300, alt == Alternative::kLess ? 11 : 12);
    std::ostringstream in;
    in.precision(17);
    in << "a,b,delta,sd,w,max_bet,alternative\n";
    for (const auto& [a, b] : scores) {
      in << a << "," << b << "," << o.design_delta << "," << o.design_sd << "," << o.prior_weight
         << "," << o.max_bet << "," << to_string(alt) << "\n";
    }
    const auto golden = gauntlet::metrics::test::run_golden("progress_evalue", in.str());
    REQUIRE(golden);
    REQUIRE(golden->rows.size() == scores.size());
    SequentialProgressTest t(o);
    double max_log_e = 0.0;
    int uncapped = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      t.update(scores[i].first, scores[i].second);
      INFO(to_string(alt) << " pair " << i + 1);
      CHECK(t.last_bet() == Approx(golden->number(i, "bet")).margin(1e-12));
      CHECK(t.log_e_value() == Approx(golden->number(i, "log_e")).margin(1e-12));
      max_log_e = std::max(max_log_e, golden->number(i, "log_e"));
      uncapped += golden->number(i, "bet") < o.max_bet ? 1 : 0;
    }
    CHECK(uncapped > 250);
    CHECK(t.p_value() == Approx(std::min(1.0, std::exp(-max_log_e))).epsilon(1e-12));
    // The same sequence at alpha = 0.05 decides exactly at numpy's first crossing of log 20.
    o.alpha = 0.05;
    SequentialProgressTest d(o);
    std::int64_t first = 0;
    for (std::size_t i = 0; i < scores.size() && first == 0; ++i) {
      if (golden->number(i, "log_e") >= std::log(20.0)) first = static_cast<std::int64_t>(i) + 1;
    }
    for (const auto& [a, b] : scores) d.update(a, b);
    INFO(to_string(alt) << " first crossing " << first);
    if (first > 0) {
      CHECK(d.stopped_at() == first);
      CHECK(d.decision() == (alt == Alternative::kLess ? SequentialDecision::kBWorse
                                                       : SequentialDecision::kBBetter));
      CHECK(d.p_value() <= 0.05);
    } else {
      CHECK(d.decision() == SequentialDecision::kUndecided);
      CHECK(d.p_value() > 0.05);
    }
  }
  // The "less" sequence (candidate about 0.15 worse) must have crossed, so both branches run.
  ProgressTestOptions o;
  SequentialProgressTest t(o);
  for (const auto& [a, b] : fixed_scores(300, 11)) t.update(a, b);
  CHECK(t.decision() == SequentialDecision::kBWorse);
}

TEST_CASE("Under the null the progress test rejects at most alpha, whatever the bounded law",
          "[metrics][sequential][progress][simulation]") {
  // No futility stop (the worst case for the type-I error) and a long horizon.
  ProgressTestOptions o;
  o.design_delta = 0.1;
  o.design_sd = 0.5;
  o.max_pairs = 400;
  const int sims = 3000;
  struct Null {
    const char* name;
    DifferenceSampler draw;
  };
  const std::vector<Null> nulls = {
      // Every pair +-1 with equal chance: the most spread law of a mean-zero difference.
      {"fair +-1", [](Xoshiro256& r) { return r.bernoulli(0.5) ? 1.0 : -1.0; }},
      // Binary progress of two independent policies at 0.5: d in {-1, 0, 1}.
      {"binary progress",
       [](Xoshiro256& r) {
         return static_cast<double>(r.bernoulli(0.5)) - static_cast<double>(r.bernoulli(0.5));
       }},
      {"scaled beta, sd 0.3", scaled_beta_difference(0.0, 0.3)},
      // Continuous paired scores with a shared episode difficulty.
      {"shared difficulty", [](Xoshiro256& r) {
         const double base = r.uniform();
         const double a = std::clamp(base + 0.3 * (r.uniform() - 0.5), 0.0, 1.0);
         const double b = std::clamp(base + 0.3 * (r.uniform() - 0.5), 0.0, 1.0);
         return b - a;
       }}};
  for (const auto& null : nulls) {
    const auto sim = simulate_progress_test(o, null.draw, sims, 17);
    INFO(null.name << ": rejection rate " << sim.p_decided);
    CHECK(sim.p_decided <= fpr_tolerance(0.05, sims));
    CHECK(sim.p_cap + sim.p_decided == Approx(1.0));
  }
  // A candidate that is better (E[b - a] = +0.05) is rejected as "worse" even less often.
  const auto better = simulate_progress_test(o, scaled_beta_difference(0.05, 0.4), sims, 18);
  CHECK(better.p_decided <= 0.01);
  // A real drop of the design size is found in most runs.
  const auto worse = simulate_progress_test(o, scaled_beta_difference(-0.1, 0.5), 500, 19);
  CHECK(worse.p_decided >= 0.8);
}

TEST_CASE("The designed progress test reaches its power with fewer pairs than the fixed-N test",
          "[metrics][sequential][progress]") {
  ProgressDesignRequest r;
  r.delta = 0.1;
  r.sd = 0.3;
  r.simulations = 2000;
  r.seed = 5;
  const auto d = design_progress_test(r);
  CHECK(d.fixed_n == progress_fixed_n(0.1, 0.3, 0.05, 0.8));
  CHECK(d.fixed_n == 56);  // ceil(((1.6449 + 0.8416) * 0.3 / 0.1)^2) = ceil(55.65)
  const double se = std::sqrt(0.8 * 0.2 / 2000);
  INFO("power " << d.power << " E[N] " << d.expected_pairs << " null " << d.expected_pairs_null
                << " fpr " << d.false_positive_rate << " cap " << d.options.max_pairs
                << " futility " << d.options.futility_log_e);
  CHECK(d.power >= 0.8 - 3 * se);
  CHECK(d.false_positive_rate <= fpr_tolerance(0.05, 2000));
  CHECK(d.expected_pairs < d.fixed_n);
  CHECK(d.expected_pairs_null < d.fixed_n);
  CHECK(d.options.max_pairs > 0);
  CHECK(d.saving(d.expected_pairs) == Approx(1 - d.expected_pairs / 56.0));
  // Deterministic for a seed.
  const auto again = design_progress_test(r);
  CHECK(again.expected_pairs == d.expected_pairs);
  CHECK(again.options.max_pairs == d.options.max_pairs);
  // The independent re-measurement agrees with the design's own.
  const auto check = simulate_progress_test(d.options, scaled_beta_difference(-0.1, 0.3), 2000, 99);
  CHECK(check.p_decided >= 0.8 - 3 * se);
}

TEST_CASE("The progress test refuses bad scores and impossible designs",
          "[metrics][sequential][progress]") {
  SequentialProgressTest t;
  CHECK_THROWS_AS(t.update(0.5, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(t.update(std::nan(""), 0.5), std::invalid_argument);
  CHECK_THROWS_AS(t.update_difference(-1.5), std::invalid_argument);
  ProgressTestOptions o;
  o.alternative = Alternative::kTwoSided;
  CHECK_THROWS_AS(SequentialProgressTest(o), std::invalid_argument);
  ProgressDesignRequest r;
  r.sd = 0.999;  // sd^2 >= 1 - delta^2: no law on [-1, 1] has these moments
  CHECK_THROWS_AS(design_progress_test(r), std::invalid_argument);
  r.sd = 0.5;
  r.delta = 0.0;
  CHECK_THROWS_AS(design_progress_test(r), std::invalid_argument);
}
