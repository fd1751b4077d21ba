// Anytime-valid sequential comparison of two policies on paired bounded scores in [0, 1]
// (progress, normalised return): betting martingales and a confidence sequence for the mean gap.
#pragma once

#include <cstdint>
#include <vector>

#include "metrics/proportion_interval.hpp"
#include "metrics/sequential_test.hpp"

namespace gauntlet::metrics {

// With x_i = (b_i - a_i + 1) / 2 in [0, 1] and mean m, H0 "B no better" is m <= 1/2. The capital
//     K+_n = prod (1 + lambda_i (x_i - 1/2)),  lambda_i in [0, 1] chosen from x_1..x_{i-1}
// is a nonnegative supermartingale under H0 (Waudby-Smith and Ramdas 2024, "betting");
// lambda_i is the truncated aGRAPA plug-in (mu - 1/2) / (sigma^2 + (mu - 1/2)^2) of the running
// mean and variance, clipped to [0, 1]. K- mirrors it. A decision at the first crossing of
// 2 / alpha keeps the type-I error at alpha.
// The confidence sequence for the mean difference d = E[b - a] = 2m - 1 uses the hedged
// predictable-plug-in capital of WSR section 4 on a grid of 401 values of m; the reported
// interval is the running intersection, valid simultaneously over time at level 1 - alpha.
class SequentialBoundedTest {
 public:
  explicit SequentialBoundedTest(SequentialOptions options = {});

  // Scores must lie in [0, 1]; throws std::invalid_argument otherwise.
  SequentialDecision update(double a_score, double b_score);

  SequentialDecision decision() const { return decision_; }
  bool finished() const;
  std::int64_t pairs() const { return pairs_; }
  std::int64_t decided_at() const { return decided_at_; }
  double mean_difference() const;  // mean of b - a so far
  double e_value_b_better() const;
  double e_value_b_worse() const;
  // Anytime-valid confidence interval for E[b - a] (all of [-1, 1] before any data).
  Interval difference_interval() const;

 private:
  SequentialOptions options_;
  std::int64_t pairs_ = 0;
  std::int64_t decided_at_ = 0;
  double sum_ = 0.0;         // of x
  double sum_sq_dev_ = 0.0;  // sum of (x_i - mu_{i-1})^2, the WSR variance estimate
  double log_up_ = 0.0;
  double log_down_ = 0.0;
  SequentialDecision decision_ = SequentialDecision::kUndecided;
  std::vector<double> grid_;      // candidate means m
  std::vector<double> log_k_up_;  // log capital against "mean <= m" per grid point
  std::vector<double> log_k_down_;
  std::vector<char> excluded_;  // excluded at some time (running intersection)
};

}  // namespace gauntlet::metrics
