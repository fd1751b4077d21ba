// The CI gate's model: a candidate against a baseline on paired episodes
// (same suite, same seeds), per task and overall, with a verdict and whether
// it is a significant regression. reports/compare_writers.hpp formats it.
//
// One estimand for effect and test: overall, the effect is the task-mean
// difference of success rates and the gate's test is the task-stratified exact
// paired test whose statistic is that difference (metrics::stratified_mcnemar),
// one-sided at alpha ("candidate worse"). With --margin the gate is one-sided at
// alpha too: the upper end of the (1 - 2 alpha) paired bootstrap interval of the
// same difference must lie below -margin. Unpaired (different seeds, allowed):
// the effect is the Mantel-Haenszel risk difference and the test the one-sided
// Cochran-Mantel-Haenszel test over tasks, whose score has that sign.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/results_store.hpp"
#include "metrics/chain_length.hpp"
#include "metrics/proportion_interval.hpp"
#include "reports/comparisons.hpp"

namespace gauntlet::reports {

struct CompareOptions {
  double alpha = 0.05;
  double margin = 0.0;  // a regression must exceed this drop (success fraction, e.g. 0.02)
  std::string adjustment = "holm";
  long resamples = 4000;
  std::uint64_t seed = 20261121;
  bool require_pairing = true;  // false: different seeds run the unpaired CMH test
  bool allow_partial = false;   // false: a candidate missing baseline episodes is an InputError
};

struct CompareLine {
  std::string task;  // "overall" for the whole suite
  int pairs = 0;
  double baseline = 0.0;  // success rate
  double candidate = 0.0;
  double difference = 0.0;  // candidate - baseline
  metrics::Interval ci;     // paired bootstrap, level 1 - alpha
  // Tasks: exact McNemar (unpaired: Fisher), two-sided. Overall: the gate's
  // one-sided p-value for "candidate worse" (p_two_sided and p_greater beside it).
  double p_value = 1.0;
  double p_adjusted = 1.0;  // over tasks (overall: unadjusted)
  double p_two_sided = 1.0;
  double p_greater = 1.0;  // overall: one-sided, "candidate better"
  long long baseline_only = 0, candidate_only = 0;
  long long baseline_episodes = 0, candidate_episodes = 0;  // unpaired: episodes per side
  std::string verdict;                 // better / worse / no significant difference
  double candidate_wall_time_s = 0.0;  // tasks: the candidate's nominal episodes' wall time
};

// Chain suites (both files list subtasks, paired seeds): the paired difference in average chain
// length, candidate - baseline, over chains run by both (same task and episode index, nominal,
// no simulator error). The test is the exact paired sign-flip test of that mean difference
// (metrics::paired_length_test); the interval is the paired bootstrap at 1 - alpha. For chain
// suites this test is the gate: one-sided "candidate worse" at alpha (with --margin, in subtasks:
// the upper end of the (1 - 2 alpha) interval must lie below -margin).
struct ChainComparison {
  metrics::PairedLengthTest test;
  std::string verdict;  // better / worse (one-sided p at most alpha) / no significant difference
};

struct CompareResult {
  std::string suite;
  std::string baseline_file, candidate_file;      // as given
  std::string baseline_policy, candidate_policy;  // display names from the files
  CompareOptions options;
  std::vector<CompareLine> tasks;
  CompareLine overall;
  bool regression = false;
  bool paired = true;  // false: different seeds, unpaired CMH / Fisher
  std::string test;    // the gate's test, in words
  bool exact = true;   // the stratified test ran on the exact lattice (else conservative)
  std::string reason;  // why it is (or is not) a regression
  // Coverage of the baseline's plan (nominal episodes by task and index).
  bool partial = false;  // the candidate misses some (only with allow_partial)
  int baseline_plan_episodes = 0, covered_episodes = 0;
  int baseline_plan_tasks = 0, covered_tasks = 0;
  int excluded_sim_errors = 0;
  int unmatched_episodes = 0;
  std::optional<ChainComparison> chains;  // chain suites only
  // World-model runs with a judge card: rates, differences and intervals are
  // corrected for the judge's error rates (the test is that of the judged
  // outcomes, which the correction leaves unchanged).
  bool corrected = false;
  std::string correction;  // the note every format prints (empty without a card)
  bool rankable = true;    // the card's verdict (cmd compare refuses to gate when false)
};

// InputError when the files hold different suites (or, with require_pairing,
// different seeds or no common episodes), or when the candidate does not cover
// every nominal episode of the baseline and allow_partial is off.
CompareResult compare_runs(const RunResults& baseline, const std::string& baseline_name,
                           const RunResults& candidate, const std::string& candidate_name,
                           const CompareOptions& options);

}  // namespace gauntlet::reports
