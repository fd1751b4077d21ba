// `gauntlet run`: plan the episodes of a suite for one policy, resume what a
// results file already holds, run the rest on W workers, store every episode.
#include <cstdio>
#include <iostream>

#include "cli/cli_context.hpp"
#include "cli/progress.hpp"
#include "cli/run_setup.hpp"
#include "harness/errors.hpp"
#include "harness/evaluation_session.hpp"
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
  std::string video_format = "webp";
  int circuit_breaker = 5;
  bool json = false;
};

void run_command(const RunOptions& o, CliContext& ctx) {
  const PolicySpec spec = PolicySpec::parse(o.policy);
  if (o.replan_every < 0) throw InputError("--replan-every must be >= 0");
  if (o.videos < 0) throw InputError("--videos must be >= 0");
  reports::VideoOptions video_options;
  reports::parse_video_formats(o.video_format, video_options);
  if (o.circuit_breaker < 0) throw InputError("--circuit-breaker must be >= 0 (0: off)");
  const SessionPlan plan = plan_session(o.plan, ctx);
  std::unique_ptr<Policy> policy = ctx.registry.make_policy(spec);
  const std::filesystem::path out =
      o.out.empty()
          ? default_results_path(plan.suite->info().name, spec.display_name(), plan.plan.shard)
          : std::filesystem::path(o.out);

  std::unique_ptr<reports::EpisodeVideoRecorder> videos;
  if (o.videos > 0) {
    video_options.episodes_per_task = o.videos;
    video_options.control_hz = plan.suite->info().control_hz;
    videos = std::make_unique<reports::EpisodeVideoRecorder>(reports::media_dir(out), plan.workers,
                                                             video_options);
  }
  SessionOptions so;
  so.replan_every = o.replan_every;
  so.recorder = videos.get();
  so.command = ctx.command_line;
  so.max_consecutive_failures = o.circuit_breaker;
  // Validates the policy against the suite (cameras, action space) before the
  // results file is touched.
  EvaluationSession session(plan, spec, *policy, so);
  session.open_store(out);
  EpisodeProgress progress(spec.display_name() + " on " + plan.suite->info().name);
  const SessionRunStats stats = session.run(ctx.stop, &progress);
  check_run_health(stats, session.results(), out.string(), ctx);
  if (ctx.stop && ctx.stop->load()) {
    std::fprintf(
        stderr, "interrupted: %zu episodes are saved in %s; run the same command again to resume\n",
        session.results().episodes.size(), out.c_str());
    ctx.exit_code = 130;
  }
  const reports::RunSummary summary = reports::summarize_run(session.results(), out.string());
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
  run->add_option("--replan-every", opts->replan_every,
                  "actions of a chunk executed before asking again (0: all)");
  run->add_option("--videos", opts->videos,
                  "episodes per task (the first N) whose agentview is saved as a video in "
                  "OUT.media/ (default 2)");
  run->add_option("--video-format", opts->video_format,
                  "webp (the agentview, shown in report.html), mp4 (H.264, one file per camera "
                  "the policy saw) or webp,mp4 (default webp)");
  run->add_option("--circuit-breaker", opts->circuit_breaker,
                  "stop with exit 3 after this many consecutive episodes fail in the policy with "
                  "the same error "
                  "(default 5; 0: never)");
  run->add_flag("--json", opts->json, "print a JSON summary on stdout");
  run->callback([opts, &ctx] { run_command(*opts, ctx); });
}

}  // namespace gauntlet::cli
