#include <catch2/catch.hpp>
#include <cmath>

#include "metrics/random.hpp"
#include "metrics/sample_size.hpp"
#include "metrics/sequential_bounded.hpp"
#include "metrics/sequential_test.hpp"

using namespace gauntlet::metrics;

namespace {

// Upper bound of a one-sided binomial acceptance region: alpha plus 2.6 standard errors, so a
// correct test fails this check with probability about 0.5%.
double fpr_tolerance(double alpha, int sims) {
  return alpha + 2.6 * std::sqrt(alpha * (1 - alpha) / sims);
}

}  // namespace

TEST_CASE("A sequential decision is final and the budget stops the test", "[metrics][sequential]") {
  SequentialOptions o;
  o.budget = 50;
  SequentialPairedTest test(o);
  CHECK(test.threshold() <= 2.0 / o.alpha);
  int i = 0;
  while (!test.finished()) {
    test.update(false, true);  // B wins every pair
    ++i;
  }
  CHECK(test.decision() == SequentialDecision::kBBetter);
  CHECK(test.stop() == SequentialStop::kDecided);
  CHECK(test.stopped_at() == i);
  CHECK(i < 12);
  test.update(true, false);
  CHECK(test.decision() == SequentialDecision::kBBetter);
  CHECK(test.pairs() == i + 1);
  CHECK(test.p_value() <= 2.0 / test.e_value_b_better() + 1e-12);

  SequentialPairedTest tied(o);
  for (int k = 0; k < 100 && !tied.finished(); ++k) tied.update(k % 2 == 0, k % 2 == 1);
  CHECK(tied.decision() == SequentialDecision::kUndecided);
  CHECK(tied.stop() == SequentialStop::kBudget);
  CHECK(tied.stopped_at() == 50);
  CHECK(to_string(SequentialDecision::kBWorse) == "b-worse");
}

TEST_CASE("The boundary table decides exactly as the test object", "[metrics][sequential]") {
  for (bool design : {false, true}) {
    SequentialOptions o;
    o.budget = 400;
    if (design) o.design_win_share = 0.65;
    const auto boundary = sequential_boundary(o.budget, o);
    const SequentialPairedTest fresh(o);  // calibrates once; copies start from scratch
    Xoshiro256 rng(design ? 5 : 6);
    for (int run = 0; run < 200; ++run) {
      SequentialPairedTest test = fresh;
      const double q = 0.3 + 0.4 * rng.uniform();
      std::int64_t w = 0;
      std::int64_t m = 0;
      SequentialStop table_stop = SequentialStop::kRunning;
      SequentialDecision table_decision = SequentialDecision::kUndecided;
      while (!test.finished()) {
        const bool b_wins = rng.bernoulli(q);
        test.update(!b_wins, b_wins);
        if (table_stop != SequentialStop::kRunning) continue;
        ++m;
        w += b_wins ? 1 : 0;
        const auto mu = static_cast<std::size_t>(m);
        if (w >= boundary.upper[mu]) {
          table_decision = SequentialDecision::kBBetter;
          table_stop = SequentialStop::kDecided;
        } else if (w <= boundary.lower[mu]) {
          table_decision = SequentialDecision::kBWorse;
          table_stop = SequentialStop::kDecided;
        } else if (w >= boundary.futile_lo[mu] && w <= boundary.futile_hi[mu]) {
          table_stop = SequentialStop::kFutility;
        } else if (m >= o.budget) {
          table_stop = SequentialStop::kBudget;
        }
      }
      INFO("design " << design << " run " << run);
      CHECK(test.decision() == table_decision);
      CHECK(test.stop() == table_stop);
      CHECK(test.stopped_at() == m);
    }
  }
}

namespace {

// Every sequence of `m_max` discordant outcomes, each run through the test object (not the
// table): the exact chance of each way of stopping and the expected discordant pairs when each
// pair is a B win with probability q. Independent of sequential_crossing's recursion.
SequentialCrossing enumerate_paths(const SequentialOptions& o, int m_max, double q) {
  SequentialCrossing out;
  const SequentialPairedTest fresh(o);
  for (std::uint32_t bits = 0; bits < (1u << m_max); ++bits) {
    SequentialPairedTest t = fresh;
    double prob = 1.0;
    int m = 0;
    for (; m < m_max; ++m) {
      const bool b_wins = ((bits >> m) & 1u) != 0;
      prob *= b_wins ? q : 1.0 - q;
    }
    m = 0;
    while (!t.finished() && m < m_max) {
      const bool b_wins = ((bits >> m) & 1u) != 0;
      t.update(!b_wins, b_wins);
      ++m;
    }
    out.expected_discordant += prob * static_cast<double>(m);
    if (t.decision() == SequentialDecision::kBBetter) {
      out.p_b_better += prob;
    } else if (t.decision() == SequentialDecision::kBWorse) {
      out.p_b_worse += prob;
    } else if (t.stop() == SequentialStop::kFutility) {
      out.p_futility += prob;
    } else {
      out.p_truncated += prob;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("The crossing probabilities equal an enumeration of every path",
          "[metrics][sequential]") {
  const int m_max = 14;
  int checked = 0;
  for (auto alternative : {Alternative::kTwoSided, Alternative::kGreater, Alternative::kLess}) {
    for (int variant = 0; variant < 4; ++variant) {
      SequentialOptions o;
      o.alternative = alternative;
      o.alpha = 0.2;  // large, so that 14 pairs can decide
      o.max_discordant = m_max;
      if (variant == 1) o.design_win_share = 0.75;  // Wald futility, Ville threshold
      if (variant == 2) {                           // designed thresholds
        o.design_win_share = 0.7;
        o.threshold = 6.0;
        o.futility_threshold = 0.4;
      }
      if (variant == 3) {  // calibrated to a budget
        o.budget = m_max;
        o.max_discordant = 0;
      }
      const auto table = sequential_boundary(m_max, o);
      for (double q : {0.5, 0.3, 0.8}) {
        const auto dp = sequential_crossing(table, q);
        const auto brute = enumerate_paths(o, m_max, q);
        INFO("alternative " << to_string(alternative) << " variant " << variant << " q " << q);
        CHECK(dp.p_b_better == Approx(brute.p_b_better).margin(1e-12));
        CHECK(dp.p_b_worse == Approx(brute.p_b_worse).margin(1e-12));
        CHECK(dp.p_futility == Approx(brute.p_futility).margin(1e-12));
        CHECK(dp.p_truncated == Approx(brute.p_truncated).margin(1e-12));
        CHECK(dp.expected_discordant == Approx(brute.expected_discordant).margin(1e-10));
        checked += dp.p_b_better + dp.p_b_worse > 0.01 ? 1 : 0;
      }
    }
  }
  CHECK(checked >= 20);  // the paths do reach decisions
}

TEST_CASE("The exact false-positive rate stays at or below alpha under the null",
          "[metrics][sequential]") {
  // Under H0 every discordant pair is a B win with probability 1/2 whatever the success rates
  // and their correlation, so the exact crossing chance within the horizon is the type-I error
  // for every discordance rate; the budget in episode pairs caps the discordant pairs.
  for (auto alternative : {Alternative::kTwoSided, Alternative::kGreater}) {
    for (int variant = 0; variant < 3; ++variant) {
      SequentialOptions o;
      o.alternative = alternative;
      o.budget = 300;
      if (variant == 1) o.calibrate = false;  // Ville's threshold
      if (variant == 2) o.design_win_share = 0.62;
      const auto c = sequential_crossing(sequential_boundary(o.budget, o), 0.5);
      const double fpr = c.p_b_better + c.p_b_worse;
      INFO(to_string(alternative) << " variant " << variant << " false-positive rate " << fpr);
      CHECK(fpr <= o.alpha);
      if (variant == 1) CHECK(fpr <= 0.8 * o.alpha);  // Ville is conservative
      if (alternative == Alternative::kTwoSided) CHECK(c.p_b_better == Approx(c.p_b_worse));
    }
  }
}

TEST_CASE("The calibrated threshold spends the whole alpha within the budget",
          "[metrics][sequential]") {
  for (bool design : {false, true}) {
    SequentialOptions o;
    o.budget = 200;
    if (design) o.design_win_share = 0.65;
    const double tau = decision_threshold(o);
    CHECK(tau < 2.0 / o.alpha);
    CHECK(tau > 10.0);
    auto fpr = [&](double threshold) {
      SequentialOptions t = o;
      t.threshold = threshold;
      t.futility_beta = 0.0;  // the calibration ignores futility (non-binding)
      const auto c = sequential_crossing(sequential_boundary(o.budget, t), 0.5);
      return c.p_b_better + c.p_b_worse;
    };
    INFO("design " << design << " threshold " << tau);
    CHECK(fpr(tau) <= o.alpha);
    CHECK(fpr(tau * (1.0 - 1e-8)) > o.alpha);  // the smallest such threshold
    // A simulation with every pair discordant (the worst case) agrees with the exact value.
    const int sims = 4000;
    const auto s = simulate_sequential(0.5, 0.5, 1.0, o, sims, 3);
    const double exact = fpr(tau);
    CHECK(std::abs(s.p_b_better + s.p_b_worse - exact) <=
          4.0 * std::sqrt(exact * (1 - exact) / sims));
  }
}

TEST_CASE("The designed test reaches the power at the anchors' savings",
          "[metrics][sequential][plan]") {
  struct Case {
    double p0, delta, discordance;
    bool paired;
    Alternative alternative;
    double min_saving;
  };
  // Paired (common random numbers: outcomes agree on 80% of seeds), independent, one-sided in
  // both directions. Savings at the design point against the exact fixed-N design (McNemar;
  // Barnard for independent policies, which saves less: Barnard uses both margins).
  const Case cases[] = {{0.5, 0.1, 0.2, true, Alternative::kTwoSided, 0.40},
                        {0.6, 0.15, 0.25, true, Alternative::kGreater, 0.40},
                        {0.7, -0.15, 0.25, true, Alternative::kLess, 0.40},
                        {0.3, 0.2, std::nan(""), false, Alternative::kTwoSided, 0.33}};
  for (const auto& c : cases) {
    PlanRequest r;
    r.p0 = c.p0;
    r.delta = c.delta;
    r.paired = c.paired;
    r.discordance = c.discordance;
    r.alternative = c.alternative;
    r.simulations = 0;
    const auto plan = plan_sample_size(r);
    const auto& d = plan.design;
    INFO("p0 " << c.p0 << " delta " << c.delta << " fixed " << d.fixed_n << " expected "
               << d.expected_pairs << " power " << d.power << " fpr " << d.false_positive_rate);
    CHECK(d.fixed_n == plan.batch_exact);
    CHECK(d.power >= 0.8);
    CHECK(d.false_positive_rate <= 0.05);
    CHECK(d.false_positive_rate >= 0.045);  // the thresholds spend alpha
    CHECK(d.saving(d.expected_pairs) >= c.min_saving);
    CHECK(d.expected_pairs_null < d.fixed_n);
    // The class with these options is the table the numbers come from, and the thresholds
    // are the smallest that hold alpha: lowering the decision threshold breaks it.
    const auto table = sequential_boundary(d.options.max_discordant, d.options);
    const auto at_null = sequential_crossing(table, 0.5);
    CHECK(at_null.p_b_better + at_null.p_b_worse == Approx(d.false_positive_rate));
    SequentialOptions lower = d.options;
    lower.threshold *= 1.0 - 1e-8;
    const auto broken = sequential_crossing(sequential_boundary(lower.max_discordant, lower), 0.5);
    CHECK(broken.p_b_better + broken.p_b_worse > 0.05);
  }
}

TEST_CASE("A simulation of the designed test agrees with its exact numbers",
          "[metrics][sequential][simulation]") {
  PlanRequest r;
  r.p0 = 0.5;
  r.delta = 0.1;
  r.paired = true;
  r.discordance = 0.2;
  r.simulations = 4000;
  r.seed = 17;
  const auto plan = plan_sample_size(r);
  const auto& d = plan.design;
  const double n = static_cast<double>(r.simulations);
  CHECK(std::abs(plan.sequential.p_b_better - d.power) <=
        4.0 * std::sqrt(d.power * (1 - d.power) / n));
  const double fpr_sim = plan.sequential_null.p_b_better + plan.sequential_null.p_b_worse;
  CHECK(std::abs(fpr_sim - d.false_positive_rate) <= 4.0 * std::sqrt(0.05 * 0.95 / n));
  // Expected episode pairs: E[discordant] / D (Wald's identity); the simulation draws pairs.
  CHECK(plan.sequential.mean_pairs == Approx(d.expected_pairs).epsilon(0.05));
  CHECK(plan.sequential_null.mean_pairs == Approx(d.expected_pairs_null).epsilon(0.05));
}

TEST_CASE("The exact p-value is at most alpha exactly when the test decides",
          "[metrics][sequential]") {
  PlanRequest r;
  r.p0 = 0.5;
  r.delta = 0.2;
  r.paired = true;
  r.discordance = 0.3;
  r.simulations = 0;
  const auto designed = plan_sample_size(r).design.options;
  SequentialOptions calibrated;
  calibrated.budget = 120;
  int decided = 0;
  int undecided = 0;
  for (const auto& o : {designed, calibrated}) {
    const SequentialPairedTest fresh(o);
    Xoshiro256 rng(23);
    for (int run = 0; run < 150; ++run) {
      SequentialPairedTest t = fresh;
      const double q = 0.35 + 0.35 * rng.uniform();
      int step = 0;
      while (!t.finished()) {
        const bool b_wins = rng.bernoulli(q);
        t.update(!b_wins, b_wins);
        if (!t.finished() && ++step % 16 == 0) CHECK(t.exact_p_value() > o.alpha);
      }
      const double p = t.exact_p_value();
      INFO("run " << run << " decision " << to_string(t.decision()) << " p " << p << " Ville p "
                  << t.p_value());
      CHECK((t.decision() != SequentialDecision::kUndecided) == (p <= o.alpha));
      CHECK(p >= 0.0);
      CHECK(p <= t.p_value() + 1e-12);  // never above Ville's bound
      (t.decision() != SequentialDecision::kUndecided ? decided : undecided) += 1;
    }
  }
  CHECK(decided >= 50);
  CHECK(undecided >= 50);
}

TEST_CASE("A large effect is found in a fraction of the batch size", "[metrics][sequential]") {
  PlanRequest r;
  r.p0 = 0.3;
  r.delta = 0.3;
  r.simulations = 2000;
  const auto plan = plan_sample_size(r);
  CHECK(plan.exact_test == "barnard");
  CHECK(plan.sequential.p_b_better >= 0.8);
  CHECK(plan.sequential.mean_pairs < 0.85 * static_cast<double>(plan.batch_exact));
  CHECK(plan.design.false_positive_rate <= 0.05);
}

TEST_CASE("Sequential options reject impossible settings", "[metrics][sequential]") {
  SequentialOptions o;
  o.alpha = 1.5;
  CHECK_THROWS_AS(SequentialPairedTest(o), std::invalid_argument);
  o = {};
  o.design_win_share = 0.4;
  CHECK_THROWS_WITH(SequentialPairedTest(o), Catch::Contains("(0.5, 1)"));
  CHECK(design_win_share(0.5, 0.6) == Approx(0.6));
  CHECK(design_win_share(0.5, 0.6, 0.2) == Approx(0.75));
}

TEST_CASE("The bounded-score sequential test holds alpha and its confidence sequence covers",
          "[metrics][sequential][simulation]") {
  // Paired continuous scores with the same distribution (H0) and with a shift of 0.1.
  const int sims = 600;
  int false_positives = 0;
  int covered = 0;
  int detected = 0;
  for (int s = 0; s < sims; ++s) {
    Xoshiro256 rng(stream_seed(7, 0, static_cast<std::uint64_t>(s)));
    SequentialOptions o;
    o.budget = 300;
    SequentialBoundedTest null_test(o);
    SequentialBoundedTest shifted(o);
    for (int i = 0; i < 300; ++i) {
      const double base = rng.uniform();
      const double a = std::clamp(base + 0.2 * (rng.uniform() - 0.5), 0.0, 1.0);
      const double b = std::clamp(base + 0.2 * (rng.uniform() - 0.5), 0.0, 1.0);
      null_test.update(a, b);
      shifted.update(a * 0.8, std::min(1.0, a * 0.8 + 0.1 + 0.1 * (rng.uniform() - 0.5)));
    }
    false_positives += null_test.decision() != SequentialDecision::kUndecided ? 1 : 0;
    const auto ci = null_test.difference_interval();
    covered += (ci.lo <= 0.0 && 0.0 <= ci.hi) ? 1 : 0;
    detected += shifted.decision() == SequentialDecision::kBBetter ? 1 : 0;
  }
  INFO("false positives " << false_positives << " covered " << covered << " detected " << detected);
  CHECK(false_positives <= fpr_tolerance(0.05, sims) * sims);
  CHECK(covered >= 0.95 * sims - 2.6 * std::sqrt(0.05 * 0.95 * sims));
  CHECK(detected >= 0.95 * sims);
  SequentialBoundedTest t;
  CHECK_THROWS_AS(t.update(0.5, 1.5), std::invalid_argument);
}
