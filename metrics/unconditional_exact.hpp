// Unconditional exact tests on a 2x2 table with two independent binomial samples in the columns:
// Barnard's (Wald statistic) and Boschloo's (Fisher p-value as statistic), as scipy computes them.
#pragma once

#include <cstdint>

#include "metrics/alternative.hpp"
#include "metrics/two_by_two.hpp"

namespace gauntlet::metrics {

struct UnconditionalResult {
  double statistic = 0.0;  // Barnard: Wald statistic; Boschloo: one-sided Fisher p-value
  double p_value = 1.0;    // the p-value maximised over the nuisance parameter
  double nuisance = 0.5;   // the common success probability where the maximum is attained
};

// scipy.stats.barnard_exact(table, alternative, pooled). kGreater: p1 > p2 (columns). The p-value
// is sup over pi in [0, 1] of P_pi(T(X) at least as extreme as T(x)). scipy searches pi with
// shgo (32 Sobol points); we search a grid of max(256, 16 sqrt(N)) points and refine every local
// maximum with Brent's method, which finds the supremum scipy approximates.
// A zero column sum gives statistic NaN and p-value 1 (as scipy).
UnconditionalResult barnard_exact(const TwoByTwo& table,
                                  Alternative alternative = Alternative::kTwoSided,
                                  bool pooled = true);

// scipy.stats.boschloo_exact(table, alternative). Two-sided is twice the smaller one-sided
// p-value, clipped to 1 (scipy's convention). A zero column sum gives NaN for both numbers.
UnconditionalResult boschloo_exact(const TwoByTwo& table,
                                   Alternative alternative = Alternative::kTwoSided);

// Exact power of barnard_exact at level alpha with n1 and n2 trials when the true rates are p1 and
// p2: the probability of a table whose p-value is <= alpha. The p-value is monotone in the Wald
// statistic, so the rejection region is {T at least as extreme as t*}, t* found by bisection.
double barnard_power(std::int64_t n1, std::int64_t n2, double p1, double p2, double alpha,
                     Alternative alternative = Alternative::kTwoSided, bool pooled = true);

}  // namespace gauntlet::metrics
