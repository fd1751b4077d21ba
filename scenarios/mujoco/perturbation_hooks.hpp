// Extension points through which perturbations (scenarios/perturb) change MuJoCo
// episodes: scene parts compiled with the suite, and per-episode edits of the model,
// the state, the instruction, images and actions that the Env calls at fixed points.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/episode.hpp"
#include "harness/geometry.hpp"
#include "harness/observation.hpp"
#include "scenarios/mujoco/robot.hpp"
#include "scenarios/mujoco/scene.hpp"
#include "scenarios/mujoco/sim.hpp"

namespace gauntlet::render {
class SceneRenderer;
}

namespace gauntlet::mj {

class MjTask;

// One per Env (one worker), one episode at a time. The Env calls it only for
// episodes whose perturbation is not nominal; nominal episodes never see it.
class EpisodePerturber {
 public:
  virtual ~EpisodePerturber() = default;
  // At reset, after the worker's model copy was restored to the suite's model
  // and before mj_resetData: camera, lights, materials, textures, dynamics.
  // Returns true when it edited the model (the Env restores it before the next
  // episode). Changed textures are sent through `renderer` when there is one.
  virtual bool edit_model(const EpisodeSpec& spec, const MjTask& task, const MjSim& sim,
                          render::SceneRenderer* renderer) = 0;
  // After the task's initialize and mj_kinematics: moves objects, places
  // distractors, may change where the gripper starts. True when it edited the model.
  virtual bool edit_state(const EpisodeSpec& spec, const MjTask& task, const MjSim& sim,
                          GripperStart& gripper) = 0;
  // After `camera` rendered a frame for the policy at control step `step`.
  virtual void edit_image(const std::string& camera, int step, Image& image) = 0;
  // The policy's action at control step `step`, before it is clipped and applied.
  virtual void edit_action(int step, std::span<float> action) = 0;
};

// What a suite's perturbations need from the backend; shared by every worker,
// read-only after construction.
class PerturbationProvider {
 public:
  virtual ~PerturbationProvider() = default;
  virtual std::vector<std::string> dimensions() const = 0;
  // Compiled scene variants: 0 is the model of nominal episodes; perturbations
  // that need bodies nominal episodes must not carry (distractors) use another.
  virtual int variants() const = 0;
  virtual int scene_variant(const PerturbationSet& set) const = 0;
  // Adds what perturbations need compiled into `variant` of a task's scene.
  virtual void extend_scene(SceneBuilder& scene, const MjTask& task, int variant) const = 0;
  // Names the perturbation code and its parameters; part of the suite's hash.
  virtual std::string version() const = 0;
  virtual std::string instruction(const EpisodeSpec& spec, const std::string& nominal) const = 0;
  virtual std::unique_ptr<EpisodePerturber> make_perturber() const = 0;
};

}  // namespace gauntlet::mj
