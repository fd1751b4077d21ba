// A compiled LIBERO-like scene for tests: suite YAML in, a live simulation
// (its own model copy and data) out, with hand placement helpers.
#pragma once

#include <mujoco/mujoco.h>

#include <memory>
#include <string>

#include "harness/suite.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/mujoco/sim.hpp"
#include "suites/libero/predicates.hpp"
#include "suites/libero/scene_task.hpp"

namespace gauntlet::testing {

class LabScene {
 public:
  // `task_yaml`: one task of family libero_scene, indented as a list item.
  explicit LabScene(const std::string& task_yaml);
  ~LabScene();
  LabScene(const LabScene&) = delete;
  LabScene& operator=(const LabScene&) = delete;

  const suites::libero::ResolvedScene& scene() const { return task_->scene(); }
  const suites::libero::SceneTask& task() const { return *task_; }
  mj::MjSim sim() const { return mj::MjSim(model_, data_); }
  mjModel* model() const { return model_; }
  mjData* data() const { return data_; }

  // Samples the initial state with `seed`, then mj_forward.
  void initialize(std::uint64_t seed);
  // Puts an object upright with its bottom at z (yaw 0), then mj_forward.
  void put(const std::string& name, double x, double y, double z);
  void set_joint(const std::string& joint, double q);
  const suites::libero::Condition& goal(std::size_t i) const { return scene().goal.at(i); }
  bool holds(std::size_t goal_index);
  suites::libero::GoalEvaluator evaluator();

 private:
  std::shared_ptr<const Suite> suite_;
  const suites::libero::SceneTask* task_ = nullptr;
  mjModel* model_ = nullptr;
  mjData* data_ = nullptr;
  suites::libero::SceneIds ids_;
  mj::MjSim sim_{nullptr, nullptr};
};

}  // namespace gauntlet::testing
