#include "metrics/proportion_interval.hpp"

#include <catch2/catch.hpp>

using gauntlet::metrics::wilson_interval;

TEST_CASE("Wilson interval matches the closed form at 7 of 20", "[metrics][wilson]") {
  // statsmodels.stats.proportion.proportion_confint(7, 20, method='wilson')
  const auto ci = wilson_interval(7, 20, 0.95);
  CHECK(ci.lo == Approx(0.18119182410108203).epsilon(1e-9));
  CHECK(ci.hi == Approx(0.5671457233147638).epsilon(1e-9));
}

TEST_CASE("Wilson interval stays inside [0,1] at k = 0 and k = n", "[metrics][wilson]") {
  CHECK(wilson_interval(0, 10).lo == 0.0);
  CHECK(wilson_interval(10, 10).hi == 1.0);
  CHECK(wilson_interval(0, 10).hi > 0.0);
}
