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
  int budget = 0;                                      // at most this many pairs
  int skipped_pairs = 0;                               // a simulator error on either side
  std::int64_t candidate_wins = 0, baseline_wins = 0;  // discordant pairs
  double e_value_better = 0.0, e_value_worse = 0.0;
  double threshold = 0.0;  // of the e-values
  double p_value = 1.0;    // Ville bound, conservative
  double alpha = 0.05;
  std::string baseline_file, candidate_file;  // where the episodes are stored
};

std::string sequential_compare_markdown(const SequentialCompareReport& report);
// One JSON document on one line, newline-terminated.
std::string sequential_compare_json(const SequentialCompareReport& report);

}  // namespace gauntlet::reports
