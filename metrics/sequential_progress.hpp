// The designed anytime-valid test of a drop (or gain) in a bounded per-episode score (progress
// in [0, 1]) between two paired policies: a betting e-process with a futility stop and a cap.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>

#include "metrics/alternative.hpp"
#include "metrics/random.hpp"
#include "metrics/sequential_test.hpp"

namespace gauntlet::metrics {

// One-sided. With the paired difference d_i = b_i - a_i in [-1, 1] and x_i = -d_i for kLess
// ("B worse") or x_i = d_i for kGreater ("B better"), H0 is E[x_i | past] <= 0 for every i and
// the capital
//     E_n = prod_{i <= n} (1 + lambda_i x_i),
//     lambda_i = clamp(delta / (v_{i-1} + delta^2), 0, max_bet),
//     v_{i-1} = (w sd^2 + sum_{j < i} (x_j - mean_{i-1})^2) / (w + i - 1),
// is a nonnegative supermartingale under H0 for ANY distribution of the scores in [0, 1]:
// lambda_i depends on the past only and lies in [0, 1], so 1 + lambda_i x_i >= 0 and
// E[1 + lambda_i x_i | past] <= 1. This is the predictable plug-in capital of Waudby-Smith and
// Ramdas (2024, "Estimating means of bounded random variables by betting") with the Kelly bet
// of the design alternative (mean delta, running variance estimate). By Ville's inequality
// P(sup_n E_n >= 1 / alpha) <= alpha, so deciding at E_n >= 1 / alpha keeps the type-I error at
// alpha whatever the runner does: the futility stop and the cap only make it stop sooner.
struct ProgressTestOptions {
  double alpha = 0.05;
  Alternative alternative = Alternative::kLess;  // kLess: "B worse"; kGreater: "B better"
  double design_delta = 0.1;   // the mean score gap worth detecting (> 0), in that direction
  double design_sd = 0.5;      // the design's sd of the paired difference: the bet's prior
  double prior_weight = 10.0;  // w: pseudo-observations of design_sd^2 in the variance estimate
  double max_bet = 0.9;        // lambda <= this (< 1: never bets everything on one pair)
  // Stop undecided ("futility") once log E_n <= this; -infinity: never. Non-binding.
  double futility_log_e = -std::numeric_limits<double>::infinity();
  std::int64_t max_pairs = 0;  // stop undecided after this many pairs; 0: no cap
};

// Throws std::invalid_argument for alpha outside (0, 1), a two-sided alternative, delta not in
// (0, 1), sd not in (0, 1], w <= 0, max_bet not in (0, 1], futility_log_e > 0 or max_pairs < 0.
void validate(const ProgressTestOptions& options);

class SequentialProgressTest {
 public:
  explicit SequentialProgressTest(ProgressTestOptions options = {});

  // Records one pair of scores (each in [0, 1], else std::invalid_argument) and returns the
  // decision, final once reached. Pairs after the stop are counted but change nothing.
  SequentialDecision update(double a_score, double b_score);
  // The same with the difference d = b - a in [-1, 1].
  SequentialDecision update_difference(double d);

  SequentialDecision decision() const { return decision_; }
  SequentialStop stop() const { return stop_; }
  bool finished() const { return stop_ != SequentialStop::kRunning; }
  std::int64_t pairs() const { return pairs_; }
  std::int64_t stopped_at() const { return stopped_at_; }
  double log_e_value() const { return log_e_; }  // log E_n now
  double e_value() const;                        // E_n now
  double max_e_value() const;                    // the largest E seen
  double last_bet() const { return last_bet_; }  // lambda of the latest counted pair
  // Mean of b - a over the pairs the test counted.
  double mean_difference() const;
  // Anytime-valid p-value min(1, 1 / max E): P(a false decision with this much evidence) <= p
  // under H0 for any stopping time (Ville). p <= alpha exactly when the test decided.
  double p_value() const;
  double threshold() const { return 1.0 / options_.alpha; }
  const ProgressTestOptions& options() const { return options_; }

 private:
  ProgressTestOptions options_;
  std::int64_t pairs_ = 0;
  std::int64_t counted_ = 0;
  std::int64_t stopped_at_ = 0;
  double mean_x_ = 0.0;  // running mean of x (Welford)
  double sum_sq_ = 0.0;  // sum of squared deviations of x
  double sum_d_ = 0.0;   // of b - a, counted pairs
  double log_e_ = 0.0;
  double max_log_e_ = 0.0;
  double last_bet_ = 0.0;
  SequentialDecision decision_ = SequentialDecision::kUndecided;
  SequentialStop stop_ = SequentialStop::kRunning;
};

// Draws one paired difference b - a in [-1, 1].
using DifferenceSampler = std::function<double(Xoshiro256&)>;

// A paired difference 2 Y - 1 with Y ~ Beta: mean `mean`, standard deviation `sd`. Throws
// std::invalid_argument unless |mean| < 1 and 0 < sd^2 < 1 - mean^2.
DifferenceSampler scaled_beta_difference(double mean, double sd);

struct ProgressSimulation {
  std::int64_t simulations = 0;
  double mean_pairs = 0.0;  // expected pairs used
  double p_decided = 0.0;   // share deciding in the test's direction
  double p_futility = 0.0;  // stopped for futility
  double p_cap = 0.0;       // reached max_pairs undecided (or 100,000 pairs without a cap)
};

// Runs the test on `simulations` independent sequences of differences from `draw`, run r from
// stream_seed(seed, r). Deterministic for a seed. Without a cap a run stops at 100,000 pairs.
ProgressSimulation simulate_progress_test(const ProgressTestOptions& options,
                                          const DifferenceSampler& draw, std::int64_t simulations,
                                          std::uint64_t seed = 0);

// The design: for a mean gap delta of the paired difference with standard deviation sd (the
// design model: 2 Beta - 1 with those moments, in the alternative's direction), choose the
// futility threshold (a grid of log E values, or none) and the cap on pairs that minimise the
// expected pairs at the design point with simulated power >= the target, on `simulations`
// paths; then measure power, expected pairs and the false-positive rate (at mean 0, same sd)
// on fresh paths. The type-I error bound alpha does not depend on the design (Ville); the
// power and expected pairs are those of the design model.
struct ProgressDesignRequest {
  double delta = 0.1;
  double sd = 0.5;
  double alpha = 0.05;
  double power = 0.8;
  Alternative alternative = Alternative::kLess;
  std::int64_t simulations = 4000;
  std::uint64_t seed = 0;
  double max_factor = 4.0;  // the cap is searched up to max_factor x fixed_n pairs
  double max_bet = 0.9;     // ProgressTestOptions::max_bet
};

struct ProgressDesign {
  ProgressTestOptions options;  // give these to SequentialProgressTest
  // The matched fixed-N design: one-sided paired z-test of the mean difference (normal
  // approximation), n = ceil(((z_{1-alpha} + z_power) sd / delta)^2).
  std::int64_t fixed_n = 0;
  double power = 0.0;                // simulated, at the design point
  double false_positive_rate = 0.0;  // simulated, at mean 0 with the design sd (<= alpha always)
  double expected_pairs = 0.0;       // simulated, at the design point
  double expected_pairs_null = 0.0;  // simulated, at mean 0
  std::int64_t simulations = 0;      // per measurement
  std::uint64_t seed = 0;
  double saving(double pairs) const;  // 1 - pairs / fixed_n
};

// Throws std::invalid_argument for delta not in (0, 1), sd^2 not in (0, 1 - delta^2), alpha or
// power not in (0, 1), a two-sided alternative, simulations < 100 or max_factor < 1.
ProgressDesign design_progress_test(const ProgressDesignRequest& request);

// The fixed-N paired z-test size above.
std::int64_t progress_fixed_n(double delta, double sd, double alpha, double power);

}  // namespace gauntlet::metrics
