// The MuJoCo Env: per-task simulation instances owned by one worker, the
// ee_delta controller at the suite's control rate, lazy rendering of the
// requested cameras, and detection of unstable physics.
#pragma once

#include <mujoco/mujoco.h>

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "harness/env.hpp"
#include "scenarios/mujoco/perturbation_hooks.hpp"
#include "scenarios/mujoco/robot.hpp"
#include "scenarios/mujoco/task.hpp"
#include "scenarios/render/overlay.hpp"
#include "scenarios/render/scene_renderer.hpp"

namespace gauntlet::mj {

class MujocoSuite;

class MujocoEnv : public Env {
 public:
  MujocoEnv(const MujocoSuite& suite, ObservationRequest request);
  ~MujocoEnv() override;

  const ActionSpace& action_space() const override;
  const Observation& reset(const EpisodeSpec& spec) override;
  StepResult step(std::span<const float> action, bool observe) override;
  const Observation& observation() const override { return obs_; }
  bool render(const std::string& camera, int width, int height, Image& out) override;

  // For perturbations, tests and previews: the live simulation of the current episode.
  const mjModel* model() const;
  mjData* data() const;

  // Called before the physics steps of every control step (the settle steps
  // of a reset included), after the controller has set the controls: the
  // benchmark records these states and replays bare mj_step over them.
  using ControlStepHook = std::function<void(const mjModel*, const mjData*)>;
  void set_control_step_hook(ControlStepHook hook) { control_step_hook_ = std::move(hook); }
  // Called in every physics step between mj_step1 and mj_step2, after the
  // robot's servo has set this step's controls and applied forces: what a
  // bare mj_step1/mj_step2 replay needs to redo the episode's physics exactly
  // (bench_libero's floor).
  using PhysicsStepHook = std::function<void(const mjModel*, const mjData*)>;
  void set_physics_step_hook(PhysicsStepHook hook) { physics_step_hook_ = std::move(hook); }

 private:
  struct Instance;
  Instance& instance(int task_index);
  render::SceneRenderer& renderer(Instance& inst);
  void observe();
  void composite_overlay(Instance& inst, int camera_id, Image& out);
  bool physics_unstable(std::string& why);
  void control_step(std::span<const float> action);
  void restore_model(Instance& inst, int task_index);

  const MujocoSuite& suite_;
  ObservationRequest request_;
  int substeps_ = 25;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::unique_ptr<render::GlContext> gl_;
  Instance* current_ = nullptr;
  const MjTask* task_ = nullptr;
  Observation obs_;
  PrivilegedState privileged_;
  TaskMemory memory_;
  std::vector<std::string> proprio_names_;
  std::vector<float> clipped_;
  std::array<int, mjNWARNING> warnings_{};
  // Perturbations (scenarios/perturb): which compiled scene variant the next
  // instance() call uses, the per-worker editor, and whether this episode is perturbed.
  int variant_ = 0;
  std::unique_ptr<EpisodePerturber> perturber_;
  bool perturbed_ = false;
  std::vector<float> action_buffer_;
  ControlStepHook control_step_hook_;
  PhysicsStepHook physics_step_hook_;
  // Visual matching: this episode's overlay for the agentview camera (null:
  // none) and its compositor.
  const Image* overlay_ = nullptr;
  render::OverlayCompositor compositor_;
};

}  // namespace gauntlet::mj
