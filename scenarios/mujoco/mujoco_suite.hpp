// A suite on the MuJoCo backend: the tasks' scenes compiled once (shared,
// read-only, like mjModel) and a MujocoEnv per worker (like mjData).
#pragma once

#include <mujoco/mujoco.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/suite.hpp"
#include "scenarios/mujoco/perturbation_hooks.hpp"
#include "scenarios/mujoco/robot.hpp"
#include "scenarios/mujoco/scene.hpp"
#include "scenarios/mujoco/task.hpp"

namespace gauntlet::mj {

struct MujocoSuiteConfig {
  SuiteInfo info;
  SceneOptions scene;
  Workspace workspace;
  int settle_steps = 10;       // no-op control steps before the policy acts (LIBERO: 10)
  bool joint_control = false;  // actions are joint positions (joint_pos), not ee_delta
  std::vector<std::shared_ptr<const MjTask>> tasks;
  std::vector<std::string> perturbation_dimensions;
  std::shared_ptr<const PerturbationProvider> perturbations;  // null: nominal only
  std::vector<std::string> variants;  // YAML `variants:`, Suite::default_perturbations()
  // Visual matching: replaces every task's overlay (run --overlay); null: the tasks'.
  std::shared_ptr<const Image> overlay;
};

class MujocoSuite : public Suite {
 public:
  // Compiles every task's scene; InputError naming the task when MuJoCo
  // rejects it (the suite definition is wrong).
  explicit MujocoSuite(MujocoSuiteConfig config);
  ~MujocoSuite() override;

  const SuiteInfo& info() const override { return config_.info; }
  const std::vector<TaskInfo>& tasks() const override { return task_infos_; }
  const ActionSpace& action_space() const override { return action_space_; }
  std::unique_ptr<Env> make_env(const ObservationRequest& request) const override;
  std::unique_ptr<Expert> make_expert(int task_index) const override;
  std::vector<std::string> perturbation_dimensions() const override {
    return config_.perturbation_dimensions;
  }
  std::vector<std::string> default_perturbations() const override { return config_.variants; }
  std::string instruction(const EpisodeSpec& spec) const override;
  const SimulatorStates* simulator_states() const override { return states_.get(); }

  const MujocoSuiteConfig& config() const { return config_; }
  const MjTask& task(int index) const { return *config_.tasks.at(static_cast<std::size_t>(index)); }
  const mjModel* model(int index) const { return models_.at(static_cast<std::size_t>(index)); }
  // The model of `index` compiled with the perturbation provider's scene variant.
  const mjModel* model(int index, int variant) const;
  const PerturbationProvider* perturbations() const { return config_.perturbations.get(); }
  // The robot (scene.robot; the floating gripper when none is set).
  const robots::RobotDescription& robot() const { return *robot_; }
  bool joint_control() const { return config_.joint_control; }
  const std::string& scene_xml(int index) const { return xml_.at(static_cast<std::size_t>(index)); }

 private:
  void compile_variants();

  MujocoSuiteConfig config_;
  std::vector<TaskInfo> task_infos_;
  ActionSpace action_space_;
  std::vector<mjModel*> models_;
  std::vector<std::string> xml_;
  std::vector<mjModel*> variant_models_;  // [(variant - 1) * tasks + index]
  std::shared_ptr<const robots::RobotDescription> robot_;
  std::unique_ptr<const SimulatorStates> states_;
};

// Compiles MJCF text; throws InputError with MuJoCo's message and `what`.
mjModel* compile_mjcf(const std::string& xml, const std::string& what);

}  // namespace gauntlet::mj
