#include <catch2/catch.hpp>
#include <cmath>
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
