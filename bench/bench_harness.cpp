// Harness cost against the raw engine, measured in the same run:
//  (a) episode loop with the `zero` policy and no cameras vs bare mj_step over
//      the very same physics steps, replayed from recorded states (target: ratio <= 1.05);
//  (b) env steps rendering two 128x128 cameras vs bare physics + bare
//      mjv_updateScene/mjr_render/mjr_readPixels (target: >= 0.9 of bare throughput);
//  (c) scaling: episodes per second of one worker on one core (the process
//      pinned to one CPU, rendering in-process) against N workers on N cores
//      (one render process per worker, as `run --workers N` does), with and
//      without cameras. Target: N workers deliver >= 0.9 x N x one worker.
#include <benchmark/benchmark.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <thread>
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

const Registry& registry() {
  return fixtures::builtin_registry();
}

const mj::MujocoSuite& smoke() {
  static const auto suite = registry().load_suite("tabletop-smoke");
  return dynamic_cast<const mj::MujocoSuite&>(*suite);
}

struct CountingSink final : EpisodeSink {
  long steps = 0;
  int episodes = 0;
  void on_episodes(std::span<const EpisodeResult> finished) override {
    for (const auto& e : finished) steps += e.steps;
    episodes += static_cast<int>(finished.size());
  }
};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The state MuJoCo steps from: what a control step's mj_step calls read.
struct PhysicsState {
  double time = 0;
  std::vector<mjtNum> qpos, qvel, act, ctrl, qacc_warmstart, qfrc_applied, xfrc_applied, mocap_pos,
      mocap_quat;
};

PhysicsState save_state(const mjModel* m, const mjData* d) {
  PhysicsState s;
  s.time = d->time;
  s.qpos.assign(d->qpos, d->qpos + m->nq);
  s.qvel.assign(d->qvel, d->qvel + m->nv);
  s.act.assign(d->act, d->act + m->na);
  s.ctrl.assign(d->ctrl, d->ctrl + m->nu);
  s.qacc_warmstart.assign(d->qacc_warmstart, d->qacc_warmstart + m->nv);
  s.qfrc_applied.assign(d->qfrc_applied, d->qfrc_applied + m->nv);
  s.xfrc_applied.assign(d->xfrc_applied, d->xfrc_applied + 6 * m->nbody);
  s.mocap_pos.assign(d->mocap_pos, d->mocap_pos + 3 * m->nmocap);
  s.mocap_quat.assign(d->mocap_quat, d->mocap_quat + 4 * m->nmocap);
  return s;
}

void load_state(const PhysicsState& s, mjData* d) {
  d->time = s.time;
  std::copy(s.qpos.begin(), s.qpos.end(), d->qpos);
  std::copy(s.qvel.begin(), s.qvel.end(), d->qvel);
  std::copy(s.act.begin(), s.act.end(), d->act);
  std::copy(s.ctrl.begin(), s.ctrl.end(), d->ctrl);
  std::copy(s.qacc_warmstart.begin(), s.qacc_warmstart.end(), d->qacc_warmstart);
  std::copy(s.qfrc_applied.begin(), s.qfrc_applied.end(), d->qfrc_applied);
  std::copy(s.xfrc_applied.begin(), s.xfrc_applied.end(), d->xfrc_applied);
  std::copy(s.mocap_pos.begin(), s.mocap_pos.end(), d->mocap_pos);
  std::copy(s.mocap_quat.begin(), s.mocap_quat.end(), d->mocap_quat);
}

// The floor: every physics step the harness took, replayed bare. An untimed
// pass runs the same episodes (same seeds, the zero action, as many control
// steps as the harness ran) and records the simulation state before each
// control step's physics, the settle steps of the reset included; the timed
// part restores each state (untimed) and runs that control step's mj_step
// calls. The floor thus does the harness's physics work exactly, from the
// same states with the same solver warm starts, and nothing else.
double bare_physics_seconds(const mj::MujocoSuite& suite, std::span<const EpisodeSpec> specs,
                            const std::vector<int>& control_steps, int substeps) {
  auto env = suite.make_env(ObservationRequest{});
  auto* menv = dynamic_cast<mj::MujocoEnv*>(env.get());
  const std::vector<float> zero(static_cast<std::size_t>(suite.action_space().dim), 0.0f);
  double seconds = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::vector<PhysicsState> states;
    const mjModel* model = nullptr;
    menv->set_control_step_hook([&](const mjModel* m, const mjData* d) {
      model = m;
      states.push_back(save_state(m, d));
    });
    env->reset(specs[i]);
    for (int k = 0; k < control_steps[i]; ++k) env->step(zero, false);
    menv->set_control_step_hook({});
    mjData* d = mj_makeData(model);
    for (const PhysicsState& s : states) {
      load_state(s, d);
      const auto t0 = Clock::now();
      for (int k = 0; k < substeps; ++k) mj_step(model, d);
      seconds += seconds_since(t0);
    }
    mj_deleteData(d);
  }
  return seconds;
}

struct StepsSink final : EpisodeSink {
  std::map<int, int> steps_by_episode;
  void on_episodes(std::span<const EpisodeResult> finished) override {
    for (const auto& e : finished) steps_by_episode[e.episode_index] = e.steps;
  }
};

void BM_EpisodeLoopOverhead(benchmark::State& state) {
  const auto& suite = smoke();
  const int task = static_cast<int>(state.range(0));
  auto policy = registry().make_policy(PolicySpec::parse("zero"));
  EpisodePlan plan;
  plan.episodes_per_task = 6;
  plan.task_ids = {suite.tasks()[static_cast<std::size_t>(task)].id};
  const auto specs = plan_episodes(suite, plan);
  RunnerOptions options;
  options.workers = 1;
  Runner runner(suite, *policy, options);
  const int substeps =
      static_cast<int>(std::lround(1.0 / suite.info().control_hz / suite.config().scene.timestep));
  double harness = 0, floor = 0;
  long steps = 0;
  for (auto _ : state) {
    StepsSink sink;
    const auto t0 = Clock::now();
    runner.run(specs, sink);
    const double h = seconds_since(t0);
    std::vector<int> per_episode;
    for (const auto& spec : specs)
      per_episode.push_back(sink.steps_by_episode.at(spec.episode_index));
    const double f = bare_physics_seconds(suite, specs, per_episode, substeps);
    state.SetIterationTime(h);
    harness += h;
    floor += f;
    for (const int n : per_episode) steps += n;
  }
  state.counters["ratio_vs_bare_mj_step"] = harness / floor;
  state.counters["control_steps_per_s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["harness_us_per_control_step"] = 1e6 * harness / static_cast<double>(steps);
  state.counters["bare_us_per_control_step"] = 1e6 * floor / static_cast<double>(steps);
  state.SetLabel(suite.tasks()[static_cast<std::size_t>(task)].id);
}
BENCHMARK(BM_EpisodeLoopOverhead)
    ->DenseRange(0, 2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(8);

// Bare rendering + bare physics for the same control steps, as a floor.
double bare_render_seconds(const mjModel* base, int control_steps, int substeps, int width,
                           int height) {
  mjModel* m = mj_copyModel(nullptr, base);
  m->vis.global.offwidth = std::max(m->vis.global.offwidth, width);
  m->vis.global.offheight = std::max(m->vis.global.offheight, height);
  mjData* d = mj_makeData(m);
  mj_forward(m, d);
  auto gl = render::GlContext::create_offscreen();
  mjvScene scn;
  mjv_defaultScene(&scn);
  mjv_makeScene(m, &scn, 2000);
  mjrContext con;
  mjr_defaultContext(&con);
  mjr_makeContext(m, &con, mjFONTSCALE_100);
  mjr_setBuffer(mjFB_OFFSCREEN, &con);
  mjvOption opt;
  mjv_defaultOption(&opt);
  mjvCamera cam;
  mjv_defaultCamera(&cam);
  cam.type = mjCAMERA_FIXED;
  const int cams[2] = {mj_name2id(m, mjOBJ_CAMERA, "agentview"),
                       mj_name2id(m, mjOBJ_CAMERA, "wrist")};
  std::vector<unsigned char> rgb(static_cast<std::size_t>(width * height * 3));
  const mjrRect viewport{0, 0, width, height};
  const auto t0 = Clock::now();
  for (int s = 0; s < control_steps; ++s) {
    for (int i = 0; i < substeps; ++i) mj_step(m, d);
    for (const int c : cams) {
      cam.fixedcamid = c;
      mjv_updateScene(m, d, &opt, nullptr, &cam, mjCAT_ALL, &scn);
      mjr_render(viewport, &scn, &con);
      mjr_readPixels(rgb.data(), nullptr, viewport, &con);
    }
  }
  const double seconds = seconds_since(t0);
  benchmark::DoNotOptimize(rgb.data());
  mjr_freeContext(&con);
  mjv_freeScene(&scn);
  mj_deleteData(d);
  mj_deleteModel(m);
  return seconds;
}

void BM_RenderTwoCameras(benchmark::State& state) {
  const auto& suite = smoke();
  const int size = static_cast<int>(state.range(0));
  ObservationRequest request;
  request.cameras = {"agentview", "wrist"};
  request.width = size;
  request.height = size;
  auto env = suite.make_env(request);
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  const auto spec = plan_episodes(suite, plan).front();
  const int steps = 100;
  const std::vector<float> zero(7, 0.0f);
  double harness = 0, floor = 0;
  for (auto _ : state) {
    env->reset(spec);
    const auto t0 = Clock::now();
    for (int s = 0; s < steps; ++s) env->step(zero, true);
    const double h = seconds_since(t0);
    const double f = bare_render_seconds(suite.model(0), steps, 25, size, size);
    state.SetIterationTime(h);
    harness += h;
    floor += f;
  }
  state.counters["throughput_vs_bare"] = floor / harness;
  state.counters["harness_ms_per_step"] =
      1e3 * harness / (steps * static_cast<double>(state.iterations()));
  state.counters["bare_ms_per_step"] =
      1e3 * floor / (steps * static_cast<double>(state.iterations()));
}
BENCHMARK(BM_RenderTwoCameras)
    ->Arg(128)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

// The CPUs this program may use, as it started.
const cpu_set_t& all_cpus() {
  static const cpu_set_t all = [] {
    cpu_set_t s;
    CPU_ZERO(&s);
    sched_getaffinity(0, sizeof s, &s);
    return s;
  }();
  return all;
}

// Restricts the calling thread (and the threads and processes it starts from
// now on) to the first `cores` of all_cpus(), restoring the old mask when it
// goes. Threads keep the mask they were started with.
class CpuPin {
 public:
  explicit CpuPin(int cores) {
    sched_getaffinity(0, sizeof old_, &old_);
    cpu_set_t want;
    CPU_ZERO(&want);
    int taken = 0;
    for (int c = 0; c < CPU_SETSIZE && taken < cores; ++c) {
      if (CPU_ISSET(c, &all_cpus())) {
        CPU_SET(c, &want);
        ++taken;
      }
    }
    sched_setaffinity(0, sizeof want, &want);
  }
  ~CpuPin() { sched_setaffinity(0, sizeof old_, &old_); }
  CpuPin(const CpuPin&) = delete;
  CpuPin& operator=(const CpuPin&) = delete;

 private:
  cpu_set_t old_{};
};

// The zero policy asks for no cameras; this wrapper asks for two.
struct CameraZero final : Policy {
  Policy& inner;
  explicit CameraZero(Policy& p) : inner(p) {}
  PolicyRequirements requirements() const override {
    PolicyRequirements r;
    r.cameras = {"agentview", "wrist"};
    return r;
  }
  void prepare(int s, const ActionSpace& a) override { inner.prepare(s, a); }
  void reset(int s, const EpisodeContext& c) override { inner.reset(s, c); }
  void act(std::span<const int> s, std::span<const Observation* const> o,
           std::span<ActionChunk> out) override {
    inner.act(s, o, out);
  }
  std::string identity() const override { return "bench:camera-zero"; }
};

// A runner of `workers` workers, its threads and render processes started on
// `workers` cores, environments built.
struct ScalingRig {
  std::unique_ptr<Policy> zero;
  CameraZero camera_zero;
  std::vector<EpisodeSpec> specs;
  std::unique_ptr<Runner> runner;

  ScalingRig(int workers, bool cameras, int episodes_per_task)
      : zero(registry().make_policy(PolicySpec::parse("zero"))), camera_zero(*zero) {
    const CpuPin pin(workers);
    render::set_render_isolation(workers > 1 ? render::RenderIsolation::kProcessPerContext
                                             : render::RenderIsolation::kInProcess);
    EpisodePlan plan;
    plan.episodes_per_task = episodes_per_task;
    specs = plan_episodes(smoke(), plan);
    RunnerOptions options;
    options.workers = workers;
    runner = std::make_unique<Runner>(smoke(), cameras ? static_cast<Policy&>(camera_zero) : *zero,
                                      options);
    CountingSink warm;  // untimed: every slot builds its environments (and render process)
    runner->run(std::span(specs).first(static_cast<std::size_t>(workers)), warm);
    render::set_render_isolation(render::RenderIsolation::kInProcess);
  }
  // Seconds for one pass over the specs on `workers` cores; adds the
  // episodes to `episodes`.
  double pass(int workers, int& episodes) {
    const CpuPin pin(workers);
    CountingSink sink;
    const auto t0 = Clock::now();
    runner->run(specs, sink);
    episodes += sink.episodes;
    return seconds_since(t0);
  }
};

// N workers on N cores (N = every core; 2 on the CI machine) against one
// worker pinned to one core, the two alternating pass by pass so that drift
// in the machine's speed hits both alike.
void BM_WorkerScaling(benchmark::State& state) {
  const bool cameras = state.range(0) != 0;
  const int workers = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // The same episodes per worker in both setups.
  const int per_worker = cameras ? 2 : 6;
  ScalingRig one(1, cameras, per_worker);
  ScalingRig many(workers, cameras, per_worker * workers);
  int one_episodes = 0;
  int many_episodes = 0;
  double one_seconds = 0;
  double many_seconds = 0;
  for (auto _ : state) {
    one_seconds += one.pass(1, one_episodes);
    const double s = many.pass(workers, many_episodes);
    many_seconds += s;
    state.SetIterationTime(s);
  }
  const double one_rate = one_episodes / one_seconds;
  const double many_rate = many_episodes / many_seconds;
  state.counters["one_core_episodes_per_s"] = one_rate;
  state.counters["episodes_per_s"] = many_rate;
  state.counters["episodes_per_s_per_core"] = many_rate / workers;
  state.counters["scaling_vs_one_core"] = many_rate / (workers * one_rate);
  state.SetLabel(std::to_string(workers) + " workers on " + std::to_string(workers) +
                 " cores vs 1 on 1, " + (cameras ? "2 cameras 128x128" : "no cameras"));
}
BENCHMARK(BM_WorkerScaling)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(4)
    ->UseManualTime();

}  // namespace

int main(int argc, char** argv) {
  // One rasteriser thread everywhere, so "one core" means one core; render
  // processes set the same for themselves.
  setenv("LP_NUM_THREADS", "0", 1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
