#include "reports/leaderboard.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "reports/html_page.hpp"
#include "reports/report_model.hpp"
#include "reports/svg.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100.0 * v);
  return buf;
}

std::string page_name(const std::string& suite, const std::string& hash) {
  std::string out;
  for (const char c : suite) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out + "-" + hash.substr(0, 10) + ".html";
}

struct Group {
  std::string suite, hash, version;
  std::vector<RunResults> runs;
  std::vector<std::string> sources;
};

std::string suite_page(const Group& g, const ReportModel& m, const std::vector<Group>& all, const std::string& title) {
  const RankingStatistics& st = m.stats;
  std::string nav = "<nav class=\"tabs\"><a href=\"index.html\">All suites</a>";
  for (const auto& other : all) {
    const bool self = other.suite == g.suite && other.hash == g.hash;
    nav += "<a href=\"" + page_name(other.suite, other.hash) + "\"" + (self ? " class=\"active\"" : "") + ">" +
           escape_xml(other.suite) + " v" + escape_xml(other.version) + "</a>";
  }
  nav += "</nav>\n";
  std::string h = "<header><h1>" + escape_xml(title) + ": " + escape_xml(g.suite) + "</h1>" + nav +
                  "<p>Suite version " + escape_xml(g.version) + ", hash <code>" + escape_xml(g.hash) + "</code>, " +
                  std::to_string(m.policies.size()) + " submissions.</p></header>\n<main>\n";
  h += "<section id=\"ranking\"><h2>Ranking</h2><table id=\"leaderboard-table\" class=\"sortable\"><thead><tr>"
       "<th data-type=\"num\">Rank</th><th data-type=\"text\">Policy</th><th data-type=\"num\">Success</th><th>95% CI</th>"
       "<th data-type=\"num\">Rank interval</th><th data-type=\"text\">Group</th><th data-type=\"num\">Elo</th>"
       "<th data-type=\"num\">Episodes</th><th data-type=\"text\">Submitted</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < m.policies.size(); ++i) {
    const auto& p = m.policies[i];
    const bool s = st.available && i < st.rank_lo.size();
    h += "<tr><td data-sort=\"" + std::to_string(i + 1) + "\">" + std::to_string(i + 1) + "</td><td data-sort=\"" +
         escape_xml(p.name) + "\"><a href=\"#policy-" + std::to_string(i) + "\">" + escape_xml(p.name) +
         "</a></td><td data-sort=\"" + pct(p.success.rate) + "\">" + pct(p.success.rate) + "%</td><td>[" +
         pct(p.success.ci95.lo) + ", " + pct(p.success.ci95.hi) + "]</td><td data-sort=\"" +
         (s ? std::to_string(st.rank_lo[i]) : "0") + "\">" +
         (s ? std::to_string(st.rank_lo[i]) + "&ndash;" + std::to_string(st.rank_hi[i]) : "-") + "</td><td class=\"group\">" +
         (s && i < st.letters.size() ? escape_xml(st.letters[i]) : "-") + "</td><td data-sort=\"" +
         (i < st.elo.size() ? std::to_string(st.elo[i]) : "0") + "\">" +
         (i < st.elo.size() ? std::to_string(static_cast<int>(std::lround(st.elo[i]))) : "-") + "</td><td data-sort=\"" +
         std::to_string(p.episodes) + "\">" + std::to_string(p.episodes) + "</td><td>" + escape_xml(p.header.updated_at) +
         "</td></tr>\n";
  }
  h += "</tbody></table><p class=\"note\">Same group letter: not significantly different (paired exact McNemar, "
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
          cell = pct(t.success.rate) + "% <small>[" + pct(t.success.ci95.lo) + ", " + pct(t.success.ci95.hi) + "]</small>";
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
         "</h3><table><tbody><tr><th>Spec</th><td><code>" + escape_xml(r.policy_spec) + "</code></td></tr><tr><th>Identity</th><td><code>" +
         escape_xml(r.policy_identity) + "</code></td></tr><tr><th>Seed</th><td>" + std::to_string(r.suite_seed) +
         "</td></tr><tr><th>Harness</th><td>" + escape_xml(r.harness_version + " (" + r.git_sha + ")") +
         "</td></tr><tr><th>Hosts</th><td>" + escape_xml(r.hosts) + "</td></tr><tr><th>Dates</th><td>" +
         escape_xml(r.started_at + " .. " + r.updated_at) + "</td></tr></tbody></table></div>\n";
  }
  return html_page(title + ": " + g.suite, h + "</section></main>\n");
}

}  // namespace

std::vector<std::string> validate_submission(const RunResults& run) {
  std::vector<std::string> problems;
  const RunHeader& h = run.header;
  if (h.suite_name.empty() || h.suite_hash.size() != 64) problems.push_back("missing or malformed suite name/hash");
  if (h.episodes_per_task < 1 || h.episodes_per_task > 100000) problems.push_back("absurd episodes_per_task");
  std::map<std::string, int> max_steps;
  for (const auto& t : h.tasks) max_steps[t.id] = t.max_steps;
  std::set<std::string> perturbations(h.perturbations.begin(), h.perturbations.end());
  std::set<EpisodeKey> seen;
  int shown = 0;
  auto report = [&](const std::string& what) {
    if (shown++ < 5) problems.push_back(what);
  };
  for (const auto& e : run.episodes) {
    const std::string where = "episode " + e.task_id + "/" + e.perturbation_id + "/" + std::to_string(e.episode_index);
    if (!max_steps.count(e.task_id)) report(where + ": task not in the file's task table");
    if (!perturbations.count(e.perturbation_id)) report(where + ": perturbation not in the file's plan");
    if (!seen.insert(e.key()).second) report(where + ": duplicate row");
    if (e.episode_index < 0 || e.episode_index >= h.episodes_per_task) report(where + ": index outside the plan");
    if (!(e.progress >= 0.0 && e.progress <= 1.0)) report(where + ": progress outside [0, 1]");
    if (e.success && e.termination != Termination::kSuccess) report(where + ": success without a success termination");
    if (e.steps < 0 || (max_steps.count(e.task_id) && e.steps > max_steps[e.task_id])) {
      report(where + ": impossible step count " + std::to_string(e.steps));
    }
    if (e.seed != episode_seed(h.suite_seed, e.task_id, e.perturbation_id, e.episode_index)) {
      report(where + ": seed does not match the suite seed (edited or fabricated row)");
    }
  }
  if (shown > 5) problems.push_back("... and " + std::to_string(shown - 5) + " more row problems");
  return problems;
}

LeaderboardResult write_leaderboard(const std::vector<std::filesystem::path>& files, const std::filesystem::path& out,
                                    const LeaderboardOptions& options) {
  LeaderboardResult result;
  std::vector<Group> groups;
  for (const auto& f : files) {
    RunResults run;
    try {
      run = ResultsStore::read(f);
    } catch (const InputError& e) {
      if (!options.skip_invalid) throw InputError(std::string("leaderboard: rejected ") + e.what());
      result.rejected.push_back(e.what());
      continue;
    }
    const auto problems = validate_submission(run);
    if (!problems.empty()) {
      std::string msg = f.string() + ": invalid submission: " + problems.front();
      for (std::size_t i = 1; i < problems.size(); ++i) msg += "; " + problems[i];
      if (!options.skip_invalid) throw InputError("leaderboard: rejected " + msg);
      result.rejected.push_back(msg);
      continue;
    }
    Group* g = nullptr;
    for (auto& x : groups) {
      if (x.suite == run.header.suite_name && x.hash == run.header.suite_hash) g = &x;
    }
    if (!g) {
      groups.push_back(Group{run.header.suite_name, run.header.suite_hash, run.header.suite_version, {}, {}});
      g = &groups.back();
    }
    g->runs.push_back(std::move(run));
    g->sources.push_back(f.string());
  }
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw InputError("--out '" + out.string() + "': cannot create the directory");
  nlohmann::json index_json;
  index_json["schema"] = "gauntlet-leaderboard";
  index_json["schema_version"] = 1;
  index_json["generated_at"] = utc_now_iso8601();
  index_json["suites"] = nlohmann::json::array();
  std::string index = "<header><h1>" + escape_xml(options.title) + "</h1></header>\n<main><table id=\"suites\"><thead><tr>"
                      "<th>Suite</th><th>Version</th><th>Hash</th><th>Submissions</th><th>Leader</th><th>Success</th>"
                      "</tr></thead><tbody>\n";
  for (const auto& g : groups) {
    ReportModel m = build_report_model(g.runs, g.sources);
    const std::string name = page_name(g.suite, g.hash);
    write_text_file(out / name, suite_page(g, m, groups, options.title));
    result.pages.push_back(out / name);
    index += "<tr><td><a href=\"" + name + "\">" + escape_xml(g.suite) + "</a></td><td>" + escape_xml(g.version) +
             "</td><td><code>" + escape_xml(g.hash.substr(0, 12)) + "</code></td><td>" + std::to_string(m.policies.size()) +
             "</td><td>" + (m.policies.empty() ? "" : escape_xml(m.policies.front().name)) + "</td><td>" +
             (m.policies.empty() ? "" : pct(m.policies.front().success.rate) + "%") + "</td></tr>\n";
    nlohmann::json sj{{"suite", g.suite}, {"version", g.version}, {"hash", g.hash}, {"page", name}};
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
                        {"submitted_at", p.header.updated_at}};
      if (m.stats.available && i < m.stats.rank_lo.size()) {
        pj["rank_interval"] = {m.stats.rank_lo[i], m.stats.rank_hi[i]};
        pj["group"] = m.stats.letters[i];
        pj["p_best"] = m.stats.p_best[i];
      }
      nlohmann::json tasks = nlohmann::json::object();
      for (const auto& t : p.tasks) tasks[t.task_id] = {{"success_rate", t.success.rate}, {"episodes", t.success.trials}};
      pj["tasks"] = tasks;
      sj["ranking"].push_back(std::move(pj));
    }
    index_json["suites"].push_back(std::move(sj));
    ++result.suites;
    result.submissions += static_cast<int>(m.policies.size());
  }
  index += "</tbody></table>\n";
  if (!result.rejected.empty()) {
    index += "<section id=\"rejected\"><h2>Rejected submissions</h2><ul>";
    for (const auto& r : result.rejected) index += "<li>" + escape_xml(r) + "</li>";
    index += "</ul></section>\n";
  }
  index_json["rejected"] = result.rejected;
  write_text_file(out / "index.html", html_page(options.title, index + "</main>\n"));
  write_text_file(out / "leaderboard.json", index_json.dump(2) + "\n");
  result.pages.insert(result.pages.begin(), out / "index.html");
  return result;
}

}  // namespace gauntlet::reports
