// Effect sizes for two success rates (risk difference with Newcombe's interval, Cohen's h) and the
// normal-approximation power calculus behind "the smallest difference these data could detect".
#pragma once

#include <cstdint>

#include "metrics/alternative.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

// Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)), as statsmodels' proportion_effectsize(p1, p2).
double cohens_h(double p1, double p2);

struct RiskDifference {
  double difference = 0.0;  // p1 - p2
  Interval interval;      // Newcombe's hybrid score interval (method 10, no continuity correction)
  double cohens_h = 0.0;  // cohens_h(p1, p2)
};

// k1/n1 against k2/n2. The interval equals statsmodels'
// confint_proportions_2indep(k1, n1, k2, n2, method='newcomb', compare='diff').
RiskDifference risk_difference(std::int64_t k1, std::int64_t n1, std::int64_t k2, std::int64_t n2,
                               double level = 0.95);

// Power of the two-sample z-test on Cohen's h with n1 and n2 = ratio * n1 observations, equal to
// statsmodels' NormalIndPower().power(effect_size=h, nobs1=n1, alpha, ratio, alternative)
// (kGreater is statsmodels' 'larger').
double normal_power(double h, double n1, double alpha, double ratio = 1.0,
                    Alternative alternative = Alternative::kTwoSided);

// n1 (not rounded) with normal_power(h, n1, ...) == power; as NormalIndPower().solve_power.
// Throws std::invalid_argument when h == 0 or the arguments are out of range.
double normal_sample_size(double h, double alpha, double power, double ratio = 1.0,
                          Alternative alternative = Alternative::kTwoSided);

// The |h| with normal_power(h, n1, ...) == power: the smallest effect the design detects.
double detectable_cohens_h(double n1, double alpha, double power, double ratio = 1.0,
                           Alternative alternative = Alternative::kTwoSided);

struct DetectableDifference {
  double cohens_h = 0.0;  // detectable |h|
  double up = 0.0;        // smallest d > 0 with p0 + d detectable (NaN when even 1 is not)
  double down = 0.0;      // smallest d > 0 with p0 - d detectable (NaN when even 0 is not)
};

// The minimum detectable difference around a baseline rate p0 for n1 and n2 episodes, at alpha
// and power (normal approximation on the arcsine scale).
DetectableDifference minimum_detectable_difference(
    double p0, double n1, double n2, double alpha, double power,
    Alternative alternative = Alternative::kTwoSided);

}  // namespace gauntlet::metrics
