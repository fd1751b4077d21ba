#include "scenarios/mujoco/mujoco_suite.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "harness/errors.hpp"
#include "scenarios/mujoco/mujoco_env.hpp"
#include "scenarios/mujoco/sim_state.hpp"

namespace gauntlet::mj {
namespace {

// MuJoCo prints its warnings (e.g. an unstable simulation, which the Env
// reports as sim_error) on stdout, where `--json` promises one JSON document
// and nothing else: send them to stderr.
void warning_to_stderr(const char* message) {
  std::fprintf(stderr, "MuJoCo warning: %s\n", message);
}

}  // namespace

namespace {

// MuJoCo's default handlers write MUJOCO_LOG.TXT into the working directory
// and exit the process. Warnings (counted in mjData and turned into sim_error
// by the Env) go to stderr; fatal errors end the process with the runtime exit code.
void install_mujoco_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    mju_user_warning = warning_to_stderr;
    mju_user_error = [](const char* message) {
      std::fprintf(stderr, "gauntlet: MuJoCo fatal error: %s\n", message);
      std::_Exit(3);
    };
  });
}

}  // namespace

mjModel* compile_mjcf(const std::string& xml, const std::string& what) {
  install_mujoco_handlers();
  // mjVFS is megabytes large: never on a (worker thread's) stack.
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  const char* kName = "scene.xml";
  if (mj_makeEmptyFileVFS(vfs.get(), kName, static_cast<int>(xml.size())) != 0) {
    throw RuntimeFailure("MuJoCo: cannot allocate the virtual file for " + what);
  }
  const int index = mj_findFileVFS(vfs.get(), kName);
  std::memcpy(vfs->filedata[index], xml.data(), xml.size());
  char error[1024] = {};
  mjModel* model = mj_loadXML(kName, vfs.get(), error, sizeof error);
  mj_deleteVFS(vfs.get());
  if (!model) throw InputError("MuJoCo rejected the scene of " + what + ": " + error);
  return model;
}

MujocoSuite::MujocoSuite(MujocoSuiteConfig config)
    : config_(std::move(config)), action_space_(ee_delta_action_space()) {
  robot_ =
      config_.scene.robot ? config_.scene.robot : robots::find_robot("floating_gripper", "suite");
  if (config_.joint_control) {
    if (robot_->floating) {
      throw InputError("suite '" + config_.info.name +
                       "': joint_pos actions need an arm; robot 'floating_gripper' has no joints");
    }
    std::vector<std::string> names;
    std::vector<double> lo;
    std::vector<double> hi;
    for (const auto& j : robot_->joints) {
      names.push_back(j.name);
      lo.push_back(j.lower);
      hi.push_back(j.upper);
    }
    action_space_ = joint_position_action_space(names, lo, hi);
  }
  for (const auto& task : config_.tasks) {
    task_infos_.push_back(task->info());
    SceneBuilder builder(config_.scene);
    task->build(builder);
    if (config_.perturbations) config_.perturbations->extend_scene(builder, *task, 0);
    xml_.push_back(builder.xml());
    models_.push_back(compile_mjcf(
        xml_.back(), "task '" + task->info().id + "' of suite '" + config_.info.name + "'"));
  }
  compile_variants();
  states_ = std::make_unique<MujocoStates>(*this);
}

void MujocoSuite::compile_variants() {
  const int variants = config_.perturbations ? config_.perturbations->variants() : 1;
  for (int v = 1; v < variants; ++v) {
    for (const auto& task : config_.tasks) {
      SceneBuilder builder(config_.scene);
      task->build(builder);
      config_.perturbations->extend_scene(builder, *task, v);
      variant_models_.push_back(compile_mjcf(
          builder.xml(), "task '" + task->info().id + "' of suite '" + config_.info.name +
                             "' (scene variant " + std::to_string(v) + ")"));
    }
  }
}

MujocoSuite::~MujocoSuite() {
  for (mjModel* m : models_) mj_deleteModel(m);
  for (mjModel* m : variant_models_) mj_deleteModel(m);
}

const mjModel* MujocoSuite::model(int index, int variant) const {
  if (variant == 0) return model(index);
  return variant_models_.at(static_cast<std::size_t>(variant - 1) * models_.size() +
                            static_cast<std::size_t>(index));
}

std::string MujocoSuite::instruction(const EpisodeSpec& spec) const {
  std::string nominal = task(spec.task_index).instruction(spec);
  if (spec.perturbation.nominal() || !config_.perturbations) return nominal;
  return config_.perturbations->instruction(spec, nominal);
}

std::unique_ptr<Env> MujocoSuite::make_env(const ObservationRequest& request) const {
  return std::make_unique<MujocoEnv>(*this, request);
}

std::unique_ptr<Expert> MujocoSuite::make_expert(int task_index) const {
  return task(task_index).make_expert();
}

}  // namespace gauntlet::mj
