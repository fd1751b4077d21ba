// The one path every command that runs episodes takes: a validated plan, the
// results-file header, resume, the runner, the sinks and the results store.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/episode.hpp"
#include "harness/plan.hpp"
#include "harness/policy.hpp"
#include "harness/policy_spec.hpp"
#include "harness/registry.hpp"
#include "harness/results_store.hpp"
#include "harness/runner.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

// What a command asks to evaluate, in the user's terms. make_session_plan
// validates every field and names the one that is wrong.
struct PlanRequest {
  std::string suite;    // a suite name, PATH.yaml or bddl:PATH
  std::string env;      // "" / "sim": the suite's simulator; else an environment spec
  std::string robot;    // "" : the suite's robot; else one the suite allows
  std::string chains;   // chain suites: a chain file to run ("" : the suite's sampled chains)
  std::string overlay;  // "" : the tasks' own overlays; else this image for every task
  std::optional<int> episodes_per_task;  // default: the suite's
  std::string seed;                      // suite seed override as text ("" keeps the suite's)
  int workers = 0;                       // 0: one per hardware thread
  std::vector<std::string> tasks;        // empty: every task
  std::string shard = "0/1";
  // The perturbation sets, given the loaded suite (a sweep needs its
  // dimensions); unset or empty result: nominal only.
  std::function<std::vector<PerturbationSet>(const Suite&)> perturbations;
};

// A loaded suite (wrapped in its environment) and the episodes to run.
struct SessionPlan {
  std::shared_ptr<const Suite> suite;
  EpisodePlan plan;
  std::uint64_t seed = 0;  // the suite seed in force
  int workers = 1;
  std::vector<EpisodeSpec> specs;  // this shard's episodes in canonical order
};

SessionPlan make_session_plan(const PlanRequest& request, const Registry& registry);

// A suite seed given as text: a non-negative 64-bit integer; InputError otherwise.
std::uint64_t parse_suite_seed(const std::string& text);

// The results-file header of a run of `policy` under `plan`: suite, policy,
// plan (tasks, perturbations, episodes, shard), the cameras and image size of
// `request` (none when null), replan_every, host, time and command.
RunHeader make_run_header(const SessionPlan& plan, const PolicySpec& spec, const Policy& policy,
                          const ObservationRequest* request, int replan_every,
                          const std::string& command);

// "out/SUITE/POLICY.h5" (".shard-I-of-N" before the extension for a shard),
// both names made safe (harness/file_names.hpp): inside out/ whatever they hold.
std::filesystem::path default_results_path(const std::string& suite_name,
                                           const std::string& policy_name, const Shard& shard);

// Episodes counted for progress: errors are those that ended neither in
// success nor timeout (policy error, invalid action, simulator error).
struct EpisodeCounts {
  int done = 0;
  int succeeded = 0;
  int errors = 0;
};

// Progress of one EvaluationSession::run call, for a progress bar.
class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  // `planned` episodes, of which `already` were in the results file.
  virtual void on_start(int planned, const EpisodeCounts& already) = 0;
  // Episodes finished so far by this call.
  virtual void on_episodes(const EpisodeCounts& now) = 0;
  virtual void on_finish() = 0;
};

struct SessionOptions {
  int replan_every = 0;  // actions of a chunk executed before asking again; 0: the policy's
  StepRecorder* recorder = nullptr;  // every step of recorded episodes (videos, demonstrations)
  std::vector<std::string> extra_cameras;  // rendered even when the policy does not ask (recording)
  int image_width = 0;                     // 0: the policy's request
  int image_height = 0;
  std::string command;  // the command line, for provenance
  // Circuit breaker: stop the run after this many consecutive episodes that
  // failed in the policy with the same error (a dead or hung server, a broken
  // model); 0 disables it. Finished episodes are kept: the run resumes.
  int max_consecutive_failures = 5;
};

struct SessionRunStats {
  int planned = 0;    // episodes asked for
  int resumed = 0;    // of those, already in the results file
  int ran = 0;        // finished in this call
  int succeeded = 0;  // of those that ran
  int errors = 0;     // of those that ran: ended neither in success nor timeout
  double seconds = 0.0;
  // Set when the circuit breaker stopped the run: what kept failing.
  std::string broken;
};

class EvaluationSession {
 public:
  // Validates the policy against the suite (cameras, action space) and builds
  // the header; nothing is written yet. `plan` and `policy` must outlive the session.
  EvaluationSession(const SessionPlan& plan, const PolicySpec& spec, Policy& policy,
                    SessionOptions options);
  ~EvaluationSession();
  EvaluationSession(const EvaluationSession&) = delete;
  EvaluationSession& operator=(const EvaluationSession&) = delete;

  const RunHeader& header() const { return header_; }
  const ObservationRequest& observation_request() const;
  const SessionPlan& plan() const { return plan_; }

  // Creates or resumes the results file (parent folders included); InputError
  // when it holds another experiment. Without a store, episodes only reach the sinks.
  void open_store(const std::filesystem::path& path);
  bool has_store() const { return store_ != nullptr; }
  const std::filesystem::path& store_path() const;
  // Receives finished episodes after the store has written them.
  void add_sink(EpisodeSink& sink) { sinks_.push_back(&sink); }

  // Runs the episodes of `specs` (default: the plan's) that the store does not
  // hold yet. Returns early, keeping what finished, when `stop` becomes true.
  SessionRunStats run(const std::atomic<bool>* stop, SessionObserver* observer = nullptr);
  SessionRunStats run(std::span<const EpisodeSpec> specs, const std::atomic<bool>* stop,
                      SessionObserver* observer = nullptr);

  // Every stored episode (including those of earlier processes), sorted by key.
  const RunResults& results() const;
  // The stored episode with this key, or nullptr.
  const EpisodeResult* find(const EpisodeKey& key) const;

 private:
  class StoreSink;
  void count_failure(const EpisodeResult& e);
  const SessionPlan& plan_;
  PolicySpec spec_;
  SessionOptions options_;
  std::unique_ptr<Runner> runner_;
  RunHeader header_;
  std::unique_ptr<ResultsStore> store_;
  RunResults unstored_;  // header + episodes when there is no store
  std::vector<EpisodeSink*> sinks_;
  std::atomic<bool> halt_{false};  // raised by the circuit breaker
  std::string failure_kind_;       // the error of the current run of consecutive failures
  int consecutive_failures_ = 0;
  std::string broken_;
};

}  // namespace gauntlet
