// report.md: the ranking and pairwise verdicts in GitHub-flavoured Markdown,
// short enough for a pull-request comment, with the SVG charts beside it.
#include <algorithm>
#include <cstdio>

#include "reports/long_horizon.hpp"
#include "reports/robustness_sections.hpp"
#include "reports/svg.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

std::string interval_text(const metrics::Interval& ci) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%.1f, %.1f]", 100.0 * ci.lo, 100.0 * ci.hi);
  return buf;
}

std::string points(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f", 100.0 * d);
  return buf;
}

class MarkdownWriter final : public ReportWriter {
 public:
  std::string format() const override { return "md"; }
  std::string file_name() const override { return "report.md"; }
  void write(const ReportModel& model, const std::filesystem::path& dir) const override {
    write_text_file(dir / file_name(), markdown_report(model));
    std::vector<ForestRow> rows;
    for (const auto& p : model.policies) {
      rows.push_back({p.name, p.success.rate, p.success.ci95.lo, p.success.ci95.hi,
                      format_percent(p.success.rate) + " " + interval_text(p.success.ci95)});
    }
    write_text_file(dir / "success.svg", forest_plot_svg("Success with 95% intervals", rows));
  }
};

}  // namespace

std::string markdown_ranking_table(const ReportModel& model) {
  const RankingStatistics& st = model.stats;
  const bool stats = st.available && st.p_best.size() == model.policies.size();
  const bool chains = !model.policies.empty() &&
                      std::all_of(model.policies.begin(), model.policies.end(),
                                  [](const PolicySummary& p) { return p.chains.has_value(); });
  std::string out = "| Rank | Policy |";
  std::string sep = "|---:|---|";
  if (chains) {
    out += " Avg length | 95% CI |";
    sep += "---:|---|";
  }
  out += " Success | 95% CI |";
  sep += "---:|---|";
  if (stats) {
    out += " Rank CI | P(best) | Group |";
    sep += "---|---:|:---:|";
  }
  out += " Episodes | Errors |";
  sep += "---:|---:|";
  out += "\n" + sep + "\n";
  for (std::size_t i = 0; i < model.policies.size(); ++i) {
    const auto& p = model.policies[i];
    out += "| " + std::to_string(i + 1) + " | " + escape_markdown(p.name) + " |";
    if (chains) {
      char len[96];
      std::snprintf(len, sizeof len, " %.2f | [%.2f, %.2f] |", p.chains->average_length.estimate,
                    p.chains->average_length.interval.lo, p.chains->average_length.interval.hi);
      out += len;
    }
    out += " " + format_percent(p.success.rate) + " | " + interval_text(p.success.ci95) + " |";
    if (stats) {
      out += " " + std::to_string(st.rank_lo[i]) + "-" + std::to_string(st.rank_hi[i]) + " | " +
             format_percent(st.p_best[i]) + " | " + escape_markdown(st.letters[i]) + " |";
    }
    out += " " + std::to_string(p.episodes) + " | " + std::to_string(error_episodes(p)) + " |\n";
  }
  return out;
}

std::string markdown_task_table(const ReportModel& model) {
  // One column per policy in rank order, headed by its rank: names stay in
  // the ranking table, so the columns stay narrow however long the names.
  std::string out = "| Task |";
  std::string sep = "|---|";
  for (std::size_t i = 0; i < model.policies.size(); ++i) {
    out += " " + std::to_string(i + 1) + " |";
    sep += "---:|";
  }
  out += "\n" + sep + "\n";
  for (const auto& id : model.task_ids) {
    out += "| " + escape_markdown(id) + " |";
    for (const auto& p : model.policies) {
      const TaskSummary* task = nullptr;
      for (const auto& t : p.tasks) {
        if (t.task_id == id) task = &t;
      }
      out += " " +
             (task && task->success.trials > 0 ? format_percent(task->success.rate)
                                               : std::string("-")) +
             " |";
    }
    out += "\n";
  }
  return out;
}

std::string markdown_report(const ReportModel& model, const MarkdownOptions& options) {
  std::string out = "# gauntlet report: " + escape_markdown(model.suite) + "\n\n";
  if (!model.policies.empty()) {
    const RunHeader& h = model.policies.front().header;
    out += "Suite `" + escape_markdown(h.suite_name) + "` version " +
           escape_markdown(h.suite_version) + " (hash `" + h.suite_hash.substr(0, 12) +
           "`), seed " + std::to_string(h.suite_seed) + ", " + h.episodes_text() +
           " episodes per task. Generated " + model.generated_at + ".\n\n";
  }
  for (const auto& note : incomplete_run_notes(model)) {
    out += "> **Incomplete run**: " + escape_markdown(note) + ".\n\n";
  }
  for (const auto& note : correction_notes(model)) {
    out += "> **Corrected**: " + escape_markdown(note) + ".\n\n";
  }
  out += markdown_ranking_table(model);
  const RankingStatistics& st = model.stats;
  out += correction_notes(model).empty()
             ? "\nSuccess: episodes that count for the policy (simulator errors excluded), 95% "
               "Wilson interval. "
             : "\nSuccess: episodes that count for the policy (simulator errors excluded), "
               "CORRECTED for the judge's error rates (Rogan-Gladen, exact 95% interval carrying "
               "the card's uncertainty). ";
  if (st.available && model.policies.size() > 1) {
    out +=
        "Rank CI and P(best): paired bootstrap of task-mean success. Same group letter: not "
        "significantly "
        "different (task-stratified exact paired test on " +
        std::to_string(st.layout.common_episodes) + " paired episodes, " + st.options.adjustment +
        "-adjusted, alpha " + format_percent(st.options.alpha, 0) + ").\n";
    if (!st.note.empty()) out += "\n> " + escape_markdown(st.note) + "\n";
    out += options.inline_charts ? "\n" + text_forest_plot(model) : "\n![success](success.svg)\n";
    out +=
        "\n## Pairwise verdicts\n\n| B vs A | B - A (points) | 95% CI | "
        "adjusted p | verdict |\n"
        "|---|---:|---|---:|---|\n";
    for (const auto& c : st.pairs) {
      char p[32];
      std::snprintf(p, sizeof p, "%.3g", c.p_adjusted);
      out += "| " + escape_markdown(model.policies[c.b].name) + " vs " +
             escape_markdown(model.policies[c.a].name) + " | " + points(c.difference) + " | " +
             interval_text(c.ci) + " | " + p + " | " +
             (c.significant ? "**" + c.verdict + "**" : c.verdict) + " |\n";
    }
  } else {
    out += "\n";
  }
  out += markdown_long_horizon_section(model);
  if (!options.details) {
    out += markdown_robustness_section(model.robustness);
    return out;
  }
  out +=
      "\n## Success per task\n\nOne column per policy, by rank.\n\n" + markdown_task_table(model);
  out +=
      "\n<details><summary>Per policy and task, with intervals</summary>\n\n| Policy | Task | "
      "Success | 95% CI | Episodes | "
      "Mean progress |\n"
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
  out +=
      "\n</details>\n\n<details><summary>Terminations and provenance</summary>\n\n"
      "| Policy | success | timeout | policy_error | invalid_action | sim_error | spec | identity "
      "| robot | actions | harness |\n"
      "|---|---:|---:|---:|---:|---:|---|---|---|---|---|\n";
  for (const auto& p : model.policies) {
    out += "| " + escape_markdown(p.name) + " |";
    for (const char* k : {"success", "timeout", "policy_error", "invalid_action", "sim_error"}) {
      const auto it = p.terminations.find(k);
      out += " " + std::to_string(it == p.terminations.end() ? 0 : it->second) + " |";
    }
    const RunHeader& h = p.header;
    out += " `" + escape_markdown(h.policy_spec) + "` | `" +
           escape_markdown(h.policy_identity.substr(0, 40)) + "` | " + escape_markdown(h.robot) +
           " | " + escape_markdown(h.action_convention) + " | " +
           escape_markdown(h.harness_version + " " + h.git_sha) + " |\n";
  }
  out += "\n</details>\n";
  out += markdown_robustness_section(model.robustness);
  return out;
}

std::unique_ptr<ReportWriter> make_markdown_writer() {
  return std::make_unique<MarkdownWriter>();
}

}  // namespace gauntlet::reports
