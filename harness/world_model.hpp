// The learned-simulator interfaces: a WorldModel generates the frames (and
// optionally the proprioception) that follow a real context under a policy's
// actions, and a Judge scores a generated episode. Plain C++, no torch types.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/action.hpp"
#include "harness/observation.hpp"

namespace gauntlet {

struct WorldModelInfo {
  std::string camera = "agentview";  // the camera whose frames it generates
  int width = 64;
  int height = 64;
  int context_frames = 1;  // real frames a rollout starts from (oldest first)
  int action_dim = 7;
  int proprio_dim = 0;  // proprioception it takes and predicts; 0 = none
};

// What a rollout starts from: real frames (info().width x height, oldest
// first, exactly context_frames of them), the proprioception at the last one
// (proprio_dim numbers), the instruction and the seed of the model's own
// sampling: derive_seed(episode seed, RngStream::kWorldModel) (harness/rng.hpp),
// so a stochastic model generates the same frames for the same episode, and
// different ones for different episodes, on any worker.
struct WorldModelContext {
  std::span<const Image* const> frames;
  std::span<const float> proprio;
  std::string_view instruction;
  std::uint64_t seed = 0;
};

// The frames (and proprioception) following a chunk of actions, one per action.
struct WorldModelPrediction {
  std::vector<Image> frames;
  std::vector<float> proprio;  // frames.size() x proprio_dim; empty when not predicted
  std::string error;           // this rollout failed (the others of the batch go on)
};

// The per-episode state of one rollout, owned by whoever rolls out (one per
// Env). Implementations keep their latent state, history or slot id in it.
class WorldModelRollout {
 public:
  virtual ~WorldModelRollout() = default;
};

class WorldModel {
 public:
  virtual ~WorldModel() = default;
  virtual const WorldModelInfo& info() const = 0;
  virtual std::unique_ptr<WorldModelRollout> new_rollout() = 0;
  // Batched like Policy::act: rollouts[i] starts from contexts[i]. Throws
  // std::runtime_error when the whole batch fails.
  virtual void reset(std::span<WorldModelRollout* const> rollouts,
                     std::span<const WorldModelContext> contexts) = 0;
  // Advances rollouts[i] by the actions of *actions[i] (clipped to the action
  // bounds) and fills out[i]. Calls for disjoint rollouts may come
  // concurrently from worker threads. Throwing fails the whole batch; setting
  // out[i].error fails rollout i only.
  virtual void predict(std::span<WorldModelRollout* const> rollouts,
                       std::span<const ActionChunk* const> actions,
                       std::span<WorldModelPrediction> out) = 0;
  // Content identity (weights, code, options), as Policy::identity.
  virtual std::string identity() const = 0;
};

struct JudgeInfo {
  std::string camera = "agentview";
  int width = 64;
  int height = 64;
  int frames = 1;  // most recent frames it looks at; 0 = the whole episode
  // The decision threshold it recommends (calibrated by gauntlet wm
  // train-judge); used when --env sets none. Outside (0, 1]: none (0.5).
  double threshold = -1.0;
};

struct JudgeInput {
  std::span<const Image* const> frames;  // oldest first; the last is the current frame
  std::string_view instruction;
};

struct JudgeVerdict {
  double success = 0.0;   // probability that the task is accomplished, in [0,1]
  double progress = 0.0;  // how far the task has come, in [0,1]
  std::string error;      // this item failed
};

class Judge {
 public:
  virtual ~Judge() = default;
  virtual const JudgeInfo& info() const = 0;
  // Batched; thread-safe across concurrent calls. Throwing fails the batch.
  virtual void judge(std::span<const JudgeInput> items, std::span<JudgeVerdict> out) = 0;
  virtual std::string identity() const = 0;
};

}  // namespace gauntlet
