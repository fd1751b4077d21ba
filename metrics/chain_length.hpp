// Long-horizon (CALVIN-like) metrics over chains of subtasks: average length with a bootstrap
// interval, success at 1..K in a row with Wilson intervals, a per-subtask table, and the exact
// paired sign-flip test of a difference in average length between two policies.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metrics/bootstrap.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

// One attempted subtask of a chain, in order. A chain stops at its first failure, so at most the
// last step of a chain fails; steps after a failure (if a caller lists them) count as not reached.
struct ChainStep {
  std::string name;
  bool success = false;
};
using Chain = std::vector<ChainStep>;

// Subtasks completed in a row from the start (CALVIN's "length" of one chain).
int chain_length(std::span<const ChainStep> chain);

struct SuccessAt {
  int k = 0;                   // at least k subtasks in a row
  std::int64_t successes = 0;  // chains of length >= k
  std::int64_t chains = 0;
  double rate = 0.0;
  Interval ci;  // Wilson at the summary's level
};

// One row of the per-subtask table: a subtask is attempted when the chain reaches it (every step
// up to and including the first failure).
struct SubtaskRate {
  std::string name;
  std::int64_t attempts = 0;
  std::int64_t successes = 0;
  double rate = 0.0;
  Interval ci;  // Wilson at the summary's level
};

struct ChainSummary {
  std::int64_t chains = 0;
  int horizon = 0;                   // the longest chain listed (5 for CALVIN)
  double level = 0.95;               // of every interval below
  BootstrapEstimate average_length;  // mean of chain_length over chains, bootstrap over chains
  std::vector<std::int64_t> length_counts;  // [L]: chains of length exactly L, L = 0..horizon
  std::vector<SuccessAt> success_at;        // k = 1..horizon
  std::vector<SubtaskRate> subtasks;        // sorted by name
};

// The average length's interval is the bootstrap of the mean over chains (options.method,
// options.resamples, options.seed; same seed, same interval); success at k and the per-subtask
// rates take Wilson intervals at options.level. Throws std::invalid_argument when `chains` is
// empty or every chain is empty (no subtask attempted: not a chain suite).
ChainSummary summarize_chains(std::span<const Chain> chains, const BootstrapOptions& options = {});

// Two policies on the same chains (paired by position: chain i of both is the same initial state
// and the same five instructions). D = mean(candidate length - baseline length).
//
// The test is the exact paired sign-flip (permutation) test of D: under H0 the two lengths of a
// pair are exchangeable, so each nonzero difference d_i keeps or flips its sign with probability
// 1/2 independently, and D's null law is that of (1/n) sum s_i |d_i|, computed exactly by
// convolving, for each value v = |d_i|, the Binomial(count of v, 1/2) law of how many of them keep
// a positive sign. It equals scipy.stats.permutation_test((baseline, candidate), mean of
// differences, permutation_type='samples', n_resamples=inf). When the lattice of sums times the
// number of nonzero pairs exceeds `max_work` (about 6000 five-subtask chain pairs at the default),
// the null law is replaced by its normal approximation (exact = false).
struct PairedLengthTest {
  std::int64_t pairs = 0;
  double baseline = 0.0;     // average length
  double candidate = 0.0;    // average length
  double difference = 0.0;   // D = candidate - baseline
  Interval ci;               // paired bootstrap of D over chains at options.level
  double p_less = 1.0;       // P0(D' <= D): evidence that the candidate is worse
  double p_greater = 1.0;    // P0(D' >= D): evidence that the candidate is better
  double p_two_sided = 1.0;  // min(1, 2 min(p_less, p_greater)), as scipy
  bool exact = true;
  std::int64_t candidate_longer = 0, baseline_longer = 0, ties = 0;
};

// Lengths are chain_length values (integers >= 0). Throws std::invalid_argument when the spans
// differ in size, are empty, or hold a negative length.
PairedLengthTest paired_length_test(std::span<const int> baseline, std::span<const int> candidate,
                                    const BootstrapOptions& options = {}, double max_work = 2e8);

}  // namespace gauntlet::metrics
