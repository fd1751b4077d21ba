// The episode loop: one Env per worker slot, all slots that need an action go
// to the policy in ONE batched call, finished episodes go to an EpisodeSink.
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include "harness/episode.hpp"
#include "harness/policy.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

class LockstepPool;

// Receives every step of every episode, for demonstrations and world-model
// training data. Called on the slot's worker thread (one episode per slot at a
// time); must be thread-safe across slots. With a recorder the Env renders an
// observation at every step, not only before policy calls.
class StepRecorder {
 public:
  virtual ~StepRecorder() = default;
  // Which episodes to record; the others run without any recorder call.
  virtual bool records(const EpisodeSpec& spec) const {
    (void)spec;
    return true;
  }
  // True when record_step needs the Env's observation at every step (the Env
  // then renders the policy's cameras at every step, not only before calls).
  virtual bool wants_observations() const { return true; }
  virtual void begin_episode(int slot, const EpisodeSpec& spec, Env& env) = 0;
  // Before a step: what the Env shows, and the action (clipped to the bounds)
  // about to be applied. The recorder copies what it keeps.
  virtual void record_step(int slot, const Observation& obs, std::span<const float> action) = 0;
  // After that step; `env` may be asked to render (Env::render).
  virtual void record_outcome(int slot, const StepResult& result, Env& env) = 0;
  // Called on the runner's thread after the episode's result is final, before
  // the sink. May come without begin_episode for an episode that failed before
  // its first observation.
  virtual void end_episode(int slot, const EpisodeResult& result) = 0;
};

struct RunnerOptions {
  int workers = 1;
  StepRecorder* recorder = nullptr;
  std::vector<std::string> extra_cameras;  // rendered even if the policy does not ask (recording)
  int replan_every = 0;  // actions of a chunk executed before asking again; 0 = policy's choice
  int image_width = 0;   // 0: the policy's request, else the suite's default
  int image_height = 0;
};

// Receives finished episodes on the calling thread of Runner::run. It must
// persist them before returning: the runner reports them as done afterwards.
class EpisodeSink {
 public:
  virtual ~EpisodeSink() = default;
  virtual void on_episodes(std::span<const EpisodeResult> finished) = 0;
};

// Flags any of which stops a run (a signal, a circuit breaker).
struct StopFlags {
  const std::atomic<bool>* first = nullptr;
  const std::atomic<bool>* second = nullptr;
  bool raised() const { return (first && first->load()) || (second && second->load()); }
};

class Runner {
 public:
  Runner(const Suite& suite, Policy& policy, RunnerOptions options);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs every spec (in any order across slots; each episode's outcome depends
  // only on its spec). Returns early, dropping unfinished episodes, when
  // `stop` becomes true.
  void run(std::span<const EpisodeSpec> specs, EpisodeSink& sink, StopFlags stop);
  void run(std::span<const EpisodeSpec> specs, EpisodeSink& sink,
           const std::atomic<bool>* stop = nullptr) {
    run(specs, sink, StopFlags{stop, nullptr});
  }

  const ObservationRequest& observation_request() const { return request_; }
  // Actions of a chunk executed before asking again, as in force: the option,
  // else the policy's own (its spec's replan_every=); 0: the whole chunk.
  int replan_every() const { return replan_every_; }

 private:
  struct Slot;
  void start_episode(Slot& slot, int slot_index, const EpisodeSpec& spec);
  void advance(Slot& slot);  // runs on the slot's worker thread
  void execute_chunk(Slot& slot);
  // Books one step's outcome; true when it ended the episode.
  bool apply_outcome(Slot& slot, const StepResult& r);
  void finish(Slot& slot, Termination termination, std::string error);

  const Suite& suite_;
  Policy& policy_;
  RunnerOptions options_;
  ObservationRequest request_;
  int replan_every_ = 0;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unique_ptr<LockstepPool> pool_;
};

// Linear-interpolation percentile (numpy's default) of unsorted values.
double percentile(std::vector<double> values, double q);

}  // namespace gauntlet
