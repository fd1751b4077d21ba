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

struct PlanRequest {
  double p0 = 0.5;     // success rate of the baseline A
  double delta = 0.1;  // p_B - p_A to detect
  double alpha = 0.05;
  double power = 0.8;
  Alternative alternative = Alternative::kTwoSided;  // kGreater: "B better than A"
  bool paired = false;  // same seeds for both policies (exact McNemar) or independent (Barnard)
  double discordance = std::numeric_limits<double>::quiet_NaN();  // paired only; NaN: independent
  std::int64_t max_episodes = 5000;                               // search limit per policy
  std::int64_t simulations = 2000;     // for the sequential estimate (0: skip it)
  std::int64_t sequential_budget = 0;  // pairs; 0: 1.5 times the exact batch size
  bool sequential_design = true;       // design the sequential test for delta (else mixture)
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
  SequentialOptions sequential_options;  // the sequential test simulated (budget, design)
};

// Throws std::invalid_argument for rates outside [0, 1], delta == 0, a one-sided alternative
// pointing against delta, or no n <= max_episodes reaching the power.
SamplePlan plan_sample_size(const PlanRequest& request);

}  // namespace gauntlet::metrics
