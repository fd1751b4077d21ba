// Comparing two policies evaluated on the same episode seeds (paired by common random numbers):
// exact McNemar on discordant pairs, the paired bootstrap of a difference, and CMH over tasks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "metrics/aggregate.hpp"
#include "metrics/alternative.hpp"
#include "metrics/bootstrap.hpp"
#include "metrics/task_scores.hpp"
#include "metrics/two_by_two.hpp"

namespace gauntlet::metrics {

// Outcomes of n episode pairs. Discordant pairs (exactly one policy succeeds) carry all the
// information about which policy is better: p_B - p_A = (b_only - a_only) / n.
struct PairedCounts {
  std::int64_t both = 0;
  std::int64_t a_only = 0;  // A succeeded, B failed on the same seed: a win for A
  std::int64_t b_only = 0;  // B succeeded, A failed: a win for B
  std::int64_t neither = 0;

  std::int64_t pairs() const { return both + a_only + b_only + neither; }
  std::int64_t discordant() const { return a_only + b_only; }
};

// Counts over episodes paired by position. Scores must be 0 or 1 (success flags); throws
// std::invalid_argument on a length mismatch or another value.
PairedCounts paired_counts(std::span<const double> a, std::span<const double> b);
PairedCounts paired_counts(const TaskScores& a, const TaskScores& b);

// Exact McNemar test: under H0 (p_A = p_B) each discordant pair is a win for B with
// probability 1/2, so b_only ~ Binomial(discordant, 1/2). Two-sided p = min(1, 2 P(X <= min)),
// equal to statsmodels' mcnemar(table, exact=True) and scipy's binomtest(b_only, discordant).
// kGreater: B better than A (b_only large). statistic: b_only (B's wins).
// No discordant pair gives p = 1.
TestResult mcnemar_exact(const PairedCounts& counts,
                         Alternative alternative = Alternative::kTwoSided);

// Two-sided exact McNemar p-values of every pair of policies (same layouts), row-major
// policies x policies with 1 on the diagonal: the input of significance_matrix() and the compact
// letter display for a leaderboard.
std::vector<double> pairwise_mcnemar_p_values(std::span<const TaskScores> policies);

// Exact power of mcnemar_exact at level alpha over n pairs when a pair is an A-only success with
// probability p_a_only and a B-only success with probability p_b_only: the discordant count is
// Binomial(n, p_a_only + p_b_only), and B's wins among d discordant pairs Binomial(d, q) with
// q = p_b_only / (p_a_only + p_b_only).
double mcnemar_power(std::int64_t n, double p_a_only, double p_b_only, double alpha,
                     Alternative alternative = Alternative::kTwoSided);

// Paired stratified bootstrap of aggregate(b) - aggregate(a): one draw of episode indices per
// resample and task, shared by both policies, so the pairing survives resampling.
// Throws std::invalid_argument unless a and b have the same layout.
BootstrapEstimate paired_bootstrap_difference(const TaskScores& a, const TaskScores& b,
                                              const AggregateSpec& spec = {},
                                              const BootstrapOptions& options = {});

// Cochran-Mantel-Haenszel test of a common odds ratio of 1 over strata (one 2x2 table per task,
// policies in the columns as TwoByTwo::from_proportions), equal to statsmodels'
// StratifiedTable(tables).test_null_odds(correction) and .oddsratio_pooled. Meant for
// evaluations that are NOT paired (different seeds per policy): with paired episodes McNemar is
// already the CMH test with every episode pair as its own stratum, the finest stratification.
// Strata with fewer than two observations carry no information and are skipped.
struct CmhResult {
  double statistic = 0.0;  // chi-square, 1 degree of freedom
  double p_value = 1.0;
  double pooled_odds_ratio = 1.0;  // Mantel-Haenszel estimate
  // The signed, uncorrected score z = sum_t (a_t - E a_t) / sqrt(variance) (statistic = z^2
  // without correction): z > 0 when sample 1 (column 0) does better. One-sided p-values are
  // Phi(z) ("sample 1 lower") and 1 - Phi(z) ("higher").
  double z = 0.0;
  // The Mantel-Haenszel risk difference sum_t w_t (p1_t - p2_t) / sum_t w_t with
  // w_t = n1_t n2_t / (n1_t + n2_t): a_t - E a_t = w_t (p1_t - p2_t), so its sign is z's, and the
  // CMH test is the test of this weighted difference. rate1 / rate2: the same weighted rates.
  double risk_difference = 0.0;
  double rate1 = 0.0, rate2 = 0.0;
  double risk_difference_se = 0.0;  // Wald, sum_t w_t^2 (p1(1-p1)/n1 + p2(1-p2)/n2) / (sum w)^2
};
CmhResult cochran_mantel_haenszel(std::span<const TwoByTwo> tables, bool correction = false);

// Task-stratified exact test of paired binary outcomes whose statistic IS the task-mean
// difference of success rates, the effect the reports print:
//     D = (1/T) sum_t (b_only_t - a_only_t) / n_t      (n_t pairs in task t, T tasks).
// Under H0 (within every pair the two policies' outcomes are exchangeable) B's wins among the
// m_t discordant pairs of task t are Binomial(m_t, 1/2), independently over tasks, and D's
// exact null distribution is the distribution of the weighted sum of those binomials, computed
// by dynamic programming on the lattice of multiples of 1 / lcm(n_t). When that lattice would
// exceed `max_states` points (0: chosen from the data, bounding the work to ~3e8 steps) each
// task's term is rounded DOWN to a coarser grid, which can only raise p_less and p_greater
// (conservative; `exact` false). One task, or equal n_t: the exact McNemar test on the pooled
// discordant pairs. The null law is symmetric about 0, so p_less >= 1/2 whenever D >= 0 and
// p_greater >= 1/2 whenever D <= 0: a significant result always has the sign of D.
struct StratifiedPairedResult {
  double difference = 0.0;   // D
  double p_less = 1.0;       // P0(D' <= D): evidence that B is worse
  double p_greater = 1.0;    // P0(D' >= D): evidence that B is better
  double p_two_sided = 1.0;  // min(1, 2 min(p_less, p_greater))
  bool exact = true;
  std::int64_t a_only = 0, b_only = 0, pairs = 0;  // pooled, for display
  double p_value(Alternative alternative) const;
};
// Throws std::invalid_argument unless a and b have the same layout of 0/1 values.
StratifiedPairedResult stratified_mcnemar(const TaskScores& a, const TaskScores& b,
                                          std::size_t max_states = 0);

}  // namespace gauntlet::metrics
