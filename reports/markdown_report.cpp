// report.md: the ranking table and per-task detail in GitHub-flavoured Markdown.
#include <cstdio>

#include "reports/robustness.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

std::string interval_text(const metrics::Interval& ci) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%.1f, %.1f]", 100.0 * ci.lo, 100.0 * ci.hi);
  return buf;
}

int error_count(const std::map<std::string, int>& terminations) {
  int n = 0;
  for (const auto& [k, v] : terminations) {
    if (k != "success" && k != "timeout") n += v;
  }
  return n;
}

class MarkdownWriter final : public ReportWriter {
 public:
  std::string format() const override { return "md"; }
  std::string file_name() const override { return "report.md"; }
  void write(const ReportModel& model, const std::filesystem::path& dir) const override {
    write_text_file(dir / file_name(), markdown_report(model));
  }
};

}  // namespace

std::string markdown_ranking_table(const ReportModel& model) {
  std::string out = "| Rank | Policy | Success | 95% CI | Episodes | Errors |";
  std::string sep = "|---:|---|---:|---|---:|---:|";
  for (const auto& t : model.task_ids) {
    out += " " + escape_markdown(t) + " |";
    sep += "---:|";
  }
  out += "\n" + sep + "\n";
  int rank = 0;
  for (const auto& p : model.policies) {
    ++rank;
    out += "| " + std::to_string(rank) + " | " + escape_markdown(p.name) + " | " +
           format_percent(p.success.rate) + " | " + interval_text(p.success.ci95) + " | " +
           std::to_string(p.episodes) + " | " + std::to_string(error_count(p.terminations)) + " |";
    for (const auto& id : model.task_ids) {
      const TaskSummary* task = nullptr;
      for (const auto& t : p.tasks) {
        if (t.task_id == id) task = &t;
      }
      out += " " + (task && task->success.trials > 0 ? format_percent(task->success.rate) : std::string("-")) + " |";
    }
    out += "\n";
  }
  return out;
}

std::string markdown_report(const ReportModel& model) {
  std::string out = "# gauntlet report: " + escape_markdown(model.suite) + "\n\n";
  if (!model.policies.empty()) {
    const RunHeader& h = model.policies.front().header;
    out += "Suite `" + escape_markdown(h.suite_name) + "` version " + escape_markdown(h.suite_version) +
           " (hash `" + h.suite_hash.substr(0, 12) + "`), seed " + std::to_string(h.suite_seed) +
           ", " + std::to_string(h.episodes_per_task) + " episodes per task. Generated " +
           model.generated_at + ".\n\n";
  }
  out += "Success is over episodes that count for the policy (simulator errors excluded); the "
         "interval is the 95% Wilson score interval. Per-task columns give the success rate.\n\n";
  out += markdown_ranking_table(model);
  out += "\n## Per task\n\n| Policy | Task | Success | 95% CI | Episodes | Mean progress |\n"
         "|---|---|---:|---|---:|---:|\n";
  for (const auto& p : model.policies) {
    for (const auto& t : p.tasks) {
      char prog[32];
      std::snprintf(prog, sizeof prog, "%.2f", t.mean_progress);
      out += "| " + escape_markdown(p.name) + " | " + escape_markdown(t.task_id) + " | " +
             format_percent(t.success.rate) + " | " + interval_text(t.success.ci95) + " | " +
             std::to_string(t.success.trials) + " | " + prog + " |\n";
    }
  }
  out += "\n## Terminations\n\n| Policy | success | timeout | policy_error | invalid_action | sim_error |\n"
         "|---|---:|---:|---:|---:|---:|\n";
  for (const auto& p : model.policies) {
    out += "| " + escape_markdown(p.name) + " |";
    for (const char* k : {"success", "timeout", "policy_error", "invalid_action", "sim_error"}) {
      const auto it = p.terminations.find(k);
      out += " " + std::to_string(it == p.terminations.end() ? 0 : it->second) + " |";
    }
    out += "\n";
  }
  out += "\n## Provenance\n\n| Policy | Spec | Identity | Harness | Git | Hosts | Started |\n"
         "|---|---|---|---|---|---|---|\n";
  for (const auto& p : model.policies) {
    const RunHeader& h = p.header;
    out += "| " + escape_markdown(p.name) + " | `" + escape_markdown(h.policy_spec) + "` | `" +
           escape_markdown(h.policy_identity.substr(0, 40)) + "` | " + escape_markdown(h.harness_version) +
           " | " + escape_markdown(h.git_sha) + " | " + escape_markdown(h.hosts) + " | " +
           escape_markdown(h.started_at) + " |\n";
  }
  if (model.robustness) out += markdown_robustness_section(*model.robustness);
  return out;
}

std::unique_ptr<ReportWriter> make_markdown_writer() { return std::make_unique<MarkdownWriter>(); }

}  // namespace gauntlet::reports
