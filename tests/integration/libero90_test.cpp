// LIBERO-90: every task file imports (every object category it names has a
// model), and every scene resets and steps without a simulator error.
#include <catch2/catch.hpp>

#include "harness/plan.hpp"
#include "suites/libero/objects/catalog.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;

namespace {

const std::string kLibero90 = std::string(GAUNTLET_SHARED_DATA_DIR) + "/libero_90_bddl";

}  // namespace

TEST_CASE("All ninety LIBERO-90 BDDL files import, reset and step", "[libero][bddl]") {
  const auto suite = fixtures::builtin_registry().load_suite("bddl:" + kLibero90);
  REQUIRE(suite->tasks().size() == 90);
  auto env = suite->make_env(ObservationRequest{});
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  const std::vector<float> noop{0, 0, 0, 0, 0, 0, -1};
  for (const auto& spec : plan_episodes(*suite, plan)) {
    INFO(spec.task_id);
    const Observation& obs = env->reset(spec);
    CHECK(obs.proprio.size() == 22);  // the Panda by default: 8 + 7 joint positions + 7 velocities
    for (int i = 0; i < 3; ++i) {
      const StepResult r = env->step(noop, i == 2);
      CHECK_FALSE(r.sim_error);
      CHECK_FALSE(r.success);  // nothing is solved by standing still
    }
  }
}

TEST_CASE("The categories only LIBERO-90 and LIBERO's object registry name have models",
          "[libero][catalog]") {
  // Used by LIBERO-90 task files only.
  for (const char* c : {"white_bowl", "yellow_book", "new_salad_dressing"}) {
    INFO(c);
    CHECK(suites::libero::find_model(c) != nullptr);
  }
  // Graspable groceries of LIBERO's registry that no task file uses.
  for (const char* c : {"macaroni_and_cheese", "popcorn", "corn", "cherries", "mayo"}) {
    INFO(c);
    CHECK(suites::libero::find_model(c) != nullptr);
  }
}
