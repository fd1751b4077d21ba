// Reports, the CI gate, the leaderboard and the statistics commands through
// the real binary, and the HTML pages in a real headless Chromium.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/results_store.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::run_process;

namespace {

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

const char* kXss = "<img src=x onerror=alert(1)>";

// Three policies of clearly different skill on the smoke suite, 6 episodes
// per task, with episode videos. ctest runs test cases as parallel processes:
// the first one to take the lock makes the files, the others reuse them.
const std::filesystem::path& three_runs() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d = std::filesystem::path(GAUNTLET_TEST_TMP) / "report_runs";
    std::filesystem::create_directories(d);
    const int lock = open((d.string() + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
    flock(lock, LOCK_EX);
    // Files made by another build of gauntlet are stale.
    const std::string stamp = std::to_string(
        std::filesystem::last_write_time(testing::gauntlet_binary()).time_since_epoch().count());
    if (testing::read_file(d / "complete") == stamp) {
      close(lock);
      return d;
    }
    const std::vector<std::pair<std::string, std::string>> runs{
        {"scripted", "scripted,name=" + std::string(kXss)},
        {"noisy", "noisy-scripted:0.5"},
        {"zero", "zero"}};
    for (const auto& [file, spec] : runs) {
      std::filesystem::remove(d / (file + ".h5"));
      std::filesystem::remove_all(d / (file + ".h5.media"));
      const auto r =
          gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", spec, "--episodes", "6",
                        "--videos", "2", "--out", (d / (file + ".h5")).string()});
      if (r.exit_code != 0) throw std::runtime_error("run failed: " + r.err);
    }
    std::ofstream(d / "complete") << stamp;
    close(lock);
    return d;
  }();
  return dir;
}

bool have_chromium() {
  return std::filesystem::exists("/usr/bin/chromium");
}

nlohmann::json browse(const std::string& kind, const std::filesystem::path& page,
                      const std::filesystem::path& shot) {
  const auto r = run_process(
      {GAUNTLET_PYTHON, std::string(GAUNTLET_SOURCE_DIR) + "/tests/browser/cdp_check.py", kind,
       page.string(), shot.string()},
      std::chrono::seconds(120));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("The HTML report works in a real browser: rank order, sorting, escaping, charts, videos",
          "[browser][report]") {
  if (!have_chromium()) {
    WARN("SKIPPED: /usr/bin/chromium is not installed (scripts/bootstrap-deps installs it)");
    return;
  }
  const auto runs = three_runs();
  const auto out = fresh_dir("report_html");
  const auto r = gauntlet_cmd({"report", (runs / "zero.h5").string(), (runs / "noisy.h5").string(),
                               (runs / "scripted.h5").string(), "--out", out.string(), "--format",
                               "html,json,junit"});
  REQUIRE(r.exit_code == 0);
  const auto report = nlohmann::json::parse(testing::read_file(out / "report.json"));
  std::vector<std::string> expected;
  for (const auto& p : report["policies"]) expected.push_back(p["name"]);
  REQUIRE(expected.size() == 3);
  CHECK(expected[0] == kXss);
  CHECK(expected[2] == "zero");

  const auto page = browse("report", out / "report.html", out / "report.png");
  CHECK(page["rows"].get<std::vector<std::string>>() ==
        expected);                 // one row per policy, rank order
  CHECK(page["img_x"] == 0);       // the name is text, not an element
  CHECK(page["dialogs"].empty());  // and nothing ran
  CHECK(page["js_errors"].empty());
  CHECK(page["scripts"] == 1);  // only the sorting script
  auto sorted = expected;
  std::sort(sorted.begin(), sorted.end());
  CHECK(page["sorted_by_name_asc"].get<std::vector<std::string>>() == sorted);
  std::reverse(sorted.begin(), sorted.end());
  CHECK(page["sorted_by_name_desc"].get<std::vector<std::string>>() == sorted);
  const auto values = page["success_values_asc"].get<std::vector<double>>();
  CHECK(std::is_sorted(values.begin(), values.end()));
  CHECK(page["sorted_by_rank"].get<std::vector<std::string>>() == expected);
  for (const char* s : {"ranking", "forest", "pairwise", "ranks", "videos", "provenance"}) {
    CHECK(std::find(page["sections"].begin(), page["sections"].end(), s) != page["sections"].end());
  }
  CHECK(page["svg_count"].get<int>() >= 6);  // overall + 3 tasks + pairwise + ranks
  CHECK(page["videos"].get<int>() >= 3);     // a success and/or a failure per policy
  CHECK(std::filesystem::file_size(out / "report.png") > 10000);
  const std::string junit = testing::read_file(out / "junit.xml");
  CHECK(std::count(junit.begin(), junit.end(), '\n') > 9);
  CHECK_THAT(junit, Catch::Contains("&lt;img src=x"));
}

TEST_CASE("Every report format names each run's robot and action convention",
          "[cli][report][robots]") {
  const auto runs = three_runs();
  const auto out = fresh_dir("report_robot");
  // A second convention: the same suite's floating gripper driven by LIBERO-scaled actions.
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy",
                        "zero,actions=libero,name=zero-libero", "--episodes", "1", "--videos", "0",
                        "--out", (out / "libero.h5").string()})
              .exit_code == 0);
  const auto r =
      gauntlet_cmd({"report", (runs / "scripted.h5").string(), (out / "libero.h5").string(),
                    "--out", (out / "rep").string(), "--format", "json,md,html"});
  REQUIRE(r.exit_code == 0);
  const auto report = nlohmann::json::parse(testing::read_file(out / "rep" / "report.json"));
  std::map<std::string, std::string> convention;
  for (const auto& p : report["policies"]) {
    CHECK(p["provenance"]["robot"] == "floating_gripper");
    convention[p["name"]] = p["provenance"]["action_convention"];
  }
  CHECK(convention ==
        std::map<std::string, std::string>{{"zero-libero", "libero"}, {kXss, "ee_delta"}});
  const std::string md = testing::read_file(out / "rep" / "report.md");
  CHECK_THAT(md, Catch::Contains("| floating\\_gripper | libero |"));  // Markdown-escaped
  CHECK_THAT(md, Catch::Contains("| floating\\_gripper | ee\\_delta |"));
  const std::string html = testing::read_file(out / "rep" / "report.html");
  CHECK_THAT(html, Catch::Contains("<td>floating_gripper</td><td>libero</td>"));
  CHECK_THAT(html, Catch::Contains("<td>floating_gripper</td><td>ee_delta</td>"));
}

TEST_CASE("compare exits 1 on a significant regression, 0 otherwise, 2 on bad input",
          "[cli][compare]") {
  const auto runs = three_runs();
  const auto out = fresh_dir("compare_cli");
  auto r = gauntlet_cmd({"compare", "--baseline", (runs / "scripted.h5").string(), "--candidate",
                         (runs / "zero.h5").string(), "--out", out.string(), "--junit",
                         (out / "j.xml").string(), "--json"});
  CHECK(r.exit_code == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["regression"] == true);
  CHECK(j["overall"]["verdict"] == "worse");
  CHECK(j["tasks"].size() == 3);
  CHECK(std::filesystem::exists(out / "compare.md"));
  CHECK_THAT(testing::read_file(out / "j.xml"), Catch::Contains("<failure"));

  r = gauntlet_cmd({"compare", "--baseline", (runs / "zero.h5").string(), "--candidate",
                    (runs / "scripted.h5").string(), "--json"});
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["overall"]["verdict"] == "better");

  // Different seeds cannot be paired.
  const auto other = out / "other-seed.h5";
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "zero", "--episodes", "2",
                        "--seed", "5", "--videos", "0", "--out", other.string()})
              .exit_code == 0);
  r = gauntlet_cmd(
      {"compare", "--baseline", (runs / "zero.h5").string(), "--candidate", other.string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("same --seed"));
  // Unpaired and covering 2 of the baseline's 6 episodes per task: refused without --allow-partial.
  r = gauntlet_cmd({"compare", "--baseline", (runs / "zero.h5").string(), "--candidate",
                    other.string(), "--allow-unpaired"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--allow-partial"));
  r = gauntlet_cmd({"compare", "--baseline", (runs / "zero.h5").string(), "--candidate",
                    other.string(), "--allow-unpaired", "--allow-partial", "--json"});
  CHECK(r.exit_code == 0);
  j = nlohmann::json::parse(r.out);
  CHECK(j["partial"] == true);
  CHECK(j["paired"] == false);
  CHECK(j["coverage"]["covered_episodes"].get<int>() <
        j["coverage"]["baseline_episodes"].get<int>());
  CHECK_THAT(j["reason"].get<std::string>(), Catch::StartsWith("PARTIAL"));
  r = gauntlet_cmd({"compare", "--baseline", (runs / "zero.h5").string(), "--candidate",
                    (out / "missing.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("missing.h5"));
}

TEST_CASE(
    "Sequential compare stops early when the difference is large and says undecided at the budget",
    "[cli][compare][sequential]") {
  const auto out = fresh_dir("compare_sequential");
  auto r = gauntlet_cmd({"compare", "--sequential", "--suite", "tabletop-smoke", "--policy-a",
                         "scripted", "--policy-b", "zero", "--max-episodes", "90", "--out",
                         (out / "a").string(), "--json"});
  CHECK(r.exit_code == 1);  // candidate significantly worse
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["decision"] == "b-worse");
  CHECK(j["pairs_used"].get<int>() < 30);  // decided long before the budget
  CHECK(j["saved_pairs"].get<int>() == 90 - j["pairs_used"].get<int>());
  // The designed test (default design: 0.5 -> 0.4, one-sided alpha 0.05, power 0.8) against the
  // matched fixed-N exact McNemar design: far fewer pairs, and a p-value that agrees with the
  // decision.
  CHECK(j["design_delta"].get<double>() == 0.1);
  CHECK(j["fixed_n"].get<int>() > 100);
  CHECK(j["pairs_used"].get<int>() < j["fixed_n"].get<int>() / 4);
  CHECK(j["saving_vs_fixed_n"].get<double>() ==
        Approx(1.0 - j["pairs_used"].get<double>() / j["fixed_n"].get<double>()));
  CHECK(j["p_value"].get<double>() <= 0.05);
  CHECK(j["design_power"].get<double>() >= 0.8);
  CHECK(j["design_false_positive_rate"].get<double>() <= 0.05);
  CHECK(j["expected_pairs"].get<double>() < 0.62 * j["fixed_n"].get<double>());
  CHECK(ResultsStore::read(out / "a" / "candidate.h5").episodes.size() >=
        j["pairs_used"].get<std::size_t>());

  r = gauntlet_cmd({"compare", "--sequential", "--suite", "tabletop-smoke", "--policy-a", "zero",
                    "--policy-b", "zero,name=zero-again", "--max-episodes", "6", "--out",
                    (out / "b").string(), "--json"});
  CHECK(r.exit_code == 4);  // identical policies: no evidence either way within the budget
  j = nlohmann::json::parse(r.out);
  CHECK(j["decision"] == "undecided");
  CHECK(j["pairs_used"] == 6);
  CHECK(j["p_value"].get<double>() > 0.05);
}

TEST_CASE(
    "Sequential compare on progress replays two results files to the decision numpy recomputes",
    "[cli][compare][sequential][progress]") {
  const auto runs = three_runs();
  const std::string scripted = (runs / "scripted.h5").string();
  const std::string noisy = (runs / "noisy.h5").string();
  // The expert as baseline, the noisy expert (far less progress) as candidate: a regression.
  auto r = gauntlet_cmd({"compare", "--sequential", "--metric", "progress", "--baseline", scripted,
                         "--candidate", noisy, "--score-sd", "0.4", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["metric"] == "progress");
  CHECK(j["decision"] == "b-worse");
  CHECK(j["stop"] == "decided");
  CHECK(j["p_value"].get<double>() <= 0.05);
  CHECK(j["p_value"].get<double>() == Approx(1.0 / j["max_e_value"].get<double>()));
  CHECK(j["design_sd"].get<double>() == 0.4);
  CHECK(j["design_power"].get<double>() >= 0.78);
  CHECK(j["design_false_positive_rate"].get<double>() <= 0.05);
  // numpy, from the files themselves: pairs in (episode, task) order, the capital of the
  // design's bets (delta 0.1, prior sd 0.4 with weight 10, bets capped at 0.9), the first pair
  // where it reaches 1 / alpha, and the mean progress of both policies up to there.
  const auto py = run_process(
      {GAUNTLET_PYTHON, "-c",
       "import sys,h5py,numpy as np\n"
       "def rows(f):\n"
       " e=h5py.File(f,'r')['episodes'][:]\n"
       " return "
       "{(int(r['episode']),r['task'],r['perturbation']):(float(r['progress']),int(r['seed']))"
       " for r in e}\n"
       "a,b=rows(sys.argv[1]),rows(sys.argv[2])\n"
       "keys=sorted(k for k in a if k in b)\n"
       "x=np.array([a[k][0]-b[k][0] for k in keys])\n"
       "le=0.0\n"
       "for i in range(len(x)):\n"
       " v=(10*0.4**2+(np.var(x[:i])*i if i else 0.0))/(10+i)\n"
       " le+=np.log1p(min(max(0.1/(v+0.01),0.0),0.9)*x[i])\n"
       " if le>=np.log(20): break\n"
       "print(i+1, repr(le), repr(np.mean([a[k][0] for k in keys[:i+1]])),"
       " repr(np.mean([b[k][0] for k in keys[:i+1]])))",
       scripted, noisy});
  REQUIRE(py.exit_code == 0);
  int n = 0;
  double log_e = 0, mean_a = 0, mean_b = 0;
  REQUIRE(std::sscanf(py.out.c_str(), "%d %lf %lf %lf", &n, &log_e, &mean_a, &mean_b) == 4);
  CHECK(j["pairs_used"].get<int>() == n);
  CHECK(std::log(j["e_value"].get<double>()) == Approx(log_e).margin(1e-9));
  CHECK(j["mean_baseline"].get<double>() == Approx(mean_a).margin(1e-12));
  CHECK(j["mean_candidate"].get<double>() == Approx(mean_b).margin(1e-12));
  // The Markdown verdict says what the decision and the p-value mean.
  r = gauntlet_cmd({"compare", "--sequential", "--metric", "progress", "--baseline", scripted,
                    "--candidate", noisy, "--score-sd", "0.4"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("regression") && Catch::Contains("Anytime-valid p-value") &&
                        Catch::Contains("Ville"));

  // The other way round the candidate is better: never "worse"; the evidence falls and the
  // test stops for futility (no drop of the design size), exit 0.
  r = gauntlet_cmd({"compare", "--sequential", "--metric", "progress", "--baseline", noisy,
                    "--candidate", scripted, "--score-sd", "0.4", "--json"});
  CHECK(r.exit_code == 0);
  j = nlohmann::json::parse(r.out);
  CHECK(j["decision"] == "undecided");
  CHECK(j["stop"] == "futility");
  CHECK(j["p_value"].get<double>() == 1.0);
  // Identical files: no evidence either way before the files run out (exit 4, undecided).
  r = gauntlet_cmd({"compare", "--sequential", "--metric", "progress", "--baseline", scripted,
                    "--candidate", scripted, "--json"});
  CHECK(r.exit_code == 4);
  j = nlohmann::json::parse(r.out);
  CHECK(j["decision"] == "undecided");
  CHECK(j["pairs_used"] == 18);
  CHECK(j["e_value"].get<double>() == 1.0);
}

TEST_CASE("Sequential compare refuses a bad --metric and a bad --score-sd with exit 2",
          "[cli][compare][sequential][progress]") {
  const auto runs = three_runs();
  const std::string a = (runs / "scripted.h5").string();
  const std::string b = (runs / "noisy.h5").string();
  auto r = gauntlet_cmd(
      {"compare", "--sequential", "--metric", "reward", "--baseline", a, "--candidate", b});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--metric") && Catch::Contains("success or progress") &&
                        Catch::Contains("reward"));
  r = gauntlet_cmd({"compare", "--sequential", "--metric", "progress", "--score-sd", "1.5",
                    "--baseline", a, "--candidate", b});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--score-sd"));
  r = gauntlet_cmd({"compare", "--metric", "progress", "--baseline", a, "--candidate", b});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--metric progress needs --sequential"));
  // A results file whose progress left [0, 1] (edited with h5py): refused by the store's
  // validation before any test, naming the file and the episode.
  const auto out = fresh_dir("compare_progress_bad");
  std::filesystem::copy_file(b, out / "bad.h5");
  const auto edit =
      run_process({GAUNTLET_PYTHON, "-c",
                   "import h5py,sys\nf=h5py.File(sys.argv[1],'r+')\nd=f['episodes']\nr=d[0]\n"
                   "r['progress']=1.5\nd[0]=r\nf.close()",
                   (out / "bad.h5").string()});
  REQUIRE(edit.exit_code == 0);
  r = gauntlet_cmd({"compare", "--sequential", "--metric", "progress", "--baseline", a,
                    "--candidate", (out / "bad.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("bad.h5") && Catch::Contains("'progress' is 1.5") &&
                        Catch::Contains("[0, 1]"));
  r = gauntlet_cmd({"stats", "plan", "--p0", "0.5", "--delta", "-0.1", "--alternative", "less",
                    "--metric", "median", "--sequential"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--metric"));
}

TEST_CASE("stats plan --metric progress reports the simulated design against the fixed-N test",
          "[cli][stats][progress]") {
  const auto r = gauntlet_cmd({"stats", "plan", "--p0", "0.5", "--delta", "-0.1", "--alternative",
                               "less", "--metric", "progress", "--score-sd", "0.5", "--sequential",
                               "--json", "--simulations", "1000", "--seed", "7"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"fixed_n", "sequential_expected_n", "sequential_expected_n_null", "power",
                          "false_positive_rate", "saving", "simulations", "seed"}) {
    INFO(key);
    REQUIRE(j.contains(key));
  }
  // ceil(((z_0.95 + z_0.8) * 0.5 / 0.1)^2) = ceil(154.6)
  CHECK(j["fixed_n"] == 155);
  CHECK(j["sequential_expected_n"].get<double>() < 0.85 * 155);
  CHECK(j["sequential_expected_n_null"].get<double>() < 155);
  CHECK(j["power"].get<double>() >= 0.8 - 3 * std::sqrt(0.16 / 1000));
  CHECK(j["false_positive_rate"].get<double>() <= 0.05);
  CHECK(j["saving"].get<double>() ==
        Approx(1.0 - j["sequential_expected_n"].get<double>() / 155.0));
}

TEST_CASE("The leaderboard keeps suite versions apart, escapes names and rejects tampered files",
          "[browser][leaderboard]") {
  const auto runs = three_runs();
  const auto out = fresh_dir("leaderboard");
  // A second version of the suite: same tasks, another seed in its file, so another hash.
  std::string yaml =
      testing::read_file(std::string(GAUNTLET_SOURCE_DIR) + "/suites/smoke/tabletop-smoke.yaml");
  yaml.replace(yaml.find("version: \"1\""), 12, "version: \"2\"");
  std::ofstream(out / "smoke-v2.yaml") << yaml;
  REQUIRE(gauntlet_cmd({"run", "--suite", (out / "smoke-v2.yaml").string(), "--policy", "zero",
                        "--episodes", "2", "--videos", "0", "--out", (out / "v2.h5").string()})
              .exit_code == 0);
  std::vector<std::string> cmd{"leaderboard",
                               (runs / "scripted.h5").string(),
                               (runs / "noisy.h5").string(),
                               (runs / "zero.h5").string(),
                               (out / "v2.h5").string(),
                               "--out",
                               (out / "site").string()};
  REQUIRE(gauntlet_cmd(cmd).exit_code == 0);
  const auto index = nlohmann::json::parse(testing::read_file(out / "site" / "leaderboard.json"));
  REQUIRE(index["suites"].size() == 2);  // never mixed
  CHECK(index["suites"][0]["ranking"].size() + index["suites"][1]["ranking"].size() == 4);

  // A tampered submission: one row's seed edited with h5py.
  std::filesystem::copy_file(runs / "noisy.h5", out / "tampered.h5");
  const auto edit =
      run_process({GAUNTLET_PYTHON, "-c",
                   "import h5py,sys\nf=h5py.File(sys.argv[1],'r+')\nd=f['episodes']\nr=d[0]\n"
                   "r['seed']=r['seed']+1\nd[0]=r\nf.close()",
                   (out / "tampered.h5").string()});
  REQUIRE(edit.exit_code == 0);
  auto r = gauntlet_cmd({"leaderboard", (runs / "zero.h5").string(), (out / "tampered.h5").string(),
                         "--out", (out / "site2").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("tampered.h5") && Catch::Contains("seed does not match"));
  r = gauntlet_cmd({"leaderboard", (runs / "zero.h5").string(), (out / "tampered.h5").string(),
                    "--out", (out / "site2").string(), "--skip-invalid"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(testing::read_file(out / "site2" / "index.html"),
             Catch::Contains("Rejected submissions"));

  if (!have_chromium()) {
    WARN("SKIPPED browser part: /usr/bin/chromium is not installed");
    return;
  }
  const std::string page_name =
      index["suites"][0]["suite"] == "tabletop-smoke" && index["suites"][0]["ranking"].size() == 3
          ? index["suites"][0]["page"]
          : index["suites"][1]["page"];
  const auto page = browse("leaderboard", out / "site" / page_name, out / "leaderboard.png");
  const auto rows = page["rows"].get<std::vector<std::string>>();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == kXss);
  CHECK(page["img_x"] == 0);
  CHECK(page["dialogs"].empty());
}

TEST_CASE("stats commands agree with scipy and statsmodels", "[cli][stats]") {
  auto r = gauntlet_cmd(
      {"stats", "ci", "--successes", "7", "--trials", "20", "--method", "jeffreys", "--json"});
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  auto py = run_process({GAUNTLET_PYTHON, "-c",
                         "from statsmodels.stats.proportion import proportion_confint as p;"
                         "print(*p(7,20,method='jeffreys'))"});
  if (py.exit_code != 0) {
    WARN("SKIPPED: statsmodels is not available to Debian's python3");
    return;
  }
  double lo = 0, hi = 0;
  std::sscanf(py.out.c_str(), "%lf %lf", &lo, &hi);
  CHECK(j["lo"].get<double>() == Approx(lo).epsilon(1e-9));
  CHECK(j["hi"].get<double>() == Approx(hi).epsilon(1e-9));

  r = gauntlet_cmd({"stats", "test", "--a", "30/50", "--b", "40/50", "--method", "boschloo",
                    "--alternative", "greater", "--json"});
  REQUIRE(r.exit_code == 0);
  j = nlohmann::json::parse(r.out);
  py = run_process({GAUNTLET_PYTHON, "-c",
                    "from scipy.stats import boschloo_exact as "
                    "b;print(b([[40,30],[10,20]],alternative='greater').pvalue)"});
  REQUIRE(py.exit_code == 0);
  CHECK(j["p_value"].get<double>() == Approx(std::stod(py.out)).margin(1e-6));

  r = gauntlet_cmd({"stats", "plan", "--p0", "0.6", "--delta", "0.1", "--alpha", "0.05", "--power",
                    "0.8", "--json", "--simulations", "200"});
  REQUIRE(r.exit_code == 0);
  j = nlohmann::json::parse(r.out);
  CHECK(j["batch_exact"].get<int>() > 300);  // ~356 per policy for 0.6 vs 0.7
  CHECK(j["batch_exact"].get<int>() < 450);
  CHECK(j["sequential_mean"].get<double>() < j["batch_exact"].get<double>() * 1.5);

  // The designed sequential plan (paired, discordance 0.2): its fields, >= 40% fewer expected
  // pairs than the fixed-N exact McNemar design, and that design's power recomputed with scipy.
  r = gauntlet_cmd({"stats", "plan", "--p0", "0.5", "--delta", "0.1", "--paired", "--discordance",
                    "0.2", "--sequential", "--json", "--simulations", "0"});
  REQUIRE(r.exit_code == 0);
  j = nlohmann::json::parse(r.out);
  for (const char* key : {"fixed_n", "sequential_expected_n", "sequential_expected_n_null", "power",
                          "false_positive_rate", "saving", "fixed_power", "discordance"}) {
    INFO(key);
    REQUIRE(j.contains(key));
  }
  CHECK(j["power"].get<double>() >= 0.8);
  CHECK(j["false_positive_rate"].get<double>() <= 0.05);
  CHECK(j["sequential_expected_n"].get<double>() <=
        0.6 * j["fixed_n"].get<double>());  // >= 40% saved
  CHECK(j["sequential_expected_n_null"].get<double>() < j["fixed_n"].get<double>());
  CHECK(j["saving"].get<double>() ==
        Approx(1.0 - j["sequential_expected_n"].get<double>() / j["fixed_n"].get<double>()));
  py = run_process({GAUNTLET_PYTHON, "-c",
                    "import sys,numpy as np\nfrom scipy.stats import binom\n"
                    "n,D,a=int(sys.argv[1]),float(sys.argv[2]),0.05\nq=(D+0.1)/(2*D)\npw=0.0\n"
                    "for m in range(1,n+1):\n x=np.arange(m+1)\n "
                    "p=np.minimum(1,2*binom.cdf(np.minimum(x,m-x),m,0.5))\n"
                    " pw+=binom.pmf(m,n,D)*binom.pmf(x,m,q)[p<=a].sum()\nprint(repr(pw))",
                    std::to_string(j["fixed_n"].get<int>()),
                    std::to_string(j["discordance"].get<double>())});
  REQUIRE(py.exit_code == 0);
  CHECK(j["discordance"].get<double>() == Approx(0.2));
  CHECK(j["fixed_power"].get<double>() == Approx(std::stod(py.out)).margin(1e-6));
  CHECK(std::stod(py.out) >= 0.8);

  // An infinite odds ratio prints "inf"; an undefined one (0/0) null. scipy agrees on the first.
  r = gauntlet_cmd(
      {"stats", "test", "--a", "5/10", "--b", "10/10", "--method", "fisher", "--json"});
  REQUIRE(r.exit_code == 0);
  j = nlohmann::json::parse(r.out);
  CHECK(j["statistic"] == "inf");
  py = run_process(
      {GAUNTLET_PYTHON, "-c",
       "from scipy.stats import fisher_exact as f;r=f([[10,5],[0,5]]);print(r[0],repr(r[1]))"});
  REQUIRE(py.exit_code == 0);
  CHECK_THAT(py.out, Catch::StartsWith("inf "));
  CHECK(j["p_value"].get<double>() == Approx(std::stod(py.out.substr(4))).margin(1e-12));
  r = gauntlet_cmd({"stats", "test", "--a", "0/10", "--b", "0/10", "--method", "fisher", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["statistic"].is_null());

  CHECK(gauntlet_cmd({"stats", "ci", "--successes", "30", "--trials", "20"}).exit_code == 2);
  r = gauntlet_cmd({"stats", "test", "--a", "30of50", "--b", "1/2"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--a"));
}

TEST_CASE("agreement reads CSVs and results files and names the bad line", "[cli][agreement]") {
  const auto dir = fresh_dir("agreement_cli");
  std::ofstream(dir / "sim.csv")
      << "policy,task,success_rate\na,t1,0.9\nb,t1,0.5\nc,t1,0.2\nd,t1,0.7\n";
  std::ofstream(dir / "real.csv")
      << "policy,task,success_rate\na,t1,0.8\nb,t1,0.5\nc,t1,0.1\nd,t1,0.6\n";
  auto r = gauntlet_cmd(
      {"agreement", (dir / "sim.csv").string(), (dir / "real.csv").string(), "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["spearman"]["value"].get<double>() == Approx(1.0));
  CHECK(j["kendall"]["value"].get<double>() == Approx(1.0));
  CHECK(j["mmrv"]["value"].get<double>() == Approx(0.0));
  std::ofstream(dir / "bad.csv") << "policy,task,success_rate\na,t1,0.9\nb,t1,lots\n";
  r = gauntlet_cmd({"agreement", (dir / "bad.csv").string(), (dir / "real.csv").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("bad.csv:3"));

  // Results files stand in for a CSV: the same runs on both sides agree perfectly.
  const auto runs = three_runs();
  const std::string files = (runs / "scripted.h5").string() + "," + (runs / "noisy.h5").string() +
                            "," + (runs / "zero.h5").string();
  r = gauntlet_cmd({"agreement", files, runs.string(), "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["pearson"]["value"].get<double>() == Approx(1.0));
}
