#include "harness/evaluation_session.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "harness/policy_io.hpp"
#include "harness/version.hpp"

namespace gauntlet {

std::uint64_t parse_suite_seed(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      text.size() > 20) {
    throw InputError("suite seed: expected a non-negative integer, got '" + text + "'");
  }
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    throw InputError("suite seed: expected a non-negative 64-bit integer, got '" + text + "'");
  }
}

SessionPlan make_session_plan(const PlanRequest& request, const Registry& registry) {
  SessionPlan p;
  p.suite = registry.wrap_in_environment(
      registry.load_suite(request.suite,
                          SuiteOptions{request.robot, request.chains, request.overlay}),
      request.env);
  const Suite& suite = *p.suite;
  if (!request.chains.empty() && suite.info().backend != "bullet") {
    throw InputError("--chains '" + request.chains + "': suite '" + suite.info().name +
                     "' has no chains (chain files run on the CALVIN-like suites, backend bullet)");
  }
  if (request.episodes_per_task && *request.episodes_per_task < 1) {
    throw InputError("episodes per task must be at least 1, got " +
                     std::to_string(*request.episodes_per_task));
  }
  p.plan.episodes_per_task = request.episodes_per_task.value_or(suite.info().default_episodes);
  // Without --episodes every task runs its own default count (suite YAML
  // `episodes:`); --episodes N sets every task to N.
  if (!request.episodes_per_task) {
    for (const auto& t : suite.tasks()) {
      if (t.episodes > 0) p.plan.task_episodes[t.id] = t.episodes;
    }
  }
  p.plan.task_ids = request.tasks;
  p.plan.shard = Shard::parse(request.shard);
  if (request.perturbations) p.plan.perturbations = request.perturbations(suite);
  if (p.plan.perturbations.empty()) p.plan.perturbations.push_back(PerturbationSet{});
  p.seed = request.seed.empty() ? suite.info().seed : parse_suite_seed(request.seed);
  p.plan.seed = p.seed;
  if (request.workers < 0)
    throw InputError("workers must be >= 1, got " + std::to_string(request.workers));
  p.workers = request.workers > 0
                  ? request.workers
                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  p.specs = plan_episodes(suite, p.plan);
  return p;
}

RunHeader make_run_header(const SessionPlan& plan, const PolicySpec& spec, const Policy& policy,
                          const ObservationRequest* request, int replan_every,
                          const std::string& command) {
  const Suite& suite = *plan.suite;
  RunHeader h;
  h.harness_version = kHarnessVersion;
  h.git_sha = kGitSha;
  h.suite_name = suite.info().name;
  h.suite_version = suite.info().version;
  h.suite_hash = suite.info().content_hash;
  h.suite_source = suite.info().source;
  h.judge_card = suite.info().judge_card;
  h.suite_seed = plan.seed;
  h.policy_spec = spec.text;
  h.policy_name = spec.display_name();
  h.policy_identity = policy.identity();
  for (const auto& p : plan.plan.perturbations) h.perturbations.push_back(p.id());
  if (h.perturbations.empty()) h.perturbations.push_back("nominal");
  if (plan.plan.task_ids.empty()) {
    h.tasks = suite.tasks();
  } else {
    for (const auto& id : plan.plan.task_ids) {
      h.tasks.push_back(suite.tasks()[static_cast<std::size_t>(suite.task_index(id))]);
    }
  }
  // The header records each task's planned count; episodes_per_task is the
  // largest (the count of every task when they are equal).
  h.episodes_per_task = 0;
  for (auto& t : h.tasks) {
    t.episodes = plan.plan.episodes_for(t.id);
    h.episodes_per_task = std::max(h.episodes_per_task, t.episodes);
  }
  if (h.tasks.empty()) h.episodes_per_task = plan.plan.episodes_per_task;
  if (request) {
    h.cameras = join_names(request->cameras, ",");
    h.image_width = request->cameras.empty() ? 0 : request->width;
    h.image_height = request->cameras.empty() ? 0 : request->height;
  }
  h.replan_every = replan_every;
  h.robot = suite.info().robot;
  const PolicyIo io = parse_policy_io(spec);
  // `raw` and no actions= both mean the suite's own action space.
  h.action_convention =
      io.actions.empty() || io.actions == "raw" ? suite.info().actions : io.actions;
  const auto& accepted = suite.info().action_conventions;
  if (!io.actions.empty() && io.actions != "raw" && !accepted.empty() &&
      std::find(accepted.begin(), accepted.end(), h.action_convention) == accepted.end()) {
    throw InputError(spec.quoted() + ": robot '" + h.robot + "' does not take actions=" +
                     h.action_convention + "; it accepts: " + join_names(accepted));
  }
  const ActionSpace& space = suite.action_space();
  for (const auto& [key, values] : {std::pair{"action_scale", &io.action_scale},
                                    std::pair{"action_offset", &io.action_offset}}) {
    if (values->size() > 1 && values->size() != static_cast<std::size_t>(space.dim)) {
      throw InputError(spec.quoted() + ": " + key + " has " + std::to_string(values->size()) +
                       " numbers; the suite's " + to_string(space.kind) + " action space has " +
                       std::to_string(space.dim) + " (" + join_names(space.names) +
                       "): give one number per dimension or a single number for all");
    }
  }
  h.action_scale = io.scale_text();
  h.action_offset = io.offset_text();
  state_layout_names(io.state, suite.info().proprio_names, spec.quoted() + ": state=" + io.state);
  h.state_layout = io.state;
  h.image_preprocessing = io.image_text();
  h.shard = plan.plan.shard.to_string();
  h.hosts = host_name();
  h.started_at = utc_now_iso8601();
  h.command = command;
  return h;
}

std::filesystem::path default_results_path(const std::string& suite_name,
                                           const std::string& policy_name, const Shard& shard) {
  // Bounded, hashed names that cannot leave out/ (a suite named "..").
  return file_inside(file_inside("out", suite_name), policy_name,
                     shard.whole() ? std::string(".h5")
                                   : ".shard-" + std::to_string(shard.index) + "-of-" +
                                         std::to_string(shard.count) + ".h5");
}

namespace {

bool is_error(const EpisodeResult& e) {
  return e.termination != Termination::kSuccess && e.termination != Termination::kTimeout;
}

}  // namespace

// Writes finished episodes to the store (or keeps them when there is none),
// then hands them to the session's sinks and counts them.
class EvaluationSession::StoreSink final : public EpisodeSink {
 public:
  StoreSink(EvaluationSession& session, SessionObserver* observer, SessionRunStats& stats)
      : session_(session), observer_(observer), stats_(stats) {}
  void on_episodes(std::span<const EpisodeResult> finished) override {
    if (session_.store_) {
      session_.store_->append(finished);
    } else {
      auto& rows = session_.unstored_.episodes;
      rows.insert(rows.end(), finished.begin(), finished.end());
      std::sort(rows.begin(), rows.end(),
                [](const EpisodeResult& a, const EpisodeResult& b) { return a.key() < b.key(); });
    }
    for (EpisodeSink* sink : session_.sinks_) sink->on_episodes(finished);
    for (const auto& e : finished) {
      ++stats_.ran;
      stats_.succeeded += e.success ? 1 : 0;
      stats_.errors += is_error(e) ? 1 : 0;
      session_.count_failure(e);
    }
    if (observer_) observer_->on_episodes({stats_.ran, stats_.succeeded, stats_.errors});
  }

 private:
  EvaluationSession& session_;
  SessionObserver* observer_;
  SessionRunStats& stats_;
};

namespace {

// Two failures are "of the same kind" when their messages agree once digits
// (timings, counts, step numbers) are dropped.
std::string failure_kind(const std::string& error) {
  std::string kind;
  for (const char c : error.substr(0, 400)) {
    if (c < '0' || c > '9') kind += c;
  }
  return kind;
}

}  // namespace

void EvaluationSession::count_failure(const EpisodeResult& e) {
  if (e.termination != Termination::kPolicyError) {
    consecutive_failures_ = 0;
    failure_kind_.clear();
    return;
  }
  const std::string kind = failure_kind(e.error);
  consecutive_failures_ = kind == failure_kind_ ? consecutive_failures_ + 1 : 1;
  failure_kind_ = kind;
  if (options_.max_consecutive_failures > 0 &&
      consecutive_failures_ >= options_.max_consecutive_failures && broken_.empty()) {
    broken_ = std::to_string(consecutive_failures_) + " consecutive episodes failed in policy '" +
              spec_.display_name() + "' with the same error; the last: " + e.error;
    halt_.store(true);
  }
}

EvaluationSession::EvaluationSession(const SessionPlan& plan, const PolicySpec& spec,
                                     Policy& policy, SessionOptions options)
    : plan_(plan), spec_(spec), options_(std::move(options)) {
  RunnerOptions ro;
  ro.workers = plan.workers;
  ro.recorder = options_.recorder;
  ro.extra_cameras = options_.extra_cameras;
  ro.replan_every = options_.replan_every;
  ro.image_width = options_.image_width;
  ro.image_height = options_.image_height;
  runner_ = std::make_unique<Runner>(*plan.suite, policy, std::move(ro));
  // The header records the settings in force, not the options as given.
  header_ = make_run_header(plan, spec, policy, &runner_->observation_request(),
                            runner_->replan_every(), options_.command);
  unstored_.header = header_;
}

EvaluationSession::~EvaluationSession() = default;

const ObservationRequest& EvaluationSession::observation_request() const {
  return runner_->observation_request();
}

void EvaluationSession::open_store(const std::filesystem::path& path) {
  store_ = ResultsStore::open_for_run(path, header_);
}

const std::filesystem::path& EvaluationSession::store_path() const {
  static const std::filesystem::path none;
  return store_ ? store_->path() : none;
}

const RunResults& EvaluationSession::results() const {
  return store_ ? store_->results() : unstored_;
}

const EpisodeResult* EvaluationSession::find(const EpisodeKey& key) const {
  const auto& rows = results().episodes;
  const auto it =
      std::lower_bound(rows.begin(), rows.end(), key,
                       [](const EpisodeResult& e, const EpisodeKey& k) { return e.key() < k; });
  return it != rows.end() && it->key() == key ? &*it : nullptr;
}

SessionRunStats EvaluationSession::run(const std::atomic<bool>* stop, SessionObserver* observer) {
  return run(plan_.specs, stop, observer);
}

SessionRunStats EvaluationSession::run(std::span<const EpisodeSpec> specs,
                                       const std::atomic<bool>* stop, SessionObserver* observer) {
  SessionRunStats stats;
  stats.planned = static_cast<int>(specs.size());
  std::vector<EpisodeSpec> todo;
  EpisodeCounts resumed;
  for (const auto& s : specs) {
    if (const EpisodeResult* stored =
            find(EpisodeKey{s.task_id, s.perturbation.id(), s.episode_index})) {
      ++stats.resumed;
      ++resumed.done;
      resumed.succeeded += stored->success ? 1 : 0;
      resumed.errors += is_error(*stored) ? 1 : 0;
    } else {
      todo.push_back(s);
    }
  }
  if (observer) observer->on_start(stats.planned, resumed);
  StoreSink sink(*this, observer, stats);
  const auto t0 = std::chrono::steady_clock::now();
  if (broken_.empty()) runner_->run(todo, sink, StopFlags{stop, &halt_});
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stats.broken = broken_;
  if (observer) observer->on_finish();
  return stats;
}

}  // namespace gauntlet
