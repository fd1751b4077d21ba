// The LIBERO-like suites end to end: all forty built-in tasks and all forty of
// LIBERO's own BDDL files build, reset and step; the scripted expert solves
// them (reduced episode counts; the full protocol is in docs/suites.md) while
// `random` does not; `bddl:` errors and provenance through the real binary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "harness/runner.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "suites/bddl/bddl_suite.hpp"
#include "tests/fixtures/builtin.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;

namespace {

const char* kSuites[] = {"libero-spatial", "libero-object", "libero-goal", "libero-long"};
const std::string kBddlRoot = std::string(GAUNTLET_SHARED_DATA_DIR) + "/libero_bddl";

const Registry& registry() {
  return fixtures::builtin_registry();
}

using Collect = fixtures::CollectingSink;

// LIBERO's 8-number state, then the Panda's 7 joint positions and 7 velocities.
constexpr std::size_t kPandaProprio = 22;

std::shared_ptr<const Suite> load(const std::string& name, const std::string& robot = "") {
  SuiteOptions options;
  options.robot = robot;
  return registry().load_suite(name, options);
}

std::vector<EpisodeResult> run(const Suite& suite, const std::string& policy_spec, int episodes,
                               std::vector<std::string> task_ids = {}) {
  auto policy = registry().make_policy(PolicySpec::parse(policy_spec));
  EpisodePlan plan;
  plan.episodes_per_task = episodes;
  plan.task_ids = std::move(task_ids);
  const auto specs = plan_episodes(suite, plan);
  RunnerOptions options;
  options.workers = 2;
  Runner runner(suite, *policy, options);
  Collect sink;
  runner.run(specs, sink);
  REQUIRE(sink.rows.size() == specs.size());
  return sink.rows;
}

// Resets every task once and takes a few no-op steps; checks the images show a scene.
void build_and_step(const Suite& suite, bool cameras) {
  ObservationRequest request;
  if (cameras) request.cameras = {"agentview", "wrist"};
  request.width = 128;
  request.height = 128;
  auto env = suite.make_env(request);
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  const std::vector<float> noop{0, 0, 0, 0, 0, 0, -1};
  for (const auto& spec : plan_episodes(suite, plan)) {
    INFO(spec.task_id);
    const Observation& obs = env->reset(spec);
    CHECK(obs.proprio.size() == kPandaProprio);  // the Panda by default
    CHECK_FALSE(obs.instruction.empty());
    for (int i = 0; i < 3; ++i) {
      const StepResult r = env->step(noop, i == 2);
      CHECK_FALSE(r.sim_error);
      CHECK_FALSE(r.success);  // nothing is solved by standing still
      CHECK(r.progress >= 0.0);
      CHECK(r.progress < 1.0);
    }
    if (cameras) {
      for (const auto& cam : env->observation().cameras) {
        REQUIRE(cam.image.width == 128);
        // A rendered scene, not a blank frame: the pixels vary.
        const auto [lo, hi] = std::minmax_element(cam.image.rgb.begin(), cam.image.rgb.end());
        CHECK(*hi - *lo > 60);
      }
    }
  }
}

}  // namespace

TEST_CASE("Every task of the four LIBERO suites builds, resets and steps with both cameras",
          "[libero][suites]") {
  for (const char* name : kSuites) {
    INFO(name);
    const auto suite = registry().load_suite(name);
    REQUIRE(suite->tasks().size() == 10);
    CHECK(suite->info().default_episodes == 50);
    CHECK(suite->info().robot == "panda");
    build_and_step(*suite, true);
  }
}

TEST_CASE("The four suites keep LIBERO's step limits", "[libero][suites]") {
  const int limits[] = {220, 280, 300, 520};
  for (int i = 0; i < 4; ++i) {
    const auto suite = registry().load_suite(kSuites[i]);
    for (const auto& t : suite->tasks()) CHECK(t.max_steps == limits[i]);
  }
}

TEST_CASE("All forty LIBERO BDDL files import, reset and step", "[libero][bddl]") {
  const auto suite = registry().load_suite("bddl:" + kBddlRoot);
  REQUIRE(suite->tasks().size() == 40);
  CHECK(suite->info().robot == "panda");
  // The instruction is the file's :language.
  const auto& t = suite->tasks()[static_cast<std::size_t>(
      suite->task_index("libero_goal.open_the_middle_drawer_of_the_cabinet"))];
  CHECK(t.instruction == "Open the middle layer of the drawer");
  CHECK(t.max_steps == 300);
  build_and_step(*suite, false);
}

TEST_CASE("A single BDDL file is a one-task suite whose hash covers the file's text",
          "[libero][bddl]") {
  const auto dir = testing::fresh_dir("libero_bddl_hash");
  const std::string src = kBddlRoot + "/libero_goal/turn_on_the_stove.bddl";
  std::string text = testing::read_file(src);
  const auto write = [&](const std::string& name, const std::string& body) {
    std::string path = (dir / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(body.data(), 1, body.size(), f);
    std::fclose(f);
    return path;
  };
  const auto a = suites::bddl::load_bddl_suite(write("a.bddl", text));
  const auto b = suites::bddl::load_bddl_suite(src);
  const std::string pos = "Turn on the stove";
  text.replace(text.find(pos), pos.size(), "Switch on the stove");
  const auto c = suites::bddl::load_bddl_suite(write("b.bddl", text));
  REQUIRE(a->tasks().size() == 1);
  CHECK(a->tasks()[0].id == "a");
  CHECK(c->tasks()[0].instruction == "Switch on the stove");
  CHECK(a->info().content_hash != c->info().content_hash);
  CHECK(a->info().content_hash != b->info().content_hash);  // file names are hashed too
  CHECK(suites::bddl::load_bddl_suite(src)->info().content_hash == b->info().content_hash);
}

TEST_CASE("The scripted expert solves every suite on the floating gripper at reduced counts",
          "[libero][expert]") {
  for (const char* name : kSuites) {
    const auto suite = load(name, "floating_gripper");
    const auto rows = run(*suite, "scripted", 2);
    int successes = 0;
    for (const auto& r : rows) {
      INFO(name << " " << r.task_id << " episode " << r.episode_index << " " << r.error);
      CHECK(r.termination != Termination::kSimError);
      successes += r.success ? 1 : 0;
    }
    INFO(name << ": " << successes << " of " << rows.size());
    CHECK(successes >= 18);  // >= 90%; the full protocol's rates are in docs/suites.md
  }
}

TEST_CASE("The scripted expert solves every suite through the Panda, the default robot",
          "[libero][expert][robots]") {
  // One episode per task (the full protocol's rates are in docs/robots.md);
  // the arm's controller, joint limits and links are in the loop.
  for (const char* name : kSuites) {
    const auto suite = registry().load_suite(name);
    REQUIRE(suite->info().robot == "panda");
    const auto rows = run(*suite, "scripted", 1);
    int successes = 0;
    for (const auto& r : rows) {
      INFO(name << " " << r.task_id << " " << r.error);
      CHECK(r.termination != Termination::kSimError);
      successes += r.success ? 1 : 0;
    }
    INFO(name << ": " << successes << " of " << rows.size());
    CHECK(successes >= 9);
  }
}

TEST_CASE("The Panda puts the mug in the microwave and shuts it, under the microwave's ceiling",
          "[libero][expert][robots]") {
  // Carried in through the front opening with the fingertips leaning in, so
  // that the wrist stays out from under the ceiling; then the door is swept shut.
  const auto suite = registry().load_suite("libero-long");
  const std::string task =
      "KITCHEN_SCENE6_put_the_yellow_and_white_mug_in_the_microwave_and_close_it";
  const auto rows = run(*suite, "scripted", 6, {task});
  REQUIRE(rows.size() == 6);
  int successes = 0;
  for (const auto& r : rows) {
    INFO("episode " << r.episode_index << " " << r.error);
    CHECK(r.termination != Termination::kSimError);
    successes += r.success ? 1 : 0;
  }
  CHECK(successes >= 5);
}

TEST_CASE("A random policy almost never succeeds", "[libero][expert]") {
  int successes = 0, episodes = 0;
  for (const char* name : {"libero-spatial", "libero-object", "libero-goal"}) {
    const auto rows = run(*registry().load_suite(name), "random", 1);  // on the Panda
    for (const auto& r : rows) {
      CHECK(r.termination != Termination::kSimError);
      successes += r.success ? 1 : 0;
      ++episodes;
    }
  }
  CHECK(episodes == 30);
  CHECK(successes <= 1);
}

TEST_CASE("bddl: errors exit 2 naming the file, the line and the supported names",
          "[libero][bddl][cli]") {
  const auto dir = testing::fresh_dir("libero_bddl_cli");
  std::string text = testing::read_file(
      kBddlRoot + "/libero_object/pick_up_the_milk_and_place_it_in_the_basket.bddl");
  const std::string cat = "milk_1 - milk";
  text.replace(text.find(cat), cat.size(), "milk_1 - oat_milk");
  const std::string path = (dir / "bad.bddl").string();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  auto r = testing::run_process({testing::gauntlet_binary(), "run", "--suite", "bddl:" + path,
                                 "--policy", "random", "--episodes", "1", "--out",
                                 (dir / "r.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(path + ":") && Catch::Contains("'oat_milk'") &&
                        Catch::Contains("alphabet_soup"));
  CHECK_FALSE(std::filesystem::exists(dir / "r.h5"));
  r = testing::run_process({testing::gauntlet_binary(), "run", "--suite",
                            "bddl:" + (dir / "none").string(), "--policy", "random", "--out",
                            (dir / "r.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("no such file or folder"));
}

TEST_CASE("record writes a LIBERO task's demonstrations with the instruction and both cameras",
          "[libero][record]") {
  const auto dir = testing::fresh_dir("libero_record");
  const std::string out = (dir / "demos.h5").string();
  const auto r = testing::run_process({testing::gauntlet_binary(), "record", "--suite",
                                       "libero-goal", "--task", "turn_on_the_stove", "--policy",
                                       "scripted", "--episodes", "1", "--out", out});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string check = R"PY(
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
d = f["data/demo_0"]
T = d.attrs["num_samples"]
assert T > 5
for key, shape in [("obs/agentview_rgb", (T, 128, 128, 3)), ("obs/eye_in_hand_rgb", (T, 128, 128, 3)),
                   ("obs/ee_states", (T, 6)), ("obs/gripper_states", (T, 2)), ("actions", (T, 7))]:
    assert d[key].shape == shape, (key, d[key].shape)
assert d.attrs["success"] == 1 and d["dones"][-1] == 1
lang = d.attrs["language_instruction"]
assert (lang.decode() if isinstance(lang, bytes) else lang) == "turn on the stove", lang
info = json.loads(f["data"].attrs["problem_info"])
assert "turn on the stove" in info["language_instruction"], info
print("ok")
)PY";
  const auto py = testing::run_process({GAUNTLET_PYTHON, "-c", check, out});
  INFO(py.err);
  CHECK(py.out == "ok\n");
}

TEST_CASE("the Panda stands where LIBERO mounts it, 0.16 m behind each table's edge",
          "[libero][robots]") {
  // MountedPanda behind the 1.0 m kitchen table (x = -0.66), OnTheGroundPanda
  // behind the 0.70 m living-room table (x = -0.51). Closer, the arm could not
  // reach the stove at the table's back fingers-down.
  SuiteOptions options;
  options.robot = "panda";
  const auto suite = registry().load_suite("libero-long", options);
  const auto* mujoco = dynamic_cast<const mj::MujocoSuite*>(suite.get());
  REQUIRE(mujoco != nullptr);
  int living = 0;
  for (std::size_t i = 0; i < suite->tasks().size(); ++i) {
    const mjModel* m = mujoco->model(static_cast<int>(i));
    const int base = mj_name2id(m, mjOBJ_BODY, "robot_base");
    REQUIRE(base >= 0);
    const bool living_room = suite->tasks()[i].id.rfind("LIVING_ROOM", 0) == 0;
    living += living_room ? 1 : 0;
    INFO(suite->tasks()[i].id);
    CHECK(m->body_pos[3 * base] == Approx(living_room ? -0.51 : -0.66).margin(1e-9));
  }
  CHECK(living == 5);
}

TEST_CASE("The expert moves a bowl from under a drawer before pulling the drawer open",
          "[libero][expert][robots]") {
  // libero-goal's bowl stands where the opened top drawer hangs: with the
  // drawer pulled first, the hand cannot reach down to it (1 of 20 before
  // the bowl was moved aside first).
  const auto suite = registry().load_suite("libero-goal");
  auto policy = registry().make_policy(PolicySpec::parse("scripted"));
  EpisodePlan plan;
  plan.episodes_per_task = 4;
  plan.task_ids = {"open_the_top_drawer_and_put_the_bowl_inside",
                   "push_the_plate_to_the_front_of_the_stove"};
  const auto specs = plan_episodes(*suite, plan);
  RunnerOptions options;
  options.workers = 2;
  Runner runner(*suite, *policy, options);
  Collect sink;
  runner.run(specs, sink);
  REQUIRE(sink.rows.size() == 8);
  for (const auto& r : sink.rows) {
    INFO(r.task_id << " " << r.error);
    CHECK(r.success);
  }
}

TEST_CASE("The Panda grasps a bowl at the edge of its reach with the fingertips leaning out",
          "[libero][expert][robots]") {
  // 0.80-0.83 m from the base over the table: fingers down, the Panda's
  // elbow is straight short of the bowl's centre and a finger lands on the
  // rim (libero-spatial's bowl next to the cookie box failed 3 times in 50).
  const auto dir = testing::fresh_dir("libero_far_bowl");
  std::ofstream(dir / "far.yaml") << R"(name: far-bowl
version: "1"
description: "a bowl at the edge of the Panda's reach"
backend: mujoco
robot: panda
seed: 7
episodes_per_task: 6
control_hz: 20
settle_steps: 10
image: {width: 64, height: 64}
cameras: [agentview]
scene:
  robot_base: [-0.66, 0, 0]
  workspace: {lo: [-0.5, -0.6, 0.005], hi: [0.5, 0.6, 0.6]}
tasks:
  - id: far_bowl_on_plate
    family: libero_scene
    instruction: put the far bowl on the plate
    max_steps: 220
    fixtures:
      main_table: table
    objects:
      akita_black_bowl_1: akita_black_bowl
      plate_1: plate
    regions:
      - {name: far_region, target: main_table, ranges: [[0.14, -0.12, 0.16, 0.12]]}
      - {name: plate_region, target: main_table, ranges: [[-0.15, 0.2, -0.13, 0.22]]}
    init:
      - On akita_black_bowl_1 main_table_far_region
      - On plate_1 main_table_plate_region
    goal:
      - On akita_black_bowl_1 plate_1
)";
  const auto suite = load((dir / "far.yaml").string());
  const auto rows = run(*suite, "scripted", 6);
  for (const auto& r : rows) {
    INFO("episode " << r.episode_index << " " << r.error);
    CHECK(r.success);
  }
}
