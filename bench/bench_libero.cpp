// Episodes per second of the four LIBERO-like suites, with state-only
// observations and with two 128x128 cameras, each against floors measured in
// the same run on the same scenes, initial states and actions:
//  - state only: the harness's own physics steps (settle steps included),
//    bare -- the same physics, since a grasping gripper costs MuJoCo more
//    than an idle one;
//  - cameras: those steps plus bare mjv_updateScene/mjr_render/mjr_readPixels
//    of both cameras at every control step.
// The policy is the scripted expert (it reads privileged state every step),
// one episode per task, one worker, on the floating gripper and on the Panda.
// The floor redoes the harness's physics exactly: each episode is replayed
// untimed through a fresh Env, taping its state and the controls the robot's
// controller set in every physics step; the timed part is bare
// mj_step1/mj_step2 over that tape. On the Panda the arm is physics the floor
// includes; the controller is not: its apply() and servo() are timed in a
// separate replay and reported as controller_us_per_control_step. The
// scripted expert's own time is reported too (policy_ms_per_step), and the
// ratio without it.
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
  std::map<EpisodeKey, bool> success;
  void on_episodes(std::span<const EpisodeResult> finished) override {
    for (const auto& e : finished) {
      steps[{e.task_id, e.episode_index}] = e.steps;
      success[{e.task_id, e.episode_index}] = e.success;
    }
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

// One episode's physics exactly as the harness ran it: the state before its
// first physics step (the reset's settling included) and, for every physics
// step, the inputs the robot's controller set between mj_step1 and mj_step2.
struct PhysicsTape {
  double time = 0;
  std::vector<double> qpos, qvel, act, qacc_warmstart, mocap_pos, mocap_quat, xfrc_applied;
  std::vector<double> ctrl, qfrc_applied;               // per physics step
  std::vector<double> step_mocap_pos, step_mocap_quat;  // per control step
  long physics_steps = 0;
  std::vector<double> final_qpos;
  bool success = false;
};

void append(std::vector<double>& to, const mjtNum* from, int n) {
  to.insert(to.end(), from, from + n);
}

// An untimed pass: the episode's spec reset and its recorded actions stepped
// through a fresh Env of the suite (deterministic, so the harness's
// trajectory), taping the physics.
PhysicsTape tape_episode(Env& env, mj::MujocoEnv& menv, const EpisodeSpec& spec,
                         const std::vector<std::array<float, 7>>& actions) {
  PhysicsTape tape;
  menv.set_physics_step_hook([&](const mjModel* m, const mjData* d) {
    if (tape.physics_steps == 0) {
      // After mj_step1, before mj_step2: the integration state is still the
      // step's initial state.
      tape.time = d->time;
      append(tape.qpos, d->qpos, m->nq);
      append(tape.qvel, d->qvel, m->nv);
      append(tape.act, d->act, m->na);
      append(tape.qacc_warmstart, d->qacc_warmstart, m->nv);
      append(tape.mocap_pos, d->mocap_pos, 3 * m->nmocap);
      append(tape.mocap_quat, d->mocap_quat, 4 * m->nmocap);
      // The floating gripper's gravity compensation, set once at placement.
      append(tape.xfrc_applied, d->xfrc_applied, 6 * m->nbody);
    }
    append(tape.ctrl, d->ctrl, m->nu);
    append(tape.qfrc_applied, d->qfrc_applied, m->nv);
    ++tape.physics_steps;
  });
  // Mocap poses as the controller set them, before mj_step1 (taped after it
  // the replay drifted: it seems to renormalize the quaternions in place).
  menv.set_control_step_hook([&](const mjModel* m, const mjData* d) {
    append(tape.step_mocap_pos, d->mocap_pos, 3 * m->nmocap);
    append(tape.step_mocap_quat, d->mocap_quat, 4 * m->nmocap);
  });
  env.reset(spec);
  for (const auto& a : actions) tape.success = env.step(a, false).success;
  menv.set_physics_step_hook({});
  menv.set_control_step_hook({});
  append(tape.final_qpos, menv.data()->qpos, menv.model()->nq);
  return tape;
}

// The floor: the harness's physics steps, bare. Each episode's taped initial
// state is loaded (untimed), then every physics step runs mj_step1, the taped
// controls and applied forces, mj_step2; with `cameras`, bare renders of both
// cameras after every control step of the policy's. Replaying the actions
// open loop through a second controller instead drifted from the harness's
// trajectory (the Panda's deltas move its measured pose), so the floor
// dropped or kept contacts the harness did not.
struct FloorTimes {
  double seconds = 0;             // physics (+ bare rendering)
  double controller_seconds = 0;  // apply() and servo(), from a separate replay
  long control_steps = 0;         // settle steps included
  double max_qpos_error = 0;      // replay vs the taped episode's end state
  int success_mismatches = 0;     // taped episode vs the harness's outcome
};

// The controller's own cost: the recorded actions replayed open loop through
// a fresh controller, timing apply() and servo() only.
double controller_seconds(const mj::MujocoSuite& s, Env& env, mj::MujocoEnv& menv,
                          const EpisodeSpec& spec, const std::vector<std::array<float, 7>>& actions,
                          int substeps) {
  env.reset(spec);
  const mjModel* m = menv.model();
  mjData* d = menv.data();
  const auto controller = mj::make_controller(m, s.robot(), s.config().workspace);
  controller->set_substeps(substeps);
  if (controller->dof() == 0) return 0;  // the floating gripper: no controller to time
  controller->place(m, d, mj::GripperStart{s.config().scene.gripper_home, {1, 0, 0, 0}, -1.0, {}});
  mj_forward(m, d);
  const std::array<float, 7> noop{0, 0, 0, 0, 0, 0, -1};
  double control = 0;
  const auto control_step = [&](std::span<const float> a) {
    auto t = Clock::now();
    controller->apply(m, d, a);
    control += seconds_since(t);
    for (int i = 0; i < substeps; ++i) {
      mj_step1(m, d);
      t = Clock::now();
      controller->servo(m, d);
      control += seconds_since(t);
      mj_step2(m, d);
    }
  };
  for (int k = 0; k < s.config().settle_steps; ++k) control_step(noop);
  for (const auto& a : actions) control_step(a);
  return control;
}

FloorTimes floor_seconds(const mj::MujocoSuite& s, std::span<const EpisodeSpec> specs,
                         const ActionRecorder& recorded, const std::map<EpisodeKey, bool>& success,
                         bool cameras, render::GlContext* gl) {
  auto env = s.make_env(ObservationRequest{});
  auto* menv = dynamic_cast<mj::MujocoEnv*>(env.get());
  const int substeps =
      static_cast<int>(std::lround(1.0 / s.info().control_hz / s.config().scene.timestep));
  std::map<int, std::unique_ptr<BareRenderer>> renderers;
  FloorTimes out;
  for (const auto& spec : specs) {
    const EpisodeKey key{spec.task_id, spec.episode_index};
    const auto& actions = recorded.actions.at(key);
    const PhysicsTape tape = tape_episode(*env, *menv, spec, actions);
    if (tape.success != success.at(key)) ++out.success_mismatches;
    const mjModel* m = menv->model();
    auto& r = renderers[spec.task_index];
    if (cameras && !r) r = std::make_unique<BareRenderer>(*gl, m);
    mjData* d = mj_makeData(m);
    d->time = tape.time;
    std::copy(tape.qpos.begin(), tape.qpos.end(), d->qpos);
    std::copy(tape.qvel.begin(), tape.qvel.end(), d->qvel);
    std::copy(tape.act.begin(), tape.act.end(), d->act);
    std::copy(tape.qacc_warmstart.begin(), tape.qacc_warmstart.end(), d->qacc_warmstart);
    std::copy(tape.mocap_pos.begin(), tape.mocap_pos.end(), d->mocap_pos);
    std::copy(tape.mocap_quat.begin(), tape.mocap_quat.end(), d->mocap_quat);
    std::copy(tape.xfrc_applied.begin(), tape.xfrc_applied.end(), d->xfrc_applied);
    const long settle_physics = static_cast<long>(s.config().settle_steps) * substeps;
    const auto t0 = Clock::now();
    for (long i = 0; i < tape.physics_steps; ++i) {
      // Mocap poses enter the kinematics (mj_step1) once per control step;
      // the servo's controls and forces are set after it, as the Env does.
      if (i % substeps == 0) {
        const long k = i / substeps;
        std::copy_n(tape.step_mocap_pos.begin() + k * 3 * m->nmocap, 3 * m->nmocap, d->mocap_pos);
        std::copy_n(tape.step_mocap_quat.begin() + k * 4 * m->nmocap, 4 * m->nmocap, d->mocap_quat);
      }
      mj_step1(m, d);
      std::copy_n(tape.ctrl.begin() + i * m->nu, m->nu, d->ctrl);
      std::copy_n(tape.qfrc_applied.begin() + i * m->nv, m->nv, d->qfrc_applied);
      mj_step2(m, d);
      if (cameras && i >= settle_physics && (i + 1) % substeps == 0) r->render(m, d);
    }
    out.seconds += seconds_since(t0);
    for (int q = 0; q < m->nq; ++q) {
      out.max_qpos_error = std::max(
          out.max_qpos_error, std::abs(d->qpos[q] - tape.final_qpos[static_cast<std::size_t>(q)]));
    }
    mj_deleteData(d);
    out.controller_seconds += controller_seconds(s, *env, *menv, spec, actions, substeps);
    out.control_steps += s.config().settle_steps + static_cast<long>(actions.size());
  }
  return out;
}

// The policy's own time (the scripted expert computes from privileged state
// every step): the floor has no policy, so the ratio is also given without it.
class TimedPolicy final : public Policy {
 public:
  explicit TimedPolicy(std::unique_ptr<Policy> inner) : inner_(std::move(inner)) {}
  PolicyRequirements requirements() const override { return inner_->requirements(); }
  void prepare(int slots, const ActionSpace& space) override { inner_->prepare(slots, space); }
  void reset(int slot, const EpisodeContext& ctx) override {
    const auto t0 = Clock::now();
    inner_->reset(slot, ctx);
    seconds += seconds_since(t0);
  }
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    const auto t0 = Clock::now();
    inner_->act(slots, obs, out);
    seconds += seconds_since(t0);
  }
  std::string identity() const override { return inner_->identity(); }
  int replan_every() const override { return inner_->replan_every(); }
  double seconds = 0;

 private:
  std::unique_ptr<Policy> inner_;
};

void BM_LiberoEpisodes(benchmark::State& state) {
  const auto& s = suite(static_cast<int>(state.range(0)), static_cast<int>(state.range(2)));
  const bool cameras = state.range(1) != 0;
  TimedPolicy policy(registry().make_policy(PolicySpec::parse("scripted")));
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
  Runner runner(s, policy, options);
  std::unique_ptr<render::GlContext> gl;
  if (cameras) gl = render::GlContext::create_offscreen();
  {
    // Warm-up: the runner's Envs copy each task's model on first use; the
    // floor's Env is made outside its timing too.
    StepsSink warm;
    runner.run(specs, warm);
  }
  double harness = 0, floor = 0, controller = 0, policy_seconds = 0, qpos_error = 0;
  long steps = 0, control_steps = 0;
  int episodes = 0, mismatches = 0;
  for (auto _ : state) {
    StepsSink sink;
    policy.seconds = 0;
    const auto t0 = Clock::now();
    runner.run(specs, sink);
    const double h = seconds_since(t0);
    const FloorTimes f = floor_seconds(s, specs, recorder, sink.success, cameras, gl.get());
    state.SetIterationTime(h);
    harness += h;
    policy_seconds += policy.seconds;
    floor += f.seconds;
    qpos_error = std::max(qpos_error, f.max_qpos_error);
    mismatches += f.success_mismatches;
    controller += f.controller_seconds;
    control_steps += f.control_steps;
    for (const auto& [key, n] : sink.steps) steps += n;
    episodes += static_cast<int>(specs.size());
  }
  state.counters["episodes_per_s"] = static_cast<double>(episodes) / harness;
  state.counters["floor_episodes_per_s"] = static_cast<double>(episodes) / floor;
  state.counters["ratio_vs_floor"] = harness / floor;
  // The same without the scripted expert's own time (a policy's cost, not the harness's).
  state.counters["ratio_vs_floor_without_policy"] = (harness - policy_seconds) / floor;
  state.counters["policy_ms_per_step"] = 1e3 * policy_seconds / static_cast<double>(steps);
  // The floor redid the harness's physics: its replay's end state against the
  // taped episode's (0: bit for bit), and taped outcomes that differ from the
  // harness's (0: the taping pass followed the harness's trajectory).
  state.counters["floor_max_qpos_error"] = qpos_error;
  state.counters["floor_outcome_mismatches"] = mismatches;
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
