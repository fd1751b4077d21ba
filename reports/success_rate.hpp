// A success rate with its interval: the one number every report, the
// robustness section and the CLI summaries quote, over episodes that count.
// World-model runs with a validation card report the rate corrected for the
// judge's error rates (metrics/judge_correction.hpp), marked `corrected`.
#pragma once

#include <optional>
#include <string>

#include "harness/results_store.hpp"
#include "metrics/confusion.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::reports {

struct Rate {
  int trials = 0;  // episodes that count for the policy (sim_error excluded)
  int successes = 0;
  double rate = 0.0;       // successes / trials (0 when no trials); corrected: Rogan-Gladen
  metrics::Interval ci95;  // Wilson; corrected: the exact corrected interval
  // A world-model run with card=: rate and ci95 are corrected for the judge's
  // error rates; the judged (uncorrected) numbers stay here.
  bool corrected = false;
  bool informative = true;  // false: the card cannot exclude an uninformative judge
  double judged_rate = 0.0;
  metrics::Interval judged_ci95;
};

Rate make_rate(int successes, int trials);
// With `card` (a world-model run's judge counts) the corrected rate.
Rate make_rate(int successes, int trials, const metrics::ConfusionMatrix* card);

// The judge card a world-model run carries (RunHeader::judge_card).
struct JudgeCardInfo {
  std::string card;  // the report-card.json it came from
  std::string sha256;
  metrics::ConfusionMatrix counts;
  bool rankable = true;
  std::string rankable_note;
};
// nullopt when the run has none; InputError naming `source` when malformed.
std::optional<JudgeCardInfo> judge_card_info(const RunHeader& header, const std::string& source);

// "success rates are corrected for the judge's error rates (card C: sensitivity
// 86.7% [..], specificity 70.8% [..]) ..." for a report's notes.
std::string correction_note(const JudgeCardInfo& card);

}  // namespace gauntlet::reports
