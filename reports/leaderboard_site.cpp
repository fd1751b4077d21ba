// The leaderboard site's writers: a page per suite version (ranking through
// the shared ranking table, per task, submissions), index.html and leaderboard.json.
#include "reports/leaderboard_site.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "harness/errors.hpp"
#include "reports/html_page.hpp"
#include "reports/ranking_table.hpp"
#include "reports/svg.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100.0 * v);
  return buf;
}

std::string suite_page(const LeaderboardSuite& g, const std::vector<LeaderboardSuite>& all,
                       const std::string& title) {
  const ReportModel& m = g.ranking;
  const RankingStatistics& st = m.stats;
  std::string nav = "<nav class=\"tabs\"><a href=\"index.html\">All suites</a>";
  for (const auto& other : all) {
    const bool self = other.suite == g.suite && other.hash == g.hash;
    nav += "<a href=\"" + other.page + "\"" + (self ? " class=\"active\"" : "") + ">" +
           escape_xml(other.suite) + " v" + escape_xml(other.version) + "</a>";
  }
  nav += "</nav>\n";
  std::string h = "<header><h1>" + escape_xml(title) + ": " + escape_xml(g.suite) + "</h1>" + nav +
                  "<p>Suite version " + escape_xml(g.version) + ", hash <code>" +
                  escape_xml(g.hash) + "</code>, " + std::to_string(m.policies.size()) +
                  " submissions.</p></header>\n<main>\n";
  using C = RankingColumn;
  h += "<section id=\"ranking\"><h2>Ranking</h2>" +
       html_ranking_table(m, {"leaderboard-table",
                              {C::kRank, C::kPolicy, C::kSuccess, C::kInterval, C::kRankInterval,
                               C::kGroup, C::kElo, C::kEpisodes, C::kSubmitted},
                              "policy-"});
  h += "<p class=\"note\">Same group letter: not significantly different (task-stratified exact "
       "paired test, "
       "Holm-adjusted, alpha 5%). Elo: Bradley-Terry on paired episode wins.</p>";
  if (!st.note.empty()) h += "<p class=\"warning\">" + escape_xml(st.note) + "</p>";
  h += "</section>\n<section id=\"tasks\"><h2>Per task</h2><table><thead><tr><th>Policy</th>";
  for (const auto& t : m.task_ids) h += "<th>" + escape_xml(t) + "</th>";
  h += "</tr></thead><tbody>\n";
  for (const auto& p : m.policies) {
    h += "<tr><td class=\"name\">" + escape_xml(p.name) + "</td>";
    for (const auto& id : m.task_ids) {
      std::string cell = "-";
      for (const auto& t : p.tasks) {
        if (t.task_id == id && t.success.trials > 0) {
          cell = pct(t.success.rate) + "% <small>[" + pct(t.success.ci95.lo) + ", " +
                 pct(t.success.ci95.hi) + "]</small>";
        }
      }
      h += "<td>" + cell + "</td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody></table></section>\n<section id=\"submissions\"><h2>Submissions</h2>\n";
  for (std::size_t i = 0; i < m.policies.size(); ++i) {
    const RunHeader& r = m.policies[i].header;
    h += "<div id=\"policy-" + std::to_string(i) + "\"><h3>" + escape_xml(m.policies[i].name) +
         "</h3><table><tbody><tr><th>Spec</th><td><code>" + escape_xml(r.policy_spec) +
         "</code></td></tr><tr><th>Identity</th><td><code>" + escape_xml(r.policy_identity) +
         "</code></td></tr><tr><th>Seed</th><td>" + std::to_string(r.suite_seed) +
         "</td></tr><tr><th>Harness</th><td>" +
         escape_xml(r.harness_version + " (" + r.git_sha + ")") +
         "</td></tr><tr><th>Hosts</th><td>" + escape_xml(r.hosts) +
         "</td></tr><tr><th>Dates</th><td>" + escape_xml(r.started_at + " .. " + r.updated_at) +
         "</td></tr><tr><th>Plan</th><td>" +
         (m.policies[i].coverage.complete()
              ? escape_xml(m.policies[i].coverage.summary())
              : "<strong class=\"warning\">Incomplete run: " +
                    escape_xml(m.policies[i].coverage.summary() + " (" +
                               m.policies[i].coverage.missing() + ")") +
                    "</strong>") +
         "</td></tr></tbody></table></div>\n";
  }
  return html_page(title + ": " + g.suite, h + "</section></main>\n");
}

std::string length_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// index.html: one row per suite version, and the rejected submissions.
std::string index_page(const Leaderboard& board) {
  std::string index = "<header><h1>" + escape_xml(board.title) +
                      "</h1></header>\n<main><table id=\"suites\"><thead><tr>"
                      "<th>Suite</th><th>Version</th><th>Hash</th><th>Submissions</th>"
                      "<th>Leader</th><th>Success</th></tr></thead><tbody>\n";
  for (const auto& g : board.suites) {
    const ReportModel& m = g.ranking;
    index += "<tr><td><a href=\"" + g.page + "\">" + escape_xml(g.suite) + "</a></td><td>" +
             escape_xml(g.version) + "</td><td><code>" + escape_xml(g.hash.substr(0, 12)) +
             "</code></td><td>" + std::to_string(m.policies.size()) + "</td><td>" +
             (m.policies.empty() ? "" : escape_xml(m.policies.front().name)) + "</td><td>" +
             (m.policies.empty() ? ""
              : m.policies.front().chains
                  ? "avg length " + length_text(m.policies.front().chains->average_length.estimate)
                  : pct(m.policies.front().success.rate) + "%") +
             "</td></tr>\n";
  }
  index += "</tbody></table>\n";
  if (!board.rejected.empty()) {
    index += "<section id=\"rejected\"><h2>Rejected submissions</h2><ul>";
    for (const auto& r : board.rejected) index += "<li>" + escape_xml(r) + "</li>";
    index += "</ul></section>\n";
  }
  return html_page(board.title, index + "</main>\n");
}

// leaderboard.json: every suite version's ranking, for other tools.
std::string leaderboard_json(const Leaderboard& board) {
  nlohmann::json index_json;
  index_json["schema"] = "gauntlet-leaderboard";
  index_json["schema_version"] = 1;
  index_json["generated_at"] = board.generated_at;
  index_json["suites"] = nlohmann::json::array();
  for (const auto& g : board.suites) {
    const ReportModel& m = g.ranking;
    nlohmann::json sj{
        {"suite", g.suite}, {"version", g.version}, {"hash", g.hash}, {"page", g.page}};
    sj["ranking"] = nlohmann::json::array();
    for (std::size_t i = 0; i < m.policies.size(); ++i) {
      const auto& p = m.policies[i];
      nlohmann::json pj{{"rank", i + 1},
                        {"name", p.name},
                        {"spec", p.header.policy_spec},
                        {"identity", p.header.policy_identity},
                        {"success_rate", p.success.rate},
                        {"ci95", {p.success.ci95.lo, p.success.ci95.hi}},
                        {"episodes", p.episodes},
                        {"planned_episodes", p.coverage.planned},
                        {"complete", p.coverage.complete()},
                        {"submitted_at", p.header.updated_at}};
      if (m.stats.available && i < m.stats.rank_lo.size()) {
        pj["rank_interval"] = {m.stats.rank_lo[i], m.stats.rank_hi[i]};
        pj["group"] = m.stats.letters[i];
        pj["p_best"] = m.stats.p_best[i];
      }
      if (p.chains) {
        // Chain suites rank by average length.
        pj["avg_length"] = p.chains->average_length.estimate;
        pj["avg_length_ci95"] = {p.chains->average_length.interval.lo,
                                 p.chains->average_length.interval.hi};
        nlohmann::json at = nlohmann::json::array();
        for (const auto& a : p.chains->success_at) at.push_back(a.rate);
        pj["success_at"] = at;
      }
      nlohmann::json tasks = nlohmann::json::object();
      for (const auto& t : p.tasks)
        tasks[t.task_id] = {{"success_rate", t.success.rate}, {"episodes", t.success.trials}};
      pj["tasks"] = tasks;
      sj["ranking"].push_back(std::move(pj));
    }
    index_json["suites"].push_back(std::move(sj));
  }
  index_json["rejected"] = board.rejected;
  return index_json.dump(2) + "\n";
}

}  // namespace

LeaderboardSite write_leaderboard_site(const Leaderboard& board, const std::filesystem::path& out) {
  LeaderboardSite result;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw InputError("--out '" + out.string() + "': cannot create the directory");
  for (const auto& g : board.suites) {
    write_text_file(out / g.page, suite_page(g, board.suites, board.title));
    result.pages.push_back(out / g.page);
    ++result.suites;
    result.submissions += static_cast<int>(g.ranking.policies.size());
  }
  write_text_file(out / "index.html", index_page(board));
  write_text_file(out / "leaderboard.json", leaderboard_json(board));
  result.pages.insert(result.pages.begin(), out / "index.html");
  return result;
}

}  // namespace gauntlet::reports
