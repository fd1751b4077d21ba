// The arm controller's own cost per control step (25 physics steps at 500 Hz,
// 20 Hz control) against the bare mj_step of the same scene in the same run:
// `servo_cost_ratio` is (mj_step1 + servo + mj_step2) / bare mj_step over one
// control step; `servo_us_per_control_step` the controller's own time.
#include <benchmark/benchmark.h>

#include <chrono>

#include "robots/robot_description.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/mujoco/robot.hpp"
#include "scenarios/mujoco/scene.hpp"

using namespace gauntlet;

namespace {

using Clock = std::chrono::steady_clock;

void BM_ArmControlStep(benchmark::State& state) {
  mj::SceneOptions options;
  options.robot = robots::find_robot("panda", "bench");
  mj::SceneBuilder scene(options);
  mjModel* m = mj::compile_mjcf(scene.xml(), "bench panda scene");
  mjData* d = mj_makeData(m);
  mj::ArmController arm(m, *options.robot, mj::Workspace{});
  mj_resetData(m, d);
  arm.place(m, d, mj::GripperStart{{0.0, 0.0, 0.25}, {1, 0, 0, 0}, -1.0, {}});
  mj_forward(m, d);
  double servo_s = 0, bare_s = 0;
  long steps = 0;
  int k = 0;
  for (auto _ : state) {
    // A slow circle keeps the arm moving.
    const float dx = (k / 20) % 2 == 0 ? 0.004f : -0.004f;
    const std::array<float, 7> a{dx, 0.003f, 0, 0, 0, 0.01f, -1};
    ++k;
    arm.apply(m, d, a);
    for (int i = 0; i < 25; ++i) {
      mj_step1(m, d);
      const auto t0 = Clock::now();
      arm.servo(m, d);
      servo_s += std::chrono::duration<double>(Clock::now() - t0).count();
      mj_step2(m, d);
    }
    // The floor: bare mj_step of the same scene for one control step.
    const auto t1 = Clock::now();
    for (int i = 0; i < 25; ++i) mj_step(m, d);
    bare_s += std::chrono::duration<double>(Clock::now() - t1).count();
    ++steps;
  }
  state.counters["servo_us_per_control_step"] = 1e6 * servo_s / static_cast<double>(steps);
  state.counters["bare_mj_step_us_per_control_step"] = 1e6 * bare_s / static_cast<double>(steps);
  state.counters["servo_cost_ratio"] = (bare_s + servo_s) / bare_s;
  mj_deleteData(d);
  mj_deleteModel(m);
}
BENCHMARK(BM_ArmControlStep)->Iterations(2000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
