// The `gauntlet` binary end to end: bad input, kill -9 and resume, shards and
// merge, the smoke suite's skill floor and ceiling, reports.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/results_store.hpp"
#include "harness/sha256.hpp"
#include "metrics/proportion_interval.hpp"
#include "tests/integration/result_rows.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::rows;
using testing::run_process;

namespace {

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

}  // namespace

TEST_CASE("Unknown suite, task or policy exits 2 and lists the valid names", "[cli][bad-input]") {
  const auto dir = fresh_dir("cli_unknown");
  auto r = gauntlet_cmd(
      {"run", "--suite", "no-such-suite", "--policy", "random", "--out", (dir / "a.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err,
             Catch::Contains("unknown suite 'no-such-suite'") && Catch::Contains("tabletop-smoke"));

  r = gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "telepathy", "--out",
                    (dir / "b.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown policy kind 'telepathy'") &&
                        Catch::Contains("noisy-scripted:EPS"));

  r = gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "random", "--task", "fly",
                    "--out", (dir / "c.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown task 'fly'") && Catch::Contains("open-the-drawer"));
  CHECK_FALSE(std::filesystem::exists(dir / "a.h5"));
  CHECK_FALSE(std::filesystem::exists(dir / "b.h5"));
  CHECK_FALSE(std::filesystem::exists(dir / "c.h5"));
}

TEST_CASE("Bad numbers in options exit 2 naming the option", "[cli][bad-input]") {
  const auto dir = fresh_dir("cli_options");
  const std::string out = (dir / "x.h5").string();
  for (const auto& [args, needle] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--episodes", "0"}, "--episodes"},
           {{"--shard", "3/2"}, "--shard"},
           {{"--perturb", "camera"}, "--perturb"},
           {{"--perturb", "weather:2"}, "unknown perturbation dimension 'weather'"},
           {{"--seed", "-4"}, "--seed"},
           {{"--workers", "abc"}, "--workers"}}) {
    std::vector<std::string> cmd{"run",   "--suite", "tabletop-smoke", "--policy", "random",
                                 "--out", out};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const auto r = gauntlet_cmd(cmd);
    INFO(args[0] << " " << args[1] << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(needle));
  }
  const auto r = gauntlet_cmd(
      {"run", "--suite", "tabletop-smoke", "--policy", "noisy-scripted:2", "--out", out});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("EPS must be in [0, 1]"));
}

TEST_CASE("Malformed suite YAML exits 2 naming file, line and the expected field",
          "[cli][bad-input]") {
  const auto dir = fresh_dir("cli_yaml");
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const std::string missing = write("missing.yaml",
                                    "name: s\nseed: 1\ntasks:\n  - id: a\n    family: open_drawer\n"
                                    "    instruction: open it\n");
  auto r = gauntlet_cmd(
      {"run", "--suite", missing, "--policy", "random", "--out", (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("missing.yaml:4") && Catch::Contains("cabinet_region"));

  const std::string wrong_type =
      write("type.yaml",
            "name: s\nseed: 1\ntasks:\n  - id: a\n    family: open_drawer\n"
            "    instruction: open it\n    max_steps: lots\n"
            "    cabinet_region: {x: [0, 0.1], y: [0, 0.1]}\n");
  r = gauntlet_cmd(
      {"run", "--suite", wrong_type, "--policy", "random", "--out", (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("type.yaml:7") && Catch::Contains("max_steps") &&
                        Catch::Contains("expected an integer"));

  const std::string typo = write("typo.yaml", "name: s\nseed: 1\nepisodes_per_tsk: 3\ntasks: []\n");
  r = gauntlet_cmd(
      {"run", "--suite", typo, "--policy", "random", "--out", (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("typo.yaml:3") && Catch::Contains("unknown field"));

  const std::string syntax = write("syntax.yaml", "name: s\nseed: [1\n");
  r = gauntlet_cmd(
      {"run", "--suite", syntax, "--policy", "random", "--out", (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("syntax.yaml:") && Catch::Contains("YAML syntax error"));

  const std::string family = write(
      "family.yaml", "name: s\nseed: 1\ntasks:\n  - {id: a, family: juggle, instruction: x}\n");
  r = gauntlet_cmd(
      {"run", "--suite", family, "--policy", "random", "--out", (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("family.yaml:4") && Catch::Contains("pick_place"));
  CHECK_FALSE(std::filesystem::exists(dir / "o.h5"));
}

TEST_CASE("An unwritable output path exits 2 before any episode runs", "[cli][bad-input]") {
  const auto dir = fresh_dir("cli_unwritable");
  std::ofstream(dir / "plain-file") << "x";
  const auto r =
      gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "scripted", "--episodes", "50",
                    "--out", (dir / "plain-file" / "r.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("plain-file"));
  CHECK_THAT(r.err, !Catch::Contains("episodes, success"));  // no progress was reported
}

TEST_CASE("A results file of another policy or suite is refused and not overwritten",
          "[cli][bad-input]") {
  const auto dir = fresh_dir("cli_mismatch");
  const std::string out = (dir / "r.h5").string();
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "zero", "--episodes", "1",
                        "--out", out})
              .exit_code == 0);
  const std::string before = sha256_file_hex(out);
  auto r = gauntlet_cmd(
      {"run", "--suite", "tabletop-smoke", "--policy", "random", "--episodes", "1", "--out", out});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("different experiments") && Catch::Contains("policy"));
  r = gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "zero", "--seed", "5",
                    "--episodes", "1", "--out", out});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("seed"));
  CHECK(sha256_file_hex(out) == before);

  // merge refuses to mix them too, and writes nothing.
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "random", "--episodes", "1",
                        "--out", (dir / "other.h5").string()})
              .exit_code == 0);
  r = gauntlet_cmd({"merge", (dir / "m.h5").string(), out, (dir / "other.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(dir / "m.h5"));
}

TEST_CASE("kill -9 mid-run loses no finished episode and a rerun completes it exactly",
          "[cli][resume]") {
  const auto dir = fresh_dir("cli_kill");
  const std::string killed = (dir / "killed.h5").string();
  const std::string whole = (dir / "whole.h5").string();
  const std::vector<std::string> args{
      "run",        "--suite", "tabletop-smoke", "--policy", "noisy-scripted:0.3",
      "--episodes", "25",      "--workers",      "2",        "--out"};
  auto cmd = args;
  cmd.insert(cmd.begin(), testing::gauntlet_binary());
  cmd.push_back(killed);
  const pid_t pid = testing::start_process(cmd, dir / "killed.log");
  std::size_t seen = 0;
  for (int i = 0; i < 2000 && seen < 12; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!std::filesystem::exists(killed)) continue;
    try {
      seen = ResultsStore::read(killed).episodes.size();  // readable at every instant
    } catch (const std::exception& e) {
      FAIL("results file unreadable while being written: " << e.what());
    }
  }
  kill(pid, SIGKILL);
  CHECK(testing::wait_process(pid) == 128 + SIGKILL);
  const std::size_t saved = ResultsStore::read(killed).episodes.size();
  INFO("episodes saved before the kill: " << saved);
  CHECK(saved >= 12);
  CHECK(saved < 75);  // it really was interrupted

  auto resume = args;
  resume.push_back(killed);
  const auto r = gauntlet_cmd(resume);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains(std::to_string(saved) + " already in the results file"));
  auto full = args;
  full.push_back(whole);
  REQUIRE(gauntlet_cmd(full).exit_code == 0);
  const auto a = rows(killed);
  const auto b = rows(whole);
  CHECK(a.size() == 75);
  CHECK(a == b);
}

TEST_CASE("Shards merged equal a single run", "[cli][shard]") {
  const auto dir = fresh_dir("cli_shard");
  const std::vector<std::string> base{
      "run", "--suite", "tabletop-smoke", "--policy", "noisy-scripted:0.3", "--episodes", "6"};
  std::vector<std::string> shards;
  for (int i = 0; i < 3; ++i) {
    auto cmd = base;
    const std::string out = (dir / ("shard" + std::to_string(i) + ".h5")).string();
    cmd.insert(cmd.end(), {"--workers", "1", "--shard", std::to_string(i) + "/3", "--out", out});
    REQUIRE(gauntlet_cmd(cmd).exit_code == 0);
    CHECK(rows(out).size() == 6);  // 18 episodes split evenly
    shards.push_back(out);
  }
  auto single = base;
  single.insert(single.end(), {"--workers", "2", "--out", (dir / "single.h5").string()});
  REQUIRE(gauntlet_cmd(single).exit_code == 0);
  std::vector<std::string> merge{"merge", (dir / "merged.h5").string()};
  merge.insert(merge.end(), shards.begin(), shards.end());
  const auto r = gauntlet_cmd(merge);
  REQUIRE(r.exit_code == 0);
  CHECK(rows(dir / "merged.h5") == rows(dir / "single.h5"));
  // Merging a shard with itself adds nothing; an existing output needs --force.
  CHECK(gauntlet_cmd({"merge", (dir / "merged.h5").string(), shards[0]}).exit_code == 2);
}

TEST_CASE("Scripted solves every smoke task at least 90% and random at most 20%", "[cli][skill]") {
  const auto dir = fresh_dir("cli_skill");
  for (const auto& [policy, at_least, at_most] :
       std::vector<std::tuple<std::string, double, double>>{{"scripted", 0.9, 1.0},
                                                            {"random", 0.0, 0.2}}) {
    const auto r =
        gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", policy, "--episodes", "50",
                      "--workers", "2", "--json", "--out", (dir / (policy + ".h5")).string()});
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["tasks"].size() == 3);
    for (const auto& t : j["tasks"]) {
      INFO(policy << " on " << t["task"]);
      CHECK(t["episodes"] == 50);
      CHECK(t["success_rate"].get<double>() >= at_least);
      CHECK(t["success_rate"].get<double>() <= at_most);
    }
  }
}

TEST_CASE("run --json prints one summary document with a Wilson interval", "[cli][json]") {
  const auto dir = fresh_dir("cli_json");
  const auto r = gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "noisy-scripted:0.5",
                               "--episodes", "4", "--json", "--out", (dir / "r.h5").string()});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);  // stdout holds exactly one JSON document
  for (const char* key : {"suite", "policy", "episodes", "successes", "success_rate", "ci95",
                          "tasks", "errors", "out"}) {
    CHECK(j.contains(key));
  }
  const int k = j["successes"];
  const int n = j["episodes"];
  CHECK(n == 12);
  const auto ci = metrics::wilson_interval(k, n, 0.95);
  CHECK(j["ci95"][0].get<double>() == Approx(ci.lo));
  CHECK(j["ci95"][1].get<double>() == Approx(ci.hi));
  CHECK(j["errors"]["sim_error"] == 0);
}

TEST_CASE("report ranks policies and writes Markdown, JSON and CSV", "[cli][report]") {
  const auto dir = fresh_dir("cli_report");
  for (const std::string p : {"zero", "scripted", "noisy-scripted:0.5"}) {
    REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", p + ",name=<" + p + ">",
                          "--episodes", "3", "--out", (dir / (p + ".h5")).string()})
                .exit_code == 0);
  }
  const auto r =
      gauntlet_cmd({"report", (dir / "zero.h5").string(), (dir / "scripted.h5").string(),
                    (dir / "noisy-scripted:0.5.h5").string(), "--out", (dir / "report").string()});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(testing::read_file(dir / "report" / "report.json"));
  CHECK(j["schema_version"] == 2);
  REQUIRE(j["policies"].size() == 3);
  CHECK(j["policies"][0]["name"] == "<scripted>");
  CHECK(j["policies"][2]["name"] == "<zero>");
  const std::string md = testing::read_file(dir / "report" / "report.md");
  CHECK_THAT(md, Catch::Contains("&lt;scripted&gt;"));  // user strings are escaped
  CHECK_THAT(md, !Catch::Contains("<scripted>"));
  const std::string csv = testing::read_file(dir / "report" / "episodes.csv");
  const auto lines = std::count(csv.begin(), csv.end(), '\n');
  CHECK(lines == 1 + 3 * 9);
  CHECK(gauntlet_cmd({"report", (dir / "zero.h5").string(), "--out", (dir / "r2").string(),
                      "--format", "pdf"})
            .exit_code == 2);
}

TEST_CASE("SIGINT stops a run after saving finished episodes, exit 130, resumable",
          "[cli][resume]") {
  const auto dir = fresh_dir("cli_sigint");
  const std::string out = (dir / "r.h5").string();
  const pid_t pid =
      testing::start_process({testing::gauntlet_binary(), "run", "--suite", "tabletop-smoke",
                              "--policy", "scripted", "--episodes", "40", "--out", out},
                             dir / "log");
  std::size_t seen = 0;
  for (int i = 0; i < 2000 && seen < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (std::filesystem::exists(out)) seen = ResultsStore::read(out).episodes.size();
  }
  kill(pid, SIGINT);
  CHECK(testing::wait_process(pid) == 130);
  const auto saved = ResultsStore::read(out).episodes.size();
  CHECK(saved >= 5);
  CHECK(saved < 120);
  const std::string text = testing::read_file(dir / "log");
  CHECK_THAT(text, Catch::Contains("run the same command again to resume"));
}

TEST_CASE("record writes demonstrations in the robomimic/LIBERO layout", "[cli][record]") {
  const auto dir = fresh_dir("cli_record");
  const std::string out = (dir / "demos.h5").string();
  const auto r = gauntlet_cmd({"record", "--suite", "tabletop-smoke", "--policy", "scripted",
                               "--episodes", "2", "--image-size", "64x48", "--out", out});
  REQUIRE(r.exit_code == 0);
  const std::string check = R"PY(
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
data = f["data"]
assert data.attrs["num_demos"] == 6, data.attrs["num_demos"]
total = 0
for k in sorted(data.keys()):
    d = data[k]
    T = d.attrs["num_samples"]
    total += T
    assert d["actions"].shape == (T, 7)
    assert np.all(np.abs(d["actions"][:, :3]) <= 0.05 + 1e-6)
    assert d["obs/agentview_rgb"].shape == (T, 48, 64, 3) and d["obs/agentview_rgb"].dtype == np.uint8
    assert d["obs/eye_in_hand_rgb"].shape == (T, 48, 64, 3)
    assert d["obs/ee_states"].shape == (T, 6) and d["obs/gripper_states"].shape == (T, 2)
    assert d["dones"][-1] == 1 and d["dones"][:-1].sum() == 0
    assert d.attrs["success"] == 1 and d["rewards"][-1] == 1.0
    assert len(d.attrs["language_instruction"]) > 5
    # consecutive images differ: the robot moves
    assert np.abs(d["obs/agentview_rgb"][0].astype(int) - d["obs/agentview_rgb"][-1].astype(int)).sum() > 0
assert data.attrs["total"] == total
info = json.loads(data.attrs["problem_info"])
assert "open the drawer" in info["language_instruction"]
print("ok")
)PY";
  const auto py = run_process({GAUNTLET_PYTHON, "-c", check, out});
  INFO(py.err);
  CHECK(py.out == "ok\n");
  CHECK(gauntlet_cmd({"record", "--suite", "tabletop-smoke", "--episodes", "1", "--out", out})
            .exit_code == 2);
}

TEST_CASE(
    "run --videos keeps the first N episodes of every task as animated WebP, and merge carries "
    "them",
    "[cli][videos]") {
  const auto dir = fresh_dir("cli_videos");
  for (int shard = 0; shard < 2; ++shard) {
    REQUIRE(
        gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "noisy-scripted:0.4",
                      "--episodes", "4", "--videos", "2", "--shard", std::to_string(shard) + "/2",
                      "--out", (dir / ("s" + std::to_string(shard) + ".h5")).string()})
            .exit_code == 0);
  }
  std::vector<std::string> names;
  for (int shard = 0; shard < 2; ++shard) {
    for (const auto& e :
         std::filesystem::directory_iterator(dir / ("s" + std::to_string(shard) + ".h5.media"))) {
      names.push_back(e.path().filename().string());
      const std::string bytes = testing::read_file(e.path());
      REQUIRE(bytes.size() > 1000);
      CHECK(bytes.substr(0, 4) == "RIFF");
      CHECK(bytes.substr(8, 4) == "WEBP");
      CHECK(bytes.find("ANIM") != std::string::npos);  // animated, not a still
    }
  }
  std::sort(names.begin(), names.end());
  CHECK(names ==
        std::vector<std::string>{
            "open-the-drawer__nominal__0.webp", "open-the-drawer__nominal__1.webp",
            "pick-cube-onto-plate__nominal__0.webp", "pick-cube-onto-plate__nominal__1.webp",
            "push-block-into-square__nominal__0.webp", "push-block-into-square__nominal__1.webp"});
  REQUIRE(gauntlet_cmd({"merge", (dir / "all.h5").string(), (dir / "s0.h5").string(),
                        (dir / "s1.h5").string()})
              .exit_code == 0);
  std::size_t merged = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "all.h5.media"))
    ++merged;
  CHECK(merged == 6);
  // --videos 0 renders nothing extra.
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "zero", "--episodes", "1",
                        "--videos", "0", "--out", (dir / "none.h5").string()})
              .exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(dir / "none.h5.media"));
}
