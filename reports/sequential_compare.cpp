#include "reports/sequential_compare.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

const char* outcome(const SequentialCompareReport& r) {
  if (r.decision == metrics::SequentialDecision::kBWorse)
    return "regression: candidate significantly worse";
  if (r.decision == metrics::SequentialDecision::kBBetter) return "candidate significantly better";
  if (r.stop == metrics::SequentialStop::kFutility)
    return "no regression (futility stop: no drop of the design size)";
  if (r.stop == metrics::SequentialStop::kBudget &&
      r.candidate_wins + r.baseline_wins >= r.max_discordant && r.max_discordant > 0) {
    return "no regression (the design's horizon reached without evidence)";
  }
  return "not enough evidence yet (stopped at the --max-episodes cap)";
}

}  // namespace

std::string sequential_compare_markdown(const SequentialCompareReport& r) {
  char summary[1400];
  std::snprintf(
      summary, sizeof summary,
      "%s after %d episode pairs (cap %d). The matched fixed-N design (exact McNemar, one-sided "
      "alpha = %g, "
      "power %.2f for %.3f -> %.3f) needs %lld pairs: %.1f%% saved. Expected pairs of this "
      "sequential design: "
      "%.1f at the design point, %.1f if equal (saving %.1f%% and %.1f%%; exact power %.4f, "
      "false-positive rate "
      "%.4f).\n\nDiscordant pairs: candidate won %lld, baseline won %lld; E(worse) = %.4g against "
      "the decision "
      "threshold %.4g (futility at <= %.4g, at most %lld discordant pairs). Anytime-valid p-value "
      "(exact, "
      "consistent with the decision: <= alpha exactly when it decided) p = %.4g; Ville's bound "
      "1/max E = %.4g "
      "(conservative, not the decision's p-value)",
      outcome(r), r.pairs_used, r.budget, r.alpha, r.design_power_target, r.design_p0,
      r.design_p0 - r.design_delta, static_cast<long long>(r.fixed_n), 100 * r.saving_vs_fixed_n(),
      r.expected_pairs, r.expected_pairs_null,
      100 * (r.fixed_n > 0 ? 1 - r.expected_pairs / static_cast<double>(r.fixed_n) : 0.0),
      100 * (r.fixed_n > 0 ? 1 - r.expected_pairs_null / static_cast<double>(r.fixed_n) : 0.0),
      r.design_power, r.design_false_positive_rate, static_cast<long long>(r.candidate_wins),
      static_cast<long long>(r.baseline_wins), r.e_value_worse, r.threshold, r.futility_threshold,
      static_cast<long long>(r.max_discordant), r.p_value, r.ville_p_value);
  return "## Sequential comparison: " + escape_markdown(r.candidate) + " vs " +
         escape_markdown(r.baseline) + "\n\n" + summary +
         ".\n\nDesigned sequential probability ratio test on discordant pairs, one-sided "
         "(candidate worse), "
         "thresholds calibrated by exact dynamic programming: type-I error at most alpha for any "
         "discordance rate "
         "and any stop the runner makes when told. " +
         std::to_string(r.skipped_pairs) +
         " pairs skipped for simulator errors. Results: " + r.baseline_file + ", " +
         r.candidate_file + ".\n";
}

std::string sequential_compare_json(const SequentialCompareReport& r) {
  const nlohmann::json j{
      {"metric", "success"},
      {"decision", std::string(metrics::to_string(r.decision))},
      {"stop", std::string(metrics::to_string(r.stop))},
      {"outcome", outcome(r)},
      {"pairs_used", r.pairs_used},
      {"budget", r.budget},
      {"saved_pairs", static_cast<long long>(r.budget - r.pairs_used)},  // of the cap
      {"fixed_n", r.fixed_n},
      {"fixed_power", r.fixed_power},
      {"saving_vs_fixed_n", r.saving_vs_fixed_n()},
      {"design_p0", r.design_p0},
      {"design_delta", r.design_delta},
      {"design_discordance", r.design_discordance},
      {"design_power", r.design_power},
      {"design_false_positive_rate", r.design_false_positive_rate},
      {"expected_pairs", r.expected_pairs},
      {"expected_pairs_null", r.expected_pairs_null},
      {"max_discordant", r.max_discordant},
      {"candidate_wins", r.candidate_wins},
      {"baseline_wins", r.baseline_wins},
      {"e_value_better", r.e_value_better},
      {"e_value_worse", r.e_value_worse},
      {"threshold", r.threshold},
      {"p_value", r.p_value},
      {"p_value_kind", "exact anytime-valid (consistent with the decision)"},
      {"ville_p_value", r.ville_p_value},
      {"alpha", r.alpha},
      {"baseline_file", r.baseline_file},
      {"candidate_file", r.candidate_file}};
  return j.dump() + "\n";
}

namespace {

const char* progress_outcome(const ProgressCompareReport& r) {
  if (r.decision == metrics::SequentialDecision::kBWorse)
    return "regression: candidate's progress significantly worse";
  if (r.stop == metrics::SequentialStop::kFutility)
    return "no regression (futility stop: no drop of the design size)";
  if (r.stop == metrics::SequentialStop::kBudget)
    return "no regression (the design's horizon reached without evidence)";
  return "not enough evidence yet (stopped at the --max-episodes cap or the end of the files)";
}

}  // namespace

std::string progress_compare_markdown(const ProgressCompareReport& r) {
  char summary[2000];
  std::snprintf(
      summary, sizeof summary,
      "%s after %d episode pairs (cap %d). Mean progress: baseline %.4f, candidate %.4f "
      "(difference %+.4f).\n\n"
      "Evidence that the candidate is worse: E = %.4g now, largest %.4g, against the decision "
      "threshold 1/alpha = %.4g. Anytime-valid p-value p = min(1, 1/max E) = %.4g: under "
      "\"candidate not worse on average\" the chance that E ever reaches 1/p is at most p "
      "(Ville's inequality), whenever the test is stopped, so p <= alpha = %g exactly when it "
      "decided \"regression\". A futility stop or the design's horizon means no regression of "
      "the design size at level alpha, not proof of equality.\n\n"
      "Design (one-sided, alpha %g, power %.2f): a drop of %.3f in mean progress, paired "
      "differences with standard deviation %.3f; the matched fixed-N paired z-test needs %lld "
      "pairs: %.1f%% saved here. Expected pairs of this sequential design: %.1f at the design "
      "point, %.1f if equal (saving %.1f%% and %.1f%%; power %.4f, false-positive rate %.4f, "
      "simulated over %lld runs of the design model). Futility at log E <= %.3g, at most %lld "
      "pairs",
      progress_outcome(r), r.pairs_used, r.budget, r.mean_baseline, r.mean_candidate,
      r.mean_candidate - r.mean_baseline, r.e_value, r.max_e_value, r.threshold, r.p_value, r.alpha,
      r.alpha, r.design_power_target, r.design_delta, r.design_sd,
      static_cast<long long>(r.fixed_n), 100 * r.saving_vs_fixed_n(), r.expected_pairs,
      r.expected_pairs_null,
      100 * (r.fixed_n > 0 ? 1 - r.expected_pairs / static_cast<double>(r.fixed_n) : 0.0),
      100 * (r.fixed_n > 0 ? 1 - r.expected_pairs_null / static_cast<double>(r.fixed_n) : 0.0),
      r.design_power, r.design_false_positive_rate, static_cast<long long>(r.design_simulations),
      r.futility_log_e, static_cast<long long>(r.max_pairs));
  return "## Sequential comparison of progress: " + escape_markdown(r.candidate) + " vs " +
         escape_markdown(r.baseline) + "\n\n" + summary +
         ".\n\nBetting e-process on the paired progress differences (predictable plug-in, "
         "Waudby-Smith and Ramdas 2024): type-I error at most alpha for any distribution of "
         "scores in [0, 1], binary or not. " +
         std::to_string(r.skipped_pairs) +
         " pairs skipped for simulator errors. Results: " + r.baseline_file + ", " +
         r.candidate_file + ".\n";
}

std::string progress_compare_json(const ProgressCompareReport& r) {
  const nlohmann::json j{
      {"metric", "progress"},
      {"decision", std::string(metrics::to_string(r.decision))},
      {"stop", std::string(metrics::to_string(r.stop))},
      {"outcome", progress_outcome(r)},
      {"pairs_used", r.pairs_used},
      {"budget", r.budget},
      {"skipped_pairs", r.skipped_pairs},
      {"mean_baseline", r.mean_baseline},
      {"mean_candidate", r.mean_candidate},
      {"mean_difference", r.mean_candidate - r.mean_baseline},
      {"e_value", r.e_value},
      {"max_e_value", r.max_e_value},
      {"threshold", r.threshold},
      {"p_value", r.p_value},
      {"p_value_kind", "anytime-valid min(1, 1/max E) (Ville); <= alpha exactly when decided"},
      {"alpha", r.alpha},
      {"design_delta", r.design_delta},
      {"design_sd", r.design_sd},
      {"design_power", r.design_power},
      {"design_false_positive_rate", r.design_false_positive_rate},
      {"design_simulations", r.design_simulations},
      {"fixed_n", r.fixed_n},
      {"fixed_test", "one-sided paired z-test on mean progress (normal approximation)"},
      {"saving_vs_fixed_n", r.saving_vs_fixed_n()},
      {"expected_pairs", r.expected_pairs},
      {"expected_pairs_null", r.expected_pairs_null},
      {"max_pairs", r.max_pairs},
      {"futility_log_e", r.futility_log_e},
      {"baseline_file", r.baseline_file},
      {"candidate_file", r.candidate_file}};
  return j.dump() + "\n";
}

}  // namespace gauntlet::reports
