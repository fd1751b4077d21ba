// `gauntlet replay demos.h5 [--demo NAME] [--json]`: replay recorded
// demonstrations from their simulator states and actions and report how far
// each drifts, as robomimic's playback_dataset.py does.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli_context.hpp"
#include "harness/demo_reader.hpp"
#include "harness/demo_replay.hpp"
#include "harness/errors.hpp"

namespace gauntlet::cli {
namespace {

struct ReplayCliOptions {
  std::string file;
  std::string demo;
  std::string suite;
  double tolerance = 1e-6;
  bool every_state = false;
  bool json = false;
};

struct RecordedSuite {
  std::string spec;  // what to load
  std::string hash;  // content hash at recording time ("" when unknown)
};

RecordedSuite recorded_suite(const DemoTraceSet& set) {
  const std::string where = set.path.string() + ": data attribute env_args";
  nlohmann::json args;
  try {
    args = nlohmann::json::parse(set.env_args);
  } catch (const std::exception&) {
    throw InputError(where + " is not JSON; give the suite with --suite");
  }
  RecordedSuite out;
  if (!args.is_object()) throw InputError(where + " is not a JSON object");
  const nlohmann::json kwargs = args.value("env_kwargs", nlohmann::json::object());
  if (kwargs.is_object()) {
    if (kwargs.contains("suite") && kwargs["suite"].is_string()) out.spec = kwargs["suite"];
    if (kwargs.contains("suite_hash") && kwargs["suite_hash"].is_string())
      out.hash = kwargs["suite_hash"];
  }
  if (out.spec.empty() && args.contains("env_name") && args["env_name"].is_string())
    out.spec = args["env_name"];
  if (out.spec.empty()) throw InputError(where + " names no suite; give it with --suite");
  return out;
}

std::string number(double v) {
  if (v < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void replay_command(const ReplayCliOptions& o, CliContext& ctx) {
  if (!(o.tolerance >= 0.0) || !std::isfinite(o.tolerance))
    throw InputError("--tolerance must be a finite number >= 0");
  const DemoTraceSet set = read_demo_traces(o.file, o.demo);
  RecordedSuite recorded{o.suite, ""};
  if (o.suite.empty()) recorded = recorded_suite(set);
  const auto suite = ctx.registry.load_suite(recorded.spec);
  const bool same_suite = recorded.hash.empty() || recorded.hash == suite->info().content_hash;
  if (!same_suite) {
    std::fprintf(stderr,
                 "warning: %s was recorded with another version of suite '%s' (hash %s, now "
                 "%s); replays may diverge\n",
                 o.file.c_str(), suite->info().name.c_str(), recorded.hash.c_str(),
                 suite->info().content_hash.c_str());
  }
  ReplayOptions options;
  options.tolerance = o.tolerance;
  options.every_state = o.every_state;
  std::vector<DemoReplay> replays;
  for (const auto& demo : set.demos) {
    if (ctx.stop && ctx.stop->load()) break;
    replays.push_back(replay_demo(*suite, demo, options));
  }
  int reproduced = 0;
  for (const auto& r : replays) reproduced += r.reproduced() ? 1 : 0;
  const int diverged = static_cast<int>(replays.size()) - reproduced;
  if (o.json) {
    nlohmann::json demos = nlohmann::json::array();
    for (const auto& r : replays) {
      demos.push_back(
          {{"demo", r.demo},
           {"task", r.task},
           {"steps", r.steps},
           {"max_state_error", r.max_state_error},
           {"final_state_error", r.final_state_error < 0 ? nlohmann::json(nullptr)
                                                         : nlohmann::json(r.final_state_error)},
           {"max_eef_error_m",
            r.max_eef_error < 0 ? nlohmann::json(nullptr) : nlohmann::json(r.max_eef_error)},
           {"first_divergent_step", r.first_divergent_step < 0
                                        ? nlohmann::json(nullptr)
                                        : nlohmann::json(r.first_divergent_step)},
           {"recorded_success", r.recorded_success},
           {"replayed_success", r.replayed_success},
           {"success_reproduced", r.recorded_success == r.replayed_success},
           {"scene_matches", r.scene_matches},
           {"subtasks_reproduced", r.subtasks_reproduced},
           {"error", r.error},
           {"reproduced", r.reproduced()}});
    }
    const nlohmann::json out = {
        {"file", o.file},           {"suite", suite->info().name},  {"suite_matches", same_suite},
        {"tolerance", o.tolerance}, {"every_state", o.every_state}, {"demos", demos},
        {"reproduced", reproduced}, {"diverged", diverged}};
    std::cout << out.dump(2) << std::endl;
  } else {
    std::printf("%-10s %-28s %6s %12s %12s %10s %9s  %s\n", "demo", "task", "steps", "max state",
                "final state", "eef (m)", "success", "verdict");
    for (const auto& r : replays) {
      const std::string success = std::string(r.recorded_success ? "yes" : "no") + "/" +
                                  (r.replayed_success ? "yes" : "no");
      std::string verdict = r.reproduced() ? "reproduced" : "DIVERGED";
      if (r.first_divergent_step >= 0)
        verdict += " at step " + std::to_string(r.first_divergent_step);
      if (!r.error.empty()) verdict += " (" + r.error + ")";
      if (!r.scene_matches) verdict += " [scene differs from model_file]";
      if (!r.subtasks_reproduced) verdict += " [subtasks differ]";
      std::printf("%-10s %-28s %6d %12s %12s %10s %9s  %s\n", r.demo.c_str(),
                  r.task.substr(0, 28).c_str(), r.steps, number(r.max_state_error).c_str(),
                  number(r.final_state_error).c_str(), number(r.max_eef_error).c_str(),
                  success.c_str(), verdict.c_str());
    }
    std::printf("%d of %zu demos reproduced (state tolerance %g; success: recorded/replayed)\n",
                reproduced, replays.size(), o.tolerance);
  }
  if (diverged > 0) ctx.exit_code = 1;
}

}  // namespace

void add_replay_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<ReplayCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Replay recorded demonstrations (states + actions) and report divergence");
  cmd->add_option("file", opts->file, "demonstration file written by gauntlet record")->required();
  cmd->add_option("--demo", opts->demo, "replay only this demo (e.g. demo_3)");
  cmd->add_option("--suite", opts->suite,
                  "suite to replay in (default: the one recorded in env_args)");
  cmd->add_option("--tolerance", opts->tolerance,
                  "largest state difference (L2) that still counts as reproduced (default 1e-6)");
  cmd->add_flag("--every-state", opts->every_state,
                "restore the recorded state before every action (one-step errors)");
  cmd->add_flag("--json", opts->json, "print one JSON document");
  cmd->callback([opts, &ctx] { replay_command(*opts, ctx); });
}

}  // namespace gauntlet::cli
