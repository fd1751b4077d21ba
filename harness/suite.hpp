// A suite is a named, versioned set of tasks with its seed and defaults; it is
// the shared read-only "model" and makes one Env ("data") per worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/env.hpp"
#include "harness/policy.hpp"
#include "harness/simulator_state.hpp"

namespace gauntlet {

struct TaskInfo {
  std::string id;           // stable name used in seeds and results
  std::string instruction;  // the language instruction
  int max_steps = 200;      // control steps the policy gets
  std::string family;       // task family (code that implements it)
  // Episodes of this task: in a suite, its default count (`episodes:` in the
  // task's YAML; 0 = the suite's default_episodes); in a results header, the
  // planned count (0 in files from before per-task counts: the header's
  // episodes_per_task).
  int episodes = 0;
};

struct SuiteInfo {
  std::string name;
  std::string version = "1";
  std::string description;
  std::string backend;       // "mujoco", "bullet", "worldmodel"
  std::string source;        // where the definition came from (file or builtin:NAME)
  std::string content_hash;  // sha256 of the definition; results from different hashes never mix
  std::uint64_t seed = 0;
  int default_episodes = 50;  // per task
  int control_hz = 20;
  std::vector<std::string> cameras;  // cameras available
  int image_width = 128;
  int image_height = 128;
  std::vector<std::string> proprio_names;
  std::string robot = "floating_gripper";       // robots/ description the suite runs on
  std::string actions = "ee_delta";             // the action space: ee_delta or joint_pos
  std::vector<std::string> action_conventions;  // the robot's (empty: any)
  // World-model suites run with card=: the card's judge error rates (JSON,
  // worldmodel/env); reports and compare correct success rates with them.
  std::string judge_card;
};

// How a suite is loaded beyond its definition.
struct SuiteOptions {
  std::string robot;   // --robot: run on this robot instead of the suite's (empty: the suite's)
  std::string chains;  // --chains: a chain file for chain suites (CALVIN-like); empty: sampled
  // --overlay: visual-matching background for every task (PNG or standin:NAME).
  std::string overlay;
};

class Suite {
 public:
  virtual ~Suite() = default;
  virtual const SuiteInfo& info() const = 0;
  virtual const std::vector<TaskInfo>& tasks() const = 0;
  virtual const ActionSpace& action_space() const = 0;
  // Thread-safe: each worker calls it once for its own Env.
  virtual std::unique_ptr<Env> make_env(const ObservationRequest& request) const = 0;
  // nullptr when the task has no scripted expert.
  virtual std::unique_ptr<Expert> make_expert(int task_index) const = 0;
  // Perturbation dimensions this suite supports (see scenarios/perturb).
  virtual std::vector<std::string> perturbation_dimensions() const { return {}; }
  // The perturbation sets (ids, "nominal" included) a run without --perturb
  // or --ood-sweep evaluates; empty: nominal only. Variant-aggregation suites
  // list their variants here (docs/simpler.md).
  virtual std::vector<std::string> default_perturbations() const { return {}; }
  // The instruction an episode shows the policy: the task's, unless the
  // episode's perturbation rewords it (the `language` dimension).
  virtual std::string instruction(const EpisodeSpec& spec) const {
    return tasks().at(static_cast<std::size_t>(spec.task_index)).instruction;
  }
  // Saves and restores its Envs' simulator states (demonstration `states`,
  // replay); nullptr when the backend cannot (a world model).
  virtual const SimulatorStates* simulator_states() const { return nullptr; }

  // Index of a task id; throws InputError listing the valid ids.
  int task_index(const std::string& id) const;
};

}  // namespace gauntlet
