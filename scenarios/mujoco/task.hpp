// What a MuJoCo task family implements (suites/ provide them): the objects it
// adds to the scene, how it initialises an episode, its success and progress
// predicates, and its scripted expert. It never runs the loop.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "harness/observation.hpp"
#include "harness/policy.hpp"
#include "harness/rng.hpp"
#include "harness/suite.hpp"
#include "scenarios/mujoco/scene.hpp"
#include "scenarios/mujoco/sim.hpp"

namespace gauntlet::mj {

// Per-episode scratch values a task keeps between initialize() and evaluate()
// (initial distances, stages reached). Plain data, owned by the Env.
struct TaskMemory {
  std::array<double, 16> values{};
};

struct TaskStatus {
  bool success = false;
  double progress = 0.0;  // in [0,1]
};

class MjTask {
 public:
  explicit MjTask(TaskInfo info) : info_(std::move(info)) {}
  virtual ~MjTask() = default;

  const TaskInfo& info() const { return info_; }

  virtual void build(SceneBuilder& scene) const = 0;
  // Called after mj_resetData with the episode's initial-state stream; places
  // objects and articulations. The env calls mj_forward afterwards.
  virtual void initialize(const MjSim& sim, Rng& rng, TaskMemory& memory) const = 0;
  // As initialize(), for tasks whose initial state is a table of layouts
  // indexed by the episode (SimplerEnv's grids): the env calls this one.
  virtual void initialize_episode(const MjSim& sim, const EpisodeSpec& spec, Rng& rng,
                                  TaskMemory& memory) const {
    (void)spec;
    initialize(sim, rng, memory);
  }
  // The instruction of one episode (a task may name its objects per layout).
  virtual std::string instruction(const EpisodeSpec& spec) const {
    (void)spec;
    return info_.instruction;
  }
  // Visual matching: the image the agentview camera's background (every geom
  // of the world body) is replaced with in this episode; null: none.
  virtual const Image* overlay(const EpisodeSpec& spec) const {
    (void)spec;
    return nullptr;
  }
  // Called after every control step (and after settling, to record baselines).
  virtual TaskStatus evaluate(const MjSim& sim, TaskMemory& memory) const = 0;
  virtual std::unique_ptr<Expert> make_expert() const = 0;
  // Bodies and joints handed to scripted experts as privileged state.
  virtual std::vector<std::string> privileged_bodies() const = 0;
  virtual std::vector<std::string> privileged_joints() const { return {}; }
  // Names the task code and its version; part of the suite's content hash, so
  // changing a predicate changes the hash and old results are not mixed in.
  virtual std::string code_version() const = 0;

 private:
  TaskInfo info_;
};

}  // namespace gauntlet::mj
