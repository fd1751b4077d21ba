// `compare --sequential`'s outcome as a plain model, and its writers: the
// Markdown verdict (compare.md, printed) and the `--json` document.
#pragma once

#include <cstdint>
#include <string>

#include "metrics/sequential_test.hpp"

namespace gauntlet::reports {

struct SequentialCompareReport {
  std::string baseline, candidate;  // policy display names
  metrics::SequentialDecision decision = metrics::SequentialDecision::kUndecided;
  metrics::SequentialStop stop = metrics::SequentialStop::kRunning;
  int pairs_used = 0;                                  // pairs the test saw
  int budget = 0;                                      // at most this many pairs (--max-episodes)
  int skipped_pairs = 0;                               // a simulator error on either side
  std::int64_t candidate_wins = 0, baseline_wins = 0;  // discordant pairs
  double e_value_better = 0.0, e_value_worse = 0.0;
  double threshold = 0.0;  // of the e-values
  // Anytime-valid p-value consistent with the decision (exact_p_value: <= alpha exactly when
  // the test decided), and Ville's bound min(1, 1 / largest E), conservative, for reference.
  double p_value = 1.0;
  double ville_p_value = 1.0;
  double alpha = 0.05;
  // The design: a one-sided SPRT ("candidate worse") for p0 -> p0 - delta at this discordance,
  // with a futility stop, compared with the fixed-N exact McNemar design of the same alpha and
  // power (fixed_n pairs).
  double design_p0 = 0.5, design_delta = 0.1, design_discordance = 0.0, design_power_target = 0.8;
  std::int64_t fixed_n = 0;
  double fixed_power = 0.0;
  double design_power = 0.0, design_false_positive_rate = 0.0;  // exact
  double expected_pairs = 0.0, expected_pairs_null = 0.0;  // exact, at the design point / if equal
  std::int64_t max_discordant = 0;
  double futility_threshold = 0.0;
  std::string baseline_file, candidate_file;  // where the episodes are stored

  double saving_vs_fixed_n() const {
    return fixed_n > 0 ? 1.0 - double(pairs_used) / double(fixed_n) : 0.0;
  }
};

// `compare --sequential --metric progress`: the betting test on paired progress scores.
struct ProgressCompareReport {
  std::string baseline, candidate;  // policy names, or the results files when replayed
  metrics::SequentialDecision decision = metrics::SequentialDecision::kUndecided;
  metrics::SequentialStop stop = metrics::SequentialStop::kRunning;
  int pairs_used = 0;  // pairs the test saw
  int budget = 0;      // at most this many pairs (--max-episodes, or the pairs in the files)
  int skipped_pairs = 0;
  double mean_baseline = 0.0, mean_candidate = 0.0;  // mean progress over the pairs used
  double e_value = 1.0;                              // E_n now, against "candidate not worse"
  double max_e_value = 1.0;                          // the largest E seen
  double threshold = 20.0;                           // 1 / alpha
  double p_value = 1.0;  // min(1, 1 / max E): anytime-valid, <= alpha exactly when decided
  double alpha = 0.05;
  // The design: a drop of design_delta in mean progress, paired differences with standard
  // deviation design_sd; fixed_n is the matched one-sided paired z-test's size.
  double design_delta = 0.1, design_sd = 0.5, design_power_target = 0.8;
  std::int64_t fixed_n = 0;
  double design_power = 0.0, design_false_positive_rate = 0.0;  // simulated
  double expected_pairs = 0.0, expected_pairs_null = 0.0;       // simulated
  std::int64_t design_simulations = 0;
  std::int64_t max_pairs = 0;  // the design's cap
  double futility_log_e = 0.0;
  std::string baseline_file, candidate_file;

  double saving_vs_fixed_n() const {
    return fixed_n > 0 ? 1.0 - double(pairs_used) / double(fixed_n) : 0.0;
  }
};

std::string sequential_compare_markdown(const SequentialCompareReport& report);
std::string progress_compare_markdown(const ProgressCompareReport& report);
std::string progress_compare_json(const ProgressCompareReport& report);
// One JSON document on one line, newline-terminated.
std::string sequential_compare_json(const SequentialCompareReport& report);

}  // namespace gauntlet::reports
