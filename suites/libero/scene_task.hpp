// The generic goal-based task behind every LIBERO-like task, whether written
// in a suite's YAML or imported from a BDDL file: build the scene from the
// object library, sample the initial state, evaluate the goal each step.
#pragma once

#include <memory>
#include <mutex>

#include "scenarios/mujoco/task.hpp"
#include "suites/libero/predicates.hpp"
#include "suites/libero/resolved_scene.hpp"

namespace gauntlet::suites::libero {

// Part of every LIBERO-like and bddl: suite's content hash: initial-state
// placement and predicates. (2: a drawer that starts pulled out low, the
// bottom drawer, takes its footprint when objects are placed. 3: an object
// on a fixture's surface is drawn within LIBERO's window, +-(size / 2 - r)
// around the centre; one in a container starts at its centre.)
inline constexpr const char* kSceneTaskVersion = "libero_scene/3";

class SceneTask final : public mj::MjTask {
 public:
  SceneTask(TaskInfo info, std::shared_ptr<const ResolvedScene> scene);

  void build(mj::SceneBuilder& scene) const override;
  void initialize(const mj::MjSim& sim, Rng& rng, mj::TaskMemory& memory) const override;
  // Success when every goal condition holds; progress is the mean over the
  // conditions of 1 (holds) or the partial credit towards it.
  mj::TaskStatus evaluate(const mj::MjSim& sim, mj::TaskMemory& memory) const override;
  std::unique_ptr<Expert> make_expert() const override;
  std::vector<std::string> privileged_bodies() const override;
  std::vector<std::string> privileged_joints() const override;
  std::string code_version() const override { return kSceneTaskVersion; }

  const ResolvedScene& scene() const { return *scene_; }

 private:
  // Ids are the same in every copy of the compiled model: resolved once.
  const SceneIds& ids(const mjModel* model) const;

  std::shared_ptr<const ResolvedScene> scene_;
  bool has_glow_ = false;
  mutable std::once_flag ids_once_;
  mutable SceneIds ids_;
};

}  // namespace gauntlet::suites::libero
