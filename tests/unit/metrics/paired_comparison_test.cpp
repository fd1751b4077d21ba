#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <sstream>

#include "metrics/paired_comparison.hpp"
#include "metrics/random.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;

namespace {

// Paired success flags of two policies: A succeeds w.p. p_a; B copies A with probability
// `copy` (common random numbers make outcomes agree) and otherwise succeeds w.p. p_b_fresh.
std::pair<TaskScores, TaskScores> paired_flags(std::uint64_t seed, std::size_t tasks,
                                               std::size_t episodes, double p_a, double copy,
                                               double p_b_fresh) {
  Xoshiro256 rng(seed);
  TaskScores a;
  TaskScores b;
  for (std::size_t t = 0; t < tasks; ++t) {
    std::vector<double> va(episodes);
    std::vector<double> vb(episodes);
    for (std::size_t e = 0; e < episodes; ++e) {
      va[e] = rng.bernoulli(p_a) ? 1.0 : 0.0;
      vb[e] = rng.bernoulli(copy) ? va[e] : (rng.bernoulli(p_b_fresh) ? 1.0 : 0.0);
    }
    a.add_task(va);
    b.add_task(vb);
  }
  return {a, b};
}

}  // namespace

TEST_CASE("Exact McNemar equals statsmodels and scipy, and CMH equals StratifiedTable",
          "[metrics][paired][golden]") {
  std::vector<std::vector<TwoByTwo>> families;
  Xoshiro256 rng(3);
  for (int f = 0; f < 4; ++f) {
    std::vector<TwoByTwo> tables;
    for (int t = 0; t < 3 + f * 2; ++t) {
      const auto n1 = static_cast<std::int64_t>(5 + rng.below(30));
      const auto n2 = static_cast<std::int64_t>(5 + rng.below(30));
      const double p = 0.2 + 0.6 * rng.uniform();
      std::int64_t k1 = 0;
      std::int64_t k2 = 0;
      for (std::int64_t i = 0; i < n1; ++i) k1 += rng.bernoulli(p) ? 1 : 0;
      for (std::int64_t i = 0; i < n2; ++i) k2 += rng.bernoulli(p + 0.1 * f - 0.1) ? 1 : 0;
      tables.push_back(TwoByTwo::from_proportions(k1, n1, k2, n2));
    }
    families.push_back(tables);
  }
  std::ostringstream in;
  in << "family,a,b,c,d\n";
  for (std::size_t f = 0; f < families.size(); ++f) {
    for (const auto& t : families[f])
      in << f << "," << t.a << "," << t.b << "," << t.c << "," << t.d << "\n";
  }
  const auto golden = gauntlet::metrics::test::run_golden("paired", in.str());
  if (!golden) return;
  for (std::size_t i = 0; i < golden->rows.size(); ++i) {
    const std::string& kind = golden->text(i, "kind");
    if (kind == "mcnemar") {
      PairedCounts c;
      c.a_only = static_cast<std::int64_t>(golden->number(i, "x"));
      c.b_only = static_cast<std::int64_t>(golden->number(i, "y"));
      INFO("McNemar " << c.a_only << " vs " << c.b_only);
      const double p = mcnemar_exact(c).p_value;
      CHECK(p == Approx(golden->number(i, "v1")).margin(1e-12));
      CHECK(p == Approx(golden->number(i, "v2")).margin(1e-12));
      continue;
    }
    const auto f = static_cast<std::size_t>(golden->number(i, "x"));
    if (kind == "cmh") {
      const bool correction = golden->number(i, "y") != 0.0;
      const auto r = cochran_mantel_haenszel(families[f], correction);
      INFO("CMH family " << f << " correction " << correction);
      CHECK(r.statistic == Approx(golden->number(i, "v1")).margin(1e-10));
      CHECK(r.p_value == Approx(golden->number(i, "v2")).margin(1e-10));
      if (!correction) {
        // The signed score squares to the statistic and has the Mantel-Haenszel difference's sign.
        CHECK(r.z * r.z == Approx(golden->number(i, "v1")).margin(1e-10));
        CHECK((r.z > 0) == (r.risk_difference > 0));
        CHECK(r.rate1 - r.rate2 == Approx(r.risk_difference).margin(1e-12));
      }
    } else {
      CHECK(cochran_mantel_haenszel(families[f]).pooled_odds_ratio ==
            Approx(golden->number(i, "v1")).epsilon(1e-12));
    }
  }
}

TEST_CASE("One-sided McNemar p-values are the binomial tails of B's wins", "[metrics][paired]") {
  PairedCounts c;
  c.a_only = 3;
  c.b_only = 12;
  // P(X >= 12), X ~ Binomial(15, 1/2) = (C(15,12) + C(15,13) + C(15,14) + 1) / 2^15
  CHECK(mcnemar_exact(c, Alternative::kGreater).p_value == Approx(576.0 / 32768.0).margin(1e-15));
  CHECK(mcnemar_exact(c, Alternative::kLess).p_value ==
        Approx(1.0 - 121.0 / 32768.0).margin(1e-15));
  CHECK(mcnemar_exact(PairedCounts{}).p_value == 1.0);
}

TEST_CASE("Paired counts reject flags that are not 0 or 1 and mismatched layouts",
          "[metrics][paired]") {
  const std::vector<double> a{1, 0, 1};
  const std::vector<double> b{1, 1};
  CHECK_THROWS_AS(paired_counts(a, b), std::invalid_argument);
  const std::vector<double> c{1, 0.5, 1};
  CHECK_THROWS_WITH(paired_counts(a, c), Catch::Contains("0 or 1"));
  const auto counts = paired_counts(a, std::vector<double>{0, 1, 1});
  CHECK(counts.both == 1);
  CHECK(counts.a_only == 1);
  CHECK(counts.b_only == 1);
  CHECK(counts.neither == 0);
}

TEST_CASE("The paired bootstrap is tighter than unpaired intervals under common random numbers",
          "[metrics][paired]") {
  const auto [a, b] = paired_flags(9, 10, 40, 0.5, 0.8, 0.7);
  BootstrapOptions options;
  options.resamples = 4000;
  const auto paired = paired_bootstrap_difference(a, b, {}, options);
  CHECK(paired.estimate == Approx(aggregate(b) - aggregate(a)));
  CHECK(paired.interval.lo < paired.estimate);
  CHECK(paired.interval.hi > paired.estimate);
  const auto ia = aggregate_interval(a, {}, options);
  const auto ib = aggregate_interval(b, {}, options);
  const double unpaired_se = std::hypot(ia.standard_error, ib.standard_error);
  CHECK(paired.standard_error < 0.8 * unpaired_se);
  options.method = BootstrapMethod::kBca;
  const auto bca = paired_bootstrap_difference(a, b, {}, options);
  CHECK(bca.interval.hi - bca.interval.lo ==
        Approx(paired.interval.hi - paired.interval.lo).epsilon(0.2));
}

TEST_CASE("McNemar's exact power matches simulation of the test", "[metrics][paired]") {
  const double p_a_only = 0.1;
  const double p_b_only = 0.2;
  const std::int64_t n = 80;
  const double power = mcnemar_power(n, p_a_only, p_b_only, 0.05);
  Xoshiro256 rng(17);
  int rejections = 0;
  const int sims = 4000;
  for (int s = 0; s < sims; ++s) {
    PairedCounts c;
    for (std::int64_t i = 0; i < n; ++i) {
      const double u = rng.uniform();
      if (u < p_a_only)
        ++c.a_only;
      else if (u < p_a_only + p_b_only)
        ++c.b_only;
    }
    rejections += mcnemar_exact(c).p_value <= 0.05 ? 1 : 0;
  }
  const double simulated = rejections / static_cast<double>(sims);
  INFO("exact power " << power << " simulated " << simulated);
  CHECK(simulated == Approx(power).margin(4 * std::sqrt(power * (1 - power) / sims)));
  CHECK(mcnemar_power(n, 0.15, 0.15, 0.05) <= 0.05);
}

namespace {

TaskScores flags(const std::vector<std::pair<int, int>>& per_task_pairs_and_ones) {
  TaskScores s;
  for (const auto& [n, ones] : per_task_pairs_and_ones) {
    std::vector<double> v(static_cast<std::size_t>(n), 0.0);
    for (int i = 0; i < ones; ++i) v[static_cast<std::size_t>(i)] = 1.0;
    s.add_task(v);
  }
  return s;
}

// Brute force over every vector of B-win counts: P0(S <= s_obs) with exact integer arithmetic.
double brute_p_less(const std::vector<std::int64_t>& n, const std::vector<std::int64_t>& m,
                    const std::vector<std::int64_t>& wins) {
  std::int64_t lcm = 1;
  for (const auto v : n) lcm = std::lcm(lcm, v);
  std::int64_t obs = 0;
  for (std::size_t t = 0; t < n.size(); ++t) obs += (2 * wins[t] - m[t]) * (lcm / n[t]);
  std::vector<std::int64_t> x(n.size(), 0);
  double p = 0.0;
  while (true) {
    std::int64_t s = 0;
    double w = 1.0;
    for (std::size_t t = 0; t < n.size(); ++t) {
      s += (2 * x[t] - m[t]) * (lcm / n[t]);
      w *= std::exp(std::lgamma(m[t] + 1.0) - std::lgamma(x[t] + 1.0) -
                    std::lgamma(m[t] - x[t] + 1.0)) *
           std::pow(0.5, static_cast<double>(m[t]));
    }
    if (s <= obs) p += w;
    std::size_t t = 0;
    while (t < n.size() && ++x[t] > m[t]) x[t++] = 0;
    if (t == n.size()) break;
  }
  return p;
}

}  // namespace

TEST_CASE("The stratified paired test is McNemar for one task or equal tasks and exact otherwise",
          "[metrics][paired][stratified]") {
  // One task: the exact McNemar test (itself equal to scipy's binomtest, above).
  {
    // A: 14 of 20 succeed; B: the first 5 succeed, then B wins on 3 pairs where A failed.
    std::vector<double> va(20, 0.0), vb(20, 0.0);
    for (int i = 0; i < 14; ++i) va[i] = 1.0;
    for (int i = 0; i < 5; ++i) vb[i] = 1.0;
    for (int i = 14; i < 17; ++i) vb[i] = 1.0;
    TaskScores a, b;
    a.add_task(va);
    b.add_task(vb);
    const auto st = stratified_mcnemar(a, b);
    const auto c = paired_counts(a, b);
    REQUIRE(c.a_only == 9);
    REQUIRE(c.b_only == 3);
    CHECK(st.exact);
    CHECK(st.difference == Approx(-6.0 / 20));
    CHECK(st.p_less == Approx(mcnemar_exact(c, Alternative::kLess).p_value).margin(1e-14));
    CHECK(st.p_greater == Approx(mcnemar_exact(c, Alternative::kGreater).p_value).margin(1e-14));
    CHECK(st.p_two_sided == Approx(mcnemar_exact(c).p_value).margin(1e-14));
  }
  // Equal pairs per task: the pooled McNemar test.
  {
    const auto [a, b] = paired_flags(11, 4, 30, 0.6, 0.5, 0.5);
    const auto st = stratified_mcnemar(a, b);
    const auto c = paired_counts(a, b);
    CHECK(st.p_less == Approx(mcnemar_exact(c, Alternative::kLess).p_value).margin(1e-13));
    CHECK(st.p_two_sided == Approx(mcnemar_exact(c).p_value).margin(1e-13));
  }
  // Unequal pairs per task: brute force over every outcome. A succeeds on the first `ones`
  // episodes; B on the first k, so discordance is |ones - k| in one direction per task, and
  // a second block makes both directions.
  const std::vector<std::pair<int, int>> la{{7, 5}, {12, 3}, {5, 5}, {9, 0}};
  const std::vector<std::pair<int, int>> lb{{7, 2}, {12, 8}, {5, 1}, {9, 4}};
  const TaskScores a = flags(la), b = flags(lb);
  std::vector<std::int64_t> n, m, wins;
  for (std::size_t t = 0; t < la.size(); ++t) {
    n.push_back(la[t].first);
    m.push_back(std::abs(la[t].second - lb[t].second));
    wins.push_back(std::max(0, lb[t].second - la[t].second));
  }
  const auto st = stratified_mcnemar(a, b);
  CHECK(st.exact);
  CHECK(st.difference == Approx((-3.0 / 7 + 5.0 / 12 - 4.0 / 5 + 4.0 / 9) / 4));
  CHECK(st.p_less == Approx(brute_p_less(n, m, wins)).margin(1e-13));
  std::vector<std::int64_t> mirrored;
  for (std::size_t t = 0; t < n.size(); ++t) mirrored.push_back(m[t] - wins[t]);
  CHECK(st.p_greater == Approx(brute_p_less(n, m, mirrored)).margin(1e-13));
  // A coarse lattice rounds each term down: never below the exact p-values, and close.
  const auto coarse = stratified_mcnemar(a, b, 200);
  CHECK_FALSE(coarse.exact);
  CHECK(coarse.p_less >= st.p_less - 1e-15);
  CHECK(coarse.p_greater >= st.p_greater - 1e-15);
  CHECK(coarse.p_less < st.p_less + 0.15);
}

TEST_CASE("The stratified test never contradicts the sign of its own effect",
          "[metrics][paired][stratified]") {
  Xoshiro256 rng(5);
  for (int rep = 0; rep < 200; ++rep) {
    TaskScores a, b;
    const int tasks = 1 + static_cast<int>(rng.below(5));
    for (int t = 0; t < tasks; ++t) {
      const std::size_t n = 1 + rng.below(40);
      std::vector<double> va(n), vb(n);
      const double pa = rng.uniform(), pb = rng.uniform();
      for (std::size_t e = 0; e < n; ++e) {
        va[e] = rng.bernoulli(pa) ? 1.0 : 0.0;
        vb[e] = rng.bernoulli(pb) ? 1.0 : 0.0;
      }
      a.add_task(va);
      b.add_task(vb);
    }
    const auto st = stratified_mcnemar(a, b);
    INFO("rep " << rep << " D " << st.difference);
    if (st.difference >= 0) CHECK(st.p_less >= 0.5 - 1e-12);
    if (st.difference <= 0) CHECK(st.p_greater >= 0.5 - 1e-12);
    CHECK(st.p_two_sided <= 1.0);
  }
}
