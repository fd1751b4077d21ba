// The runner on the real MuJoCo smoke suite: determinism across worker
// counts, errors from policies and from physics become episode outcomes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <mutex>

#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "harness/runner.hpp"
#include "scenarios/mujoco/mujoco_env.hpp"
#include "suites/common/suite_loader.hpp"
#include "suites/smoke/families.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;

namespace {

using Collect = fixtures::CollectingSink;

const Registry& registry() {
  return fixtures::builtin_registry();
}

std::vector<EpisodeResult> run(const Suite& suite, Policy& policy, int episodes, int workers) {
  EpisodePlan plan;
  plan.episodes_per_task = episodes;
  const auto specs = plan_episodes(suite, plan);
  RunnerOptions options;
  options.workers = workers;
  Runner runner(suite, policy, options);
  Collect sink;
  runner.run(specs, sink);
  REQUIRE(sink.rows.size() == specs.size());
  return sink.sorted();
}

// Fails every episode of a batch by throwing.
class ThrowingPolicy final : public Policy {
 public:
  PolicyRequirements requirements() const override { return {}; }
  void prepare(int, const ActionSpace&) override {}
  void reset(int, const EpisodeContext&) override {}
  void act(std::span<const int>, std::span<const Observation* const>,
           std::span<ActionChunk>) override {
    throw std::runtime_error("model exploded");
  }
  std::string identity() const override { return "test:throwing"; }
};

// Returns NaN actions on odd episodes, a wrong-sized chunk on episodes = 2 mod 4,
// a per-item error on 4 mod 8, zeros otherwise.
class FaultyPolicy final : public Policy {
 public:
  PolicyRequirements requirements() const override { return {}; }
  void prepare(int slots, const ActionSpace&) override {
    episode_.resize(static_cast<std::size_t>(slots));
  }
  void reset(int slot, const EpisodeContext& ctx) override {
    episode_[static_cast<std::size_t>(slot)] = ctx.spec->episode_index;
  }
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const int e = episode_[static_cast<std::size_t>(slots[i])];
      out[i].resize(2, 7);
      if (e % 2 == 1 && obs[i]->step >= 3)
        out[i].action(1)[2] = std::numeric_limits<float>::quiet_NaN();
      if (e % 4 == 2) out[i].resize(1, 6);
      if (e % 8 == 4) out[i].error = "item failed";
    }
  }
  std::string identity() const override { return "test:faulty"; }

 private:
  std::vector<int> episode_;
};

}  // namespace

TEST_CASE("Same seeds give identical episodes with 1 or 2 workers", "[runner][determinism]") {
  const auto suite = registry().load_suite("tabletop-smoke");
  auto p1 = registry().make_policy(PolicySpec::parse("noisy-scripted:0.3"));
  auto p2 = registry().make_policy(PolicySpec::parse("noisy-scripted:0.3"));
  const auto one = run(*suite, *p1, 4, 1);
  const auto two = run(*suite, *p2, 4, 2);
  REQUIRE(one.size() == two.size());
  int successes = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    INFO(one[i].task_id << " episode " << one[i].episode_index);
    CHECK(one[i].key() == two[i].key());
    CHECK(one[i].seed == two[i].seed);
    CHECK(one[i].success == two[i].success);
    CHECK(one[i].steps == two[i].steps);
    CHECK(one[i].progress == two[i].progress);  // bit-identical, not approximately
    CHECK(one[i].termination == two[i].termination);
    successes += one[i].success;
  }
  // The comparison means something only if outcomes vary.
  CHECK(successes > 0);
  CHECK(successes < static_cast<int>(one.size()) + 1);
}

TEST_CASE("A policy that throws ends its episodes as policy_error and the run goes on",
          "[runner][errors]") {
  const auto suite = registry().load_suite("tabletop-smoke");
  ThrowingPolicy policy;
  const auto rows = run(*suite, policy, 2, 2);
  for (const auto& r : rows) {
    CHECK(r.termination == Termination::kPolicyError);
    CHECK_THAT(r.error, Catch::Contains("model exploded"));
    CHECK_FALSE(r.success);
  }
}

TEST_CASE("NaN, wrong-sized and per-item failed actions end only the affected episodes",
          "[runner][errors]") {
  const auto suite = registry().load_suite("tabletop-smoke");
  FaultyPolicy policy;
  const auto rows = run(*suite, policy, 8, 2);
  for (const auto& r : rows) {
    INFO(r.task_id << " episode " << r.episode_index << ": " << r.error);
    const int e = r.episode_index;
    if (e % 8 == 4) {
      CHECK(r.termination == Termination::kPolicyError);
      CHECK(r.error == "item failed");
    } else if (e % 4 == 2) {
      CHECK(r.termination == Termination::kInvalidAction);
      CHECK_THAT(r.error, Catch::Contains("dimension 6"));
    } else if (e % 2 == 1) {
      CHECK(r.termination == Termination::kInvalidAction);
      CHECK_THAT(r.error, Catch::Contains("not finite"));
      CHECK(r.steps >= 3);
    } else {
      CHECK(r.termination == Termination::kTimeout);  // zeros never succeed
    }
  }
}

namespace {

// A task that blows up its own physics after a few steps.
class ExplodingTask final : public mj::MjTask {
 public:
  explicit ExplodingTask(TaskInfo info) : MjTask(std::move(info)) {}
  void build(mj::SceneBuilder& scene) const override {
    mj::add_box(scene.add_body("crate", {0, 0.2, 0.03}, true), "crate_geom", {0.03, 0.03, 0.03},
                {0, 0, 0}, {0.5, 0.5, 0.5, 1});
  }
  void initialize(const mj::MjSim&, Rng&, mj::TaskMemory& memory) const override {
    memory.values[0] = 0;
  }
  mj::TaskStatus evaluate(const mj::MjSim& sim, mj::TaskMemory& memory) const override {
    if (++memory.values[0] == 5) {
      const int dof = sim.model()->jnt_dofadr[sim.model()->body_jntadr[sim.body("crate")]];
      sim.data()->qvel[dof] = std::numeric_limits<double>::quiet_NaN();
    }
    return {};
  }
  std::unique_ptr<Expert> make_expert() const override { return nullptr; }
  std::vector<std::string> privileged_bodies() const override { return {}; }
  std::string code_version() const override { return "exploding/1"; }
};

}  // namespace

TEST_CASE("Unstable physics ends the episode as sim_error, not as a policy failure",
          "[runner][errors]") {
  suites::TaskFamilies families;
  families.add({"exploding", "exploding/1", [](const suites::YamlFields&, TaskInfo info) {
                  return std::make_shared<ExplodingTask>(std::move(info));
                }});
  const auto suite = suites::load_suite_yaml(
      "name: unstable\nseed: 1\ntasks:\n  - {id: boom, family: exploding, instruction: x, "
      "max_steps: 50}\n",
      "unstable.yaml", families);
  auto policy = registry().make_policy(PolicySpec::parse("zero"));
  const auto rows = run(*suite, *policy, 3, 1);
  for (const auto& r : rows) {
    CHECK(r.termination == Termination::kSimError);
    CHECK_THAT(r.error, Catch::Contains("MuJoCo warning"));
    CHECK_FALSE(r.counts_for_policy());
    CHECK(r.steps == 6);
  }
}

TEST_CASE("Env reset is a pure function of the episode spec", "[env][determinism]") {
  const auto suite = registry().load_suite("tabletop-smoke");
  ObservationRequest request;
  request.cameras = {"agentview"};
  request.privileged = true;
  auto env_a = suite->make_env(request);
  auto env_b = suite->make_env(request);
  EpisodePlan plan;
  plan.episodes_per_task = 3;
  const auto specs = plan_episodes(*suite, plan);
  for (const auto& spec : specs) {
    const Observation& a = env_a->reset(spec);
    // env_b sees a different history before the same spec.
    env_b->reset(specs[(spec.episode_index + 1) % specs.size()]);
    const Observation& b = env_b->reset(spec);
    REQUIRE(a.cameras.size() == 1);
    int differing = 0, first = -1;
    for (std::size_t i = 0; i < a.cameras[0].image.rgb.size(); ++i) {
      if (a.cameras[0].image.rgb[i] != b.cameras[0].image.rgb[i]) {
        ++differing;
        if (first < 0) first = static_cast<int>(i);
      }
    }
    INFO("differing bytes " << differing << " first at " << first);
    CHECK(differing == 0);
    CHECK(a.proprio == b.proprio);
    const auto* ma = dynamic_cast<mj::MujocoEnv*>(env_a.get());
    const auto* mb = dynamic_cast<mj::MujocoEnv*>(env_b.get());
    for (int i = 0; i < ma->model()->nq; ++i) CHECK(ma->data()->qpos[i] == mb->data()->qpos[i]);
  }
  // Different seeds, different initial states.
  env_a->reset(specs[0]);
  const auto first = env_a->observation().cameras[0].image.rgb;
  env_a->reset(specs[1]);
  CHECK(env_a->observation().cameras[0].image.rgb != first);
}

TEST_CASE("Only the cameras a policy asks for are rendered", "[env][render]") {
  const auto suite = registry().load_suite("tabletop-smoke");
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  const auto spec = plan_episodes(*suite, plan).front();
  ObservationRequest none;
  CHECK(suite->make_env(none)->reset(spec).cameras.empty());
  ObservationRequest wrist;
  wrist.cameras = {"wrist"};
  wrist.width = 96;
  wrist.height = 64;
  auto env = suite->make_env(wrist);
  const Observation& obs = env->reset(spec);
  REQUIRE(obs.cameras.size() == 1);
  CHECK(obs.cameras[0].name == "wrist");
  CHECK(obs.cameras[0].image.width == 96);
  CHECK(obs.cameras[0].image.height == 64);
  // A real picture: many distinct colours, not a cleared buffer.
  std::set<std::uint32_t> colours;
  const auto& px = obs.cameras[0].image.rgb;
  for (std::size_t i = 0; i + 2 < px.size(); i += 3)
    colours.insert((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
  CHECK(colours.size() > 20);
  CHECK(obs.proprio.size() == 8);
  CHECK(obs.privileged == nullptr);
}

TEST_CASE("The agentview image shows the top of the scene at row 0", "[env][render]") {
  // The backdrop (grey wall, upper image) is brighter and less saturated than
  // the wooden table (lower image): row 0 must be the top.
  const auto suite = registry().load_suite("tabletop-smoke");
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  ObservationRequest request;
  request.cameras = {"agentview"};
  auto env = suite->make_env(request);
  const Observation& obs = env->reset(plan_episodes(*suite, plan).front());
  const Image& im = obs.cameras[0].image;
  auto saturation = [&](int row) {
    double s = 0;
    for (int c = 0; c < im.width; ++c) {
      const auto* p = im.pixel(row, c);
      s += std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]});
    }
    return s / im.width;
  };
  CHECK(saturation(2) < saturation(im.height - 3));
}
