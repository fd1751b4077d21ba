// The CALVIN-like suites from the command line: `list suites` shows backend
// bullet, and `run --chains FILE` rejects bad chain files with exit 2 naming
// the file, the line and what was expected, and runs a good one.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/demo_reader.hpp"
#include "harness/results_store.hpp"
#include "suites/calvin/chains.hpp"
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

std::string write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("list suites shows calvin-a..d on the bullet backend", "[cli][calvin]") {
  const auto r = gauntlet_cmd({"list", "suites", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  int found = 0;
  for (const auto& s : j) {
    const std::string name = s["name"];
    if (name.rfind("calvin-", 0) == 0) {
      ++found;
      CHECK(s["backend"] == "bullet");
    }
  }
  CHECK(found == 4);
}

TEST_CASE("run --chains: bad files exit 2 naming file and line, a good one runs", "[cli][calvin]") {
  const auto dir = fresh_dir("calvin_cli");
  const std::string init =
      R"({"led": 0, "lightbulb": 0, "slider": "right", "drawer": "closed", "red_block": "table",
 "blue_block": "slider_left", "pink_block": "slider_right"})";
  const auto run = [&](const std::string& file) {
    return gauntlet_cmd({"run", "--suite", "calvin-d", "--chains", file, "--policy", "zero",
                         "--workers", "1", "--videos", "0", "--out", (dir / "r.h5").string()});
  };
  const std::string bad_name =
      write(dir / "unknown.json", "[\n[" + init +
                                      ",\n [\"open_drawer\", \"dance\", "
                                      "\"turn_on_led\", \"turn_on_lightbulb\", "
                                      "\"move_slider_left\"]]]");
  auto r = run(bad_name);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(bad_name + ":2: chain 0: unknown subtask 'dance'"));
  const std::string infeasible = write(
      dir / "infeasible.json",
      "[[" + init +
          ", [\"close_drawer\", \"turn_on_led\", \"turn_on_lightbulb\", \"move_slider_left\", "
          "\"push_red_block_left\"]]]");
  r = run(infeasible);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("infeasible chain: subtask 1 'close_drawer' is not feasible"));
  r = run(write(dir / "broken.json", "[[{\"led\": 0,"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("broken.json:1: not valid JSON"));
  r = gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--chains", bad_name, "--policy", "zero",
                    "--episodes", "1", "--out", (dir / "s.h5").string()});
  CHECK(r.exit_code == 2);
  // A good file: one chain, the zero policy fails its first subtask after 360 steps.
  const std::string good =
      write(dir / "good.json", "[[" + init +
                                   ", [\"open_drawer\", \"turn_on_led\", \"turn_on_lightbulb\", "
                                   "\"move_slider_left\", \"push_red_block_left\"]]]");
  r = run(good);
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("a CALVIN-like evaluation end to end: run --json, the report and compare speak chains",
          "[cli][calvin][chains]") {
  // The two halves of the chain work meet here: the Bullet suite writes each
  // chain's subtasks, the store keeps them, and summary, report and compare
  // read average length from them.
  const auto dir = fresh_dir("calvin_e2e");
  const auto run = [&](const std::string& policy, const std::string& out) {
    return gauntlet_cmd({"run", "--suite", "calvin-d", "--episodes", "12", "--policy", policy,
                         "--workers", "2", "--videos", "0", "--json", "--out",
                         (dir / out).string()});
  };
  auto expert = run("scripted", "expert.h5");
  REQUIRE(expert.exit_code == 0);
  const auto j = nlohmann::json::parse(expert.out.substr(expert.out.find('{')));
  const double avg = j["avg_length"];
  REQUIRE(j["success_at"].size() == 5);
  // Average length is the sum of success-at-k over k (a chain of length L
  // counts once in each of the first L columns).
  double sum = 0;
  for (const auto& v : j["success_at"]) sum += v.get<double>();
  CHECK(avg == Approx(sum).epsilon(1e-9));
  CHECK(j["avg_length_ci95"][0].get<double>() <= avg);
  CHECK(j["avg_length_ci95"][1].get<double>() >= avg);
  CHECK(avg >= 2.0);  // the expert (3.7 over 100 chains) is far from random's 0.06
  auto random = run("random,seed=3", "random.h5");
  REQUIRE(random.exit_code == 0);

  auto r = gauntlet_cmd({"report", (dir / "expert.h5").string(), (dir / "random.h5").string(),
                         "--out", (dir / "report").string()});
  REQUIRE(r.exit_code == 0);
  const std::string text = testing::read_file(dir / "report" / "report.md");
  CHECK_THAT(text, Catch::Contains("Long horizon (chains)") && Catch::Contains("Avg length"));

  // The same 12 chains met by both: the paired test of average length gates.
  r = gauntlet_cmd({"compare", "--baseline", (dir / "expert.h5").string(), "--candidate",
                    (dir / "random.h5").string()});
  CHECK(r.exit_code == 1);  // the candidate (random) is significantly worse
  CHECK_THAT(r.out + r.err, Catch::Contains("chain length"));
}

TEST_CASE("record writes CALVIN-like chains as demos with subtask boundaries and annotations",
          "[cli][calvin][record]") {
  const auto dir = fresh_dir("calvin_record");
  const std::string demos = (dir / "d.h5").string();
  auto r = gauntlet_cmd({"record", "--suite", "calvin-d", "--policy", "scripted", "--episodes", "2",
                         "--camera", "static", "--image-size", "16x16", "--out", demos});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The same two chains evaluated: the run's subtasks column is the reference.
  const std::string results = (dir / "r.h5").string();
  r = gauntlet_cmd({"run", "--suite", "calvin-d", "--policy", "scripted", "--episodes", "2",
                    "--videos", "0", "--out", results});
  REQUIRE(r.exit_code == 0);
  const RunResults run = ResultsStore::read(results);
  REQUIRE(run.episodes.size() == 2);

  const DemoSet set = read_demo_file(demos, "static");
  REQUIRE(set.episodes.size() == 2);
  for (const DemoEpisode& demo : set.episodes) {
    INFO(demo.name << " (episode " << demo.episode << ")");
    const auto row =
        std::find_if(run.episodes.begin(), run.episodes.end(),
                     [&](const EpisodeResult& e) { return e.episode_index == demo.episode; });
    REQUIRE(row != run.episodes.end());
    REQUIRE(demo.subtasks.size() == row->subtasks.size());
    REQUIRE(!demo.subtasks.empty());
    int at = 0;
    for (std::size_t i = 0; i < demo.subtasks.size(); ++i) {
      const DemoSubtask& got = demo.subtasks[i];
      const SubtaskOutcome& want = row->subtasks[i];
      CHECK(got.name == want.name);
      CHECK(got.success == want.success);
      CHECK(got.start == at);
      CHECK(got.end - got.start == want.steps);
      at = got.end;
      // The annotation is the subtask's CALVIN-style instruction, as the policy saw it.
      const int task = suites::calvin::subtask_index(got.name);
      REQUIRE(task >= 0);
      CHECK(got.annotation ==
            suites::calvin::subtasks()[static_cast<std::size_t>(task)].annotation);
    }
    CHECK(at == demo.steps);  // the chain ends where its last attempted subtask ends
    CHECK(demo.instruction == demo.subtasks[0].annotation);
  }
  // Replay re-simulates each chain from its recorded states and actions and
  // meets the same subtasks at the same steps.
  r = gauntlet_cmd({"replay", demos, "--json"});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  CHECK(j["reproduced"] == 2);
  for (const auto& d : j["demos"]) CHECK(d["subtasks_reproduced"] == true);
}

TEST_CASE("run --perturb distractors:3 runs CALVIN-like chains, and an unknown dimension exits 2",
          "[cli][calvin][perturb]") {
  const auto dir = fresh_dir("calvin_distractors");
  const auto ok = gauntlet_cmd({"run", "--suite", "calvin-d", "--policy", "scripted", "--episodes",
                                "5", "--perturb", "distractors:3", "--videos", "0", "--json",
                                "--out", (dir / "d.h5").string()});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  const auto j = nlohmann::json::parse(ok.out);
  CHECK(j.at("perturbed_episodes").get<int>() == 5);
  CHECK(j.at("errors").at("sim_error").get<int>() == 0);
  CHECK(j.at("avg_length").get<double>() >= 1.0);
  const auto bad = gauntlet_cmd({"run", "--suite", "calvin-d", "--policy", "scripted", "--episodes",
                                 "1", "--perturb", "clutter:1", "--out", (dir / "x.h5").string()});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("clutter"));
  CHECK_FALSE(std::filesystem::exists(dir / "x.h5"));
}
