// The CALVIN-like play table on Bullet (docs/calvin.md):
// - BM_ControlStep: one control step (IK, fingers, 8 physics steps at 240 Hz)
//   against 8 bare stepSimulation calls of the same world in the same run:
//   `control_cost_ratio` = control step / bare physics (target <= 1.05).
// - BM_Cameras: the static (200x200) and gripper (84x84) cameras through the
//   visual mirror (pose copy + render) against rendering the same mirror model
//   in the same state bare: `render_speed_ratio` = bare / with-mirror (target >= 0.9).
// - BM_ExpertChain: whole chains of the scripted expert, chains per second per worker.
#include <benchmark/benchmark.h>

#include <chrono>

#include "harness/plan.hpp"
#include "harness/policy_spec.hpp"
#include "harness/runner.hpp"
#include "robots/robot_description.hpp"
#include "scenarios/bullet/play_table.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/render/scene_renderer.hpp"
#include "suites/calvin/calvin_suite.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;

namespace {

using Clock = std::chrono::steady_clock;

const suites::calvin::CalvinSuite& suite() {
  return dynamic_cast<const suites::calvin::CalvinSuite&>(fixtures::builtin_suite("calvin-d"));
}

void BM_ControlStep(benchmark::State& state) {
  const auto& s = suite();
  bullet::PlayTable table(s.robot(), s.config().layout);
  table.reset(suites::calvin::realize(suites::calvin::sample_chain(s.info().seed, 0).init,
                                      s.info().seed, 0, s.config().layout));
  double control_s = 0, bare_s = 0;
  long steps = 0;
  int k = 0;
  for (auto _ : state) {
    const float dx = (k / 20) % 2 == 0 ? 0.004f : -0.004f;
    const std::array<float, 7> a{dx, 0.003f, 0, 0, 0, 0.01f, (k / 40) % 2 ? 1.0f : -1.0f};
    ++k;
    const auto t0 = Clock::now();
    table.control_step(a);
    const auto t1 = Clock::now();
    table.physics_steps();
    const auto t2 = Clock::now();
    control_s += std::chrono::duration<double>(t1 - t0).count();
    bare_s += std::chrono::duration<double>(t2 - t1).count();
    ++steps;
  }
  state.counters["control_us_per_step"] = 1e6 * control_s / static_cast<double>(steps);
  state.counters["bare_physics_us_per_step"] = 1e6 * bare_s / static_cast<double>(steps);
  state.counters["control_cost_ratio"] = control_s / bare_s;
}
BENCHMARK(BM_ControlStep)->Iterations(1500)->Unit(benchmark::kMicrosecond);

void BM_Cameras(benchmark::State& state) {
  const auto& s = suite();
  ObservationRequest request;
  request.width = 200;
  request.height = 200;
  auto env = s.make_env(request);
  EpisodeSpec spec;
  spec.suite = s.info().name;
  spec.task_id = "chains";
  env->reset(spec);
  // The bare floor: the same mirror model showing the same scene (the poses of
  // the same episode's table, copied once), rendered without the per-frame sync.
  mjModel* m = mj::compile_mjcf(s.mirror_xml(), "bench mirror");
  mjData* d = mj_makeData(m);
  {
    bullet::PlayTable table(s.robot(), s.config().layout);
    table.reset(suites::calvin::realize(suites::calvin::sample_chain(s.info().seed, 0).init,
                                        s.info().seed, 0, s.config().layout));
    std::vector<Pose> poses;
    table.poses(poses);
    for (int b = 1; b < static_cast<int>(poses.size()) && b < m->nbody; ++b) {
      const int id = m->body_mocapid[b];
      if (id < 0) continue;
      for (int k = 0; k < 3; ++k)
        d->mocap_pos[3 * id + k] =
            poses[static_cast<std::size_t>(b)].pos[static_cast<std::size_t>(k)];
      for (int k = 0; k < 4; ++k)
        d->mocap_quat[4 * id + k] =
            poses[static_cast<std::size_t>(b)].quat[static_cast<std::size_t>(k)];
    }
  }
  mj_kinematics(m, d);
  auto gl = render::GlContext::create_offscreen();
  render::SceneRenderer bare(*gl, m);
  const int cam_static = mj_name2id(m, mjOBJ_CAMERA, "static");
  const int cam_gripper = mj_name2id(m, mjOBJ_CAMERA, "gripper");
  Image a, b;
  double env_s = 0, bare_s = 0;
  long frames = 0;
  // Blocks of frames, alternating, so that neither side pays for switching GL
  // contexts on every frame (a worker renders through one context only).
  constexpr int kBlock = 10;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    for (int i = 0; i < kBlock; ++i) {
      env->render("static", 200, 200, a);
      env->render("gripper", 84, 84, b);
    }
    const auto t1 = Clock::now();
    gl->make_current();
    for (int i = 0; i < kBlock; ++i) {
      bare.render(m, d, cam_static, 200, 200, a);
      bare.render(m, d, cam_gripper, 84, 84, b);
    }
    const auto t2 = Clock::now();
    env_s += std::chrono::duration<double>(t1 - t0).count();
    bare_s += std::chrono::duration<double>(t2 - t1).count();
    frames += kBlock;
  }
  state.counters["mirror_ms_per_frame_pair"] = 1e3 * env_s / static_cast<double>(frames);
  state.counters["bare_ms_per_frame_pair"] = 1e3 * bare_s / static_cast<double>(frames);
  state.counters["render_speed_ratio"] = bare_s / env_s;
  mj_deleteData(d);
  mj_deleteModel(m);
}
BENCHMARK(BM_Cameras)->Iterations(20)->Unit(benchmark::kMillisecond);

void BM_ExpertChains(benchmark::State& state) {
  const auto& s = suite();
  auto policy = fixtures::builtin_registry().make_policy(PolicySpec::parse("scripted"));
  EpisodePlan plan;
  plan.episodes_per_task = 10;
  const auto specs = plan_episodes(s, plan);
  double length = 0;
  long chains = 0;
  double seconds = 0;
  for (auto _ : state) {
    RunnerOptions options;
    options.workers = 1;
    Runner runner(s, *policy, options);
    fixtures::CollectingSink sink;
    const auto t0 = Clock::now();
    runner.run(specs, sink);
    seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    for (const auto& r : sink.rows) length += r.chain_length();
    chains += static_cast<long>(sink.rows.size());
  }
  state.counters["chains_per_s_per_worker"] = static_cast<double>(chains) / seconds;
  state.counters["expert_avg_length"] = length / static_cast<double>(chains);
}
BENCHMARK(BM_ExpertChains)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
