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

TEST_CASE("The sequential false-positive rate stays at or below alpha under the null",
          "[metrics][sequential][simulation]") {
  // 2,000 null comparisons per setting (the benchmark runs 10,000+): equal success rates,
  // independent policies, a look after every pair.
  const int sims = 2000;
  for (double p : {0.2, 0.5, 0.8}) {
    for (int variant = 0; variant < 3; ++variant) {
      SequentialOptions o;
      o.budget = 300;
      if (variant == 1) o.calibrate = false;  // Ville's threshold 2 / alpha
      if (variant == 2) o.design_win_share = 0.62;
      const auto s = simulate_sequential(p, p, std::nan(""), o, sims, 99);
      const double fpr = s.p_b_better + s.p_b_worse;
      INFO("p=" << p << " variant " << variant << " false-positive rate " << fpr);
      CHECK(fpr <= fpr_tolerance(o.alpha, sims));
    }
  }
}

TEST_CASE("The calibrated threshold spends the whole alpha within the budget",
          "[metrics][sequential][simulation]") {
  // Worst case for the calibration: every pair discordant (discordance 1) at q = 1/2. The
  // crossing chance is then alpha up to the discreteness of the boundary.
  SequentialOptions o;
  o.budget = 200;
  const double tau = decision_threshold(o);
  CHECK(tau < 2.0 / o.alpha);
  CHECK(tau > 10.0);
  const int sims = 4000;
  const auto s = simulate_sequential(0.5, 0.5, 1.0, o, sims, 3);
  const double fpr = s.p_b_better + s.p_b_worse;
  INFO("false-positive rate " << fpr << " threshold " << tau);
  CHECK(fpr <= fpr_tolerance(o.alpha, sims));
  CHECK(fpr >= 0.6 * o.alpha);
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
  CHECK(plan.sequential_null.p_b_better + plan.sequential_null.p_b_worse <=
        fpr_tolerance(0.05, 2000));
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
