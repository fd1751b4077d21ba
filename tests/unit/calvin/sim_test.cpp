// The play table on Bullet: a grasped block is held by the fingers, the
// scripted expert completes chains, results do not depend on the worker count,
// and the mirror renders both cameras.
#include <catch2/catch.hpp>

#include <numeric>

#include "harness/plan.hpp"
#include "harness/policy_spec.hpp"
#include "harness/runner.hpp"
#include "robots/robot_description.hpp"
#include "scenarios/bullet/play_table.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;

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
      const std::array<float, 7> a{static_cast<float>(d[0]), static_cast<float>(d[1]),
                                   static_cast<float>(d[2]), 0, 0, 0, grip};
      table.control_step(a);
    }
  };
  go({0.4, 0.0, 0.12}, -1, 30);
  go({0.4, 0.0, 0.008}, -1, 30);
  go({0.4, 0.0, 0.008}, 1, 12);
  const auto grasped = table.state();
  CHECK(grasped.opening < 0.052);
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
  CHECK(total >= 6);  // the expert's average length on these three chains is >= 2
}
