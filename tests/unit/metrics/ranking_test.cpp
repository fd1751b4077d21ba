#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "metrics/bradley_terry.hpp"
#include "metrics/letter_display.hpp"
#include "metrics/paired_comparison.hpp"
#include "metrics/random.hpp"
#include "metrics/rank_distribution.hpp"

using namespace gauntlet::metrics;

namespace {

// Policies of the given success rates on shared episodes: each episode has a difficulty u, and
// policy p succeeds when u < rate[p] (perfectly nested successes, the strongest pairing), mixed
// with independent noise so that discordant pairs go both ways.
std::vector<TaskScores> field(std::uint64_t seed, const std::vector<double>& rates,
                              std::size_t tasks, std::size_t episodes) {
  Xoshiro256 rng(seed);
  std::vector<TaskScores> out(rates.size());
  for (std::size_t t = 0; t < tasks; ++t) {
    std::vector<std::vector<double>> v(rates.size(), std::vector<double>(episodes));
    for (std::size_t e = 0; e < episodes; ++e) {
      const double u = rng.uniform();
      for (std::size_t p = 0; p < rates.size(); ++p) {
        const double draw = rng.bernoulli(0.5) ? u : rng.uniform();
        v[p][e] = draw < rates[p] ? 1.0 : 0.0;
      }
    }
    for (std::size_t p = 0; p < rates.size(); ++p) out[p].add_task(v[p]);
  }
  return out;
}

bool valid_display(std::size_t n, const std::vector<std::uint8_t>& sig,
                   const std::vector<std::string>& letters) {
  for (std::size_t i = 0; i < n; ++i) {
    if (letters[i].empty()) return false;
    for (std::size_t j = i + 1; j < n; ++j) {
      bool share = false;
      for (char c : letters[i]) share |= letters[j].find(c) != std::string::npos;
      if (share == (sig[i * n + j] != 0)) return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("Rank probabilities form a doubly stochastic matrix and find a clear winner",
          "[metrics][ranking]") {
  const auto policies = field(1, {0.2, 0.5, 0.52, 0.9}, 6, 30);
  RankOptions options;
  options.bootstrap.resamples = 2000;
  const auto ranks = rank_distribution(policies, {}, options);
  REQUIRE(ranks.policies == 4);
  for (std::size_t p = 0; p < 4; ++p) {
    double row = 0.0;
    double col = 0.0;
    for (std::size_t r = 1; r <= 4; ++r) {
      row += ranks.at(p, r);
      col += ranks.at(r - 1, p + 1);
    }
    CHECK(row == Approx(1.0));
    CHECK(col == Approx(1.0));
  }
  CHECK(ranks.p_best[3] > 0.99);
  CHECK(ranks.rank_lo[3] == 1);
  CHECK(ranks.rank_hi[3] == 1);
  CHECK(ranks.rank_lo[0] == 4);
  // The two middle policies are close: both ranks are plausible for each.
  CHECK(ranks.rank_lo[1] == 2);
  CHECK(ranks.rank_hi[1] == 3);
  CHECK(ranks.mean_rank[3] < ranks.mean_rank[2]);
}

TEST_CASE("Tied policies share their ranks equally", "[metrics][ranking]") {
  const auto a = TaskScores::from_tasks({{1, 0, 1, 0}});
  const TaskScores same[3] = {a, a, TaskScores::from_tasks({{0, 0, 0, 0}})};
  RankOptions options;
  options.bootstrap.resamples = 500;
  const auto ranks = rank_distribution(same, {}, options);
  CHECK(ranks.at(0, 1) == Approx(ranks.at(1, 1)));
  CHECK(ranks.at(0, 1) + ranks.at(0, 2) == Approx(1.0).margin(0.05));
}

TEST_CASE("Bradley-Terry with two policies gives the log odds of their wins", "[metrics][bt]") {
  WinMatrix w;
  w.policies = 2;
  w.wins = {0, 30, 10, 0};
  BradleyTerryOptions o;
  o.prior_wins = 0.0;
  const auto fit = fit_bradley_terry(w, o);
  REQUIRE(fit.converged);
  CHECK(fit.elo[0] - fit.elo[1] == Approx(400.0 * std::log10(3.0)).margin(1e-6));
  CHECK(fit.elo[0] + fit.elo[1] == Approx(2000.0));
  CHECK(elo_win_probability(fit.elo[0], fit.elo[1]) == Approx(0.75).margin(1e-9));
}

TEST_CASE("Bradley-Terry refuses an unidentifiable maximum-likelihood fit", "[metrics][bt]") {
  WinMatrix w;
  w.policies = 3;
  w.wins = {0, 5, 3, 0, 0, 2, 0, 1, 0};  // policy 0 never loses
  BradleyTerryOptions o;
  o.prior_wins = 0.0;
  CHECK_THROWS_WITH(fit_bradley_terry(w, o), Catch::Contains("strongly connected"));
  o.prior_wins = 0.5;
  const auto fit = fit_bradley_terry(w, o);
  CHECK(fit.converged);
  CHECK(fit.elo[0] > fit.elo[1]);
}

TEST_CASE("Bradley-Terry orders policies by strength with bootstrap intervals", "[metrics][bt]") {
  const auto policies = field(4, {0.3, 0.5, 0.7}, 5, 60);
  BootstrapOptions b;
  b.resamples = 400;
  const auto bt = bradley_terry(policies, {}, b);
  REQUIRE(bt.fit.converged);
  CHECK(bt.fit.elo[0] < bt.fit.elo[1]);
  CHECK(bt.fit.elo[1] < bt.fit.elo[2]);
  double mean = 0.0;
  for (double e : bt.fit.elo) mean += e;
  CHECK(mean / 3.0 == Approx(1000.0));
  for (std::size_t p = 0; p < 3; ++p) {
    CHECK(bt.elo_interval[p].lo < bt.fit.elo[p]);
    CHECK(bt.elo_interval[p].hi > bt.fit.elo[p]);
  }
  CHECK(bt.elo_interval[0].hi < bt.elo_interval[2].lo);
  // The fit satisfies the likelihood equations: observed wins = expected wins, per policy.
  for (std::size_t i = 0; i < 3; ++i) {
    double observed = 0.0;
    double expected = 0.0;
    for (std::size_t j = 0; j < 3; ++j) {
      if (i == j) continue;
      const double games = bt.wins(i, j) + bt.wins(j, i) + 1.0;
      observed += bt.wins(i, j) + 0.5;
      expected += games * bt.fit.strength[i] / (bt.fit.strength[i] + bt.fit.strength[j]);
    }
    CHECK(observed == Approx(expected).epsilon(1e-6));
  }
}

TEST_CASE("Compact letter display reproduces a textbook pattern", "[metrics][cld]") {
  // Four policies best first; only 0-3 and 1-3 differ: "a", "a", "ab", "b".
  const std::size_t n = 4;
  std::vector<std::uint8_t> sig(n * n, 0);
  sig[0 * n + 3] = sig[3 * n + 0] = 1;
  sig[1 * n + 3] = sig[3 * n + 1] = 1;
  const auto letters = compact_letter_display(n, sig);
  CHECK(letters == std::vector<std::string>{"a", "a", "ab", "b"});
  CHECK(compact_letter_display(n, std::vector<std::uint8_t>(n * n, 0)) ==
        std::vector<std::string>{"a", "a", "a", "a"});
}

TEST_CASE("Policies share a letter exactly when they are not significantly different",
          "[metrics][cld]") {
  Xoshiro256 rng(21);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 2 + rng.below(9);
    std::vector<std::uint8_t> sig(n * n, 0);
    const double density = rng.uniform();
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 1; j < n; ++j) {
        sig[i * n + j] = sig[j * n + i] = rng.bernoulli(density) ? 1 : 0;
      }
    }
    const auto letters = compact_letter_display(n, sig);
    INFO("trial " << trial << " n " << n);
    CHECK(valid_display(n, sig, letters));
  }
}

TEST_CASE("Letters follow the order of the policies and adjust p-values first", "[metrics][cld]") {
  const std::size_t n = 3;
  // p-values: 0 vs 1: 0.001, 0 vs 2: 0.02, 1 vs 2: 0.5. Holm: 0.003, 0.04, 0.5.
  const std::vector<double> p{1, 0.001, 0.02, 0.001, 1, 0.5, 0.02, 0.5, 1};
  const auto sig = significance_matrix(n, p, 0.05, Adjustment::kHolm);
  CHECK(sig[0 * n + 1] == 1);
  CHECK(sig[0 * n + 2] == 1);
  CHECK(sig[1 * n + 2] == 0);
  const std::vector<std::size_t> order{2, 1, 0};  // policy 2 is best
  const auto letters = compact_letter_display(n, sig, order);
  CHECK(letters[2] == "a");
  CHECK(letters[1] == "a");
  CHECK(letters[0] == "b");
  CHECK_THROWS_AS(compact_letter_display(n, sig, std::vector<std::size_t>{0, 0, 1}),
                  std::invalid_argument);
}

TEST_CASE("A leaderboard's letters come from Holm-adjusted pairwise McNemar tests",
          "[metrics][cld]") {
  const auto policies = field(6, {0.2, 0.5, 0.52, 0.85}, 5, 60);
  const auto p = pairwise_mcnemar_p_values(policies);
  REQUIRE(p.size() == 16);
  CHECK(p[0] == 1.0);
  CHECK(p[1 * 4 + 2] == p[2 * 4 + 1]);
  const auto sig = significance_matrix(4, p, 0.05, Adjustment::kHolm);
  const std::vector<std::size_t> best_first{3, 2, 1, 0};
  const auto letters = compact_letter_display(4, sig, best_first);
  CHECK(letters[3] == "a");
  CHECK(letters[1] == letters[2]);  // 0.50 and 0.52 are indistinguishable
  CHECK(letters[0] != letters[1]);
}
