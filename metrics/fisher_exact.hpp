// Fisher's exact test on a 2x2 table, the conditional test given both margins.
// Equal to scipy.stats.fisher_exact (statistic: the sample odds ratio a*d / (b*c)).
#pragma once

#include "metrics/alternative.hpp"
#include "metrics/two_by_two.hpp"

namespace gauntlet::metrics {

// Two-sided p-value: the probability of tables no more likely than the observed one (relative
// tolerance 1e-14, as scipy). kLess: odds ratio < 1 (p1 < p2 in the proportions layout).
// A zero row or column sum gives statistic NaN and p-value 1.
TestResult fisher_exact(const TwoByTwo& table, Alternative alternative = Alternative::kTwoSided);

}  // namespace gauntlet::metrics
