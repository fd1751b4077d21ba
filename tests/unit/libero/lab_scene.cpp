#include "tests/unit/libero/lab_scene.hpp"

#include "harness/rng.hpp"
#include "suites/builtin.hpp"
#include "suites/common/suite_loader.hpp"

namespace gauntlet::testing {

LabScene::LabScene(const std::string& task_yaml) {
  const std::string text = "name: lab\nseed: 1\ntasks:\n" + task_yaml;
  suite_ = suites::load_suite_yaml(text, "lab.yaml", suites::builtin_task_families());
  const auto& ms = dynamic_cast<const mj::MujocoSuite&>(*suite_);
  task_ = &dynamic_cast<const suites::libero::SceneTask&>(ms.task(0));
  model_ = mj_copyModel(nullptr, ms.model(0));
  data_ = mj_makeData(model_);
  sim_ = mj::MjSim(model_, data_);
  ids_ = suites::libero::SceneIds::resolve(task_->scene(), model_);
}

LabScene::~LabScene() {
  mj_deleteData(data_);
  mj_deleteModel(model_);
}

void LabScene::initialize(std::uint64_t seed) {
  mj_resetData(model_, data_);
  Rng rng(seed);
  mj::TaskMemory memory;
  task_->initialize(sim_, rng, memory);
  mj_forward(model_, data_);
}

void LabScene::put(const std::string& name, double x, double y, double z) {
  sim_.set_free_pose(sim_.body(name), {x, y, z}, {1, 0, 0, 0});
  mj_forward(model_, data_);
}

void LabScene::set_joint(const std::string& joint, double q) {
  sim_.set_joint_pos(sim_.joint(joint), q);
  mj_forward(model_, data_);
}

suites::libero::GoalEvaluator LabScene::evaluator() {
  return suites::libero::GoalEvaluator(task_->scene(), ids_, sim_);
}

bool LabScene::holds(std::size_t goal_index) {
  return evaluator().holds(goal(goal_index));
}

}  // namespace gauntlet::testing
