// report.html: one self-contained page (no network: CSP forbids it) with the
// ranking table (sortable), forest plots, the pairwise matrix, the rank
// heatmap, robustness bars, episode videos and provenance. Every string that
// came from a user is escaped; charts are SVG from svg.cpp.
#include <algorithm>
#include <cstdio>
#include <map>

#include "harness/errors.hpp"
#include "reports/episode_video.hpp"
#include "reports/html_page.hpp"
#include "reports/long_horizon.hpp"
#include "reports/ranking_table.hpp"
#include "reports/robustness_sections.hpp"
#include "reports/svg.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

std::string pct(double v, int decimals = 1) {
  return percent_number(v, decimals);
}

std::string interval(const metrics::Interval& ci) {
  return "[" + pct(ci.lo) + ", " + pct(ci.hi) + "]";
}

std::string ranking_section(const ReportModel& m) {
  const RankingStatistics& st = m.stats;
  using C = RankingColumn;
  std::string h =
      "<section id=\"ranking\"><h2>Ranking</h2>\n" +
      html_ranking_table(m, {"ranking-table",
                             {C::kRank, C::kPolicy, C::kSuccess, C::kInterval, C::kRankInterval,
                              C::kPBest, C::kGroup, C::kEpisodes, C::kErrors},
                             ""});
  h += "<p class=\"note\">Success over episodes that count for the policy (simulator errors "
       "excluded) with the 95% Wilson interval. Rank interval and P(best) from a paired bootstrap "
       "of the "
       "task-mean success (" +
       std::to_string(st.options.resamples) +
       " resamples). Policies sharing a group letter "
       "are not significantly different (task-stratified exact paired test of the task-mean "
       "difference, " +
       escape_xml(st.options.adjustment) + "-adjusted, alpha " + pct(st.options.alpha, 0) +
       "%). Click a column to sort.</p>\n";
  if (!st.note.empty()) h += "<p class=\"warning\">" + escape_xml(st.note) + "</p>\n";
  return h + "</section>\n";
}

std::string forest_section(const ReportModel& m) {
  std::vector<ForestRow> rows;
  for (const auto& p : m.policies) {
    rows.push_back({p.name, p.success.rate, p.success.ci95.lo, p.success.ci95.hi,
                    pct(p.success.rate) + "% " + interval(p.success.ci95)});
  }
  std::string h =
      "<section id=\"forest\"><h2>Success with 95% intervals</h2>\n<div class=\"chart\">" +
      forest_plot_svg("All tasks", rows) + "</div>\n<div class=\"multiples\">\n";
  for (const auto& task : m.task_ids) {
    std::vector<ForestRow> t_rows;
    for (const auto& p : m.policies) {
      for (const auto& t : p.tasks) {
        if (t.task_id != task || t.success.trials == 0) continue;
        t_rows.push_back({p.name, t.success.rate, t.success.ci95.lo, t.success.ci95.hi,
                          pct(t.success.rate) + "% (n=" + std::to_string(t.success.trials) + ")"});
      }
    }
    h += "<div class=\"chart small\">" + forest_plot_svg(task, t_rows, 520) + "</div>\n";
  }
  return h + "</div></section>\n";
}

std::string pairwise_section(const ReportModel& m) {
  const RankingStatistics& st = m.stats;
  if (!st.available || m.policies.size() < 2) return {};
  const std::size_t n = m.policies.size();
  std::vector<std::string> names;
  for (const auto& p : m.policies) names.push_back(p.name);
  std::vector<std::vector<HeatmapCell>> cells(n, std::vector<HeatmapCell>(n));
  double extent = 0.05;
  for (const auto& c : st.pairs) extent = std::max(extent, std::abs(c.difference));
  std::string table =
      "<table class=\"pairs\"><thead><tr><th>A</th><th>B</th><th>B &minus; A</th><th>95% CI</th>"
      "<th>p (stratified exact)</th><th>adjusted p</th><th>verdict for "
      "B</th></tr></thead><tbody>\n";
  for (const auto& c : st.pairs) {
    const std::string tip = names[c.b] + " - " + names[c.a] + ": " + pct(c.difference) +
                            " points, CI " + interval(c.ci) +
                            ", adjusted p = " + std::to_string(c.p_adjusted);
    // Row i, column j shows policy i minus policy j.
    cells[c.b][c.a] = {
        c.significant ? c.difference : 0.0,
        (c.difference >= 0 ? "+" : "") + pct(c.difference) + (c.significant ? "*" : ""), tip};
    cells[c.a][c.b] = {
        c.significant ? -c.difference : 0.0,
        (c.difference <= 0 ? "+" : "") + pct(-c.difference) + (c.significant ? "*" : ""), tip};
    char p[32], pa[32];
    std::snprintf(p, sizeof p, "%.3g", c.p_value);
    std::snprintf(pa, sizeof pa, "%.3g", c.p_adjusted);
    table += "<tr class=\"" + std::string(c.significant ? "sig" : "nsig") + "\"><td>" +
             escape_xml(names[c.a]) + "</td><td>" + escape_xml(names[c.b]) + "</td><td>" +
             pct(c.difference) + "</td><td>" + interval(c.ci) + "</td><td>" + p + "</td><td>" + pa +
             "</td><td>" + escape_xml(c.verdict) + "</td></tr>\n";
  }
  for (std::size_t i = 0; i < n; ++i) cells[i][i] = {std::nan(""), "", names[i]};
  table += "</tbody></table>\n";
  return "<section id=\"pairwise\"><h2>Pairwise paired differences</h2>\n<p class=\"note\">Cell "
         "(row, column): "
         "success of the row policy minus the column policy, in percentage points over " +
         std::to_string(st.layout.common_episodes) +
         " paired episodes; * and colour mark significance after adjustment (blue: row better, "
         "red: row "
         "worse).</p>\n<div class=\"chart\">" +
         heatmap_svg("Row minus column (points)", names, names, cells, -extent, extent, true, 78) +
         "</div>\n" + table + "</section>\n";
}

std::string rank_section(const ReportModel& m) {
  const RankingStatistics& st = m.stats;
  const std::size_t n = m.policies.size();
  if (!st.available || n < 2 || st.rank_probability.size() != n * n) return {};
  std::vector<std::string> names, ranks;
  std::vector<std::vector<HeatmapCell>> cells(n);
  for (std::size_t r = 0; r < n; ++r) ranks.push_back("rank " + std::to_string(r + 1));
  for (std::size_t i = 0; i < n; ++i) {
    names.push_back(m.policies[i].name);
    for (std::size_t r = 0; r < n; ++r) {
      const double p = st.rank_probability[i * n + r];
      cells[i].push_back(
          {p, p >= 0.005 ? pct(p, 0) + "%" : "",
           m.policies[i].name + ": P(rank " + std::to_string(r + 1) + ") = " + pct(p) + "%"});
    }
  }
  return "<section id=\"ranks\"><h2>Rank probabilities</h2>\n<div class=\"chart\">" +
         heatmap_svg("P(rank) from the paired bootstrap", names, ranks, cells, 0.0, 1.0, false) +
         "</div></section>\n";
}

std::string videos_section(const ReportModel& m) {
  std::string body;
  for (std::size_t i = 0; i < m.policies.size(); ++i) {
    const auto dir = media_dir(m.policies[i].source);
    if (!std::filesystem::is_directory(dir)) continue;
    const EpisodeResult* success = nullptr;
    const EpisodeResult* failure = nullptr;
    // Nominal episodes first, then perturbed ones.
    for (const bool nominal : {true, false}) {
      for (const auto& e : m.runs[i].episodes) {
        if ((e.perturbation_id == "nominal") != nominal) continue;
        if (!std::filesystem::exists(dir / video_file_name(e.key()))) continue;
        if (e.success && !success) success = &e;
        if (!e.success && !failure) failure = &e;
      }
    }
    std::string clips;
    for (const EpisodeResult* e : {success, failure}) {
      if (!e) continue;
      const std::string bytes = read_binary_file(dir / video_file_name(e->key()));
      if (bytes.empty()) continue;
      clips += "<figure><img alt=\"episode video\" src=\"data:image/webp;base64," +
               base64_encode(bytes) + "\"><figcaption>" + escape_xml(e->task_id) + " #" +
               std::to_string(e->episode_index) +
               (e->perturbation_id == "nominal" ? std::string()
                                                : " (" + escape_xml(e->perturbation_id) + ")") +
               ": " +
               (e->success ? "success" : escape_xml(std::string(to_string(e->termination)))) +
               "</figcaption></figure>";
    }
    if (!clips.empty()) {
      body += "<div class=\"policy-videos\"><h3>" + escape_xml(m.policies[i].name) + "</h3>" +
              clips + "</div>\n";
    }
  }
  if (body.empty()) return {};
  return "<section id=\"videos\"><h2>Episodes</h2>\n" + body + "</section>\n";
}

std::string provenance_section(const ReportModel& m) {
  std::string h =
      "<footer "
      "id=\"provenance\"><h2>Provenance</h2>\n<table><thead><tr><th>Policy</th><th>Spec</th>"
      "<th>Identity</th><th>Seed</th><th>Episodes/task</th><th>Robot</th><th>Actions</th>"
      "<th>Harness</th><th>Hosts</"
      "th><th>Started</th>"
      "<th>Updated</th><th>File</th></tr></thead><tbody>\n";
  for (const auto& p : m.policies) {
    const RunHeader& r = p.header;
    h += "<tr><td>" + escape_xml(p.name) + "</td><td><code>" + escape_xml(r.policy_spec) +
         "</code></td><td><code>" + escape_xml(r.policy_identity) + "</code></td><td>" +
         std::to_string(r.suite_seed) + "</td><td>" + r.episodes_text() + "</td><td>" +
         escape_xml(r.robot) + "</td><td>" + escape_xml(r.action_convention) + "</td><td>" +
         escape_xml(r.harness_version + " (" + r.git_sha + ")") + "</td><td>" +
         escape_xml(r.hosts) + "</td><td>" + escape_xml(r.started_at) + "</td><td>" +
         escape_xml(r.updated_at) + "</td><td>" + escape_xml(p.source) + "</td></tr>\n";
  }
  const std::string suite_version =
      m.policies.empty() ? "" : m.policies.front().header.suite_version;
  h += "</tbody></table>\n<p>Suite <code>" + escape_xml(m.suite) + "</code> version " +
       escape_xml(suite_version) + ", hash <code>" + escape_xml(m.suite_hash) +
       "</code>. Report generated " + escape_xml(m.generated_at) + " by gauntlet.</p></footer>\n";
  return h;
}

class HtmlWriter final : public ReportWriter {
 public:
  std::string format() const override { return "html"; }
  std::string file_name() const override { return "report.html"; }
  void write(const ReportModel& m, const std::filesystem::path& dir) const override {
    std::string body = "<header><h1>gauntlet report: " + escape_xml(m.suite) + "</h1>\n<p>" +
                       std::to_string(m.policies.size()) + " policies, " +
                       std::to_string(m.task_ids.size()) + " tasks" +
                       (m.policies.empty() ? std::string()
                                           : ", " + m.policies.front().header.episodes_text() +
                                                 " episodes per task") +
                       ".</p></header>\n<main>\n";
    for (const auto& note : correction_notes(m)) {
      body += "<p class=\"warning\"><strong>Corrected</strong>: " + escape_xml(note) + ".</p>\n";
    }
    for (const auto& note : incomplete_run_notes(m)) {
      body += "<p class=\"warning\" role=\"alert\"><strong>Incomplete run</strong>: " +
              escape_xml(note) + ".</p>\n";
    }
    body += ranking_section(m) + html_long_horizon_section(m) + forest_section(m) +
            pairwise_section(m) + rank_section(m) +
            html_robustness_section(m.robustness, m.robustness_previews) + videos_section(m) +
            "</main>\n" + provenance_section(m);
    write_text_file(dir / file_name(), html_page("gauntlet report: " + m.suite, body));
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_html_writer() {
  return std::make_unique<HtmlWriter>();
}

}  // namespace gauntlet::reports
