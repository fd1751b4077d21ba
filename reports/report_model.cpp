#include "reports/report_model.hpp"

#include <algorithm>
#include <numeric>
#include <set>

#include "harness/errors.hpp"
#include "metrics/judge_correction.hpp"
#include "reports/long_horizon.hpp"

namespace gauntlet::reports {

int error_episodes(const PolicySummary& policy) {
  int n = 0;
  for (const auto& [termination, count] : policy.terminations) {
    if (termination != "success" && termination != "timeout") n += count;
  }
  return n;
}

PolicySummary summarize(const RunResults& run, const std::string& source) {
  PolicySummary p;
  const auto card = judge_card_info(run.header, source);
  const bool correct = card && metrics::judge_error_rates(card->counts).youden > 0.0;
  const metrics::ConfusionMatrix* judge = correct ? &card->counts : nullptr;
  p.name = run.header.policy_name;
  p.source = source;
  p.header = run.header;
  p.coverage = plan_coverage(run);
  std::map<std::string, TaskSummary> by_task;
  std::map<std::string, std::pair<int, int>> counts;  // successes, trials
  std::map<std::string, double> progress_sum;
  int successes = 0;
  int trials = 0;
  double progress_total = 0.0;
  std::vector<double> p50s;
  const bool has_nominal =
      std::any_of(run.episodes.begin(), run.episodes.end(),
                  [](const EpisodeResult& e) { return e.perturbation_id == "nominal"; });
  const bool has_perturbed =
      std::any_of(run.episodes.begin(), run.episodes.end(),
                  [](const EpisodeResult& e) { return e.perturbation_id != "nominal"; });
  if (has_nominal && has_perturbed) p.scope = "nominal";
  for (const auto& e : run.episodes) {
    if (p.scope == "nominal" && e.perturbation_id != "nominal") {
      ++p.perturbed_episodes;
      continue;
    }
    ++p.episodes;
    const std::string term(to_string(e.termination));
    ++p.terminations[term];
    TaskSummary& t = by_task[e.task_id];
    t.task_id = e.task_id;
    ++t.terminations[term];
    t.wall_time_s += e.wall_time_s;
    p.wall_time_s += e.wall_time_s;
    if (e.policy_calls > 0) p50s.push_back(e.latency_p50_ms);
    p.latency_p99_ms = std::max(p.latency_p99_ms, e.latency_p99_ms);
    if (!e.counts_for_policy()) continue;
    ++trials;
    successes += e.success ? 1 : 0;
    progress_total += e.progress;
    auto& c = counts[e.task_id];
    c.first += e.success ? 1 : 0;
    ++c.second;
    progress_sum[e.task_id] += e.progress;
  }
  p.success = make_rate(successes, trials, judge);
  p.mean_progress = trials > 0 ? progress_total / trials : 0.0;
  if (!p50s.empty()) {
    std::sort(p50s.begin(), p50s.end());
    p.latency_p50_ms = p50s[p50s.size() / 2];
  }
  for (const auto& info : run.header.tasks) {
    TaskSummary t = by_task.count(info.id) ? by_task[info.id] : TaskSummary{};
    t.task_id = info.id;
    t.instruction = info.instruction;
    const auto c = counts[info.id];
    t.success = make_rate(c.first, c.second, judge);
    t.mean_progress = c.second > 0 ? progress_sum[info.id] / c.second : 0.0;
    p.tasks.push_back(std::move(t));
  }
  p.chains = summarize_run_chains(run, p.scope == "nominal");
  return p;
}

ReportModel build_report_model(std::vector<RunResults> runs, std::vector<std::string> sources,
                               const StatisticsOptions& options) {
  if (runs.empty()) throw InputError("report: no results files given");
  ReportModel model;
  model.suite = runs.front().header.suite_name;
  model.suite_hash = runs.front().header.suite_hash;
  for (std::size_t i = 1; i < runs.size(); ++i) {
    const auto& h = runs[i].header;
    if (h.suite_name != model.suite || h.suite_hash != model.suite_hash) {
      throw InputError(sources[i] + " holds suite '" + h.suite_name + "' (hash " +
                       h.suite_hash.substr(0, 12) + ") but " + sources[0] + " holds '" +
                       model.suite + "' (hash " + model.suite_hash.substr(0, 12) +
                       "); a report ranks policies on one suite version");
    }
  }
  std::vector<std::size_t> order(runs.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<PolicySummary> summaries;
  for (std::size_t i = 0; i < runs.size(); ++i) summaries.push_back(summarize(runs[i], sources[i]));
  // Chain suites rank by average length (CALVIN's metric), others by success rate.
  const bool chains = std::all_of(summaries.begin(), summaries.end(),
                                  [](const PolicySummary& s) { return s.chains.has_value(); });
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (chains) {
      return summaries[a].chains->average_length.estimate >
             summaries[b].chains->average_length.estimate;
    }
    return summaries[a].success.rate > summaries[b].success.rate;
  });
  for (const std::size_t i : order) {
    model.policies.push_back(std::move(summaries[i]));
    model.runs.push_back(std::move(runs[i]));
    if (auto r = build_robustness(model.runs.back(), model.policies.back().name))
      model.robustness.push_back(std::move(*r));
  }
  for (const auto& run : model.runs) {
    for (const auto& t : run.header.tasks) {
      if (std::find(model.task_ids.begin(), model.task_ids.end(), t.id) == model.task_ids.end()) {
        model.task_ids.push_back(t.id);
      }
    }
  }
  std::set<std::string> perturbations;
  for (const auto& run : model.runs) {
    for (const auto& e : run.episodes) perturbations.insert(e.perturbation_id);
  }
  if (perturbations.erase("nominal")) model.perturbations.push_back("nominal");
  model.perturbations.insert(model.perturbations.end(), perturbations.begin(), perturbations.end());
  std::vector<const RunResults*> ordered;
  for (const auto& run : model.runs) ordered.push_back(&run);
  model.stats = ranking_statistics(ordered, options);
  if (chains) {
    model.stats.note +=
        std::string(model.stats.note.empty() ? "" : "; ") +
        "chain suite: policies are ranked by average length; the rank interval, P(best), group "
        "letters and pairwise verdicts are over the all-five success rate (average length: the "
        "long-horizon section, and `gauntlet compare` for its paired test)";
  }
  model.generated_at = utc_now_iso8601();
  return model;
}

ReportModel build_report_model(const std::vector<std::filesystem::path>& files,
                               const StatisticsOptions& options) {
  std::vector<RunResults> runs;
  std::vector<std::string> sources;
  for (const auto& f : files) {
    runs.push_back(ResultsStore::read(f));
    sources.push_back(f.string());
  }
  return build_report_model(std::move(runs), std::move(sources), options);
}

std::vector<std::string> correction_notes(const ReportModel& model) {
  std::vector<std::string> notes;
  std::set<std::string> seen;
  for (const auto& p : model.policies) {
    const auto card = judge_card_info(p.header, p.source);
    if (card && seen.insert(card->sha256).second) notes.push_back(correction_note(*card));
  }
  return notes;
}

std::vector<std::string> incomplete_run_notes(const ReportModel& model) {
  std::vector<std::string> notes;
  for (const auto& p : model.policies) {
    if (p.coverage.complete()) continue;
    notes.push_back(p.name + " (" + p.source + "): incomplete run: " + p.coverage.summary() + " (" +
                    p.coverage.missing() + ")");
  }
  return notes;
}

}  // namespace gauntlet::reports
