// Shards that must add up, through the real binary: `report` marks an
// incomplete run in every format, `leaderboard` and `compare` refuse it unless
// --allow-incomplete, `merge` refuses a shard given twice, `record --shard`.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/demo_reader.hpp"
#include "harness/results_store.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::read_file;

namespace {

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return testing::run_process(full);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Runs shard I/2 of 2 episodes per task of the 3-task smoke suite (6 planned).
std::string run_shard(const std::filesystem::path& dir, int shard) {
  const std::string out = (dir / ("s" + std::to_string(shard) + ".h5")).string();
  const auto r =
      gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "zero", "--episodes", "2",
                    "--workers", "1", "--shard", std::to_string(shard) + "/2", "--out", out});
  REQUIRE(r.exit_code == 0);
  return out;
}

}  // namespace

TEST_CASE("A lone shard is marked incomplete by report and refused by leaderboard and compare",
          "[cli][shard]") {
  const auto dir = fresh_dir("shard_incomplete");
  const std::string s0 = run_shard(dir, 0);
  const std::string s1 = run_shard(dir, 1);

  auto r = gauntlet_cmd(
      {"report", s0, "--out", (dir / "rep").string(), "--format", "md,json,html,junit,csv"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("incomplete run: 3 of 6 planned episodes"));
  CHECK_THAT(read_file(dir / "rep" / "report.md"),
             Catch::Contains("**Incomplete run**") &&
                 Catch::Contains("3 of 6 planned episodes (shard 1/2 is not in this file)"));
  CHECK_THAT(read_file(dir / "rep" / "report.html"),
             Catch::Contains("Incomplete run") && Catch::Contains("3 of 6 planned episodes"));
  CHECK_THAT(read_file(dir / "rep" / "junit.xml"),
             Catch::Contains("name=\"plan-coverage\"") &&
                 Catch::Contains("<failure message=\"incomplete run: 3 of 6 planned episodes"));
  const auto json = nlohmann::json::parse(read_file(dir / "rep" / "report.json"));
  const auto& plan = json["policies"][0]["plan"];
  CHECK(plan["complete"] == false);
  CHECK(plan["planned_episodes"] == 6);
  CHECK(plan["finished_episodes"] == 3);
  CHECK(plan["missing_shards"] == nlohmann::json::array({"1/2"}));
  const std::string csv = read_file(dir / "rep" / "episodes.csv");
  CHECK_THAT(csv, Catch::Contains("run_planned_episodes,run_complete\n"));
  CHECK_THAT(csv, Catch::EndsWith(",6,0\n"));

  r = gauntlet_cmd({"leaderboard", s0, "--out", (dir / "site").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("s0.h5") && Catch::Contains("3 of 6 planned episodes") &&
                        Catch::Contains("shard 1/2 is not in this file") &&
                        Catch::Contains("--allow-incomplete"));
  r = gauntlet_cmd({"leaderboard", s0, "--out", (dir / "site").string(), "--allow-incomplete"});
  CHECK(r.exit_code == 0);
  r = gauntlet_cmd({"compare", "--baseline", s0, "--candidate", s1});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("compare: ") && Catch::Contains("s0.h5") &&
                        Catch::Contains("3 of 6 planned episodes"));
  // With the flag, a lone shard is compared (here with itself: no regression).
  r = gauntlet_cmd({"compare", "--baseline", s0, "--candidate", s0, "--allow-incomplete"});
  CHECK(r.exit_code == 0);

  // A shard merged with itself is refused; both shards make a complete run.
  r = gauntlet_cmd({"merge", (dir / "twice.h5").string(), s0, s0});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("shard 0/2 is in both"));
  CHECK_FALSE(std::filesystem::exists(dir / "twice.h5"));
  REQUIRE(gauntlet_cmd({"merge", (dir / "all.h5").string(), s1, s0}).exit_code == 0);
  CHECK(ResultsStore::read(dir / "all.h5").header.shard == "merged:0,1/2");
  r = gauntlet_cmd({"report", (dir / "all.h5").string(), "--out", (dir / "rep2").string(),
                    "--format", "md,json,csv"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, !Catch::Contains("warning"));
  CHECK_THAT(read_file(dir / "rep2" / "report.md"), !Catch::Contains("Incomplete"));
  CHECK(nlohmann::json::parse(
            read_file(dir / "rep2" / "report.json"))["policies"][0]["plan"]["complete"] == true);
  CHECK_THAT(read_file(dir / "rep2" / "episodes.csv"), Catch::EndsWith(",6,1\n"));
  CHECK(gauntlet_cmd({"leaderboard", (dir / "all.h5").string(), "--out", (dir / "site2").string()})
            .exit_code == 0);
}

TEST_CASE("record --shard records its shard's episodes only", "[cli][shard]") {
  const auto dir = fresh_dir("shard_record");
  const auto out = dir / "demos.h5";
  const auto r =
      gauntlet_cmd({"record", "--suite", "tabletop-smoke", "--policy", "zero", "--episodes", "2",
                    "--workers", "1", "--shard", "1/2", "--out", out.string()});
  REQUIRE(r.exit_code == 0);
  const DemoSet demos = read_demo_file(out);
  // Canonical positions 1, 3, 5 of (task, episode): episode 1 of each of the three tasks.
  REQUIRE(demos.episodes.size() == 3);
  std::set<std::string> tasks;
  for (const auto& d : demos.episodes) {
    CHECK(d.episode == 1);
    tasks.insert(d.task);
  }
  CHECK(tasks.size() == 3);
  CHECK(gauntlet_cmd({"record", "--suite", "tabletop-smoke", "--policy", "zero", "--shard", "2/2",
                      "--out", (dir / "bad.h5").string()})
            .exit_code == 2);
}

TEST_CASE("slurm submit --dry-run prints a requeue-safe array and a merge job, writes nothing",
          "[cli][slurm]") {
  const auto dir = fresh_dir("slurm_dry");
  const auto out = dir / "eval";
  auto r = gauntlet_cmd({"slurm", "submit", "--suite", "tabletop-smoke", "--policy", "zero",
                         "--episodes", "2", "--shards", "3", "--out", out.string(), "--partition",
                         "gpu", "--time", "01:00:00", "--sbatch-arg=--gres=gpu:1", "--dry-run"});
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_THAT(r.out, Catch::Contains("#SBATCH --array=0-2\n") &&
                        Catch::Contains("#SBATCH --requeue\n") &&
                        Catch::Contains("#SBATCH --partition=gpu\n") &&
                        Catch::Contains("#SBATCH --time=01:00:00\n") &&
                        Catch::Contains("#SBATCH --gres=gpu:1\n") &&
                        Catch::Contains("--shard \"$SHARD/3\"") &&
                        Catch::Contains("/shards/shard-\"$SHARD\"-of-3.h5") &&
                        Catch::Contains("--dependency=afterany:") &&
                        Catch::Contains(" merge --force ") && Catch::Contains(" report "));
  // The shard command is the same on every attempt: no attempt- or time-dependent argument.
  CHECK_THAT(r.out, !Catch::Contains("RESTART_COUNT\" ") && !Catch::Contains("--force run"));
  // Bad plans fail before anything is written or submitted.
  r = gauntlet_cmd({"slurm", "submit", "--suite", "tabletop-smoke", "--policy", "zero",
                    "--episodes", "1", "--shards", "4", "--out", out.string(), "--dry-run"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--shards 4 is more than the 3 planned episodes"));
  r = gauntlet_cmd({"slurm", "submit", "--suite", "no-such-suite", "--policy", "zero", "--shards",
                    "2", "--out", out.string()});
  CHECK(r.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(out));

  r = gauntlet_cmd({"k8s", "manifest", "--suite", "tabletop-smoke", "--policy", "zero", "--shards",
                    "3", "--out", "/results", "--image", "reg/gauntlet:1"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("completionMode: Indexed") &&
                        Catch::Contains("completions: 3") &&
                        Catch::Contains("$JOB_COMPLETION_INDEX/3") &&
                        Catch::Contains("image: \"reg/gauntlet:1\""));
}

TEST_CASE("slurm status counts finished episodes of the planned ones from the shard files",
          "[cli][slurm]") {
  const auto dir = fresh_dir("slurm_status");
  std::filesystem::create_directories(dir / "shards");
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "zero", "--episodes", "2",
                        "--workers", "1", "--shard", "0/2", "--out",
                        (dir / "shards" / "shard-0-of-2.h5").string()})
              .exit_code == 0);
  write_text(dir / "slurm.json",
             R"({"schema": "gauntlet-slurm", "array_job": "999999", "merge_job": "1000000",
                 "shards": 2, "planned_episodes": 6, "submitted_epoch": 1})");
  auto r = gauntlet_cmd({"slurm", "status", dir.string(), "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["finished_episodes"] == 3);
  CHECK(j["planned_episodes"] == 6);
  CHECK(j["complete"] == false);
  CHECK(j["shards"][0]["state"] == "done");
  CHECK(j["shards"][0]["finished"] == 3);
  CHECK(j["shards"][1]["finished"] == 0);
  CHECK(j["shards"][1]["state"] != "done");  // failed, or unknown where Slurm does not answer
  r = gauntlet_cmd({"slurm", "status", dir.string()});
  CHECK_THAT(r.out, Catch::Contains("episodes: 3 of 6 planned (50%)"));
  r = gauntlet_cmd({"slurm", "status", (dir / "shards").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("slurm.json") && Catch::Contains("not found"));
}
