// The environment interface every backend implements (MuJoCo, Bullet, world
// model): reset to an EpisodeSpec, step with one action, observe lazily.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/action.hpp"
#include "harness/episode.hpp"
#include "harness/observation.hpp"

namespace gauntlet {

// Which observation parts to produce. An Env renders only these cameras.
struct ObservationRequest {
  std::vector<std::string> cameras;
  int width = 128;
  int height = 128;
  bool privileged = false;
};

struct StepResult {
  double reward = 0.0;
  bool success = false;
  double progress = 0.0;   // the task's progress measure after this step, in [0,1]
  bool sim_error = false;  // physics became unstable (NaN state, solver warnings)
  // The episode ended without success and cannot recover (a chain whose
  // current subtask ran out of steps); the runner records a timeout.
  bool failed = false;
  std::string error;
  // The outcome (every field above) is not decided yet: the Env's
  // OutcomeBatch decides it (Env::defer_outcomes). Only after defer_outcomes.
  bool deferred = false;
};

class Env;

// Decides the outcomes that Envs deferred, in one batched call for every
// worker: a world model's judge scores all live episodes' frames at once, as
// the policy acts for all of them at once.
class OutcomeBatch {
 public:
  virtual ~OutcomeBatch() = default;
  // envs[i]'s last step returned deferred; out[i] gets its outcome (never
  // deferred). Called on the runner's thread; must not throw (a failure is
  // out[i].sim_error with the message).
  virtual void decide(std::span<Env* const> envs, std::span<StepResult> out) = 0;
};

// Thrown by Env::reset when the simulator cannot produce a valid initial state.
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Env {
 public:
  virtual ~Env() = default;
  virtual const ActionSpace& action_space() const = 0;
  // Builds the episode's scene from spec (task, perturbation, seed), runs the
  // suite's settle steps, and returns the first observation.
  virtual const Observation& reset(const EpisodeSpec& spec) = 0;
  // Applies one action for one control period. When `observe` is false the
  // Env may skip rendering: the runner will not read the observation.
  virtual StepResult step(std::span<const float> action, bool observe) = 0;
  virtual const Observation& observation() const = 0;
  // Lets step() return deferred outcomes from now on; returns the batch that
  // decides them (shared by the Envs of one suite), or nullptr when this Env
  // decides every step itself (the default, and what callers that never ask
  // get).
  virtual OutcomeBatch* defer_outcomes() { return nullptr; }
  // Chain suites: the subtasks of the current episode so far, in order (the
  // runner copies them into the EpisodeResult when the episode ends; reset()
  // clears them).
  virtual std::vector<SubtaskOutcome> subtasks() const { return {}; }
  // Renders `camera` of the current state outside the observation (episode
  // videos, previews). False when the backend cannot render that camera.
  virtual bool render(const std::string& camera, int width, int height, Image& out) {
    (void)camera;
    (void)width;
    (void)height;
    (void)out;
    return false;
  }
};

}  // namespace gauntlet
