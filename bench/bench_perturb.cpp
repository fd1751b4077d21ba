// Cost of perturbations against the nominal episode, measured in the same run
// on the same worker (ratios; timings on a shared machine are noisy):
//  (a) resetting a perturbed episode and then the next nominal one (which restores
//      the worker's model copy and re-sends textures) vs two nominal resets,
//      two 128x128 cameras rendered (target: ratio <= 1.3; distractors excepted,
//      whose settle steps simulate five more objects, see (c));
//  (b) control steps observing two cameras under sensor_noise:5 vs nominal
//      (target: <= 2: the image operations cost less than rendering itself);
//  (c) physics steps of a distractors:5 episode vs nominal, no cameras: five more
//      resting objects roughly triple the contacts (target: <= 4).
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;
using Clock = std::chrono::steady_clock;

namespace {

const Suite& smoke() {
  return fixtures::smoke_suite();
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

EpisodeSpec spec_for(const std::string& perturbation, int index) {
  EpisodePlan plan;
  plan.episodes_per_task = index + 1;
  plan.task_ids = {"pick-cube-onto-plate"};
  plan.perturbations = {PerturbationSet::parse(perturbation)};
  return plan_episodes(smoke(), plan).back();
}

std::unique_ptr<Env> make_env(bool cameras) {
  ObservationRequest request;
  if (cameras) request.cameras = {"agentview", "wrist"};
  return smoke().make_env(request);
}

const std::vector<std::string> kSets = {"camera:5,lighting:5,texture:5", "dynamics:5",
                                        "distractors:5", "layout:5,robot_init:5", "language:5"};

void BM_PerturbedReset(benchmark::State& state) {
  const std::string& set = kSets.at(static_cast<std::size_t>(state.range(0)));
  auto env = make_env(true);
  const EpisodeSpec nominal = spec_for("nominal", 0), perturbed = spec_for(set, 0);
  env->reset(nominal);
  env->reset(
      perturbed);  // first use of a scene variant compiles nothing but copies a model: untimed
  env->reset(nominal);
  double floor = 0, cost = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    env->reset(nominal);
    env->reset(nominal);
    floor += seconds_since(t0);
    t0 = Clock::now();
    env->reset(perturbed);
    env->reset(nominal);  // restores the model copy
    const double c = seconds_since(t0);
    cost += c;
    state.SetIterationTime(c);
  }
  state.counters["ratio_vs_nominal_resets"] = cost / floor;
  state.counters["nominal_reset_ms"] =
      1e3 * floor / (2.0 * static_cast<double>(state.iterations()));
  state.SetLabel(set);
}
BENCHMARK(BM_PerturbedReset)
    ->DenseRange(0, 4)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

double step_seconds(Env& env, const EpisodeSpec& spec, int steps, bool observe) {
  env.reset(spec);
  const std::vector<float> zero{0, 0, 0, 0, 0, 0, -1};
  const auto t0 = Clock::now();
  for (int s = 0; s < steps; ++s) env.step(zero, observe);
  return seconds_since(t0);
}

void BM_SensorNoiseSteps(benchmark::State& state) {
  auto env = make_env(true);
  const int steps = 50;
  double floor = 0, cost = 0;
  for (auto _ : state) {
    floor += step_seconds(*env, spec_for("nominal", 1), steps, true);
    const double c = step_seconds(*env, spec_for("sensor_noise:5", 1), steps, true);
    cost += c;
    state.SetIterationTime(c);
  }
  state.counters["ratio_vs_nominal_steps"] = cost / floor;
  state.counters["nominal_ms_per_step"] =
      1e3 * floor / (steps * static_cast<double>(state.iterations()));
  state.counters["perturbed_ms_per_step"] =
      1e3 * cost / (steps * static_cast<double>(state.iterations()));
}
BENCHMARK(BM_SensorNoiseSteps)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_DistractorPhysics(benchmark::State& state) {
  auto env = make_env(false);
  const int steps = 150;
  double floor = 0, cost = 0;
  for (auto _ : state) {
    floor += step_seconds(*env, spec_for("nominal", 2), steps, false);
    const double c = step_seconds(*env, spec_for("distractors:5", 2), steps, false);
    cost += c;
    state.SetIterationTime(c);
  }
  state.counters["ratio_vs_nominal_steps"] = cost / floor;
  state.counters["nominal_us_per_step"] =
      1e6 * floor / (steps * static_cast<double>(state.iterations()));
}
BENCHMARK(BM_DistractorPhysics)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
