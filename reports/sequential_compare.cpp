#include "reports/sequential_compare.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "reports/text_output.hpp"

namespace gauntlet::reports {

std::string sequential_compare_markdown(const SequentialCompareReport& r) {
  const long long saved = r.budget - r.pairs_used;
  char summary[512];
  std::snprintf(
      summary, sizeof summary,
      "%s after %d of at most %d episode pairs (%lld pairs, %.0f%% of the fixed-N budget, saved); "
      "discordant pairs: candidate won %lld, baseline won %lld; E(better) = %.3g, E(worse) = %.3g, "
      "threshold %.3g (Ville-bound p = %.3g, conservative)",
      r.decision == metrics::SequentialDecision::kBBetter  ? "candidate significantly better"
      : r.decision == metrics::SequentialDecision::kBWorse ? "candidate significantly worse"
                                                           : "not enough evidence yet",
      r.pairs_used, r.budget, saved, 100.0 * static_cast<double>(saved) / r.budget,
      static_cast<long long>(r.candidate_wins), static_cast<long long>(r.baseline_wins),
      r.e_value_better, r.e_value_worse, r.threshold, r.p_value);
  char alpha[32];
  std::snprintf(alpha, sizeof alpha, "%g", r.alpha);
  return "## Sequential comparison: " + escape_markdown(r.candidate) + " vs " +
         escape_markdown(r.baseline) + "\n\n" + summary +
         ".\n\nAnytime-valid betting test on paired episodes (type-I error at most alpha = " +
         alpha + " under optional stopping); " + std::to_string(r.skipped_pairs) +
         " pairs skipped for simulator errors. Results: " + r.baseline_file + ", " +
         r.candidate_file + ".\n";
}

std::string sequential_compare_json(const SequentialCompareReport& r) {
  const nlohmann::json j{{"decision", std::string(metrics::to_string(r.decision))},
                         {"stop", std::string(metrics::to_string(r.stop))},
                         {"pairs_used", r.pairs_used},
                         {"budget", r.budget},
                         {"saved_pairs", static_cast<long long>(r.budget - r.pairs_used)},
                         {"candidate_wins", r.candidate_wins},
                         {"baseline_wins", r.baseline_wins},
                         {"e_value_better", r.e_value_better},
                         {"e_value_worse", r.e_value_worse},
                         {"p_value", r.p_value},
                         {"baseline_file", r.baseline_file},
                         {"candidate_file", r.candidate_file}};
  return j.dump() + "\n";
}

}  // namespace gauntlet::reports
