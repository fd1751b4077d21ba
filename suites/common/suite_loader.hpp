// Turns a suite YAML file into a MuJoCo suite: the common header (name, seed,
// protocol) is read here, each task's fields by its family's factory.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "harness/suite.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/mujoco/task.hpp"
#include "suites/common/yaml_fields.hpp"

namespace gauntlet::suites {

struct TaskFamily {
  std::string name;          // the `family:` value in YAML
  std::string code_version;  // bump when predicates or experts change
  std::function<std::shared_ptr<const mj::MjTask>(const YamlFields& fields, TaskInfo info)> make;
};

class TaskFamilies {
 public:
  void add(TaskFamily family);
  const TaskFamily& get(const std::string& name, const YamlFields& at) const;

 private:
  std::map<std::string, TaskFamily> families_;
};

// Every task family gauntlet ships (smoke, LIBERO-like, ...).
const TaskFamilies& builtin_task_families();

// Parses and compiles a suite. `source` names the file in errors and
// provenance. InputError with file and line for anything malformed.
std::shared_ptr<const Suite> load_suite_yaml(const std::string& text, const std::string& source,
                                             const TaskFamilies& families,
                                             const SuiteOptions& options = {});

// Puts the suite on `robot` (a robots/ name): the scene's robot, the
// proprioception layout, the provenance fields, and the hash text naming the
// robot's description (empty for the floating gripper, whose scene predates robots/).
// `allowed` lists the robots the suite's tasks can use (empty: any); `what`
// names where the choice came from in errors.
std::string apply_robot(mj::MujocoSuiteConfig& config, const std::string& robot,
                        const std::vector<std::string>& allowed, const std::string& what);

}  // namespace gauntlet::suites
