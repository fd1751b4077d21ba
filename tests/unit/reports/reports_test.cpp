#include <catch2/catch.hpp>

#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "harness/rng.hpp"
#include "reports/compare.hpp"
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
RunResults synthetic(const std::string& policy, const std::vector<int>& successes, int n, std::uint64_t seed = 7,
                     const std::string& hash = std::string(64, 'a')) {
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

}  // namespace

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
        {GAUNTLET_PYTHON, "-c", "import base64,sys;print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())", hex});
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
       "print(s.get('tests'),s.get('failures'),s.get('name'),t.findall('.//failure')[0].get('message'))",
       xml});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "2 1 suite <1> regressed <a lot>\n");
}

TEST_CASE("compare flags a significant drop as a regression and nothing else", "[reports][compare]") {
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
  CHECK_THROWS_WITH(compare_runs(base, "base.h5", other_suite, "x.h5", {}), Catch::Contains("suite"));
  CHECK_THROWS_WITH(compare_runs(base, "base.h5", other_seed, "x.h5", {}), Catch::Contains("same --seed"));
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

TEST_CASE("Ranking statistics separate clearly different policies and group similar ones", "[reports][ranking]") {
  const RunResults a = synthetic("a", {48, 47, 49}, 50);
  const RunResults b = synthetic("b", {47, 48, 48}, 50);
  const RunResults c = synthetic("c", {10, 12, 8}, 50);
  const auto st = ranking_statistics({&a, &b, &c});
  REQUIRE(st.available);
  CHECK(st.letters.size() == 3);
  CHECK(st.letters[0] == st.letters[1]);        // a and b: no significant difference
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
