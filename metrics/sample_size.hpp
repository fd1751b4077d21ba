// Sample-size planning for comparing two policies: episodes per policy for a fixed-N (batch)
// exact test, and the expected episodes of the sequential test, by exact power and simulation.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "metrics/alternative.hpp"
#include "metrics/sequential_test.hpp"

namespace gauntlet::metrics {

// Discordance of two independent policies: P(exactly one succeeds).
double independent_discordance(double p_a, double p_b);

// Throws std::invalid_argument unless a joint law of paired outcomes with these margins and
// discordance exists: |p_b - p_a| <= D <= min(p_a + p_b, 2 - p_a - p_b).
void check_discordance(double p_a, double p_b, double discordance);

struct SequentialSimulation {
  std::int64_t simulations = 0;
  std::int64_t budget = 0;  // pairs
  double mean_pairs = 0.0;  // expected pairs used (undecided runs count the full budget)
  double median_pairs = 0.0;
  double p90_pairs = 0.0;
  double p_b_better = 0.0;  // share of runs deciding "B better"
  double p_b_worse = 0.0;
  double p_undecided = 0.0;  // stopped for futility or at the budget
  double p_futility = 0.0;   // of which stopped early for futility
};

// Simulates the SequentialPairedTest on pairs drawn with P(B only) = (D + d) / 2,
// P(A only) = (D - d) / 2, d = p_b - p_a. discordance NaN means independent policies. A budget
// of 0 in `options` is capped at 100,000 pairs. Deterministic for a seed, any thread count.
SequentialSimulation simulate_sequential(double p_a, double p_b, double discordance,
                                         const SequentialOptions& options, std::int64_t simulations,
                                         std::uint64_t seed = 0, int threads = 0);

// The designed test of a comparison: a sequential probability ratio test of q = 1/2 against
// the design win share q1 on discordant pairs, with a binding futility stop and a cap on
// discordant pairs, whose two thresholds are calibrated by exact dynamic programming so that
// the type-I error is <= alpha (under q = 1/2, hence for every discordance rate) and the power
// at the design point is >= the target, with the smallest threshold that satisfies both.
struct SequentialDesignRequest {
  double p_a = 0.5;  // design point: the baseline's success rate
  double p_b = 0.6;  // and the candidate's (p_b < p_a: a regression to detect)
  double discordance = std::numeric_limits<double>::quiet_NaN();  // NaN: independent policies
  double alpha = 0.05;
  double power = 0.8;
  Alternative alternative = Alternative::kTwoSided;
  // Fixed-N design it is measured against (episodes per policy) and the cap: at most
  // ceil(max_factor * fixed_n * discordance) discordant pairs.
  std::int64_t fixed_n = 0;
  double max_factor = 2.0;
};

struct SequentialDesign {
  SequentialOptions options;  // give these to SequentialPairedTest
  double win_share = 0.0;     // q1 = P(B wins | discordant) at the design point (> 1/2)
  double discordance = 0.0;
  std::int64_t fixed_n = 0;
  SequentialCrossing at_design;      // exact, at the design point
  SequentialCrossing at_null;        // exact, at q = 1/2
  double power = 0.0;                // P(decide in the design's direction) at the design point
  double false_positive_rate = 0.0;  // P(any decision) at q = 1/2, every discordance rate
  double expected_pairs = 0.0;       // episode pairs at the design point: E[discordant] / D
  double expected_pairs_null = 0.0;  // at p_b = p_a with the same discordance
  // 1 - pairs / fixed_n: the share of the fixed-N design's episodes not spent.
  double saving(double pairs) const;
};

// Throws std::invalid_argument for impossible rates or discordance, p_b == p_a, an alternative
// pointing against p_b - p_a, fixed_n < 1 or max_factor < 1.
SequentialDesign design_sequential_test(const SequentialDesignRequest& request);

struct PlanRequest {
  double p0 = 0.5;     // success rate of the baseline A
  double delta = 0.1;  // p_B - p_A to detect
  double alpha = 0.05;
  double power = 0.8;
  Alternative alternative = Alternative::kTwoSided;  // kGreater: "B better than A"
  bool paired = false;  // same seeds for both policies (exact McNemar) or independent (Barnard)
  double discordance = std::numeric_limits<double>::quiet_NaN();  // paired only; NaN: independent
  std::int64_t max_episodes = 5000;                               // search limit per policy
  std::int64_t simulations = 2000;  // for the sequential estimate (0: skip it)
  // The sequential test: designed for delta (design_sequential_test, at most
  // sequential_max_factor x batch_exact x discordance discordant pairs), or the mixture test
  // with a budget of sequential_budget pairs (0: 1.5 times the exact batch size).
  bool sequential_design = true;
  double sequential_max_factor = 2.0;
  std::int64_t sequential_budget = 0;
  std::uint64_t seed = 0;
  int threads = 0;
};

struct SamplePlan {
  std::int64_t batch_normal = 0;  // per policy, normal approximation (arcsine / Connor 1987)
  std::int64_t batch_exact = 0;   // per policy, smallest n whose exact power >= target
  double batch_exact_power = 0.0;
  std::string_view exact_test;           // "barnard" (unpaired, pooled Wald) or "mcnemar" (paired)
  SequentialSimulation sequential;       // at the alternative p_A = p0, p_B = p0 + delta
  SequentialSimulation sequential_null;  // at p_A = p_B = p0 (episodes spent when equal)
  SequentialOptions sequential_options;  // the sequential test (designed or mixture)
  SequentialDesign design;  // with sequential_design: exact power, type-I error, expected pairs
};

// Throws std::invalid_argument for rates outside [0, 1], delta == 0, a one-sided alternative
// pointing against delta, or no n <= max_episodes reaching the power.
SamplePlan plan_sample_size(const PlanRequest& request);

}  // namespace gauntlet::metrics
