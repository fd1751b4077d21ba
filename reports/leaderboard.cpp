#include "reports/leaderboard.hpp"

#include <cctype>
#include <map>
#include <set>

#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "harness/plan_coverage.hpp"

namespace gauntlet::reports {
namespace {

std::string page_name(const std::string& suite, const std::string& hash) {
  std::string out;
  for (const char c : suite)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out + "-" + hash.substr(0, 10) + ".html";
}

struct Group {
  std::string suite, hash, version;
  std::vector<RunResults> runs;
  std::vector<std::string> sources;
};

}  // namespace

std::vector<std::string> validate_submission(const RunResults& run) {
  std::vector<std::string> problems;
  const RunHeader& h = run.header;
  if (h.suite_name.empty() || h.suite_hash.size() != 64)
    problems.push_back("missing or malformed suite name/hash");
  if (h.episodes_per_task < 1 || h.episodes_per_task > 100000)
    problems.push_back("absurd episodes_per_task");
  std::map<std::string, int> max_steps;
  for (const auto& t : h.tasks) max_steps[t.id] = t.max_steps;
  std::set<std::string> perturbations(h.perturbations.begin(), h.perturbations.end());
  std::set<EpisodeKey> seen;
  const bool imported = h.policy_spec.rfind("import:", 0) == 0;
  int shown = 0;
  auto report = [&](const std::string& what) {
    if (shown++ < 5) problems.push_back(what);
  };
  for (const auto& e : run.episodes) {
    const std::string where =
        "episode " + e.task_id + "/" + e.perturbation_id + "/" + std::to_string(e.episode_index);
    if (!max_steps.count(e.task_id)) report(where + ": task not in the file's task table");
    if (!perturbations.count(e.perturbation_id))
      report(where + ": perturbation not in the file's plan");
    if (!seen.insert(e.key()).second) report(where + ": duplicate row");
    if (e.episode_index < 0 || e.episode_index >= h.episodes_of(e.task_id))
      report(where + ": index outside the plan");
    if (!(e.progress >= 0.0 && e.progress <= 1.0)) report(where + ": progress outside [0, 1]");
    if (e.success && e.termination != Termination::kSuccess)
      report(where + ": success without a success termination");
    if (e.steps < 0 || (max_steps.count(e.task_id) && e.steps > max_steps[e.task_id])) {
      report(where + ": impossible step count " + std::to_string(e.steps));
    }
    // Imported trials (`gauntlet import`) carry the lab's seeds, not ones derived here.
    if (!imported &&
        e.seed != episode_seed(h.suite_seed, e.task_id, e.perturbation_id, e.episode_index)) {
      report(where + ": seed does not match the suite seed (edited or fabricated row)");
    }
  }
  if (shown > 5) problems.push_back("... and " + std::to_string(shown - 5) + " more row problems");
  return problems;
}

Leaderboard build_leaderboard(const std::vector<std::filesystem::path>& files,
                              const LeaderboardOptions& options) {
  Leaderboard board;
  board.title = options.title;
  std::vector<Group> groups;
  for (const auto& f : files) {
    RunResults run;
    try {
      run = ResultsStore::read(f);
    } catch (const InputError& e) {
      if (!options.skip_invalid) throw InputError(std::string("leaderboard: rejected ") + e.what());
      board.rejected.push_back(e.what());
      continue;
    }
    auto problems = validate_submission(run);
    if (problems.empty() && !options.allow_incomplete) {
      const PlanCoverage plan = plan_coverage(run);
      if (!plan.complete()) {
        problems.push_back("incomplete run: " + plan.summary() + " (" + plan.missing() +
                           "); merge the missing shards or finish the run, or pass "
                           "--allow-incomplete");
      }
    }
    if (!problems.empty()) {
      std::string msg = f.string() + ": invalid submission: " + problems.front();
      for (std::size_t i = 1; i < problems.size(); ++i) msg += "; " + problems[i];
      if (!options.skip_invalid) throw InputError("leaderboard: rejected " + msg);
      board.rejected.push_back(msg);
      continue;
    }
    Group* g = nullptr;
    for (auto& x : groups) {
      if (x.suite == run.header.suite_name && x.hash == run.header.suite_hash) g = &x;
    }
    if (!g) {
      groups.push_back(
          Group{run.header.suite_name, run.header.suite_hash, run.header.suite_version, {}, {}});
      g = &groups.back();
    }
    g->runs.push_back(std::move(run));
    g->sources.push_back(f.string());
  }
  for (auto& g : groups) {
    LeaderboardSuite s{g.suite, g.hash, g.version, page_name(g.suite, g.hash), {}};
    s.ranking = build_report_model(std::move(g.runs), std::move(g.sources));
    board.suites.push_back(std::move(s));
  }
  board.generated_at = utc_now_iso8601();
  return board;
}

}  // namespace gauntlet::reports
