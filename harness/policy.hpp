// The batched policy interface every adapter implements, the per-episode
// context it receives, and the scripted Expert interface that suites provide.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/action.hpp"
#include "harness/episode.hpp"
#include "harness/observation.hpp"

namespace gauntlet {

struct PolicyRequirements {
  std::vector<std::string> cameras;  // names; the Env renders only these
  int image_width = 0;               // 0: the suite's default resolution
  int image_height = 0;
  bool privileged = false;  // needs simulator ground truth (scripted experts)
};

// A closed-loop controller that a task family provides for its tasks; it may
// read Observation::privileged. Used by the `scripted` family of policies.
class Expert {
 public:
  virtual ~Expert() = default;
  virtual void act(const Observation& obs, std::span<float> action) = 0;
};

struct EpisodeContext {
  const EpisodeSpec* spec = nullptr;
  std::string instruction;
  int max_steps = 0;
  const ActionSpace* action_space = nullptr;
  // Builds the task's scripted expert; empty when the suite has none.
  std::function<std::unique_ptr<Expert>()> make_expert;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual PolicyRequirements requirements() const = 0;
  // Called once before a run: how many episodes run concurrently (slots) and
  // the action space of the suite. Adapters validate shapes here.
  virtual void prepare(int slots, const ActionSpace& space) = 0;
  virtual void reset(int slot, const EpisodeContext& ctx) = 0;
  // One batched call: obs[i] belongs to slots[i]; fill out[i]. Throwing fails
  // every episode of the batch; setting out[i].error fails only episode i.
  virtual void act(std::span<const int> slots, std::span<const Observation* const> obs,
                   std::span<ActionChunk> out) = 0;
  // Content identity for results files: two policies with the same hash are
  // the same policy (same code/weights/config).
  virtual std::string identity() const = 0;
  // Actions of a chunk to execute before asking again; 0 = the whole chunk.
  virtual int replan_every() const { return 0; }
};

}  // namespace gauntlet
