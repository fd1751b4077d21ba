// `gauntlet run`: plan the episodes of a suite for one policy, resume what a
// results file already holds, run the rest on W workers, store every episode.
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
#include "reports/run_summary.hpp"

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
  const reports::RunSummary summary = reports::summarize_run(store->results(), out);
  if (o.json) {
    std::cout << reports::run_summary_json(summary) << std::flush;
  } else {
    std::fputs(reports::run_summary_line(summary).c_str(), stderr);
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
