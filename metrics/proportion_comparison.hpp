// Comparing the success rates of two independently evaluated policies A and B in one call: the
// chosen exact test, the risk difference with Newcombe's interval and Cohen's h (`stats test`).
#pragma once

#include <cstdint>
#include <string_view>

#include "metrics/alternative.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

enum class UnpairedTest { kFisher, kBarnard, kBoschloo };

// Parses "fisher", "barnard", "boschloo"; throws std::invalid_argument naming the valid choices.
UnpairedTest parse_unpaired_test(std::string_view name);
std::string_view to_string(UnpairedTest test);

struct ProportionComparison {
  UnpairedTest test = UnpairedTest::kBarnard;
  Alternative alternative = Alternative::kTwoSided;
  double rate_a = 0.0;
  double rate_b = 0.0;
  double statistic = 0.0;  // odds ratio (Fisher), Wald statistic (Barnard), Fisher p (Boschloo),
                           // each for B against A
  double p_value = 1.0;
  double difference = 0.0;       // rate_b - rate_a
  Interval difference_interval;  // Newcombe, at `level`
  double cohens_h = 0.0;         // cohens_h(rate_b, rate_a)
};

// ka successes of na episodes for A (the baseline) and kb of nb for B (the candidate).
// kGreater: B's success rate is higher than A's; kLess: lower. The test runs on the table
// [[kb, ka], [nb - kb, na - ka]] (B in the first column) so that its scipy direction is B vs A.
// Throws std::invalid_argument unless 0 <= k <= n and n >= 1 for both.
ProportionComparison compare_proportions(std::int64_t ka, std::int64_t na, std::int64_t kb,
                                         std::int64_t nb,
                                         UnpairedTest test = UnpairedTest::kBarnard,
                                         Alternative alternative = Alternative::kTwoSided,
                                         double level = 0.95);

}  // namespace gauntlet::metrics
