// The play table on Bullet: a grasped block is held by the fingers, the
// scripted expert completes chains, results do not depend on the worker count,
// and the mirror renders both cameras.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <thread>

#include "harness/plan.hpp"
#include "harness/policy_spec.hpp"
#include "harness/runner.hpp"
#include "robots/robot_description.hpp"
#include "scenarios/bullet/play_table.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;
using namespace gauntlet::geo;

namespace {

std::vector<EpisodeResult> run_chains(const Suite& suite, int chains, int workers) {
  EpisodePlan plan;
  plan.episodes_per_task = chains;
  const auto specs = plan_episodes(suite, plan);
  auto policy = fixtures::builtin_registry().make_policy(PolicySpec::parse("scripted"));
  RunnerOptions options;
  options.workers = workers;
  Runner runner(suite, *policy, options);
  fixtures::CollectingSink sink;
  runner.run(specs, sink);
  REQUIRE(sink.rows.size() == specs.size());
  return sink.sorted();
}

}  // namespace

TEST_CASE("Closed fingers lift a block off the table and hold it", "[calvin][bullet]") {
  const auto robot = robots::find_robot("panda", "test");
  bullet::DeskLayout layout;
  layout.sockets = {{0.4, 0.0}};
  bullet::PlayTable table(*robot, layout);
  bullet::PlayInit init;
  init.blocks = {{{0.4, 0.0, 0.026, 0.0}, {0.4, 0.25, 0.025, 0.0}, {0.61, 0.15, 0.019, 0.0}}};
  table.reset(init);
  const auto s0 = table.state();
  CHECK(s0.blocks[0].pose.pos[2] == Approx(0.025).margin(0.003));
  CHECK(s0.tcp.pos[2] == Approx(0.25).margin(0.01));
  const auto go = [&](geo::Vec3 target, float grip, int steps) {
    for (int i = 0; i < steps; ++i) {
      const auto s = table.state();
      const geo::Vec3 d = geo::clamp_norm_inf(target - s.tcp.pos, 0.02);
      const std::array<float, 7> a{static_cast<float>(d[0]),
                                   static_cast<float>(d[1]),
                                   static_cast<float>(d[2]),
                                   0,
                                   0,
                                   0,
                                   grip};
      table.control_step(a);
    }
  };
  go({0.4, 0.0, 0.12}, -1, 30);
  go({0.4, 0.0, 0.008}, -1, 30);
  go({0.4, 0.0, 0.008}, 1, 12);
  const auto grasped = table.state();
  CHECK(grasped.opening < 0.056);
  CHECK(grasped.opening > 0.045);  // stopped by the 5 cm cube, not closed through it
  go({0.4, 0.0, 0.12}, 1, 30);
  const auto lifted = table.state();
  INFO("block z " << lifted.blocks[0].pose.pos[2] << " tcp z " << lifted.tcp.pos[2]);
  CHECK(lifted.blocks[0].pose.pos[2] > 0.1);
  CHECK(lifted.blocks[0].held());
  // Opened: it falls back onto the table.
  go({0.4, 0.0, 0.12}, -1, 20);
  const auto dropped = table.state();
  CHECK(dropped.blocks[0].pose.pos[2] < 0.03);
  CHECK_FALSE(dropped.blocks[0].held());
}

TEST_CASE("The scripted expert completes chains on calvin-d, the same with 1 or 2 workers",
          "[calvin][bullet][determinism]") {
  const Suite& suite = fixtures::builtin_suite("calvin-d");
  CHECK(suite.info().backend == "bullet");
  CHECK(suite.tasks().at(0).max_steps == 1800);
  const auto one = run_chains(suite, 3, 1);
  const auto two = run_chains(suite, 3, 2);
  REQUIRE(one.size() == 3);
  int total = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    INFO("chain " << i << ": " << one[i].error);
    CHECK(one[i].subtasks == two[i].subtasks);
    CHECK(one[i].steps == two[i].steps);
    CHECK(one[i].success == two[i].success);
    CHECK(one[i].termination != Termination::kSimError);
    REQUIRE(!one[i].subtasks.empty());
    // Stops at the first failure: only the last attempted subtask may have failed.
    for (std::size_t k = 0; k + 1 < one[i].subtasks.size(); ++k) CHECK(one[i].subtasks[k].success);
    CHECK(one[i].success == (one[i].chain_length() == 5));
    CHECK(one[i].progress == Approx(one[i].chain_length() / 5.0));
    for (const auto& s : one[i].subtasks) CHECK(s.steps <= 360);
    total += one[i].chain_length();
  }
  CHECK(total >= 4);  // measured 5 on these three chains (3.7 on 100 chains of calvin-d)
}

TEST_CASE("The visual mirror renders the static and gripper cameras", "[calvin][render]") {
  const Suite& suite = fixtures::builtin_suite("calvin-a");
  ObservationRequest request;
  request.cameras = {"static", "gripper"};
  request.width = 64;
  request.height = 64;
  auto env = suite.make_env(request);
  EpisodeSpec spec;
  spec.suite = suite.info().name;
  spec.task_id = "chains";
  const Observation& obs = env->reset(spec);
  REQUIRE(obs.cameras.size() == 2);
  CHECK(obs.instruction == suite.instruction(spec));
  const auto spread = [](const Image& im) {
    int lo = 255, hi = 0;
    for (const auto v : im.rgb) {
      lo = std::min<int>(lo, v);
      hi = std::max<int>(hi, v);
    }
    return hi - lo;
  };
  for (const auto& c : obs.cameras) {
    INFO(c.name);
    CHECK(c.image.width == 64);
    CHECK(spread(c.image) > 60);  // a scene, not a blank frame
  }
  const Image* gripper = obs.camera("gripper");
  const Image* fixed = obs.camera("static");
  REQUIRE(gripper);
  REQUIRE(fixed);
  const std::vector<std::uint8_t> before = gripper->rgb;
  const std::vector<std::uint8_t> first_static = fixed->rgb;
  const std::array<float, 7> down{0, 0, -0.03f, 0, 0, 0, -1};
  for (int i = 0; i < 4; ++i) env->step(down, true);
  const Image* moved = env->observation().camera("gripper");
  REQUIRE(moved);
  CHECK(moved->rgb != before);  // the camera rides on the hand
  Image big;
  CHECK(env->render("gripper", 84, 84, big));
  CHECK(big.width == 84);
  CHECK_FALSE(env->render("agentview", 84, 84, big));
  // The same episode renders the same pixels.
  const Observation& again = env->reset(spec);
  const Image* again_static = again.camera("static");
  REQUIRE(again_static);
  CHECK(again_static->rgb == first_static);
}

// A measurement, not a check (hidden: run it by name): the expert's average
// length and per-subtask success on CALVIN_CHAINS chains (default 100) of
// CALVIN_SUITE (default calvin-d), on all cores.
//   build/release/tests/unit/calvin/test_calvin_sim "[calvin-eval]"
TEST_CASE("Expert average length (measurement)", "[.][calvin-eval]") {
  const char* n = std::getenv("CALVIN_CHAINS");
  const char* name = std::getenv("CALVIN_SUITE");
  const char* policy_name = std::getenv("CALVIN_POLICY");
  const Suite& suite = fixtures::builtin_suite(name ? name : "calvin-d");
  EpisodePlan plan;
  plan.episodes_per_task = n ? std::atoi(n) : 100;
  const auto specs = plan_episodes(suite, plan);
  auto policy = fixtures::builtin_registry().make_policy(
      PolicySpec::parse(policy_name ? policy_name : "scripted"));
  RunnerOptions options;
  options.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Runner runner(suite, *policy, options);
  fixtures::CollectingSink sink;
  runner.run(specs, sink);
  std::map<std::string, std::pair<int, int>> table;
  double total = 0;
  std::array<int, 6> at{};
  for (const auto& r : sink.rows) {
    total += r.chain_length();
    for (int k = 1; k <= r.chain_length(); ++k) ++at[static_cast<std::size_t>(k)];
    for (const auto& s : r.subtasks) {
      auto& e = table[s.name];
      e.first += s.success;
      ++e.second;
    }
  }
  const double chains = static_cast<double>(sink.rows.size());
  std::printf("%s, %zu chains: average length %.3f; success at 1..5:", suite.info().name.c_str(),
              sink.rows.size(), total / chains);
  for (int k = 1; k <= 5; ++k) std::printf(" %.2f", at[static_cast<std::size_t>(k)] / chains);
  std::printf("\n");
  for (const auto& [task, e] : table)
    std::printf("  %-28s %3d / %3d\n", task.c_str(), e.first, e.second);
  CHECK(chains == plan.episodes_per_task);
}
