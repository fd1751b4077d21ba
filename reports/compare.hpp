// The CI gate's model: a candidate against a baseline on paired episodes
// (same suite, same seeds), per task and overall, with a verdict and whether
// it is a significant regression. reports/compare_writers.hpp formats it.
#pragma once

#include <string>
#include <vector>

#include "harness/results_store.hpp"
#include "metrics/proportion_interval.hpp"
#include "reports/comparisons.hpp"

namespace gauntlet::reports {

struct CompareOptions {
  double alpha = 0.05;
  double margin = 0.0;  // a regression must exceed this drop (success fraction, e.g. 0.02)
  std::string adjustment = "holm";
  long resamples = 4000;
  std::uint64_t seed = 20261121;
  bool require_pairing = true;
};

struct CompareLine {
  std::string task;          // "overall" for the whole suite
  int pairs = 0;
  double baseline = 0.0;     // success rate
  double candidate = 0.0;
  double difference = 0.0;   // candidate - baseline
  metrics::Interval ci;      // paired bootstrap, level 1 - alpha
  double p_value = 1.0;      // exact McNemar, two-sided
  double p_adjusted = 1.0;   // over tasks (overall: unadjusted)
  long long baseline_only = 0, candidate_only = 0;
  std::string verdict;       // better / worse / no significant difference
};

struct CompareResult {
  std::string suite;
  std::string baseline_file, candidate_file;      // as given
  std::string baseline_policy, candidate_policy;  // display names from the files
  CompareOptions options;
  std::vector<CompareLine> tasks;
  CompareLine overall;
  bool regression = false;
  std::string reason;        // why it is (or is not) a regression
  int excluded_sim_errors = 0;
  int unmatched_episodes = 0;
};

// InputError when the files hold different suites (or, with require_pairing,
// different seeds or no common episodes).
CompareResult compare_runs(const RunResults& baseline, const std::string& baseline_name,
                           const RunResults& candidate, const std::string& candidate_name,
                           const CompareOptions& options);

}  // namespace gauntlet::reports
