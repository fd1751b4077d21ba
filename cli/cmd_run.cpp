// `gauntlet run`: plan the episodes of a suite for one policy, resume what a
// results file already holds, run the rest on W workers, store every episode.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "cli/cli_context.hpp"
#include "cli/progress.hpp"
#include "cli/run_setup.hpp"
#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "harness/results_store.hpp"
#include "harness/runner.hpp"
#include "harness/version.hpp"
#include "reports/episode_video.hpp"
#include "reports/report_model.hpp"

namespace gauntlet::cli {
namespace {

struct RunOptions {
  PlanOptions plan;
  std::string policy;
  std::string out;
  int replan_every = 0;
  int videos = 2;
  bool json = false;
};

class StoreSink final : public EpisodeSink {
 public:
  StoreSink(ResultsStore& store, Progress& progress) : store_(store), progress_(progress) {}
  void on_episodes(std::span<const EpisodeResult> finished) override {
    store_.append(finished);
    for (const auto& e : finished) {
      ++done_;
      succeeded_ += e.success ? 1 : 0;
    }
    progress_.update(done_, succeeded_);
  }

 private:
  ResultsStore& store_;
  Progress& progress_;
  int done_ = 0;
  int succeeded_ = 0;
};

nlohmann::json summary_json(const RunResults& results, const std::string& out) {
  const reports::PolicySummary s = reports::summarize(results, out);
  nlohmann::json j;
  j["suite"] = results.header.suite_name;
  j["suite_hash"] = results.header.suite_hash;
  j["policy"] = s.name;
  j["policy_spec"] = results.header.policy_spec;
  j["episodes"] = s.episodes;
  j["counted_episodes"] = s.success.trials;
  j["successes"] = s.success.successes;
  j["success_rate"] = s.success.rate;
  j["ci95"] = {s.success.ci95.lo, s.success.ci95.hi};
  j["mean_progress"] = s.mean_progress;
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& t : s.tasks) {
    tasks.push_back({{"task", t.task_id},
                     {"episodes", t.success.trials},
                     {"successes", t.success.successes},
                     {"success_rate", t.success.rate},
                     {"ci95", {t.success.ci95.lo, t.success.ci95.hi}}});
  }
  j["tasks"] = tasks;
  nlohmann::json errors = nlohmann::json::object();
  for (const char* k : {"policy_error", "invalid_action", "sim_error"}) {
    const auto it = s.terminations.find(k);
    errors[k] = it == s.terminations.end() ? 0 : it->second;
  }
  j["errors"] = errors;
  j["out"] = out;
  return j;
}

void run_command(const RunOptions& o, CliContext& ctx) {
  const PolicySpec spec = PolicySpec::parse(o.policy);
  PreparedPlan prepared = prepare_plan(o.plan, ctx);
  const std::shared_ptr<const Suite> suite = prepared.suite;
  const EpisodePlan& plan = prepared.plan;
  const std::uint64_t seed = prepared.seed;
  const int workers = prepared.workers;
  std::vector<EpisodeSpec> specs = std::move(prepared.specs);
  std::unique_ptr<Policy> policy = ctx.registry.make_policy(spec);
  if (o.replan_every < 0) throw InputError("--replan-every must be >= 0");

  RunnerOptions runner_options;
  runner_options.workers = workers;
  runner_options.replan_every = o.replan_every;
  if (o.videos < 0) throw InputError("--videos must be >= 0");

  std::string out = o.out;
  if (out.empty()) {
    out = "out/" + sanitize_file_name(suite->info().name) + "/" + sanitize_file_name(spec.display_name()) +
          (plan.shard.whole() ? "" : ".shard-" + std::to_string(plan.shard.index) + "-of-" +
                                         std::to_string(plan.shard.count)) +
          ".h5";
  }

  std::unique_ptr<reports::EpisodeVideoRecorder> videos;
  if (o.videos > 0) {
    reports::VideoOptions video_options;
    video_options.episodes_per_task = o.videos;
    videos = std::make_unique<reports::EpisodeVideoRecorder>(reports::media_dir(out), workers, video_options);
    runner_options.recorder = videos.get();
  }
  // Validate the policy against the suite (cameras, action space) before
  // touching the results file.
  Runner runner(*suite, *policy, runner_options);
  const ObservationRequest& request = runner.observation_request();

  RunHeader header = make_run_header(*suite, spec, *policy, plan, seed, &request, ctx.command_line);
  header.replan_every = o.replan_every;
  header.shard = plan.shard.to_string();

  auto store = ResultsStore::open_for_run(out, header);
  std::vector<EpisodeSpec> todo;
  int already = 0;
  int already_succeeded = 0;
  for (auto& s : specs) {
    const EpisodeKey key{s.task_id, s.perturbation.id(), s.episode_index};
    if (store->contains(key)) {
      ++already;
      continue;
    }
    todo.push_back(std::move(s));
  }
  for (const auto& e : store->results().episodes) already_succeeded += e.success ? 1 : 0;
  already_succeeded = std::min(already_succeeded, already);

  Progress progress(spec.display_name() + " on " + suite->info().name, already + static_cast<int>(todo.size()),
                    already, already_succeeded);
  StoreSink sink(*store, progress);
  runner.run(todo, sink, ctx.stop);
  progress.finish();
  if (ctx.stop && ctx.stop->load()) {
    std::fprintf(stderr, "interrupted: %zu episodes are saved in %s; run the same command again to resume\n",
                 store->results().episodes.size(), out.c_str());
    ctx.exit_code = 130;
  }
  const nlohmann::json summary = summary_json(store->results(), out);
  if (o.json) {
    std::cout << summary.dump() << std::endl;
  } else {
    std::fprintf(stderr, "%s: success %.1f%% [%.1f, %.1f] over %d episodes -> %s\n",
                 summary["policy"].get<std::string>().c_str(), 100.0 * summary["success_rate"].get<double>(),
                 100.0 * summary["ci95"][0].get<double>(), 100.0 * summary["ci95"][1].get<double>(),
                 summary["counted_episodes"].get<int>(), out.c_str());
  }
}

}  // namespace

void add_run_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Evaluate one policy on a suite; resumable, shardable");
  opts->plan.add_to(*run, true);
  run->add_option("--policy", opts->policy, "policy spec KIND[:ARG][,key=value...]")->required();
  run->add_option("--out", opts->out, "results file (.h5); default out/SUITE/POLICY.h5");
  run->add_option("--replan-every", opts->replan_every, "actions of a chunk executed before asking again (0: all)");
  run->add_option("--videos", opts->videos,
                  "episodes per task (the first N) whose agentview is saved as a video in OUT.media/ (default 2)");
  run->add_flag("--json", opts->json, "print a JSON summary on stdout");
  run->callback([opts, &ctx] { run_command(*opts, ctx); });
}

}  // namespace gauntlet::cli
