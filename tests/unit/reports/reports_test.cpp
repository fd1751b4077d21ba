#include <catch2/catch.hpp>

#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "harness/rng.hpp"
#include "reports/compare.hpp"
#include "reports/comparisons.hpp"
#include "reports/html_page.hpp"
#include "reports/junit.hpp"
#include "reports/leaderboard.hpp"
#include "reports/svg.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::reports;

namespace {

// A synthetic results file: `successes[t]` of `n` episodes for each task,
// the first ones successful, seeds as the harness would compute them.
RunResults synthetic(const std::string& policy, const std::vector<int>& successes, int n,
                     std::uint64_t seed = 7, const std::string& hash = std::string(64, 'a')) {
  RunResults r;
  r.header.suite_name = "synthetic";
  r.header.suite_hash = hash;
  r.header.suite_seed = seed;
  r.header.policy_name = policy;
  r.header.policy_spec = policy;
  r.header.policy_identity = policy;
  r.header.episodes_per_task = n;
  r.header.perturbations = {"nominal"};
  for (std::size_t t = 0; t < successes.size(); ++t) {
    const std::string task = "task" + std::to_string(t);
    r.header.tasks.push_back(TaskInfo{task, "do " + task, 100, "fam"});
    for (int e = 0; e < n; ++e) {
      EpisodeResult ep;
      ep.task_id = task;
      ep.episode_index = e;
      ep.seed = episode_seed(seed, task, "nominal", e);
      ep.success = e < successes[t];
      ep.termination = ep.success ? Termination::kSuccess : Termination::kTimeout;
      ep.progress = ep.success ? 1.0 : 0.3;
      ep.steps = 50;
      r.episodes.push_back(ep);
    }
  }
  return r;
}

// Per task (episodes, successes), the first ones successful: tasks may differ in size.
RunResults sized(const std::string& policy, const std::vector<std::pair<int, int>>& tasks,
                 std::uint64_t seed = 7) {
  RunResults r;
  r.header.suite_name = "synthetic";
  r.header.suite_hash = std::string(64, 'a');
  r.header.suite_seed = seed;
  r.header.policy_name = policy;
  r.header.policy_spec = policy;
  r.header.policy_identity = policy;
  r.header.perturbations = {"nominal"};
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const std::string task = "task" + std::to_string(t);
    r.header.tasks.push_back(TaskInfo{task, "do " + task, 100, "fam"});
    for (int e = 0; e < tasks[t].first; ++e) {
      EpisodeResult ep;
      ep.task_id = task;
      ep.episode_index = e;
      ep.seed = episode_seed(seed, task, "nominal", e);
      ep.success = e < tasks[t].second;
      ep.termination = ep.success ? Termination::kSuccess : Termination::kTimeout;
      ep.progress = ep.success ? 1.0 : 0.3;
      ep.steps = 50;
      r.episodes.push_back(ep);
    }
  }
  return r;
}

}  // namespace

TEST_CASE("compare's verdict and its evidence measure one effect (issue 16, item 1)",
          "[reports][compare]") {
  // 160 candidate-only against 120 baseline-only discordant pairs pooled, with unequal pairs per
  // task: task 0 (500 pairs) +160, task 1 (500 pairs) -118, task 2 (3 pairs) -2. The pooled
  // McNemar p is 0.0196 (scipy binomtest(120, 280)) while the task-mean difference is -19.4
  // points; the old gate printed "regression" from the two together. The task-mean difference's
  // own stratified test finds almost no evidence: P0(D' <= D) ~ 1/4 (task 2's two pairs).
  const RunResults base = sized("base", {{500, 100}, {500, 300}, {3, 2}});
  const RunResults cand = sized("cand", {{500, 260}, {500, 182}, {3, 0}});
  const auto r = compare_runs(base, "base.h5", cand, "cand.h5", {});
  CHECK(r.overall.candidate_only == 160);
  CHECK(r.overall.baseline_only == 120);
  CHECK(r.overall.difference == Approx((0.32 - 0.236 - 2.0 / 3) / 3));
  CHECK(r.overall.candidate - r.overall.baseline == Approx(r.overall.difference));
  CHECK_FALSE(r.regression);
  CHECK(r.overall.verdict == "no significant difference");
  CHECK(r.overall.p_value == Approx(0.25).margin(0.01));
  CHECK_THAT(r.reason, Catch::Contains("task-stratified"));
  // The pairwise comparisons of `report` use the same test.
  const auto st = ranking_statistics({&base, &cand});
  REQUIRE(st.pairs.size() == 1);
  CHECK(st.pairs[0].difference == Approx(r.overall.difference));
  CHECK(st.pairs[0].p_value == Approx(r.overall.p_two_sided));
  CHECK(st.pairs[0].verdict == "no significant difference");
}

TEST_CASE("compare's gate is one-sided at alpha with and without a margin (issue 16, item 2)",
          "[reports][compare]") {
  // 5 baseline-only discordant pairs: one-sided p = 1/32 = 0.031 (two-sided 0.0625).
  const RunResults base = synthetic("base", {45}, 50);
  const RunResults cand = synthetic("cand", {40}, 50);
  CompareOptions o;
  auto r = compare_runs(base, "base.h5", cand, "cand.h5", o);
  CHECK(r.overall.p_value == Approx(1.0 / 32).margin(1e-14));
  CHECK(r.overall.p_two_sided == Approx(1.0 / 16).margin(1e-14));
  CHECK(r.regression);
  CHECK(r.overall.verdict == "worse");
  CHECK_FALSE(compare_runs(cand, "cand.h5", base, "base.h5", o).regression);
  CHECK(compare_runs(cand, "cand.h5", base, "base.h5", o).overall.verdict == "better");
  o.alpha = 0.03;
  CHECK_FALSE(compare_runs(base, "base.h5", cand, "cand.h5", o).regression);
}

TEST_CASE(
    "compare --allow-unpaired runs the CMH test over tasks, not McNemar by index (issue 16, item "
    "3)",
    "[reports][compare]") {
  const RunResults base = synthetic("base", {45, 45}, 50, 7);
  const RunResults cand = synthetic("cand", {39, 45}, 50, 8);  // another seed: not paired
  CompareOptions o;
  o.require_pairing = false;
  const auto r = compare_runs(base, "base.h5", cand, "cand.h5", o);
  CHECK_FALSE(r.paired);
  CHECK_THAT(r.test, Catch::Contains("Mantel-Haenszel"));
  // McNemar on episodes matched by index would see 6 baseline-only pairs: p = 0.031, "regression".
  CHECK_FALSE(r.regression);
  CHECK(r.overall.difference == Approx(-0.06));
  const auto py = testing::run_process(
      {GAUNTLET_PYTHON, "-c",
       "import numpy as np\nfrom statsmodels.stats.contingency_tables import StratifiedTable as S\n"
       "t=S([np.array([[39,45],[11,5]]),np.array([[45,45],[5,5]])]).test_null_odds()\nprint(repr(t."
       "pvalue/2))"});
  REQUIRE(py.exit_code == 0);
  CHECK(r.overall.p_value ==
        Approx(std::stod(py.out)).margin(1e-12));  // one-sided: half the two-sided
  CHECK(r.overall.verdict == "no significant difference");
}

TEST_CASE(
    "compare refuses a candidate that does not cover the baseline's plan unless allowed (issue 16, "
    "item 4)",
    "[reports][compare]") {
  const RunResults base = synthetic("base", {45, 45, 45, 45, 45}, 20);
  RunResults cand = synthetic("cand", {45, 45, 45, 45, 45}, 20);
  std::erase_if(cand.episodes, [](const EpisodeResult& e) { return e.task_id != "task0"; });
  CompareOptions o;
  CHECK_THROWS_WITH(compare_runs(base, "base.h5", cand, "cand.h5", o),
                    Catch::Contains("covers 20 of the 100") && Catch::Contains("--allow-partial"));
  o.allow_partial = true;
  const auto r = compare_runs(base, "base.h5", cand, "cand.h5", o);
  CHECK(r.partial);
  CHECK(r.covered_tasks == 1);
  CHECK(r.baseline_plan_tasks == 5);
  CHECK_THAT(r.reason, Catch::StartsWith("PARTIAL"));
  // A candidate with more episodes than the baseline covers it.
  const RunResults more = synthetic("more", {45, 45, 45, 45, 45}, 30);
  CHECK_FALSE(compare_runs(base, "base.h5", more, "more.h5", {}).partial);
}

TEST_CASE("Every user string in SVG and HTML is escaped", "[reports][escape]") {
  CHECK(escape_xml("<img src=x onerror=\"alert(1)\">&'") ==
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
  const std::string svg = forest_plot_svg("<b>t</b>", {{"<script>", 0.5, 0.4, 0.6, "x"}});
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;") != std::string::npos);
  // Deterministic: the same input gives the same bytes (diffable charts).
  CHECK(svg == forest_plot_svg("<b>t</b>", {{"<script>", 0.5, 0.4, 0.6, "x"}}));
}

TEST_CASE("base64 matches Python's base64 module", "[reports]") {
  Rng rng(3);
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(rng.below(256));
  for (const std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 999u, 1000u}) {
    const std::string chunk = bytes.substr(0, n);
    std::string hex;
    for (const unsigned char c : chunk) {
      char buf[3];
      std::snprintf(buf, sizeof buf, "%02x", c);
      hex += buf;
    }
    const auto r = testing::run_process(
        {GAUNTLET_PYTHON, "-c",
         "import base64,sys;print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())", hex});
    REQUIRE(r.exit_code == 0);
    CHECK(base64_encode(chunk) + "\n" == r.out);
  }
}

TEST_CASE("JUnit XML parses and counts failures", "[reports][junit]") {
  JUnitSuite s{"suite <1>", {}};
  s.cases.push_back({"c", "ok", 0.5, "", "", "fine", {{"k", "v"}}});
  s.cases.push_back({"c", "bad & worse", 0.1, "regressed <a lot>", "", "", {}});
  const std::string xml = junit_xml({s});
  const auto r = testing::run_process(
      {GAUNTLET_PYTHON, "-c",
       "import sys,xml.etree.ElementTree as E;t=E.fromstring(sys.argv[1]);s=t.find('testsuite');"
       "print(s.get('tests'),s.get('failures'),s.get('name'),t.findall('.//"
       "failure')[0].get('message'))",
       xml});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "2 1 suite <1> regressed <a lot>\n");
}

TEST_CASE("compare flags a significant drop as a regression and nothing else",
          "[reports][compare]") {
  const RunResults base = synthetic("base", {45, 45}, 50);
  const RunResults worse = synthetic("worse", {30, 32}, 50);
  const RunResults same = synthetic("same", {45, 45}, 50);
  const RunResults slightly = synthetic("slightly", {44, 45}, 50);
  CompareOptions o;
  const auto r = compare_runs(base, "base.h5", worse, "worse.h5", o);
  CHECK(r.regression);
  CHECK(r.overall.verdict == "worse");
  CHECK(r.overall.difference == Approx(-0.28));
  CHECK(r.overall.candidate_only == 0);
  CHECK(r.overall.baseline_only == 28);
  CHECK(r.tasks.size() == 2);
  CHECK(r.tasks[0].verdict == "worse");
  CHECK(r.overall.ci.hi < 0);

  CHECK_FALSE(compare_runs(base, "base.h5", same, "same.h5", o).regression);
  CHECK_FALSE(compare_runs(base, "base.h5", slightly, "slightly.h5", o).regression);
  CHECK_FALSE(compare_runs(worse, "worse.h5", base, "base.h5", o).regression);  // better is fine
  CHECK(compare_runs(worse, "worse.h5", base, "base.h5", o).overall.verdict == "better");

  // A margin larger than the drop: no regression; smaller: regression.
  o.margin = 0.5;
  CHECK_FALSE(compare_runs(base, "b", worse, "w", o).regression);
  o.margin = 0.05;
  CHECK(compare_runs(base, "b", worse, "w", o).regression);
}

TEST_CASE("compare refuses different suites and unpaired seeds", "[reports][compare]") {
  const RunResults base = synthetic("base", {45}, 50);
  const RunResults other_suite = synthetic("x", {45}, 50, 7, std::string(64, 'b'));
  const RunResults other_seed = synthetic("x", {45}, 50, 8);
  CHECK_THROWS_WITH(compare_runs(base, "base.h5", other_suite, "x.h5", {}),
                    Catch::Contains("suite"));
  CHECK_THROWS_WITH(compare_runs(base, "base.h5", other_seed, "x.h5", {}),
                    Catch::Contains("same --seed"));
}

TEST_CASE("Submissions with edited or impossible rows are detected", "[reports][leaderboard]") {
  RunResults ok = synthetic("ok", {3, 4}, 5);
  CHECK(validate_submission(ok).empty());

  RunResults edited = ok;
  edited.episodes[2].seed ^= 1;  // a row copied from another episode or made up
  CHECK_THAT(validate_submission(edited).at(0), Catch::Contains("seed does not match"));

  RunResults absurd = ok;
  absurd.episodes[0].progress = 7.0;
  absurd.episodes[1].steps = 1000000;
  const auto problems = validate_submission(absurd);
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0], Catch::Contains("progress"));
  CHECK_THAT(problems[1], Catch::Contains("step count"));

  RunResults duplicated = ok;
  duplicated.episodes.push_back(duplicated.episodes[0]);
  CHECK_THAT(validate_submission(duplicated).at(0), Catch::Contains("duplicate"));
}

TEST_CASE("Ranking statistics separate clearly different policies and group similar ones",
          "[reports][ranking]") {
  const RunResults a = synthetic("a", {48, 47, 49}, 50);
  const RunResults b = synthetic("b", {47, 48, 48}, 50);
  const RunResults c = synthetic("c", {10, 12, 8}, 50);
  const auto st = ranking_statistics({&a, &b, &c});
  REQUIRE(st.available);
  CHECK(st.letters.size() == 3);
  CHECK(st.letters[0] == st.letters[1]);  // a and b: no significant difference
  CHECK(st.letters[2].find(st.letters[0][0]) == std::string::npos);  // c differs from both
  CHECK(st.p_best[2] == 0.0);
  CHECK(st.rank_lo[2] == 3);
  const PairComparison* ac = st.pair(0, 2);
  REQUIRE(ac);
  CHECK(ac->significant);
  CHECK(ac->verdict == "worse");
  CHECK_FALSE(st.pair(0, 1)->significant);
  double total = 0;
  for (const double p : st.rank_probability) total += p;
  CHECK(total == Approx(3.0));  // each policy's rank probabilities sum to one
}
