#include <catch2/catch.hpp>
#include <cmath>

#include "metrics/effect_size.hpp"
#include "metrics/fisher_exact.hpp"
#include "metrics/metrics.hpp"
#include "metrics/unconditional_exact.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;

TEST_CASE("Fisher, Barnard and Boschloo equal scipy to 1e-6 over a grid of 2x2 tables",
          "[metrics][exact][golden]") {
  const auto golden = gauntlet::metrics::test::run_golden("exact_tests");
  if (!golden) return;
  REQUIRE(golden->rows.size() > 500);
  for (std::size_t i = 0; i < golden->rows.size(); ++i) {
    const TwoByTwo t{static_cast<std::int64_t>(golden->number(i, "a")),
                     static_cast<std::int64_t>(golden->number(i, "b")),
                     static_cast<std::int64_t>(golden->number(i, "c")),
                     static_cast<std::int64_t>(golden->number(i, "d"))};
    const auto alternative = parse_alternative(golden->text(i, "alternative"));
    const std::string& test = golden->text(i, "test");
    double statistic = 0.0;
    double p = 0.0;
    if (test == "fisher") {
      const auto r = fisher_exact(t, alternative);
      statistic = r.statistic;
      p = r.p_value;
    } else if (test == "boschloo") {
      const auto r = boschloo_exact(t, alternative);
      statistic = r.statistic;
      p = r.p_value;
    } else {
      const auto r = barnard_exact(t, alternative, test == "barnard");
      statistic = r.statistic;
      p = r.p_value;
    }
    const double want_stat = golden->number(i, "statistic");
    const double want_p = golden->number(i, "p");
    INFO(test << " " << to_string(alternative) << " [[" << t.a << ", " << t.b << "], [" << t.c
              << ", " << t.d << "]] p=" << p << " scipy=" << want_p);
    CHECK(p == Approx(want_p).margin(1e-6).epsilon(0));
    if (std::isnan(want_stat)) {
      CHECK(std::isnan(statistic));
    } else if (std::isinf(want_stat)) {
      CHECK(statistic == want_stat);
    } else {
      CHECK(statistic == Approx(want_stat).margin(1e-9).epsilon(1e-9));
    }
  }
}

TEST_CASE("Barnard's test is more powerful than Fisher's on the vaccine example",
          "[metrics][exact]") {
  // scipy's documentation example: 7/15 infected with vaccine, 12/15 with placebo.
  const auto t = TwoByTwo{7, 12, 8, 3};
  const auto barnard = barnard_exact(t, Alternative::kLess);
  CHECK(barnard.statistic == Approx(-1.894).margin(1e-3));
  CHECK(barnard.p_value == Approx(0.03407).margin(1e-5));
  CHECK(fisher_exact(t, Alternative::kLess).p_value == Approx(0.0640).margin(1e-4));
}

TEST_CASE("Tables with an empty sample give p = 1 and no statistic", "[metrics][exact]") {
  const auto t = TwoByTwo::from_proportions(0, 0, 3, 10);
  CHECK(fisher_exact(t).p_value == 1.0);
  CHECK(barnard_exact(t).p_value == 1.0);
  CHECK(std::isnan(barnard_exact(t).statistic));
  CHECK(std::isnan(boschloo_exact(t).p_value));
  CHECK_THROWS_AS(TwoByTwo::from_proportions(4, 3, 1, 2), std::invalid_argument);
  CHECK_THROWS_AS(fisher_exact(TwoByTwo{-1, 2, 3, 4}), std::invalid_argument);
}

TEST_CASE("Newcombe interval and Cohen's h equal statsmodels to 1e-9",
          "[metrics][effect][golden]") {
  const auto golden = gauntlet::metrics::test::run_golden("newcombe");
  if (!golden) return;
  for (std::size_t i = 0; i < golden->rows.size(); ++i) {
    const auto k1 = static_cast<std::int64_t>(golden->number(i, "k1"));
    const auto n1 = static_cast<std::int64_t>(golden->number(i, "n1"));
    const auto k2 = static_cast<std::int64_t>(golden->number(i, "k2"));
    const auto n2 = static_cast<std::int64_t>(golden->number(i, "n2"));
    const auto r = risk_difference(k1, n1, k2, n2, golden->number(i, "level"));
    INFO(k1 << "/" << n1 << " vs " << k2 << "/" << n2);
    CHECK(r.interval.lo == Approx(golden->number(i, "lo")).margin(1e-9));
    CHECK(r.interval.hi == Approx(golden->number(i, "hi")).margin(1e-9));
    CHECK(r.cohens_h == Approx(golden->number(i, "h")).margin(1e-9));
  }
}

TEST_CASE("Normal power, sample size and detectable effect equal statsmodels NormalIndPower",
          "[metrics][effect][golden]") {
  const auto golden = gauntlet::metrics::test::run_golden("power");
  if (!golden) return;
  for (std::size_t i = 0; i < golden->rows.size(); ++i) {
    const std::string& kind = golden->text(i, "kind");
    const auto alternative = parse_alternative(golden->text(i, "alternative"));
    const double h = golden->number(i, "h");
    const double n1 = golden->number(i, "n1");
    const double ratio = golden->number(i, "ratio");
    const double alpha = golden->number(i, "alpha");
    const double power = golden->number(i, "power");
    const double want = golden->number(i, "value");
    INFO(kind << " " << to_string(alternative) << " h=" << h << " n1=" << n1 << " power=" << power);
    if (kind == "power") {
      CHECK(normal_power(h, n1, alpha, ratio, alternative) == Approx(want).margin(1e-12));
    } else if (kind == "nobs") {
      CHECK(normal_sample_size(h, alpha, power, ratio, alternative) == Approx(want).epsilon(1e-6));
    } else {
      // statsmodels stops its root search once the power is within ~1e-6 of the target, so
      // its h is good to a few 1e-5 relative; ours solves the power equation to 1e-12.
      const double h_ours = detectable_cohens_h(n1, alpha, power, ratio, alternative);
      CHECK(h_ours == Approx(want).epsilon(5e-5));
      const double signed_h = alternative == Alternative::kLess ? -h_ours : h_ours;
      CHECK(normal_power(signed_h, n1, alpha, ratio, alternative) == Approx(power).margin(1e-12));
    }
  }
}

TEST_CASE("The minimum detectable difference maps Cohen's h back to success rates",
          "[metrics][effect]") {
  const auto d = minimum_detectable_difference(0.6, 100, 100, 0.05, 0.8);
  CHECK(d.cohens_h == Approx(0.3962).margin(1e-3));
  CHECK(cohens_h(0.6 + d.up, 0.6) == Approx(d.cohens_h).margin(1e-12));
  CHECK(cohens_h(0.6, 0.6 - d.down) == Approx(d.cohens_h).margin(1e-12));
  CHECK(std::isnan(minimum_detectable_difference(0.99, 5, 5, 0.05, 0.8).up));
}

TEST_CASE("Comparing two success rates orients every test as B against A", "[metrics][exact]") {
  // A (baseline) 7/15, B (candidate) 12/15: B is better.
  const auto greater =
      compare_proportions(7, 15, 12, 15, UnpairedTest::kBarnard, Alternative::kGreater);
  CHECK(greater.p_value == Approx(0.03407).margin(1e-5));  // scipy's vaccine example, mirrored
  CHECK(greater.statistic == Approx(1.894).margin(1e-3));
  CHECK(greater.difference == Approx(5.0 / 15.0));
  CHECK(greater.difference_interval.lo < greater.difference);
  CHECK(greater.cohens_h > 0.0);
  const auto less = compare_proportions(7, 15, 12, 15, UnpairedTest::kFisher, Alternative::kLess);
  CHECK(less.p_value > 0.9);
  for (auto test : {UnpairedTest::kFisher, UnpairedTest::kBarnard, UnpairedTest::kBoschloo}) {
    CHECK(parse_unpaired_test(to_string(test)) == test);
    CHECK(compare_proportions(7, 15, 12, 15, test).p_value < 0.2);
  }
  CHECK_THROWS_WITH(parse_unpaired_test("chi2"), Catch::Contains("fisher, barnard, boschloo"));
  CHECK_THROWS_AS(compare_proportions(1, 0, 1, 2), std::invalid_argument);
}
