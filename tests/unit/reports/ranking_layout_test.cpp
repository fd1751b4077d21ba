// The ranking table stays narrow however many tasks a suite has; per-task
// success gets its own table with tasks as rows (report.md, `report --print`).
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "harness/plan.hpp"
#include "reports/report_model.hpp"
#include "reports/writers.hpp"

using namespace gauntlet;
using namespace gauntlet::reports;

namespace {

// `successes[t]` of `n` episodes on task t succeed, seeds as the harness computes them.
RunResults run_of(const std::string& policy, const std::vector<int>& successes, int n) {
  RunResults r;
  r.header.suite_name = "wide";
  r.header.suite_hash = std::string(64, 'b');
  r.header.suite_seed = 3;
  r.header.policy_name = policy;
  r.header.policy_spec = policy;
  r.header.policy_identity = policy;
  r.header.episodes_per_task = n;
  r.header.perturbations = {"nominal"};
  for (std::size_t t = 0; t < successes.size(); ++t) {
    const std::string task = "pick_up_object_number_" + std::to_string(t) + "_and_place_it";
    r.header.tasks.push_back(TaskInfo{task, "do " + task, 100, "fam"});
    for (int e = 0; e < n; ++e) {
      EpisodeResult ep;
      ep.task_id = task;
      ep.episode_index = e;
      ep.seed = episode_seed(3, task, "nominal", e);
      ep.success = e < successes[t];
      ep.termination = ep.success ? Termination::kSuccess : Termination::kTimeout;
      ep.steps = 10;
      r.episodes.push_back(ep);
    }
  }
  return r;
}

ReportModel model_with_tasks(int tasks) {
  std::vector<int> good(static_cast<std::size_t>(tasks)), bad(good.size());
  for (int t = 0; t < tasks; ++t) {
    good[static_cast<std::size_t>(t)] = 10 - t % 3;  // 100%, 90%, 80%, ...
    bad[static_cast<std::size_t>(t)] = t % 2;        // 0%, 10%, ...
  }
  return build_report_model({run_of("weak", bad, 10), run_of("strong", good, 10)},
                            {"weak.h5", "strong.h5"});
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

long pipes(const std::string& line) {
  return std::count(line.begin(), line.end(), '|');
}

}  // namespace

TEST_CASE("The ranking table has the same columns for 3 tasks and for 19", "[reports][ranking]") {
  const auto narrow = lines(markdown_ranking_table(model_with_tasks(3)));
  const auto wide = lines(markdown_ranking_table(model_with_tasks(19)));
  REQUIRE(wide.size() == 4);  // header, separator, two policies
  REQUIRE(narrow.size() == wide.size());
  for (std::size_t i = 0; i < wide.size(); ++i) {
    CHECK(pipes(wide[i]) == pipes(narrow[i]));
    CHECK(pipes(wide[i]) == 10);  // Rank Policy Success CI RankCI P(best) Group Episodes Errors
    CHECK(wide[i].size() <= 90);  // about a terminal (19 task columns made it 300+)
    CHECK(wide[i].find("pick_up_object") == std::string::npos);
  }
}

TEST_CASE("Per-task success is a table with one row per task, policies by rank",
          "[reports][ranking]") {
  const ReportModel model = model_with_tasks(19);
  REQUIRE(model.policies[0].name == "strong");
  const auto table = lines(markdown_task_table(model));
  REQUIRE(table.size() == 2 + 19);
  CHECK(table[0] == "| Task | 1 | 2 |");
  for (int t = 0; t < 19; ++t) {
    const std::string& row = table[static_cast<std::size_t>(2 + t)];
    INFO(row);
    CHECK(pipes(row) == 4);
    char expected[160];
    std::snprintf(expected, sizeof expected,
                  "| pick\\_up\\_object\\_number\\_%d\\_and\\_place\\_it | %s | %s |", t,
                  format_percent((10 - t % 3) / 10.0).c_str(),
                  format_percent((t % 2) / 10.0).c_str());
    CHECK(row == expected);
  }
  // report.md shows both: the narrow ranking first, then the task table.
  const std::string md = markdown_report(model);
  const auto ranking = md.find(markdown_ranking_table(model));
  const auto per_task = md.find("## Success per task\n\nOne column per policy, by rank.\n\n" +
                                markdown_task_table(model));
  REQUIRE(ranking != std::string::npos);
  REQUIRE(per_task != std::string::npos);
  CHECK(ranking < per_task);
}
