// `gauntlet wm validate`: the same policies from the same seeds in the
// simulator and in the world model(s), and the report card that says how far
// the world model can stand in for the simulator as an evaluator.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <set>

#include "adapters/torchscript/torch_model.hpp"
#include "cli/progress.hpp"
#include "cli/run_setup.hpp"
#include "cli/wm_common.hpp"
#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "harness/results_store.hpp"
#include "harness/version.hpp"
#include "metrics/image_fidelity.hpp"
#include "metrics/judge_correction.hpp"
#include "worldmodel/env/open_loop.hpp"
#include "worldmodel/env/worldmodel_suite.hpp"
#include "worldmodel/torchscript/torchscript_world_model.hpp"
#include "worldmodel/validation/validation.hpp"

namespace gauntlet::cli {
namespace {

using worldmodel::clip_frechet_distance;
using worldmodel::episode_agreement;
using worldmodel::FidelityOptions;
using worldmodel::open_loop_fidelity;
using worldmodel::pair_episodes;
using worldmodel::PairedEpisode;
using worldmodel::PolicyEpisodes;
using worldmodel::ranking_agreement;
using worldmodel::uncertainty_rows;
using worldmodel::Verdict;

struct ValidateOptions {
  PlanOptions plan;
  std::vector<std::string> policies;
  std::vector<std::string> wms;
  std::string judge;
  int judge_every = 1;
  double threshold = -1.0;  // -1: the judge's calibrated threshold, else 0.5
  std::vector<std::string> holdout;
  int horizon = 0;
  std::string features;
  int clip = 8;
  std::string ssim_window = "gaussian";
  int strips = 4;
  int capture = 2;
  long bootstrap = 2000;
  double min_spearman = 0.5;
  std::string out;
  int threads = 1;
  bool json = false;
};

// Keeps the first `per_task` episodes of every task as demonstrations (frames
// rendered at the world model's size, actions, first proprioception), for
// open-loop replay against the simulator.
class CaptureRecorder final : public StepRecorder {
 public:
  CaptureRecorder(const Suite& suite, int slots, std::string camera, int width, int height,
                  int per_task)
      : suite_(suite),
        camera_(std::move(camera)),
        width_(width),
        height_(height),
        per_task_(per_task),
        buffers_(static_cast<std::size_t>(slots)) {}

  bool records(const EpisodeSpec& spec) const override { return spec.episode_index < per_task_; }
  bool wants_observations() const override { return false; }

  void begin_episode(int slot, const EpisodeSpec& spec, Env& env) override {
    DemoEpisode& e = buffers_.at(static_cast<std::size_t>(slot));
    e = DemoEpisode{};
    e.name = spec.task_id + "#" + std::to_string(spec.episode_index);
    e.task = spec.task_id;
    e.instruction = suite_.instruction(spec);
    e.seed = std::to_string(spec.seed);
    e.episode = spec.episode_index;
    e.width = width_;
    e.height = height_;
    e.proprio = env.observation().proprio;
    e.proprio_dim = static_cast<int>(e.proprio.size());
    e.has_final = true;
    append_frame(e, env);
  }
  void record_step(int slot, const Observation& /*obs*/, std::span<const float> action) override {
    DemoEpisode& e = buffers_.at(static_cast<std::size_t>(slot));
    e.action_dim = static_cast<int>(action.size());
    e.actions.insert(e.actions.end(), action.begin(), action.end());
  }
  void record_outcome(int slot, const StepResult& result, Env& env) override {
    DemoEpisode& e = buffers_.at(static_cast<std::size_t>(slot));
    e.progress.push_back(static_cast<float>(result.progress));
    ++e.steps;
    append_frame(e, env);
  }
  void end_episode(int slot, const EpisodeResult& result) override {
    DemoEpisode& e = buffers_.at(static_cast<std::size_t>(slot));
    e.success = result.success;
    if (e.steps > 0 && e.frame_count() * e.frame_bytes() == e.frames.size()) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.push_back(std::move(e));
    }
    e = DemoEpisode{};
  }
  std::vector<DemoEpisode> take() {
    std::sort(done_.begin(), done_.end(), [](const DemoEpisode& a, const DemoEpisode& b) {
      return std::tie(a.episode, a.task) < std::tie(b.episode, b.task);
    });
    return std::move(done_);
  }

 private:
  void append_frame(DemoEpisode& e, Env& env) {
    if (!env.render(camera_, width_, height_, frame_)) return;
    e.frames.insert(e.frames.end(), frame_.rgb.begin(), frame_.rgb.end());
  }
  const Suite& suite_;
  std::string camera_;
  int width_, height_, per_task_;
  std::vector<DemoEpisode> buffers_;
  std::vector<DemoEpisode> done_;
  std::mutex mutex_;
  Image frame_;
};

// The judge with a meter: calls, episodes judged and wall time inside it,
// over every world-model run of this validation (the card's judge cost).
class MeteredJudge final : public Judge {
 public:
  explicit MeteredJudge(std::shared_ptr<Judge> inner) : inner_(std::move(inner)) {}
  const JudgeInfo& info() const override { return inner_->info(); }
  std::string identity() const override { return inner_->identity(); }
  void judge(std::span<const JudgeInput> items, std::span<JudgeVerdict> out) override {
    const auto start = std::chrono::steady_clock::now();
    const auto record = [&] {
      calls_ += 1;
      items_ += static_cast<std::int64_t>(items.size());
      nanos_ += std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    };
    try {
      inner_->judge(items, out);
    } catch (...) {
      record();
      throw;
    }
    record();
  }
  reports::WmJudgeCost cost() const {
    return {calls_.load(), items_.load(), static_cast<double>(nanos_.load()) * 1e-9};
  }

 private:
  std::shared_ptr<Judge> inner_;
  std::atomic<std::int64_t> calls_{0}, items_{0}, nanos_{0};
};

// Runs `policy` on `suite` into `path` (resuming what it holds) through an
// EvaluationSession, as `gauntlet run` does; returns every stored episode.
RunResults run_into(const std::shared_ptr<const Suite>& suite, const PolicySpec& spec,
                    Policy& policy, const SessionPlan& sim_plan, const std::filesystem::path& path,
                    StepRecorder* recorder, const std::string& label, CliContext& ctx) {
  SessionPlan plan = sim_plan;
  plan.suite = suite;
  SessionOptions so;
  so.recorder = recorder;
  so.command = ctx.command_line;
  EvaluationSession session(plan, spec, policy, so);
  session.open_store(path);
  EpisodeProgress progress(label);
  const SessionRunStats stats = session.run(ctx.stop, &progress);
  if (!stats.broken.empty()) {
    check_run_health(stats, session.results(), path.string(), ctx);
    throw RuntimeFailure(label + ": stopped by the circuit breaker");
  }
  return session.results();
}

// Episodes and the sum of their wall times (seconds one worker spent on them).
std::pair<double, double> episode_seconds(const std::vector<EpisodeResult>& rows) {
  double n = 0, seconds = 0;
  for (const auto& e : rows) {
    n += 1;
    seconds += e.wall_time_s;
  }
  return {n, seconds};
}

std::string file_label(const std::string& name) {
  return safe_file_name(name);
}

// The seeds the world model was trained on (gauntlet wm train records them).
std::set<std::string> training_seeds(const WorldModel& wm) {
  std::set<std::string> seeds;
  const auto* ts = dynamic_cast<const adapters::TorchscriptWorldModel*>(&wm);
  if (!ts) return seeds;
  try {
    const auto j = nlohmann::json::parse(ts->metadata().text);
    const auto& list = j.at("training").at("provenance").at("episode_seeds");
    for (const auto& s : list) seeds.insert(s.get<std::string>());
  } catch (const nlohmann::json::exception&) {
    // A model without provenance: nothing to check.
  }
  return seeds;
}

void validate_command(const ValidateOptions& o, CliContext& ctx) {
  if (o.wms.empty())
    throw InputError("wm validate: give the world model with --wm WM.pt (repeat for an ensemble)");
  if (o.judge.empty()) throw InputError("wm validate: give the judge with --judge JUDGE.pt");
  if (o.policies.size() < 2)
    throw InputError(
        "wm validate: give at least 2 policies (--policy, repeatable; 3+ for ranking agreement)");
  if (o.horizon < 0) throw InputError("--horizon must be >= 0 (0: whole episodes)");
  if (o.capture < 0) throw InputError("--capture must be >= 0");
  if (o.bootstrap < 100) throw InputError("--bootstrap must be at least 100");
  if (o.clip < 1) throw InputError("--clip must be >= 1");
  if (o.ssim_window != "gaussian" && o.ssim_window != "8x8")
    throw InputError("--ssim-window must be gaussian or 8x8");
  if (o.out.empty()) throw InputError("wm validate: --out DIR is required");
  if (!(o.min_spearman >= -1.0 && o.min_spearman <= 1.0))
    throw InputError("--min-spearman must be in [-1, 1]");
  if (o.threads > 0) adapters::set_torch_threads(o.threads);

  const SessionPlan prepared = plan_session(o.plan, ctx);
  const std::shared_ptr<const Suite> sim = prepared.suite;
  std::string env_text =
      "worldmodel:" + o.wms.front() + ",judge=" + o.judge +
      ",judge_every=" + std::to_string(o.judge_every) +
      (o.threshold > 0 ? ",threshold=" + std::to_string(o.threshold) : std::string());
  const worldmodel::WorldModelEnvOptions env = worldmodel::parse_world_model_env(env_text);
  auto metered = std::make_shared<MeteredJudge>(ctx.registry.make_judge(env.judge));
  std::shared_ptr<Judge> judge = metered;
  std::vector<std::shared_ptr<WorldModel>> models;
  std::vector<std::shared_ptr<const Suite>> wm_suites;
  for (const auto& w : o.wms) {
    worldmodel::WorldModelEnvOptions e = env;
    e.text = "worldmodel:" + w + ",judge=" + o.judge;
    e.model = worldmodel::parse_world_model_env("worldmodel:" + w + ",judge=" + o.judge).model;
    models.push_back(ctx.registry.make_world_model(e.model));
    wm_suites.push_back(worldmodel::make_world_model_suite(sim, models.back(), judge, e));
  }
  const WorldModelInfo& wi = models.front()->info();
  std::vector<std::string> tasks;
  for (const auto& t :
       prepared.plan.task_ids.empty() ? std::vector<std::string>{} : prepared.plan.task_ids)
    tasks.push_back(t);
  if (tasks.empty()) {
    for (const auto& t : sim->tasks()) tasks.push_back(t.id);
  }

  reports::WmReportCard card;
  card.suite = sim->info().name;
  card.seed = prepared.seed;
  card.episodes_per_task = prepared.plan.episodes_per_task;
  card.tasks = tasks;
  card.world_models = o.wms;
  for (const auto& m : models) card.world_model_identities.push_back(m->identity());
  card.judge = o.judge;
  card.judge_identity = judge->identity();
  card.judge_every = o.judge_every;
  card.threshold = worldmodel::resolved_threshold(env, *judge);
  card.command = ctx.command_line;
  card.harness_version = std::string("gauntlet ") + kHarnessVersion + " (" + kGitSha + ")";
  card.generated_at = utc_now_iso8601();

  // Data leakage: validation episodes the world model was trained on.
  const std::set<std::string> seen = training_seeds(*models.front());
  if (!seen.empty()) {
    std::size_t overlap = 0;
    for (const auto& s : prepared.specs) overlap += seen.count(std::to_string(s.seed));
    if (overlap > 0) {
      card.warnings.push_back(
          std::to_string(overlap) + " of " + std::to_string(prepared.specs.size()) +
          " validation episodes start from initial states the world model was trained on "
          "(same suite seed): record training rollouts with another --seed");
    }
  }

  const std::filesystem::path dir(o.out);
  std::vector<PolicyEpisodes> paired;
  std::vector<std::string> names, shadowed;
  std::vector<DemoEpisode> captured;
  double sim_seconds = 0, wm_seconds = 0;
  long sim_ran = 0, wm_ran = 0;
  for (const auto& text : o.policies) {
    const PolicySpec spec = PolicySpec::parse(text);
    const std::string name = spec.display_name();
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      throw InputError("--policy '" + text + "': two policies named '" + name +
                       "' (set name=LABEL)");
    }
    names.push_back(name);
    std::unique_ptr<Policy> policy = ctx.registry.make_policy(spec);
    const PolicyRequirements req = policy->requirements();
    const bool privileged = req.privileged;
    const bool looks = !req.cameras.empty();
    if (privileged) shadowed.push_back(name);
    CaptureRecorder capture(*sim, prepared.workers, wi.camera, wi.width, wi.height, o.capture);
    const RunResults s =
        run_into(sim, spec, *policy, prepared, dir / "results" / "sim" / (file_label(name) + ".h5"),
                 o.capture > 0 ? &capture : nullptr, "simulator: " + name, ctx);
    if (ctx.stop && ctx.stop->load()) break;
    for (auto& e : capture.take()) {
      e.name = name + ": " + e.name;
      captured.push_back(std::move(e));
    }
    reports::WmPolicyRow row;
    row.name = name;
    // Throughput per worker from every stored episode's wall time, so a
    // resumed validation reports the same cost as the run that made them.
    const auto [sim_n, sim_s] = episode_seconds(s.episodes);
    row.sim_episodes_per_s = sim_s > 0 ? sim_n / sim_s : std::numeric_limits<double>::quiet_NaN();
    sim_seconds += sim_s;
    sim_ran += static_cast<long>(sim_n);
    std::vector<std::vector<EpisodeResult>> wm_rows;
    for (std::size_t k = 0; k < wm_suites.size(); ++k) {
      const std::string sub = k == 0 ? "wm" : "wm" + std::to_string(k);
      RunResults w = run_into(
          wm_suites[k], spec, *policy, prepared, dir / "results" / sub / (file_label(name) + ".h5"),
          nullptr, "world model" + (k ? " " + std::to_string(k) : std::string()) + ": " + name,
          ctx);
      if (k == 0) {
        const auto [wm_n, wm_s] = episode_seconds(w.episodes);
        row.wm_episodes_per_s = wm_s > 0 ? wm_n / wm_s : std::numeric_limits<double>::quiet_NaN();
        wm_seconds += wm_s;
        wm_ran += static_cast<long>(wm_n);
      }
      wm_rows.push_back(std::move(w.episodes));
      if (ctx.stop && ctx.stop->load()) break;
    }
    if (ctx.stop && ctx.stop->load()) break;
    PolicyEpisodes pe = pair_episodes(name, s.episodes, wm_rows, tasks);
    row.episodes = static_cast<std::int64_t>(pe.episodes.size());
    row.wm_errors = pe.wm_errors;
    for (const auto& e : pe.episodes) {
      row.sim_successes += e.sim ? 1 : 0;
      row.wm_successes += e.wm.front() ? 1 : 0;
    }
    row.sim_ci = metrics::wilson_interval(row.sim_successes, row.episodes);
    row.wm_ci = metrics::wilson_interval(row.wm_successes, row.episodes);
    row.agreement = episode_agreement(pe.episodes);
    row.acted_on_generated_frames = looks;
    row.shadowed = privileged;
    card.policies.push_back(row);
    paired.push_back(std::move(pe));
  }
  if (ctx.stop && ctx.stop->load()) {
    std::fprintf(stderr,
                 "interrupted: finished episodes are saved under %s/results; run the same command "
                 "to resume\n",
                 o.out.c_str());
    ctx.exit_code = 130;
    return;
  }
  card.judge_cost = metered->cost();
  card.sim_episodes_per_s =
      sim_seconds > 0 ? sim_ran / sim_seconds : std::numeric_limits<double>::quiet_NaN();
  card.wm_episodes_per_s =
      wm_seconds > 0 ? wm_ran / wm_seconds : std::numeric_limits<double>::quiet_NaN();
  if (!shadowed.empty()) {
    card.shadow_note =
        "Policies that read simulator state (" + join_names(shadowed) +
        ") got it from a shadow simulation driven by the same actions: as far as they act on that "
        "state, their actions match the simulator's, and the world model is tested on generating "
        "those rollouts and the judge on scoring them. Policies that ask for a camera saw only "
        "generated frames (the 'Acted on' column); policies with neither acted on the predicted "
        "proprioception at most.";
  }

  std::vector<PairedEpisode> all;
  for (const auto& p : paired) all.insert(all.end(), p.episodes.begin(), p.episodes.end());
  card.overall = episode_agreement(all);
  // The judge's pooled error rates correct every policy's judged rate (the
  // same numbers a run with card= reports).
  auto& jc = card.judge_correction;
  jc.rates = metrics::judge_error_rates(card.overall.counts);
  jc.informative = metrics::corrected_rate(0, 1, card.overall.counts).informative;
  jc.min_spearman = o.min_spearman;
  for (auto& row : card.policies)
    row.wm_corrected = metrics::corrected_rate(row.wm_successes, row.episodes, card.overall.counts);
  metrics::BootstrapOptions bo;
  bo.resamples = o.bootstrap;
  card.agreements.push_back(ranking_agreement("world model (" + o.wms.front() + ")", paired, tasks,
                                              Verdict::kPrimary, bo));
  if (models.size() > 1) {
    card.agreements.push_back(
        ranking_agreement("ensemble majority vote", paired, tasks, Verdict::kEnsembleVote, bo));
    std::vector<std::vector<std::vector<bool>>> keep;
    const std::vector<double> fractions{0.0, 0.1, 0.25, 0.5};
    card.uncertainty = uncertainty_rows(paired, fractions, keep);
    for (std::size_t q = 1; q < fractions.size(); ++q) {
      auto a = ranking_agreement("discard " + std::to_string(static_cast<int>(fractions[q] * 100)) +
                                     "% most uncertain episodes",
                                 paired, tasks, Verdict::kPrimary, bo, keep[q]);
      a.note += (a.note.empty() ? "" : "; ") +
                std::string("world-model scores from the kept episodes, simulator scores from all");
      card.agreements.push_back(std::move(a));
    }
    card.uncertainty_note =
        "Disagreement of " + std::to_string(models.size()) +
        " world models per episode: p(1 - p) of their success votes, ties broken by the spread of "
        "their judges' progress. The most uncertain episodes go first, except that every policy "
        "keeps at least "
        "one episode per task. Accuracy: the first model's verdict against the simulator.";
  } else {
    card.uncertainty_note =
        "One world model: pass --wm several times (an ensemble trained with different --seed) for "
        "per-episode disagreement.";
  }

  // May this world model rank (and gate) policies? Its agreement interval must
  // exclude weak agreement, and its judge must be correctable.
  {
    const auto& primary = card.agreements.front();
    char buf[256];
    if (primary.result && !primary.result->spearman.interval) {
      jc.rankable = false;
      jc.rankable_note =
          "Spearman is undefined: the world model or the simulator gave every policy the same "
          "success rate; validate with policies of spread skill";
    } else if (!primary.result || !primary.result->spearman.interval) {
      jc.rankable = false;
      jc.rankable_note =
          "ranking agreement could not be computed (" +
          (primary.note.empty() ? std::string("fewer than 3 policies") : primary.note) +
          "): validate with at least 3 policies of spread skill";
    } else {
      jc.spearman_lower = primary.result->spearman.interval->lo;
      if (!(*jc.spearman_lower >= o.min_spearman)) {
        jc.rankable = false;
        std::snprintf(buf, sizeof buf,
                      "the lower end of the Spearman interval, %.3f, is below %.2f "
                      "(--min-spearman): the agreement interval is too wide (or too low) to rank; "
                      "validate with more episodes or policies",
                      *jc.spearman_lower, o.min_spearman);
        jc.rankable_note = buf;
      } else if (!jc.informative) {
        jc.rankable = false;
        jc.rankable_note =
            "the card cannot exclude an uninformative judge (sensitivity + specificity <= 1)";
      } else {
        jc.rankable = true;
        std::snprintf(buf, sizeof buf,
                      "the lower end of the Spearman interval, %.3f, reaches %.2f (--min-spearman)",
                      *jc.spearman_lower, o.min_spearman);
        jc.rankable_note = buf;
      }
    }
  }

  // Open-loop fidelity on held-out rollouts (given, or captured above).
  std::vector<DemoSet> holdout_sets;
  std::vector<const DemoEpisode*> fidelity_episodes;
  if (!o.holdout.empty()) {
    holdout_sets = read_demo_sets(o.holdout, wi.camera);
    for (const auto& s : holdout_sets) {
      for (const auto& e : s.episodes) fidelity_episodes.push_back(&e);
    }
    card.fidelity.source = "held-out rollouts " + join_names(o.holdout);
  } else {
    for (const auto& e : captured) fidelity_episodes.push_back(&e);
    card.fidelity.source = "the simulator runs above (the first " + std::to_string(o.capture) +
                           " episodes of each task and policy)";
    if (captured.empty())
      card.fidelity.note =
          "No episodes captured (all simulator episodes were resumed from files); pass --holdout. ";
  }
  FidelityOptions fo;
  fo.horizon = o.horizon;
  fo.batch = std::max(1, prepared.workers) * 4;
  fo.strips = o.strips;
  fo.ssim.window =
      o.ssim_window == "8x8" ? metrics::SsimWindow::kUniform8 : metrics::SsimWindow::kGaussian11;
  card.fidelity.ssim_window = o.ssim_window == "8x8"
                                  ? "8x8 uniform window, valid positions, averaged over RGB"
                                  : "11x11 Gaussian window (sigma 1.5), valid positions, averaged "
                                    "over RGB (Wang et al. 2004)";
  std::vector<std::vector<Image>> generated;
  if (!fidelity_episodes.empty()) {
    std::fprintf(stderr, "wm validate: open-loop replay of %zu episodes\n",
                 fidelity_episodes.size());
    open_loop_fidelity(*models.front(), fidelity_episodes, fo, card.fidelity, card.strips,
                       &generated);
  }
  if (!o.features.empty() && !fidelity_episodes.empty()) {
    card.fidelity.feature_extractor = o.features;
    card.fidelity.frechet_distance =
        clip_frechet_distance(o.features, fidelity_episodes, generated, o.clip, wi);
  }
  write_wm_report_card(card, dir);
  std::fprintf(stderr, "judge: sensitivity %.3f, specificity %.3f; %s: %s\n",
               card.judge_correction.rates.sensitivity, card.judge_correction.rates.specificity,
               card.judge_correction.rankable ? "rankable" : "NOT RANKABLE",
               card.judge_correction.rankable_note.c_str());
  std::fprintf(stderr, "wrote %s/report-card.html, report-card.md, report-card.json\n",
               o.out.c_str());
  if (o.json) {
    std::cout << reports::wm_report_card_json(card);
  } else if (!card.agreements.empty() && card.agreements.front().result) {
    const auto& r = *card.agreements.front().result;
    std::fprintf(stderr,
                 "ranking agreement with the simulator: Spearman %.3f, Kendall %.3f, Pearson %.3f, "
                 "MMRV %.3f\n",
                 r.spearman.value, r.kendall.value, r.pearson.value, r.mmrv.value);
  }
}

}  // namespace

void add_wm_validate_command(CLI::App& wm, CliContext& ctx) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* v = wm.add_subcommand("validate",
                                  "Run policies in the simulator and in world model(s) from the "
                                  "same seeds; write the report card");
  v->add_option("--suite", o->plan.suite, "suite name or PATH.yaml")->required();
  o->plan.episodes_option =
      v->add_option("--episodes", o->plan.episodes, "episodes per task (default: the suite's)");
  v->add_option("--seed", o->plan.seed,
                "suite seed override (use one the world model was not trained on)");
  v->add_option("--workers", o->plan.workers, "parallel episodes (default: CPU cores)");
  v->add_option("--task", o->plan.tasks, "only these task ids (repeatable)");
  v->add_option("--policy", o->policies,
                "a policy spec (repeatable; at least 3 for ranking agreement)")
      ->required();
  v->add_option("--wm", o->wms,
                "world model WM.pt or python:pkg.mod:Class (repeat for an ensemble; the first is "
                "the evaluator)")
      ->required();
  v->add_option("--judge", o->judge, "judge JUDGE.pt or python:pkg.mod:Class")->required();
  v->add_option("--judge-every", o->judge_every,
                "judge every N steps (0: only the last; default 1)");
  v->add_option("--threshold", o->threshold,
                "success when the judge's probability reaches it (default: the judge's calibrated "
                "threshold, else 0.5)");
  v->add_option(
      "--holdout", o->holdout,
      "demonstration files for open-loop fidelity (default: capture from the simulator runs)");
  v->add_option("--horizon", o->horizon, "open-loop steps replayed (default 0: whole episodes)");
  v->add_option("--capture", o->capture,
                "episodes per task and policy captured for open-loop replay (default 2)");
  v->add_option("--features", o->features,
                "TorchScript feature extractor for an FVD-style distance: forward([B, T, 3, H, W]) "
                "-> [B, D]");
  v->add_option("--clip", o->clip, "frames per clip for --features (default 8)");
  v->add_option("--ssim-window", o->ssim_window, "gaussian (11x11, sigma 1.5; default) or 8x8");
  v->add_option("--strips", o->strips, "side-by-side strips in the report (default 4)");
  v->add_option("--bootstrap", o->bootstrap,
                "bootstrap resamples for agreement intervals (default 2000)");
  v->add_option("--min-spearman", o->min_spearman,
                "the card calls the world model rankable when the lower end of the Spearman "
                "interval reaches it (default 0.5); compare refuses to gate otherwise");
  v->add_option("--threads", o->threads, "LibTorch threads (default 1)");
  v->add_option("--out", o->out, "directory for results/ and report-card.{html,md,json}")
      ->required();
  v->add_flag("--json", o->json, "print the report card JSON on stdout");
  v->callback([o, &ctx] { validate_command(*o, ctx); });
}

}  // namespace gauntlet::cli
