// `gauntlet wm train | train-judge | validate`: train the built-in world model
// and judge with LibTorch from recorded rollouts, and validate them as an
// evaluator against the simulator (cmd_wm_validate.cpp).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "adapters/torchscript/torch_model.hpp"
#include "cli/cli_context.hpp"
#include "cli/progress.hpp"
#include "cli/wm_common.hpp"
#include "harness/errors.hpp"
#include "harness/sha256.hpp"
#include "reports/training_summary.hpp"
#include "worldmodel/env/open_loop.hpp"
#include "worldmodel/judge/judge_samples.hpp"
#include "worldmodel/torchscript/torchscript_world_model.hpp"
#include "worldmodel/training/world_model_training.hpp"

namespace gauntlet::cli {
namespace {

using adapters::TrainingOptions;

struct CommonTrainOptions {
  std::vector<std::string> demos;
  std::string camera = "agentview";
  std::string out;
  std::string checkpoint;
  bool resume = false;
  long steps = 0;
  int batch = 0;
  double lr = 1e-3;
  std::uint64_t seed = 0;
  int threads = 1;
  long checkpoint_every = 100;
  int channels = 0;
  bool json = false;

  void add_to(CLI::App& app, long default_steps, int default_batch, int default_channels) {
    steps = default_steps;
    batch = default_batch;
    channels = default_channels;
    app.add_option("--demos", demos, "demonstration files (gauntlet record; repeatable)")
        ->required();
    app.add_option("--out", out, "the TorchScript file to write")->required();
    app.add_option("--camera", camera, "camera whose frames to learn (default agentview)");
    app.add_option("--steps", steps,
                   "optimiser steps (default " + std::to_string(default_steps) + ")");
    app.add_option("--batch", batch, "batch size (default " + std::to_string(default_batch) + ")");
    app.add_option("--channels", channels,
                   "network width (default " + std::to_string(default_channels) + ")");
    app.add_option("--lr", lr, "Adam learning rate (default 1e-3)");
    app.add_option("--seed", seed, "seed of initialisation and batch sampling (default 0)");
    app.add_option("--threads", threads,
                   "LibTorch threads (default 1: on a shared or busy machine more threads "
                   "spin-wait; results depend on it)");
    app.add_option("--checkpoint", checkpoint, "checkpoint file (default OUT.ckpt)");
    app.add_option("--checkpoint-every", checkpoint_every,
                   "steps between checkpoints (default 100; 0: only at the end)");
    app.add_flag("--resume", resume,
                 "continue from the checkpoint if it exists (same data and options)");
    app.add_flag("--json", json, "print a JSON summary on stdout");
  }

  void validate() const {
    if (steps < 1) throw InputError("--steps must be at least 1");
    if (batch < 1 || batch > 4096) throw InputError("--batch must be 1..4096");
    if (!(lr > 0 && lr < 1)) throw InputError("--lr must be in (0, 1)");
    if (threads < 1 || threads > 256) throw InputError("--threads must be 1..256");
    if (channels < 8 || channels > 512) throw InputError("--channels must be 8..512");
    if (checkpoint_every < 0) throw InputError("--checkpoint-every must be >= 0");
  }

  TrainingOptions training(const std::vector<DemoSet>& sets, const std::string& extra_identity,
                           const std::string& command) const {
    TrainingOptions o;
    o.out = out;
    o.checkpoint = checkpoint.empty() ? out + ".ckpt" : checkpoint;
    o.resume = resume;
    o.steps = steps;
    o.batch = batch;
    o.learning_rate = lr;
    o.seed = seed;
    o.threads = threads;
    o.checkpoint_every = checkpoint_every;
    o.data_identity = demo_identity(sets, camera) + extra_identity;
    nlohmann::json prov;
    prov["command"] = command;
    prov["demos"] = demo_provenance(sets);
    prov["episode_seeds"] = demo_seeds(sets);
    o.provenance_json = prov.dump();
    return o;
  }
};

// Runs a trainer with a progress bar; maps its failure to InputError/RuntimeFailure.
template <typename Request>
void run_training(Request& request, const std::string& label,
                  bool (*entry)(Request*, std::string*, bool*)) {
  std::unique_ptr<ProgressBar> bar;
  request.options.progress = [&](const adapters::TrainingProgress& p) {
    if (!bar) {
      if (p.first_step > 0)
        std::fprintf(stderr, "%s: resuming at step %ld of %ld\n", label.c_str(), p.first_step,
                     p.steps);
      bar = std::make_unique<ProgressBar>(label, "steps", "steps/s", p.steps, p.first_step);
    }
    if (p.step == p.first_step) return;  // the start, before any loss
    char loss[48];
    std::snprintf(loss, sizeof loss, "loss %.5f", p.loss);
    bar->update(p.step - p.first_step, loss);
  };
  std::string error;
  bool user_error = false;
  if (!entry(&request, &error, &user_error)) {
    if (bar) bar->finish();
    if (user_error) throw InputError(label + ": " + error);
    throw RuntimeFailure(label + ": " + error);
  }
  if (bar) bar->finish();
}

void report_written(const char* what, const std::string& out, double loss, long resumed_from,
                    long steps) {
  if (resumed_from >= steps) {
    std::fprintf(stderr,
                 "wrote %s %s: its checkpoint had already done %ld of %ld steps, nothing trained\n",
                 what, out.c_str(), resumed_from, steps);
  } else {
    std::fprintf(stderr, "wrote %s %s (loss of the last batch %.5f)\n", what, out.c_str(), loss);
  }
}

void train_command(const CommonTrainOptions& o, int horizon, CliContext& ctx) {
  o.validate();
  if (horizon < 1 || horizon > 256) throw InputError("--horizon must be 1..256");
  std::vector<DemoSet> sets = read_demo_sets(o.demos, o.camera);
  adapters::WorldModelTrainRequest request;
  request.options = o.training(sets, "", ctx.command_line);
  request.camera = o.camera;
  request.horizon = horizon;
  request.channels = o.channels;
  long successes = 0;
  for (const auto& s : sets) {
    for (const auto& e : s.episodes) {
      request.episodes.push_back(&e);
      successes += e.success ? 1 : 0;
    }
  }
  if (request.episodes.empty()) throw InputError("--demos: no demonstrations");
  const DemoEpisode& first = *request.episodes[0];
  std::fprintf(stderr, "wm train: %zu episodes (%ld successes) from %zu file(s), %dx%d %s frames\n",
               request.episodes.size(), successes, sets.size(), first.width, first.height,
               o.camera.c_str());
  const adapters::TorchModuleApi& api = adapters::torch_module_api();
  run_training(request, "wm train", api.train_world_model);
  report_written("world model", o.out, request.final_loss, request.resumed_from, o.steps);
  if (o.json) {
    const reports::TrainingRun run{o.out,
                                   static_cast<std::int64_t>(request.episodes.size()),
                                   o.steps,
                                   request.resumed_from,
                                   request.final_loss,
                                   request.weights_digest,
                                   sha256_file_hex(o.out)};
    std::cout << reports::world_model_training_json(run) << std::flush;
  }
}

struct JudgeExtraOptions {
  std::string wm;
  int negatives = 4;
  int margin = 5;
  int holdout_every = 4;
};

void train_judge_command(const CommonTrainOptions& o, const JudgeExtraOptions& x, CliContext& ctx) {
  o.validate();
  if (x.negatives < 0 || x.negatives > 1000) throw InputError("--negatives must be 0..1000");
  if (x.margin < 0) throw InputError("--margin must be >= 0");
  if (x.holdout_every < 0 || x.holdout_every == 1)
    throw InputError("--holdout-every must be 0 or at least 2");
  std::vector<DemoSet> sets = read_demo_sets(o.demos, o.camera);
  std::vector<const DemoEpisode*> episodes;
  for (const auto& s : sets) {
    for (const auto& e : s.episodes) episodes.push_back(&e);
  }
  if (episodes.empty()) throw InputError("--demos: no demonstrations");
  const DemoEpisode& first = *episodes[0];
  const int width = first.width;
  const int height = first.height;
  for (const DemoEpisode* e : episodes) {
    if (e->width != width || e->height != height) {
      throw InputError("demo '" + e->name + "' has " + std::to_string(e->width) + "x" +
                       std::to_string(e->height) + " frames, unlike the first (" +
                       std::to_string(width) + "x" + std::to_string(height) + ")");
    }
  }
  // Optionally the same frames as a world model regenerates them from the
  // recorded actions, so the judge knows what success looks like there too.
  std::vector<worldmodel::OpenLoopRollout> generated;
  std::string extra_identity;
  if (!x.wm.empty()) {
    adapters::TorchscriptModelOptions mo;
    mo.model = x.wm;
    mo.threads = o.threads;
    adapters::TorchscriptWorldModel wm(mo);
    if (wm.info().width != width || wm.info().height != height) {
      throw InputError("--wm '" + x.wm + "' generates " + std::to_string(wm.info().width) + "x" +
                       std::to_string(wm.info().height) + " frames; the demonstrations hold " +
                       std::to_string(width) + "x" + std::to_string(height));
    }
    extra_identity = " wm=" + wm.identity();
    ProgressBar progress("wm train-judge: replaying the demonstrations in " + x.wm, "episodes",
                         "ep/s", static_cast<long>(episodes.size()), 0);
    generated = worldmodel::replay_open_loop(wm, episodes, 0, 16,
                                             [&](int done) { progress.update(done, ""); });
    progress.finish();
  }
  adapters::JudgeTrainRequest request;
  request.options = o.training(sets, extra_identity, ctx.command_line);
  request.camera = o.camera;
  request.width = width;
  request.height = height;
  request.channels = o.channels;
  adapters::JudgeSampleOptions so;
  so.negatives_per_episode = x.negatives;
  so.margin = x.margin;
  so.seed = o.seed;
  // With --wm, every holdout_every-th episode of each file is kept out of
  // training: its regenerated frames calibrate the decision threshold.
  long held_out = 0;
  std::size_t index = 0;
  for (const auto& set : sets) {
    for (std::size_t k = 0; k < set.episodes.size(); ++k, ++index) {
      const std::vector<Image>* g =
          generated.empty() || !generated[index].error.empty() ? nullptr : &generated[index].frames;
      if (g && x.holdout_every > 0 &&
          k % static_cast<std::size_t>(x.holdout_every) ==
              static_cast<std::size_t>(x.holdout_every - 1)) {
        adapters::JudgeCalibrationEpisode c;
        for (const Image& img : *g) c.frames.push_back(img.rgb.data());
        c.success = episodes[index]->success;
        request.calibration.push_back(std::move(c));
        ++held_out;
        continue;
      }
      adapters::add_judge_samples(*episodes[index], static_cast<int>(index), g, so,
                                  request.samples);
    }
  }
  const adapters::JudgeSampleCounts counts = adapters::balance_judge_samples(request.samples);
  std::fprintf(stderr, "wm train-judge: %zu episodes -> %ld success frames, %ld other frames%s\n",
               episodes.size(), counts.positives, counts.negatives,
               generated.empty() ? "" : " (real and generated)");
  const adapters::TorchModuleApi& api = adapters::torch_module_api();
  run_training(request, "wm train-judge", api.train_judge);
  report_written("judge", o.out, request.final_loss, request.resumed_from, o.steps);
  if (request.calibration_balanced_accuracy >= 0) {
    std::fprintf(stderr,
                 "calibrated the success threshold on %ld held-out regenerated episodes: %.3f "
                 "(episode-level balanced "
                 "accuracy %.3f there)\n",
                 held_out, request.threshold, request.calibration_balanced_accuracy);
  }
  if (o.json) {
    reports::JudgeTrainingRun run;
    run.run = {o.out,
               static_cast<std::int64_t>(episodes.size()),
               o.steps,
               request.resumed_from,
               request.final_loss,
               request.weights_digest,
               sha256_file_hex(o.out)};
    run.positives = counts.positives;
    run.negatives = counts.negatives;
    run.calibration_episodes = held_out;
    run.threshold = request.threshold;
    run.calibration_balanced_accuracy = request.calibration_balanced_accuracy;
    std::cout << reports::judge_training_json(run) << std::flush;
  }
}

}  // namespace

void add_wm_command(CLI::App& app, CliContext& ctx) {
  CLI::App* wm = app.add_subcommand(
      "wm", "World models: train one and a judge, validate them as an evaluator");
  wm->require_subcommand(1);

  auto train = std::make_shared<CommonTrainOptions>();
  auto horizon = std::make_shared<int>(8);
  CLI::App* t = wm->add_subcommand(
      "train", "Train the built-in action-conditioned world model (LibTorch, C++)");
  train->add_to(*t, 2000, 16, 64);
  t->add_option("--horizon", *horizon, "steps unrolled per training window (default 8)");
  t->callback([train, horizon, &ctx] { train_command(*train, *horizon, ctx); });

  auto judge = std::make_shared<CommonTrainOptions>();
  auto extra = std::make_shared<JudgeExtraOptions>();
  CLI::App* j = wm->add_subcommand(
      "train-judge", "Train the built-in success classifier on simulator-labelled frames");
  judge->add_to(*j, 1500, 64, 32);
  j->add_option("--wm", extra->wm,
                "also learn from these frames as this world model regenerates them");
  j->add_option("--negatives", extra->negatives,
                "earlier frames per episode used as negatives (default 4)");
  j->add_option("--margin", extra->margin,
                "last frames of a successful episode never used as negatives (default 5)");
  j->add_option(
      "--holdout-every", extra->holdout_every,
      "with --wm: every Nth episode of each file is held out to calibrate the success threshold "
      "(default 4; 0: none, threshold 0.5)");
  j->callback([judge, extra, &ctx] { train_judge_command(*judge, *extra, ctx); });

  add_wm_validate_command(*wm, ctx);
}

}  // namespace gauntlet::cli
