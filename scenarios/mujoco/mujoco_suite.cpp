#include "scenarios/mujoco/mujoco_suite.hpp"

#include <cstdio>
#include <cstring>
#include <mutex>
#include <memory>

#include "harness/errors.hpp"
#include "scenarios/mujoco/mujoco_env.hpp"

namespace gauntlet::mj {
namespace {

// MuJoCo prints its warnings (e.g. an unstable simulation, which the Env
// reports as sim_error) on stdout, where `--json` promises one JSON document
// and nothing else: send them to stderr.
void warning_to_stderr(const char* message) { std::fprintf(stderr, "MuJoCo warning: %s\n", message); }

}  // namespace

mjModel* compile_mjcf(const std::string& xml, const std::string& what) {
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
  static std::once_flag hooked;
  std::call_once(hooked, [] { mju_user_warning = warning_to_stderr; });
  for (const auto& task : config_.tasks) {
    task_infos_.push_back(task->info());
    SceneBuilder builder(config_.scene);
    task->build(builder);
    xml_.push_back(builder.xml());
    models_.push_back(compile_mjcf(xml_.back(), "task '" + task->info().id + "' of suite '" +
                                                    config_.info.name + "'"));
  }
}

MujocoSuite::~MujocoSuite() {
  for (mjModel* m : models_) mj_deleteModel(m);
}

std::unique_ptr<Env> MujocoSuite::make_env(const ObservationRequest& request) const {
  return std::make_unique<MujocoEnv>(*this, request);
}

std::unique_ptr<Expert> MujocoSuite::make_expert(int task_index) const {
  return task(task_index).make_expert();
}

}  // namespace gauntlet::mj
