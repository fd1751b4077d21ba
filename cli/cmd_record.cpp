// `gauntlet record --suite S --policy P --episodes N --out demos.h5`: run a
// policy and keep every step in the robomimic / LIBERO demonstration layout.
#include <algorithm>
#include <cstdio>

#include "cli/cli_context.hpp"
#include "cli/progress.hpp"
#include "cli/run_setup.hpp"
#include "harness/demo_file.hpp"
#include "harness/errors.hpp"
#include "harness/evaluation_session.hpp"
#include "harness/image_ops.hpp"

namespace gauntlet::cli {
namespace {

struct RecordOptions {
  PlanOptions plan;
  std::string policy = "scripted";
  std::string out;
  std::vector<std::string> cameras;
  std::string image_size;
  bool only_success = false;
  bool force = false;
  int compression = 4;
};

void record_command(const RecordOptions& o, CliContext& ctx) {
  const PolicySpec spec = PolicySpec::parse(o.policy);
  const SessionPlan plan = plan_session(o.plan, ctx);
  const Suite& suite = *plan.suite;
  std::unique_ptr<Policy> policy = ctx.registry.make_policy(spec);
  if (o.out.empty()) throw InputError("--out: give the demonstration file to write");
  if (std::filesystem::exists(o.out) && !o.force) {
    throw InputError("--out '" + o.out + "' exists; pass --force to replace it");
  }
  if (o.compression < 0 || o.compression > 9) throw InputError("--compression must be 0..9");

  SessionOptions so;
  for (const auto& cam : o.cameras) {
    const auto& available = suite.info().cameras;
    if (std::find(available.begin(), available.end(), cam) == available.end()) {
      throw InputError("--camera '" + cam + "': suite '" + suite.info().name +
                       "' has cameras: " + join_names(available));
    }
  }
  so.extra_cameras = o.cameras.empty() ? suite.info().cameras : o.cameras;
  if (!o.image_size.empty()) {
    const ImageSize size = parse_image_size(o.image_size, "--image-size", 8, 2048);
    // The stored images are the ones the policy saw: a policy with its own
    // image size would otherwise be evaluated on images it was not made for.
    const PolicyRequirements req = policy->requirements();
    if (req.image_width > 0 && (req.image_width != size.width || req.image_height != size.height)) {
      throw InputError(
          "--image-size " + o.image_size + ": policy '" + spec.display_name() + "' asks for " +
          std::to_string(req.image_width) + "x" + std::to_string(req.image_height) +
          " images, and a recording stores what the policy sees; drop --image-size "
          "(or give " +
          std::to_string(req.image_width) + "x" + std::to_string(req.image_height) + ")");
    }
    so.image_width = size.width;
    so.image_height = size.height;
  }
  so.command = ctx.command_line;
  const std::filesystem::path out(o.out);
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  DemoFileOptions demo_options;
  demo_options.only_success = o.only_success;
  demo_options.compression = o.compression;
  demo_options.policy_spec = spec.text;
  demo_options.command = ctx.command_line;
  demo_options.cameras = o.cameras;  // a camera only the policy asks for is not stored
  demo_options.shard = plan.plan.shard.to_string();
  demo_options.suite_spec = o.plan.suite;
  DemoWriter writer(out, suite, plan.workers, demo_options);
  so.recorder = &writer;
  // Demonstrations go to the recorder only: a recording keeps no results file.
  EvaluationSession session(plan, spec, *policy, so);
  EpisodeProgress progress("record " + spec.display_name() + " on " + suite.info().name);
  const SessionRunStats stats = session.run(ctx.stop, &progress);
  if (!stats.broken.empty()) {
    check_run_health(stats, session.results(), o.out, ctx);
    std::fprintf(stderr, "%s was not written\n", o.out.c_str());
    return;
  }
  if (ctx.stop && ctx.stop->load()) {
    std::fprintf(stderr, "interrupted: %s was not written (recordings are not resumable)\n",
                 o.out.c_str());
    ctx.exit_code = 130;
    return;
  }
  writer.finish();
  std::fprintf(stderr, "wrote %d demonstrations to %s\n", writer.demos_written(), o.out.c_str());
}

}  // namespace

void add_record_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<RecordOptions>();
  CLI::App* rec =
      app.add_subcommand("record", "Record demonstrations (robomimic/LIBERO HDF5 layout)");
  opts->plan.add_to(*rec, true);
  rec->add_option("--policy", opts->policy, "policy spec (default: scripted)");
  rec->add_option("--out", opts->out, "demonstration file (.h5)")->required();
  rec->add_option("--camera", opts->cameras,
                  "cameras to store (repeatable; default: all of the suite's); cameras the policy "
                  "asks for are rendered for it but stored only when named here");
  rec->add_option("--image-size", opts->image_size,
                  "WxH of stored images (default: the policy's, else the suite's); an error when "
                  "the policy asks for another size");
  rec->add_flag("--only-success", opts->only_success, "keep successful episodes only");
  rec->add_option("--compression", opts->compression, "gzip level for images, 0..9 (default 4)");
  rec->add_flag("--force", opts->force, "replace --out if it exists");
  rec->callback([opts, &ctx] { record_command(*opts, ctx); });
}

}  // namespace gauntlet::cli
