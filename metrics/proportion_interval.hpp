// Confidence intervals for one binomial proportion (a success rate).
// Pure functions over counts; the method and the level are explicit arguments.
#pragma once

#include <cstdint>
#include <string_view>

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

Interval proportion_interval(std::int64_t k, std::int64_t n, ProportionMethod method,
                             double level = 0.95);

}  // namespace gauntlet::metrics
