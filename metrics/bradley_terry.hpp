// Bradley-Terry strengths of many policies from paired episode outcomes (a win: one policy
// succeeds where the other fails on the same seed), on an Elo-like scale with bootstrap intervals.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "metrics/bootstrap.hpp"
#include "metrics/proportion_interval.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics {

// wins[i * policies + j]: episodes where policy i succeeded and policy j failed.
struct WinMatrix {
  std::size_t policies = 0;
  std::vector<double> wins;

  double operator()(std::size_t i, std::size_t j) const { return wins[i * policies + j]; }
};

// Success flags (0/1) of every policy on the same episodes (identical layouts).
WinMatrix paired_wins(std::span<const TaskScores> policies);

struct BradleyTerryOptions {
  // Virtual wins added in both directions to every pair (a symmetric prior that shrinks towards
  // equal strength and keeps the fit finite when a policy never wins or never loses). 0 gives
  // the maximum-likelihood fit, which needs a strongly connected win graph.
  double prior_wins = 0.5;
  int max_iterations = 100000;
  double tolerance = 1e-10;    // on the largest change of log strength per iteration
  double elo_scale = 400.0;    // Elo points per factor 10 in the odds of winning
  double elo_anchor = 1000.0;  // mean Elo of the field
};

// P(i beats j) = s_i / (s_i + s_j) = 1 / (1 + 10^((elo_j - elo_i) / elo_scale)), where
// elo_i = anchor + scale log10(s_i) - mean over policies of scale log10(s).
struct BradleyTerryFit {
  std::vector<double> strength;  // s_i, normalised to geometric mean 1
  std::vector<double> elo;
  int iterations = 0;
  bool converged = false;
};

// Minorisation-maximisation (Hunter 2004): s_i <- W_i / sum_j N_ij / (s_i + s_j).
// Throws std::invalid_argument when prior_wins == 0 and the win graph is not strongly connected
// (some group never beats the rest: the maximum-likelihood strengths are infinite).
BradleyTerryFit fit_bradley_terry(const WinMatrix& wins, const BradleyTerryOptions& options = {});

struct BradleyTerryResult {
  BradleyTerryFit fit;
  WinMatrix wins;
  std::vector<Interval> elo_interval;  // percentile interval at bootstrap.level
  std::vector<double> elo_standard_error;
};

// The fit plus a paired stratified bootstrap (episodes resampled within each task, the same draw
// for all policies). About 1,000 resamples suffice for intervals.
BradleyTerryResult bradley_terry(std::span<const TaskScores> policies,
                                 const BradleyTerryOptions& options = {},
                                 const BootstrapOptions& bootstrap = {});

// Probability that a policy with Elo `elo_i` beats one with `elo_j` on a discordant episode.
double elo_win_probability(double elo_i, double elo_j, double elo_scale = 400.0);

}  // namespace gauntlet::metrics
