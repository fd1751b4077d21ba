#include "harness/demo_replay.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "harness/errors.hpp"

namespace gauntlet {
namespace {

double l2_distance(std::span<const double> a, std::span<const double> b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum);
}

// Restores `state` unless the simulation already holds exactly it. Restoring
// recomputes the kinematics from the state, while a running simulation's
// controller reads those of the last physics substep (as an arm's controller
// reads its last sensor sample); restoring an identical state would perturb a
// replay by ~1e-5 where leaving it reproduces the recording bit for bit.
void set_state(const SimulatorStates& states, Env& env, std::span<const double> state) {
  const std::vector<double> now = states.save(env);
  if (now.size() == state.size() && std::equal(now.begin(), now.end(), state.begin())) return;
  states.restore(env, state);
}

}  // namespace

DemoReplay replay_demo(const Suite& suite, const DemoTrace& demo, const ReplayOptions& options) {
  const SimulatorStates* states = suite.simulator_states();
  if (!states) {
    throw InputError("suite '" + suite.info().name +
                     "' cannot restore simulator states (backend '" + suite.info().backend +
                     "'); replay needs the simulator the demo was recorded in");
  }
  DemoReplay out;
  out.demo = demo.name;
  out.task = demo.task;
  out.recorded_success = demo.success;

  EpisodeSpec spec;
  spec.suite = suite.info().name;
  spec.task_index = suite.task_index(demo.task);
  spec.task_id = demo.task;
  spec.perturbation = PerturbationSet::parse(demo.perturbation);
  spec.episode_index = demo.episode;
  spec.seed = demo.seed;
  out.scene_matches =
      demo.model_file.empty() || demo.model_file == states->model_file(spec.task_index);

  const auto dim = static_cast<std::size_t>(suite.action_space().dim);
  if (static_cast<std::size_t>(demo.action_dim) != dim) {
    throw InputError(demo.name + ": actions have " + std::to_string(demo.action_dim) +
                     " dimensions; suite '" + suite.info().name + "' takes " + std::to_string(dim));
  }
  // No cameras: replay compares states and proprioception, and renders nothing.
  ObservationRequest request;
  request.cameras = {};
  std::unique_ptr<Env> env = suite.make_env(request);
  // The suite's reset rebuilds the episode's scene (perturbed model edits
  // included); the recorded state then replaces the simulation's.
  env->reset(spec);
  const auto size = static_cast<std::size_t>(demo.state_size);
  const auto recorded = [&](int i) {
    return std::span<const double>(demo.states).subspan(static_cast<std::size_t>(i) * size, size);
  };
  if (states->save(*env).size() != size) {
    throw InputError(demo.name + ": its states have " + std::to_string(size) + " numbers; task '" +
                     demo.task + "' of suite '" + suite.info().name + "' has " +
                     states->layout(spec.task_index) + " (recorded in another scene)");
  }
  set_state(*states, *env, recorded(0));
  const auto pdim = static_cast<std::size_t>(demo.proprio_dim);
  const std::vector<std::string>& names = suite.info().proprio_names;
  const bool eef_first = names.size() >= 3 && names[0] == "eef_pos_x" && names[2] == "eef_pos_z";
  for (int i = 0; i < demo.steps; ++i) {
    if (options.every_state && i > 0) set_state(*states, *env, recorded(i));
    const StepResult r = env->step(
        std::span<const float>(demo.actions).subspan(static_cast<std::size_t>(i) * dim, dim), true);
    ++out.steps;
    if (r.sim_error) {
      out.error = "step " + std::to_string(i) + ": " + r.error;
      break;
    }
    const bool last = i + 1 == demo.steps;
    out.replayed_success = r.success;
    const std::vector<double> now = states->save(*env);
    double err = -1.0;
    if (!last) {
      err = l2_distance(now, recorded(i + 1));
    } else if (demo.final_state.size() == size) {
      err = l2_distance(now, demo.final_state);
      out.final_state_error = err;
    }
    if (err >= 0.0) {
      out.max_state_error = std::max(out.max_state_error, err);
      if (err > options.tolerance && out.first_divergent_step < 0) out.first_divergent_step = i;
    }
    // Proprioception starts with the end-effector position (eef_pos_x/y/z).
    const std::vector<float>& proprio = env->observation().proprio;
    if (eef_first && pdim >= 3 && proprio.size() >= 3 &&
        demo.next_proprio.size() == static_cast<std::size_t>(demo.steps) * pdim) {
      const float* want = demo.next_proprio.data() + static_cast<std::size_t>(i) * pdim;
      double e = 0.0;
      for (int k = 0; k < 3; ++k) e += std::pow(double(proprio[k]) - double(want[k]), 2);
      out.max_eef_error = std::max(out.max_eef_error, std::sqrt(e));
    }
  }
  if (!demo.subtasks.empty()) {
    const std::vector<SubtaskOutcome> replayed = env->subtasks();
    out.subtasks_reproduced = replayed.size() == demo.subtasks.size();
    for (std::size_t i = 0; out.subtasks_reproduced && i < replayed.size(); ++i) {
      const DemoSubtask& want = demo.subtasks[i];
      out.subtasks_reproduced = replayed[i].name == want.name &&
                                replayed[i].success == want.success &&
                                replayed[i].steps == want.end - want.start;
    }
  }
  return out;
}

}  // namespace gauntlet
