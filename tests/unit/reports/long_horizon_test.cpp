// Chain suites (CALVIN-like) through reports: the long-horizon section, run --json, compare's
// paired length test and the leaderboard's order, on synthetic results files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness/plan.hpp"
#include "harness/rng.hpp"
#include "metrics/chain_length.hpp"
#include "reports/compare.hpp"
#include "reports/compare_writers.hpp"
#include "reports/leaderboard.hpp"
#include "reports/long_horizon.hpp"
#include "reports/run_summary.hpp"
#include "reports/writers.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::reports;

namespace {

const char* const kNames[] = {"open_drawer",          "turn_on_led",       "lift_red_block_table",
                              "push_blue_block_left", "move_slider_right", "stack_block"};

// One chain per length: chain i tries five subtasks (names rotating with i) and completes the
// first lengths[i]; a chain suite has one task whose episode i is chain i.
RunResults chain_run(const std::string& policy, const std::vector<int>& lengths,
                     std::uint64_t seed = 11) {
  RunResults r;
  r.header.suite_name = "calvin-synthetic";
  r.header.suite_hash = std::string(64, 'c');
  r.header.suite_seed = seed;
  r.header.policy_name = policy;
  r.header.policy_spec = policy;
  r.header.policy_identity = policy;
  r.header.episodes_per_task = static_cast<int>(lengths.size());
  r.header.perturbations = {"nominal"};
  r.header.tasks.push_back(TaskInfo{"chains", "five instructions in a row", 1800, "calvin"});
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    EpisodeResult e;
    e.task_id = "chains";
    e.episode_index = static_cast<int>(i);
    e.seed = episode_seed(seed, "chains", "nominal", e.episode_index);
    for (int k = 0; k < std::min(lengths[i] + 1, 5); ++k) {
      e.subtasks.push_back({kNames[(i + static_cast<std::size_t>(k)) % 6], k < lengths[i],
                            k < lengths[i] ? 100 + k : 360});
      e.steps += e.subtasks.back().steps;
    }
    e.success = lengths[i] == 5;
    e.termination = e.success ? Termination::kSuccess : Termination::kTimeout;
    e.progress = lengths[i] / 5.0;
    r.episodes.push_back(std::move(e));
  }
  return r;
}

std::vector<int> repeat(std::initializer_list<std::pair<int, int>> counts) {
  std::vector<int> out;
  for (const auto& [length, n] : counts) out.insert(out.end(), static_cast<std::size_t>(n), length);
  return out;
}

}  // namespace

TEST_CASE("A chain suite's summary and report show average length, success at k and subtasks",
          "[reports][chains]") {
  // steady: every chain reaches 4 (never 5, so success 0%); spiky: half 5, half 0.
  const RunResults steady = chain_run("steady", repeat({{4, 40}}));
  const RunResults spiky = chain_run("spiky", repeat({{5, 20}, {0, 20}}));
  CHECK(is_chain_run(steady));

  const RunSummary s = summarize_run(steady, "steady.h5");
  const auto j = nlohmann::json::parse(run_summary_json(s));
  CHECK(j["avg_length"].get<double>() == Approx(4.0));
  // Every chain has length 4: every bootstrap mean is 4.
  CHECK(j["avg_length_ci95"][0].get<double>() == Approx(4.0));
  CHECK(j["avg_length_ci95"][1].get<double>() == Approx(4.0));
  CHECK(j["success_at"] == nlohmann::json({1.0, 1.0, 1.0, 1.0, 0.0}));
  CHECK(j["long_horizon"]["chains"] == 40);
  CHECK_THAT(run_summary_line(s), Catch::Contains("avg length 4.00"));
  const auto js = nlohmann::json::parse(run_summary_json(summarize_run(spiky, "spiky.h5")));
  CHECK(js["avg_length"].get<double>() == Approx(2.5));
  CHECK(js["success_at"] == nlohmann::json({0.5, 0.5, 0.5, 0.5, 0.5}));
  CHECK(js["avg_length_ci95"][0].get<double>() < 2.5);
  CHECK(js["avg_length_ci95"][1].get<double>() > 2.5);
  // A non-chain run has no long-horizon keys.
  RunResults plain = steady;
  for (auto& e : plain.episodes) e.subtasks.clear();
  const auto jp = nlohmann::json::parse(run_summary_json(summarize_run(plain, "p.h5")));
  CHECK_FALSE(jp.contains("avg_length"));
  CHECK_FALSE(jp.contains("success_at"));

  // The report ranks chain suites by average length (steady first despite 0% success).
  const ReportModel m = build_report_model({spiky, steady}, {"spiky.h5", "steady.h5"});
  REQUIRE(m.policies.size() == 2);
  CHECK(m.policies[0].name == "steady");
  REQUIRE(m.policies[0].chains);
  CHECK(m.policies[0].chains->average_length.estimate == Approx(4.0));
  const std::string md = markdown_report(m);
  CHECK_THAT(md, Catch::Contains("## Long horizon (chains)"));
  CHECK_THAT(md, Catch::Contains("| steady | 40 | 4.00 | [4.00, 4.00] |"));
  CHECK_THAT(md, Catch::Contains("| Avg length | 95% CI |"));
  // The success-based rank statistics say what they measure.
  CHECK_THAT(md, Catch::Contains("ranked by average length"));
  // Per subtask: steady's open_drawer is attempted in chains 0, 1, 2, 3, 5, 6, 7, 8, ... (first
  // five names of the rotation): its failures are the fifth subtask of a chain.
  const auto& rows = m.policies[0].chains->subtasks;
  std::int64_t attempts = 0, successes = 0;
  for (const auto& r : rows) {
    attempts += r.attempts;
    successes += r.successes;
  }
  CHECK(attempts == 40 * 5);
  CHECK(successes == 40 * 4);
  CHECK_THAT(md, Catch::Contains("### Success per subtask"));

  const auto dir = testing::fresh_dir("long_horizon_report");
  for (const auto& w : make_writers("json,html,csv")) w->write(m, dir);
  const auto report = nlohmann::json::parse(testing::read_file(dir / "report.json"));
  CHECK(report["policies"][0]["long_horizon"]["avg_length"].get<double>() == Approx(4.0));
  CHECK(report["policies"][1]["long_horizon"]["success_at"][4].get<double>() == Approx(0.5));
  const std::string html = testing::read_file(dir / "report.html");
  CHECK_THAT(html, Catch::Contains("id=\"long-horizon\"") && Catch::Contains("Avg length"));
  const std::string csv = testing::read_file(dir / "episodes.csv");
  CHECK_THAT(csv, Catch::Contains("chain_length,subtasks,run_planned_episodes,run_complete\n"));
  CHECK_THAT(csv, Catch::Contains(",4,open_drawer:1:100;turn_on_led:1:101;"));
}

TEST_CASE("compare on chain suites gates on the paired difference in average length",
          "[reports][chains][compare]") {
  CompareOptions o;
  o.resamples = 2000;
  // The candidate loses about one subtask per chain on 60 paired chains.
  std::vector<int> base, worse;
  for (int i = 0; i < 60; ++i) {
    base.push_back(i % 6 == 0 ? 5 : 3 + i % 3);
    worse.push_back(std::max(0, base.back() - (i % 4 == 0 ? 0 : 1 + i % 2)));
  }
  const auto r = compare_runs(chain_run("base", base), "a.h5", chain_run("cand", worse), "b.h5", o);
  REQUIRE(r.chains);
  const auto direct = metrics::paired_length_test(base, worse);
  CHECK(r.chains->test.p_less == Approx(direct.p_less).margin(1e-15));
  CHECK(r.chains->test.difference == Approx(direct.difference));
  CHECK(r.chains->test.difference < -0.5);
  CHECK(r.chains->verdict == "worse");
  CHECK(r.regression);
  CHECK_THAT(r.test, Catch::Contains("sign-flip"));
  CHECK_THAT(compare_markdown(r), Catch::Contains("### Average length (chains)"));
  const auto cj = nlohmann::json::parse(compare_json(r));
  CHECK(cj["long_horizon"]["verdict"] == "worse");
  CHECK(cj["regression"] == true);
  CHECK_THAT(compare_junit(r), Catch::Contains("average length"));

  // Longer chains but no complete one: a third of the baseline's chains finish all five, the
  // rest stop after one; the candidate reaches four every time. The gate follows the average
  // length (better); the all-five success rate alone would call the candidate worse.
  std::vector<int> spiky;
  for (int i = 0; i < 60; ++i) spiky.push_back(i % 3 == 0 ? 5 : 1);
  const std::vector<int> longer(60, 4);
  const auto b =
      compare_runs(chain_run("base", spiky), "a.h5", chain_run("long", longer), "c.h5", o);
  REQUIRE(b.chains);
  CHECK(b.chains->test.difference == Approx(4.0 - (20 * 5 + 40) / 60.0));
  CHECK(b.chains->verdict == "better");
  CHECK_FALSE(b.regression);
  CHECK(b.overall.difference < 0);  // success (all five) fell
  CHECK(b.overall.verdict == "worse");

  // Identical chains: no evidence either way.
  const auto same =
      compare_runs(chain_run("base", base), "a.h5", chain_run("twin", base), "d.h5", o);
  REQUIRE(same.chains);
  CHECK(same.chains->verdict == "no significant difference");
  CHECK(same.chains->test.p_two_sided == 1.0);
  CHECK_FALSE(same.regression);
}

TEST_CASE("The leaderboard ranks a chain suite by average length",
          "[reports][chains][leaderboard]") {
  const auto dir = testing::fresh_dir("long_horizon_leaderboard");
  ResultsStore::write(dir / "spiky.h5", chain_run("spiky", repeat({{5, 20}, {0, 20}})));
  ResultsStore::write(dir / "steady.h5", chain_run("steady", repeat({{4, 40}})));
  LeaderboardOptions o;
  const Leaderboard board = build_leaderboard({dir / "spiky.h5", dir / "steady.h5"}, o);
  REQUIRE(board.suites.size() == 1);
  const auto& ranking = board.suites[0].ranking;
  REQUIRE(ranking.policies.size() == 2);
  CHECK(ranking.policies[0].name == "steady");
  CHECK(ranking.policies[1].name == "spiky");
  // The files round-trip the subtasks that the ranking came from.
  const RunResults back = ResultsStore::read(dir / "steady.h5");
  CHECK(back.episodes[3].subtasks == chain_run("steady", repeat({{4, 40}})).episodes[3].subtasks);
}
