#include "reports/run_summary.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "reports/long_horizon.hpp"

namespace gauntlet::reports {

RunSummary summarize_run(const RunResults& results, const std::string& out) {
  const PolicySummary s = summarize(results, out);
  RunSummary r;
  r.suite = results.header.suite_name;
  r.suite_hash = results.header.suite_hash;
  r.policy = s.name;
  r.policy_spec = results.header.policy_spec;
  r.out = out;
  r.episodes = s.episodes;
  for (const auto& e : results.episodes) r.perturbed += e.perturbation_id != "nominal" ? 1 : 0;
  r.success = s.success;
  r.mean_progress = s.mean_progress;
  r.tasks = s.tasks;
  r.chains = s.chains;
  for (const char* k : {"policy_error", "invalid_action", "sim_error"}) {
    const auto it = s.terminations.find(k);
    r.errors[k] = it == s.terminations.end() ? 0 : it->second;
  }
  return r;
}

std::string run_summary_json(const RunSummary& s) {
  nlohmann::json j;
  j["suite"] = s.suite;
  j["suite_hash"] = s.suite_hash;
  j["policy"] = s.policy;
  j["policy_spec"] = s.policy_spec;
  j["episodes"] = s.episodes;
  j["perturbed_episodes"] = s.perturbed;
  j["counted_episodes"] = s.success.trials;
  j["successes"] = s.success.successes;
  j["success_rate"] = s.success.rate;
  j["ci95"] = {s.success.ci95.lo, s.success.ci95.hi};
  if (s.success.corrected) {
    // World-model run with a card: success_rate and ci95 are corrected for the judge.
    j["corrected"] = true;
    j["judged_success_rate"] = s.success.judged_rate;
    j["judged_ci95"] = {s.success.judged_ci95.lo, s.success.judged_ci95.hi};
  }
  j["mean_progress"] = s.mean_progress;
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& t : s.tasks) {
    tasks.push_back({{"task", t.task_id},
                     {"episodes", t.success.trials},
                     {"successes", t.success.successes},
                     {"success_rate", t.success.rate},
                     {"ci95", {t.success.ci95.lo, t.success.ci95.hi}}});
  }
  j["tasks"] = tasks;
  j["errors"] = s.errors;
  if (s.chains) {
    const nlohmann::json c = chain_summary_json(*s.chains);
    j["avg_length"] = c["avg_length"];
    j["avg_length_ci95"] = c["avg_length_ci95"];
    j["success_at"] = c["success_at"];
    j["long_horizon"] = c;
  }
  j["out"] = s.out;
  return j.dump() + "\n";
}

std::string run_summary_line(const RunSummary& s) {
  char buf[160];
  if (s.chains) {
    const auto& a = s.chains->average_length;
    std::snprintf(buf, sizeof buf,
                  "%.2f [%.2f, %.2f] over %lld chains, success %.1f%% [%.1f, %.1f]", a.estimate,
                  a.interval.lo, a.interval.hi, static_cast<long long>(s.chains->chains),
                  100.0 * s.success.rate, 100.0 * s.success.ci95.lo, 100.0 * s.success.ci95.hi);
    return s.policy + ": avg length " + buf + " -> " + s.out + "\n";
  }
  std::snprintf(buf, sizeof buf, "%.1f%% [%.1f, %.1f] over %d", 100.0 * s.success.rate,
                100.0 * s.success.ci95.lo, 100.0 * s.success.ci95.hi, s.success.trials);
  if (s.success.corrected) {
    char judged[64];
    std::snprintf(judged, sizeof judged, "%.1f%%", 100.0 * s.success.judged_rate);
    return s.policy + ": success " + buf + " episodes, CORRECTED for the judge (judged " + judged +
           ") -> " + s.out + "\n";
  }
  if (s.perturbed > 0) {
    // The success above is the nominal episodes'; say so, and where the rest is.
    return s.policy + ": success " + buf + " nominal episodes (+" + std::to_string(s.perturbed) +
           " perturbed: `gauntlet report` aggregates them) -> " + s.out + "\n";
  }
  return s.policy + ": success " + buf + " episodes -> " + s.out + "\n";
}

}  // namespace gauntlet::reports
