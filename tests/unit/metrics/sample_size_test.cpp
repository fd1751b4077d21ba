#include <boost/math/distributions/binomial.hpp>
#include <catch2/catch.hpp>
#include <cmath>

#include "metrics/effect_size.hpp"
#include "metrics/paired_comparison.hpp"
#include "metrics/sample_size.hpp"
#include "metrics/unconditional_exact.hpp"

using namespace gauntlet::metrics;

TEST_CASE("Barnard's exact power sums the probabilities of the rejected tables",
          "[metrics][plan]") {
  const std::int64_t n1 = 12;
  const std::int64_t n2 = 14;
  const double p1 = 0.7;
  const double p2 = 0.3;
  for (auto alternative : {Alternative::kTwoSided, Alternative::kGreater}) {
    const boost::math::binomial_distribution<double> b1(static_cast<double>(n1), p1);
    const boost::math::binomial_distribution<double> b2(static_cast<double>(n2), p2);
    double power = 0.0;
    for (std::int64_t x1 = 0; x1 <= n1; ++x1) {
      for (std::int64_t x2 = 0; x2 <= n2; ++x2) {
        const auto t = TwoByTwo::from_proportions(x1, n1, x2, n2);
        if (barnard_exact(t, alternative).p_value <= 0.05) {
          power += boost::math::pdf(b1, static_cast<double>(x1)) *
                   boost::math::pdf(b2, static_cast<double>(x2));
        }
      }
    }
    INFO(to_string(alternative));
    CHECK(barnard_power(n1, n2, p1, p2, 0.05, alternative) == Approx(power).margin(1e-12));
  }
  CHECK(barnard_power(10, 10, 0.4, 0.4, 0.05) <= 0.05);
}

TEST_CASE("The unpaired plan is the first n whose exact power reaches the target",
          "[metrics][plan]") {
  PlanRequest r;
  r.p0 = 0.6;
  r.delta = 0.25;
  r.simulations = 0;
  const auto plan = plan_sample_size(r);
  CHECK(plan.exact_test == "barnard");
  CHECK(plan.batch_exact_power >= 0.8);
  CHECK(barnard_power(plan.batch_exact - 1, plan.batch_exact - 1, 0.85, 0.6, 0.05) < 0.8);
  const double h = cohens_h(0.85, 0.6);
  CHECK(plan.batch_normal ==
        static_cast<std::int64_t>(std::ceil(normal_sample_size(h, 0.05, 0.8))));
  CHECK(std::abs(plan.batch_exact - plan.batch_normal) <= plan.batch_normal / 5);
}

TEST_CASE("The paired plan uses exact McNemar and the discordance", "[metrics][plan]") {
  PlanRequest r;
  r.p0 = 0.6;
  r.delta = 0.1;
  r.paired = true;
  r.discordance = 0.2;
  r.simulations = 500;
  const auto plan = plan_sample_size(r);
  CHECK(plan.exact_test == "mcnemar");
  CHECK(plan.batch_exact_power >= 0.8);
  CHECK(mcnemar_power(plan.batch_exact - 1, 0.05, 0.15, 0.05) < 0.8);
  // Connor (1987): (1.96 sqrt(0.2) + 0.8416 sqrt(0.19))^2 / 0.01 = 154.5
  CHECK(plan.batch_normal == 155);
  CHECK(std::abs(plan.batch_exact - plan.batch_normal) <= 15);
  // Common random numbers help: fewer pairs than independent policies need.
  PlanRequest independent = r;
  independent.paired = false;
  independent.simulations = 0;
  CHECK(plan.batch_exact < plan_sample_size(independent).batch_exact / 2);
  CHECK(plan.sequential.mean_pairs < static_cast<double>(plan.batch_exact));
}

TEST_CASE("Impossible plans are refused with the valid range", "[metrics][plan]") {
  PlanRequest r;
  r.p0 = 0.6;
  r.delta = 0.1;
  r.paired = true;
  r.discordance = 0.05;
  CHECK_THROWS_WITH(plan_sample_size(r), Catch::Contains("[0.1, 0.7]"));
  r.discordance = std::nan("");
  r.delta = 0.5;
  CHECK_THROWS_WITH(plan_sample_size(r), Catch::Contains("[0, 1]"));
  r.delta = 0.1;
  r.alternative = Alternative::kLess;
  CHECK_THROWS_AS(plan_sample_size(r), std::invalid_argument);
}
