// episodes.csv: one row per episode of every policy, for people's own notebooks.
#include <cstdio>

#include "harness/subtask_list.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

class CsvWriter final : public ReportWriter {
 public:
  std::string format() const override { return "csv"; }
  std::string file_name() const override { return "episodes.csv"; }
  void write(const ReportModel& model, const std::filesystem::path& dir) const override {
    std::string out =
        "policy,suite,task,perturbation,episode,seed,success,progress,return,steps,termination,"
        "wall_time_s,policy_calls,latency_p50_ms,latency_p95_ms,latency_p99_ms,error,"
        "chain_length,subtasks,run_planned_episodes,run_complete\n";
    for (std::size_t i = 0; i < model.runs.size(); ++i) {
      const RunResults& run = model.runs[i];
      const std::string policy = csv_field(model.policies[i].name);
      const std::string suite = csv_field(run.header.suite_name);
      // Every row carries its run's plan, so a notebook sees an incomplete run.
      const PlanCoverage& plan = model.policies[i].coverage;
      const std::string run_plan =
          "," + std::to_string(plan.planned) + "," + (plan.complete() ? "1" : "0");
      for (const auto& e : run.episodes) {
        out += policy + "," + suite + "," + csv_field(e.task_id) + "," +
               csv_field(e.perturbation_id) + "," + std::to_string(e.episode_index) + "," +
               std::to_string(e.seed) + "," + (e.success ? "1" : "0") + "," + num(e.progress) +
               "," + num(e.episode_return) + "," + std::to_string(e.steps) + "," +
               std::string(to_string(e.termination)) + "," + num(e.wall_time_s) + "," +
               std::to_string(e.policy_calls) + "," + num(e.latency_p50_ms) + "," +
               num(e.latency_p95_ms) + "," + num(e.latency_p99_ms) + "," + csv_field(e.error) +
               "," + (e.subtasks.empty() ? "" : std::to_string(e.chain_length())) + "," +
               format_subtasks(e.subtasks) + run_plan + "\n";
      }
    }
    write_text_file(dir / file_name(), out);
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_csv_writer() {
  return std::make_unique<CsvWriter>();
}

}  // namespace gauntlet::reports
