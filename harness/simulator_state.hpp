// Saving and restoring a backend's whole simulator state: the `states` and
// `model_file` of a demonstration file (robomimic's layout) and `gauntlet replay`.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "harness/env.hpp"

namespace gauntlet {

// Implemented by a backend (MuJoCo) and offered by its Suite; one object
// serves every Env of the suite and holds no per-episode state.
class SimulatorStates {
 public:
  virtual ~SimulatorStates() = default;
  // The flattened state of env's current episode (robosuite's order first:
  // time, qpos, qvel, act; then what the backend's controller also needs).
  // Throws RuntimeFailure when env is not of this backend.
  virtual std::vector<double> save(const Env& env) const = 0;
  // Sets env's simulation to `state` (a vector save() wrote for the same
  // task) and recomputes what derives from it. Throws InputError when the
  // length does not match the task's model.
  virtual void restore(Env& env, std::span<const double> state) const = 0;
  // The scene description of a task (MJCF XML for MuJoCo): robomimic's
  // per-demo `model_file` attribute.
  virtual std::string model_file(int task_index) const = 0;
  // Names the parts of a task's state vector, e.g.
  // "time:1,qpos:9,qvel:8,act:2,mocap_pos:3,mocap_quat:4,ctrl:2".
  virtual std::string layout(int task_index) const = 0;
};

}  // namespace gauntlet
