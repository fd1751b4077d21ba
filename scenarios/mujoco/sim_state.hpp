// The MuJoCo backend's simulator states: robosuite's flattened layout (time,
// qpos, qvel, act) followed by what the gripper controller reads back (mocap
// target pose, controls), so a restored state steps exactly as the original.
#pragma once

#include <mujoco/mujoco.h>

#include <span>
#include <string>
#include <vector>

#include "harness/simulator_state.hpp"

namespace gauntlet::mj {

class MujocoSuite;

// Length of a model's state vector.
int state_size(const mjModel* model);
// time, qpos, qvel, act, mocap_pos, mocap_quat, ctrl.
std::vector<double> flatten_state(const mjModel* model, const mjData* data);
// The inverse (then mj_forward). InputError when the length does not match.
void unflatten_state(const mjModel* model, mjData* data, std::span<const double> state);

class MujocoStates final : public SimulatorStates {
 public:
  explicit MujocoStates(const MujocoSuite& suite) : suite_(suite) {}
  std::vector<double> save(const Env& env) const override;
  void restore(Env& env, std::span<const double> state) const override;
  std::string model_file(int task_index) const override;
  std::string layout(int task_index) const override;

 private:
  const MujocoSuite& suite_;
};

}  // namespace gauntlet::mj
