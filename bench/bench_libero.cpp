// Episodes per second of the four LIBERO-like suites, with state-only
// observations and with two 128x128 cameras, each against floors measured in
// the same run on the same scenes, initial states and actions:
//  - state only: the recorded actions replayed into the controller with a
//    bare mj_step loop (settle steps included) -- the same physics, since a
//    grasping gripper costs MuJoCo more than an idle one;
//  - cameras: that loop plus bare mjv_updateScene/mjr_render/mjr_readPixels
//    of both cameras at every control step.
// The policy is the scripted expert (it reads privileged state every step),
// one episode per task, one worker, on the floating gripper and on the Panda.
// On the Panda the arm is physics the floor includes (mj_step1, mj_step2 with
// the arm's joints, contacts and servo torques); the controller is not: its
// apply() and per-physics-step servo are timed apart, subtracted from the
// floor and reported as controller_us_per_control_step.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <vector>

#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "harness/runner.hpp"
#include "scenarios/mujoco/mujoco_env.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/render/gl_context.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;
using Clock = std::chrono::steady_clock;

namespace {

const char* kSuites[] = {"libero-spatial", "libero-object", "libero-goal", "libero-long"};
const char* kRobots[] = {"floating_gripper", "panda"};
constexpr int kImage = 128;

const Registry& registry() {
  return fixtures::builtin_registry();
}

const mj::MujocoSuite& suite(int index, int robot) {
  static std::map<std::pair<int, int>, std::shared_ptr<const Suite>> cache;
  auto& s = cache[{index, robot}];
  if (!s) {
    SuiteOptions options;
    options.robot = kRobots[robot];
    s = registry().load_suite(kSuites[index], options);
  }
  return dynamic_cast<const mj::MujocoSuite&>(*s);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

using EpisodeKey = std::pair<std::string, int>;  // (task, episode)

struct StepsSink final : EpisodeSink {
  std::map<EpisodeKey, int> steps;  // control steps
  void on_episodes(std::span<const EpisodeResult> finished) override {
    for (const auto& e : finished) steps[{e.task_id, e.episode_index}] = e.steps;
  }
};

// Keeps every applied (clipped) action, for the floor to replay.
struct ActionRecorder final : StepRecorder {
  std::map<EpisodeKey, std::vector<std::array<float, 7>>> actions;
  EpisodeKey current;
  void begin_episode(int, const EpisodeSpec& spec, Env&) override {
    current = {spec.task_id, spec.episode_index};
    actions[current].clear();
  }
  void record_step(int, const Observation&, std::span<const float> a) override {
    std::array<float, 7> x{};
    std::copy(a.begin(), a.begin() + 7, x.begin());
    actions[current].push_back(x);
  }
  void record_outcome(int, const StepResult&, Env&) override {}
  void end_episode(int, const EpisodeResult&) override {}
};

// Bare MuJoCo rendering of one model: scene, context, both cameras.
class BareRenderer {
 public:
  BareRenderer(render::GlContext& gl, const mjModel* m) : gl_(gl) {
    gl_.make_current();
    mjv_defaultScene(&scene_);
    mjv_makeScene(m, &scene_, 2000);
    mjr_defaultContext(&context_);
    mjr_makeContext(m, &context_, mjFONTSCALE_100);
    mjr_setBuffer(mjFB_OFFSCREEN, &context_);
    mjv_defaultOption(&option_);
    mjv_defaultCamera(&camera_);
    camera_.type = mjCAMERA_FIXED;
    cameras_[0] = mj_name2id(m, mjOBJ_CAMERA, "agentview");
    cameras_[1] = mj_name2id(m, mjOBJ_CAMERA, "wrist");
    rgb_.resize(static_cast<std::size_t>(kImage * kImage * 3));
  }
  ~BareRenderer() {
    gl_.make_current();
    mjr_freeContext(&context_);
    mjv_freeScene(&scene_);
  }
  void render(const mjModel* m, mjData* d) {
    gl_.make_current();
    mjr_setBuffer(mjFB_OFFSCREEN, &context_);
    const mjrRect viewport{0, 0, kImage, kImage};
    for (const int c : cameras_) {
      camera_.fixedcamid = c;
      mjv_updateScene(m, d, &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
      mjr_render(viewport, &scene_, &context_);
      mjr_readPixels(rgb_.data(), nullptr, viewport, &context_);
    }
    benchmark::DoNotOptimize(rgb_.data());
  }

 private:
  render::GlContext& gl_;
  mjvScene scene_;
  mjrContext context_;
  mjvOption option_;
  mjvCamera camera_;
  int cameras_[2] = {-1, -1};
  std::vector<unsigned char> rgb_;
};

// The floor: each episode's initial state (reset untimed), the settle steps,
// then the recorded actions through the controller with bare physics steps,
// and bare renders of both cameras per control step when `cameras`. The
// controller's own time (apply and servo) is measured apart and not counted.
struct FloorTimes {
  double seconds = 0;             // physics (+ bare rendering)
  double controller_seconds = 0;  // apply() and servo()
  long control_steps = 0;         // settle steps included
};

FloorTimes floor_seconds(const mj::MujocoSuite& s, std::span<const EpisodeSpec> specs,
                         const ActionRecorder& recorded, bool cameras, render::GlContext* gl) {
  auto env = s.make_env(ObservationRequest{});
  auto* menv = dynamic_cast<mj::MujocoEnv*>(env.get());
  const int substeps =
      static_cast<int>(std::lround(1.0 / s.info().control_hz / s.config().scene.timestep));
  std::map<int, std::unique_ptr<BareRenderer>> renderers;
  FloorTimes out;
  for (const auto& spec : specs) {
    env->reset(spec);
    const mjModel* m = menv->model();
    mjData* d = menv->data();
    auto& r = renderers[spec.task_index];
    if (cameras && !r) r = std::make_unique<BareRenderer>(*gl, m);
    const auto& actions = recorded.actions.at({spec.task_id, spec.episode_index});
    const auto controller = mj::make_controller(m, s.robot(), s.config().workspace);
    controller->set_substeps(substeps);
    const bool arm = controller->dof() > 0;
    if (arm) {
      // The arm's controller holds the episode's start posture: put it there
      // again (reset() placed the Env's own controller), untimed.
      controller->place(m, d,
                        mj::GripperStart{s.config().scene.gripper_home, {1, 0, 0, 0}, -1.0, {}});
      mj_forward(m, d);
    }
    const std::array<float, 7> noop{0, 0, 0, 0, 0, 0, -1};
    double control = 0;
    const auto control_step = [&](std::span<const float> a) {
      auto t = Clock::now();
      controller->apply(m, d, a);
      control += seconds_since(t);
      for (int i = 0; i < substeps; ++i) {
        if (!arm) {
          mj_step(m, d);
          continue;
        }
        mj_step1(m, d);
        t = Clock::now();
        controller->servo(m, d);
        control += seconds_since(t);
        mj_step2(m, d);
      }
    };
    // reset() already settled: replay the settling too, from the same state.
    const auto t0 = Clock::now();
    for (int k = 0; k < s.config().settle_steps; ++k) control_step(noop);
    for (const auto& a : actions) {
      control_step(a);
      if (cameras) r->render(m, d);
    }
    out.seconds += seconds_since(t0) - control;
    out.controller_seconds += control;
    out.control_steps += s.config().settle_steps + static_cast<long>(actions.size());
  }
  return out;
}

void BM_LiberoEpisodes(benchmark::State& state) {
  const auto& s = suite(static_cast<int>(state.range(0)), static_cast<int>(state.range(2)));
  const bool cameras = state.range(1) != 0;
  auto policy = registry().make_policy(PolicySpec::parse("scripted"));
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  const auto specs = plan_episodes(s, plan);
  RunnerOptions options;
  options.workers = 1;
  if (cameras) options.extra_cameras = {"agentview", "wrist"};
  options.image_width = kImage;
  options.image_height = kImage;
  ActionRecorder recorder;
  options.recorder = &recorder;
  Runner runner(s, *policy, options);
  std::unique_ptr<render::GlContext> gl;
  if (cameras) gl = render::GlContext::create_offscreen();
  {
    // Warm-up: the runner's Envs copy each task's model on first use; the
    // floor's Env is made outside its timing too.
    StepsSink warm;
    runner.run(specs, warm);
  }
  double harness = 0, floor = 0, controller = 0;
  long steps = 0, control_steps = 0;
  int episodes = 0;
  for (auto _ : state) {
    StepsSink sink;
    const auto t0 = Clock::now();
    runner.run(specs, sink);
    const double h = seconds_since(t0);
    const FloorTimes f = floor_seconds(s, specs, recorder, cameras, gl.get());
    state.SetIterationTime(h);
    harness += h;
    floor += f.seconds;
    controller += f.controller_seconds;
    control_steps += f.control_steps;
    for (const auto& [key, n] : sink.steps) steps += n;
    episodes += static_cast<int>(specs.size());
  }
  state.counters["episodes_per_s"] = static_cast<double>(episodes) / harness;
  state.counters["floor_episodes_per_s"] = static_cast<double>(episodes) / floor;
  state.counters["ratio_vs_floor"] = harness / floor;
  state.counters["harness_ms_per_step"] = 1e3 * harness / static_cast<double>(steps);
  state.counters["floor_ms_per_step"] = 1e3 * floor / static_cast<double>(steps);
  // The controller's own cost per control step, and against the floor's
  // physics (+ rendering) of the same control steps.
  state.counters["controller_us_per_control_step"] =
      1e6 * controller / static_cast<double>(control_steps);
  state.counters["controller_vs_floor"] = controller / floor;
  state.SetLabel(std::string(kSuites[state.range(0)]) + ", " + kRobots[state.range(2)] +
                 (cameras ? ", 2 cameras 128x128" : ", state only"));
}
BENCHMARK(BM_LiberoEpisodes)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1}, {0, 1}})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
