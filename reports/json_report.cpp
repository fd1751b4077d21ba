// report.json: every number of the report, versioned (docs/report-json.md).
#include <nlohmann/json.hpp>

#include "reports/long_horizon.hpp"
#include "reports/robustness_sections.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

using nlohmann::json;

json rate_json(const Rate& r) {
  json j{{"trials", r.trials},
         {"successes", r.successes},
         {"success_rate", r.rate},
         {"ci95", {r.ci95.lo, r.ci95.hi}}};
  if (r.corrected) {
    // success_rate and ci95 are corrected for the world-model judge's errors.
    j["corrected"] = true;
    j["correction_informative"] = r.informative;
    j["judged_success_rate"] = r.judged_rate;
    j["judged_ci95"] = {r.judged_ci95.lo, r.judged_ci95.hi};
  }
  return j;
}

class JsonWriter final : public ReportWriter {
 public:
  std::string format() const override { return "json"; }
  std::string file_name() const override { return "report.json"; }
  void write(const ReportModel& model, const std::filesystem::path& dir) const override {
    json doc;
    doc["schema"] = "gauntlet-report";
    doc["schema_version"] = 2;
    doc["generated_at"] = model.generated_at;
    doc["corrections"] = correction_notes(model);  // world-model runs with a card
    const RunHeader* h = model.policies.empty() ? nullptr : &model.policies.front().header;
    doc["suite"] = {{"name", model.suite},
                    {"hash", model.suite_hash},
                    {"version", h ? h->suite_version : ""},
                    {"seed", h ? h->suite_seed : 0},
                    {"tasks", model.task_ids}};
    doc["robustness"] = robustness_json(model.robustness);
    json policies = json::array();
    int rank = 0;
    for (const auto& p : model.policies) {
      json pj;
      pj["rank"] = ++rank;
      pj["name"] = p.name;
      pj["spec"] = p.header.policy_spec;
      pj["identity"] = p.header.policy_identity;
      pj["backend"] = p.header.backend;
      pj["source"] = p.source;
      pj["episodes"] = p.episodes;
      pj["scope"] = p.scope;
      pj["perturbed_episodes"] = p.perturbed_episodes;
      pj["success"] = rate_json(p.success);
      pj["mean_progress"] = p.mean_progress;
      if (p.chains) pj["long_horizon"] = chain_summary_json(*p.chains);
      pj["terminations"] = p.terminations;
      pj["latency_ms"] = {{"p50", p.latency_p50_ms}, {"p99_max", p.latency_p99_ms}};
      pj["wall_time_s"] = p.wall_time_s;
      pj["plan"] = {{"complete", p.coverage.complete()},
                    {"planned_episodes", p.coverage.planned},
                    {"finished_episodes", p.coverage.finished},
                    {"shards", p.coverage.shards.known() ? p.coverage.shards.to_string() : ""},
                    {"missing_shards", p.coverage.shards.missing()},
                    {"summary", p.coverage.summary()},
                    {"missing", p.coverage.complete() ? "" : p.coverage.missing()}};
      json tasks = json::array();
      for (const auto& t : p.tasks) {
        tasks.push_back({{"task", t.task_id},
                         {"instruction", t.instruction},
                         {"planned_episodes", p.header.episodes_of(t.task_id)},
                         {"success", rate_json(t.success)},
                         {"mean_progress", t.mean_progress},
                         {"terminations", t.terminations}});
      }
      pj["tasks"] = tasks;
      pj["provenance"] = {{"harness_version", p.header.harness_version},
                          {"git_sha", p.header.git_sha},
                          {"robot", p.header.robot},
                          {"action_convention", p.header.action_convention},
                          {"episodes_per_task", p.header.episodes_per_task},
                          {"perturbations", p.header.perturbations},
                          {"shard", p.header.shard},
                          {"hosts", p.header.hosts},
                          {"started_at", p.header.started_at},
                          {"updated_at", p.header.updated_at},
                          {"command", p.header.command}};
      policies.push_back(std::move(pj));
    }
    doc["policies"] = policies;
    const RankingStatistics& st = model.stats;
    json stats;
    stats["available"] = st.available;
    stats["note"] = st.note;
    stats["paired"] = st.layout.same_seeds;
    stats["common_episodes"] = st.layout.common_episodes;
    stats["excluded_sim_errors"] = st.layout.excluded_sim_errors;
    stats["alpha"] = st.options.alpha;
    stats["adjustment"] = st.options.adjustment;
    stats["resamples"] = st.options.resamples;
    if (st.available) {
      json per_policy = json::array();
      for (std::size_t i = 0; i < model.policies.size() && i < st.task_mean.size(); ++i) {
        json pj{{"name", model.policies[i].name},
                {"task_mean_success", st.task_mean[i]},
                {"task_mean_ci", {st.task_mean_ci[i].lo, st.task_mean_ci[i].hi}},
                {"p_best", st.p_best[i]},
                {"mean_rank", st.mean_rank[i]},
                {"rank_interval", {st.rank_lo[i], st.rank_hi[i]}},
                {"group", i < st.letters.size() ? st.letters[i] : ""}};
        if (i < st.elo.size()) {
          pj["elo"] = st.elo[i];
          pj["elo_ci"] = {st.elo_ci[i].lo, st.elo_ci[i].hi};
        }
        std::vector<double> row;
        for (std::size_t r = 0; r < model.policies.size(); ++r) {
          row.push_back(st.rank_probability.at(i * model.policies.size() + r));
        }
        pj["rank_probability"] = row;
        per_policy.push_back(std::move(pj));
      }
      stats["policies"] = per_policy;
      json pairs = json::array();
      for (const auto& c : st.pairs) {
        pairs.push_back({{"a", model.policies[c.a].name},
                         {"b", model.policies[c.b].name},
                         {"difference", c.difference},
                         {"ci", {c.ci.lo, c.ci.hi}},
                         {"p_value", c.p_value},
                         {"p_adjusted", c.p_adjusted},
                         {"significant", c.significant},
                         {"verdict", c.verdict},
                         {"a_only", c.a_only},
                         {"b_only", c.b_only},
                         {"pairs", c.pairs}});
      }
      stats["pairwise"] = pairs;
    }
    doc["statistics"] = stats;
    doc["perturbations"] = model.perturbations;
    write_text_file(dir / file_name(), doc.dump(2) + "\n");
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_json_writer() {
  return std::make_unique<JsonWriter>();
}

}  // namespace gauntlet::reports
