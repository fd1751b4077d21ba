// Confidence intervals for one binomial proportion (a success rate).
// Pure functions over counts; the method, the level and the sidedness are explicit arguments.
#pragma once

#include <cstdint>
#include <string_view>

#include "metrics/alternative.hpp"

namespace gauntlet::metrics {

struct Interval {
  double lo = 0.0;
  double hi = 0.0;
};

enum class ProportionMethod { kWilson, kClopperPearson, kJeffreys, kAgrestiCoull };

// Parses "wilson", "exact" / "clopper-pearson", "jeffreys", "agresti-coull".
// Throws std::invalid_argument naming the valid choices.
ProportionMethod parse_proportion_method(std::string_view name);
std::string_view to_string(ProportionMethod method);

// Wilson score interval for k successes in n trials at two-sided `level`
// (e.g. 0.95). n == 0 gives [0, 1].
Interval wilson_interval(std::int64_t k, std::int64_t n, double level = 0.95);

// Two-sided interval. Wilson and exact equal scipy's binomtest(k, n).proportion_ci(); all four
// equal statsmodels' proportion_confint (Jeffreys is the equal-tailed Beta(k+1/2, n-k+1/2)
// posterior interval without boundary modification, as statsmodels computes it).
Interval proportion_interval(std::int64_t k, std::int64_t n, ProportionMethod method,
                             double level = 0.95);

// One-sided intervals: kLess gives [0, hi], kGreater gives [lo, 1], each at confidence `level`
// (as scipy's binomtest(k, n, alternative=...).proportion_ci(); kTwoSided is the call above).
Interval proportion_interval(std::int64_t k, std::int64_t n, ProportionMethod method, double level,
                             Alternative alternative);

}  // namespace gauntlet::metrics
