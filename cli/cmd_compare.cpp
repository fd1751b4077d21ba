// `gauntlet compare`: the CI gate. Fixed mode compares two results files
// paired by episode seed; --sequential runs two policies pair by pair (or
// replays two results files) and stops as soon as the designed sequential test
// (one-sided, candidate worse, design drop --delta, futility stop) decides: on
// success (--metric success) or on progress scores (--metric progress). Exit 0
// (no significant regression), 1 (regression), 2 (input error), 4 (sequential:
// stopped at the --max-episodes cap undecided).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "cli/cli_context.hpp"
#include "cli/progress.hpp"
#include "cli/run_setup.hpp"
#include "harness/errors.hpp"
#include "harness/evaluation_session.hpp"
#include "harness/plan_coverage.hpp"
#include "harness/results_store.hpp"
#include "metrics/sample_size.hpp"
#include "metrics/sequential_progress.hpp"
#include "metrics/sequential_test.hpp"
#include "reports/compare.hpp"
#include "reports/compare_writers.hpp"
#include "reports/sequential_compare.hpp"
#include "reports/success_rate.hpp"
#include "reports/writers.hpp"

namespace gauntlet::cli {
namespace {

struct CompareCliOptions {
  std::string baseline, candidate;
  double alpha = 0.05;
  double margin = 0.0;
  std::string adjustment = "holm";
  std::string out;
  std::string junit;
  bool json = false;
  bool allow_unpaired = false;
  bool allow_partial = false;
  bool allow_incomplete = false;
  bool force = false;  // gate with a world model its card calls not rankable
  // sequential
  bool sequential = false;
  PlanOptions plan;
  std::string policy_a, policy_b;
  int max_episodes = 0;  // hard cap in pairs; 0: twice the matched fixed-N design
  double p0 = 0.5;       // design: the baseline's success rate
  double delta = 0.1;    // design: the drop to detect (success fraction)
  double power = 0.8;
  double discordance = std::nan("");  // design: P(exactly one succeeds); NaN: independent policies
  std::string metric = "success";     // success | progress
  double score_sd = std::nan("");     // progress design: sd of the paired difference
  std::int64_t design_simulations = 4000;
};

void write_outputs(const CompareCliOptions& o, const std::string& markdown,
                   const std::string& junit) {
  if (!o.out.empty()) {
    std::filesystem::create_directories(o.out);
    reports::write_text_file(std::filesystem::path(o.out) / "compare.md", markdown);
    std::fprintf(stderr, "wrote %s\n", (std::filesystem::path(o.out) / "compare.md").c_str());
  }
  if (!o.junit.empty()) {
    reports::write_text_file(o.junit, junit);
    std::fprintf(stderr, "wrote %s\n", o.junit.c_str());
  }
}

// A world model whose card says its ranking agreement is too uncertain must
// not gate a release: exit 2 unless --force.
void require_rankable(const RunHeader& header, const std::string& source, bool force) {
  const auto card = reports::judge_card_info(header, source);
  if (!card || card->rankable) return;
  if (force) {
    std::fprintf(stderr,
                 "warning: gating with a world model its card calls NOT RANKABLE (--force): %s\n",
                 card->rankable_note.c_str());
    return;
  }
  throw InputError("compare: " + source + " is a world-model run whose card " + card->card +
                   " says the world model is NOT RANKABLE (" + card->rankable_note +
                   "); a gate on it would not mean anything. Validate a better world model, or "
                   "pass --force to gate anyway");
}

void fixed_compare(const CompareCliOptions& o, CliContext& ctx) {
  if (o.baseline.empty() || o.candidate.empty()) {
    throw InputError(
        "compare: give --baseline A.h5 and --candidate B.h5 (or --sequential with "
        "--policy-a/--policy-b)");
  }
  if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha must be in (0, 1)");
  if (o.margin < 0 || o.margin >= 1)
    throw InputError("--margin must be in [0, 1) (a success fraction, e.g. 0.02)");
  const RunResults a = ResultsStore::read(o.baseline);
  const RunResults b = ResultsStore::read(o.candidate);
  require_rankable(a.header.judge_card.empty() ? b.header : a.header,
                   a.header.judge_card.empty() ? o.candidate : o.baseline, o.force);
  if (!o.allow_incomplete) {
    require_complete(a, o.baseline, "compare");
    require_complete(b, o.candidate, "compare");
  }
  reports::CompareOptions options;
  options.alpha = o.alpha;
  options.margin = o.margin;
  options.adjustment = o.adjustment;
  options.require_pairing = !o.allow_unpaired;
  options.allow_partial = o.allow_partial;
  const auto r = reports::compare_runs(a, o.baseline, b, o.candidate, options);
  const std::string md = reports::compare_markdown(r);
  write_outputs(o, md, reports::compare_junit(r));
  if (o.json) {
    std::cout << reports::compare_json(r) << std::flush;
  } else {
    std::cout << md;
  }
  ctx.exit_code = r.regression ? kExitRegression : kExitOk;
}

// The test a sequential compare runs, fed one episode pair at a time: the designed SPRT on
// success (`--metric success`) or the betting e-process on progress (`--metric progress`).
class SequentialGate {
 public:
  virtual ~SequentialGate() = default;
  // The design's own horizon in pairs (the default --max-episodes).
  virtual int default_budget() const = 0;
  // Fixes the cap in pairs (--max-episodes or the default) before the first update.
  virtual void start(int budget) = 0;
  virtual void update(const EpisodeResult& a, const EpisodeResult& b) = 0;
  virtual bool finished() const = 0;
  virtual std::string status() const = 0;  // for the progress bar
  // Prints the verdict (Markdown or --json), writes --out, sets the exit code.
  virtual void finish(const CompareCliOptions& o, const std::string& baseline,
                      const std::string& candidate, int used, int budget, int skipped,
                      const std::string& baseline_file, const std::string& candidate_file,
                      CliContext& ctx) = 0;
};

class SuccessGate final : public SequentialGate {
 public:
  explicit SuccessGate(const CompareCliOptions& o) : alpha_(o.alpha), p0_(o.p0), delta_(o.delta) {
    // The designed test (one-sided: candidate worse) and its matched fixed-N McNemar design.
    metrics::PlanRequest req;
    req.p0 = o.p0;
    req.delta = -o.delta;
    req.alpha = o.alpha;
    req.power = o.power;
    req.alternative = metrics::Alternative::kLess;
    req.paired = true;
    req.discordance = o.discordance;
    req.simulations = 0;
    try {
      designed_ = metrics::plan_sample_size(req);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("compare --sequential: cannot design the test: ") + e.what());
    }
    power_ = o.power;
  }
  int default_budget() const override {
    return static_cast<int>(std::min<std::int64_t>(2 * designed_.design.fixed_n, 1'000'000));
  }
  void start(int budget) override {
    designed_.design.options.budget = budget;
    test_.emplace(designed_.design.options);
  }
  void update(const EpisodeResult& a, const EpisodeResult& b) override {
    test_->update(a.success, b.success);
  }
  bool finished() const override { return test_->finished(); }
  std::string status() const override {
    return "candidate won " + std::to_string(test_->b_wins()) + ", baseline won " +
           std::to_string(test_->a_wins());
  }
  void finish(const CompareCliOptions& o, const std::string& baseline, const std::string& candidate,
              int used, int budget, int skipped, const std::string& baseline_file,
              const std::string& candidate_file, CliContext& ctx) override {
    const metrics::SequentialDesign& design = designed_.design;
    const metrics::SequentialPairedTest& test = *test_;
    reports::SequentialCompareReport report;
    report.baseline = baseline;
    report.candidate = candidate;
    report.decision = test.decision();
    report.stop = test.stop();
    report.pairs_used = used;
    report.budget = budget;
    report.skipped_pairs = skipped;
    report.candidate_wins = test.b_wins();
    report.baseline_wins = test.a_wins();
    report.e_value_better = test.e_value_b_better();
    report.e_value_worse = test.e_value_b_worse();
    report.threshold = test.threshold();
    report.p_value = test.exact_p_value();
    report.ville_p_value = test.p_value();
    report.alpha = alpha_;
    report.design_p0 = p0_;
    report.design_delta = delta_;
    report.design_discordance = design.discordance;
    report.design_power_target = power_;
    report.fixed_n = design.fixed_n;
    report.fixed_power = designed_.batch_exact_power;
    report.design_power = design.power;
    report.design_false_positive_rate = design.false_positive_rate;
    report.expected_pairs = design.expected_pairs;
    report.expected_pairs_null = design.expected_pairs_null;
    report.max_discordant = design.options.max_discordant;
    report.futility_threshold = design.options.futility_threshold;
    report.baseline_file = baseline_file;
    report.candidate_file = candidate_file;
    const std::string md = reports::sequential_compare_markdown(report);
    write_outputs(o, md, "");
    std::cout << (o.json ? reports::sequential_compare_json(report) : md) << std::flush;
    // Exit 1: regression; 0: futility stop or the design's horizon reached undecided (no
    // regression at level alpha, as a fixed-N test that is not significant); 4: stopped at the
    // --max-episodes cap (or interrupted, or out of pairs) before the design could finish.
    const bool horizon = test.stop() == metrics::SequentialStop::kBudget &&
                         design.options.max_discordant > 0 &&
                         test.a_wins() + test.b_wins() >= design.options.max_discordant;
    if (test.decision() == metrics::SequentialDecision::kBWorse) {
      ctx.exit_code = kExitRegression;
    } else if (test.stop() != metrics::SequentialStop::kFutility && !horizon) {
      ctx.exit_code = kExitUndecided;
    }
  }

 private:
  double alpha_, p0_, delta_, power_ = 0.8;
  metrics::SamplePlan designed_;
  std::optional<metrics::SequentialPairedTest> test_;
};

class ProgressGate final : public SequentialGate {
 public:
  explicit ProgressGate(const CompareCliOptions& o) : alpha_(o.alpha), power_(o.power) {
    metrics::ProgressDesignRequest r;
    r.delta = o.delta;
    r.alpha = o.alpha;
    r.power = o.power;
    r.alternative = metrics::Alternative::kLess;
    r.simulations = o.design_simulations;
    if (std::isnan(o.score_sd)) {
      // Without a pilot estimate: the sd of a binary outcome's paired difference at --p0 and
      // --discordance (independent policies by default), the most a 0/1 progress can have.
      const double p_b = o.p0 - o.delta;
      const double d =
          std::isnan(o.discordance) ? metrics::independent_discordance(o.p0, p_b) : o.discordance;
      r.sd = std::sqrt(std::max(1e-6, d - o.delta * o.delta));
    } else {
      r.sd = o.score_sd;
    }
    try {
      design_ = metrics::design_progress_test(r);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("compare --sequential --metric progress: cannot design the "
                                   "test (check --delta and --score-sd): ") +
                       e.what());
    }
  }
  int default_budget() const override { return static_cast<int>(design_.options.max_pairs); }
  // The cap only ends the run; the design's own horizon (max_pairs) is in the options.
  void start(int /*budget*/) override { test_.emplace(design_.options); }
  void update(const EpisodeResult& a, const EpisodeResult& b) override {
    test_->update(a.progress, b.progress);
    sum_a_ += a.progress;
    sum_b_ += b.progress;
  }
  bool finished() const override { return test_->finished(); }
  std::string status() const override {
    char b[96];
    std::snprintf(b, sizeof b, "mean progress gap %+.3f, E %.3g", test_->mean_difference(),
                  test_->e_value());
    return b;
  }
  void finish(const CompareCliOptions& o, const std::string& baseline, const std::string& candidate,
              int used, int budget, int skipped, const std::string& baseline_file,
              const std::string& candidate_file, CliContext& ctx) override {
    const metrics::SequentialProgressTest& test = *test_;
    reports::ProgressCompareReport report;
    report.baseline = baseline;
    report.candidate = candidate;
    report.decision = test.decision();
    report.stop = test.stop();
    report.pairs_used = used;
    report.budget = budget;
    report.skipped_pairs = skipped;
    const double counted = static_cast<double>(std::max<std::int64_t>(1, test.pairs()));
    report.mean_baseline = test.pairs() > 0 ? sum_a_ / counted : 0.0;
    report.mean_candidate = test.pairs() > 0 ? sum_b_ / counted : 0.0;
    report.e_value = test.e_value();
    report.max_e_value = test.max_e_value();
    report.threshold = test.threshold();
    report.p_value = test.p_value();
    report.alpha = alpha_;
    report.design_delta = design_.options.design_delta;
    report.design_sd = design_.options.design_sd;
    report.design_power_target = power_;
    report.fixed_n = design_.fixed_n;
    report.design_power = design_.power;
    report.design_false_positive_rate = design_.false_positive_rate;
    report.expected_pairs = design_.expected_pairs;
    report.expected_pairs_null = design_.expected_pairs_null;
    report.design_simulations = design_.simulations;
    report.max_pairs = design_.options.max_pairs;
    report.futility_log_e = design_.options.futility_log_e;
    report.baseline_file = baseline_file;
    report.candidate_file = candidate_file;
    const std::string md = reports::progress_compare_markdown(report);
    write_outputs(o, md, "");
    std::cout << (o.json ? reports::progress_compare_json(report) : md) << std::flush;
    // The same exit codes as --metric success; the design's cap of pairs is its horizon.
    if (test.decision() == metrics::SequentialDecision::kBWorse) {
      ctx.exit_code = kExitRegression;
    } else if (!test.finished()) {
      ctx.exit_code = kExitUndecided;
    }
  }

 private:
  double alpha_, power_;
  metrics::ProgressDesign design_;
  std::optional<metrics::SequentialProgressTest> test_;
  double sum_a_ = 0.0, sum_b_ = 0.0;  // counted pairs only
};

std::unique_ptr<SequentialGate> make_gate(const CompareCliOptions& o) {
  if (o.max_episodes < 0) throw InputError("--max-episodes must be >= 1 (the cap in pairs)");
  if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha must be in (0, 1)");
  if (!(o.power > 0 && o.power < 1)) throw InputError("--power must be in (0, 1)");
  if (!(o.delta > 0 && o.delta < 1))
    throw InputError("--delta must be in (0, 1) (the drop to detect, e.g. 0.1)");
  // --p0 sets the success design, and the progress design's default --score-sd.
  if ((o.metric != "progress" || std::isnan(o.score_sd)) &&
      (!(o.p0 > 0 && o.p0 < 1) || o.p0 - o.delta < 0)) {
    throw InputError("--p0 must be in (0, 1) with --p0 - --delta >= 0");
  }
  if (o.metric == "success") return std::make_unique<SuccessGate>(o);
  if (o.metric == "progress") {
    if (!std::isnan(o.score_sd) && !(o.score_sd > 0 && o.score_sd < 1)) {
      throw InputError(
          "--score-sd must be in (0, 1) (the standard deviation of the per-pair "
          "progress difference), got " +
          std::to_string(o.score_sd));
    }
    if (o.design_simulations < 100 || o.design_simulations > 1'000'000)
      throw InputError("--design-simulations must be in [100, 1000000]");
    return std::make_unique<ProgressGate>(o);
  }
  throw InputError("--metric must be success or progress, got '" + o.metric + "'");
}

// Replays two results files through the sequential test, pair by pair in the order a live
// sequential compare runs them (episode index, then task, then perturbation): what the test
// would have decided, and when. Episodes must be paired (same key and seed).
void replay_compare(const CompareCliOptions& o, CliContext& ctx) {
  if (o.baseline.empty() || o.candidate.empty()) {
    throw InputError("compare --sequential on files needs both --baseline and --candidate");
  }
  auto gate = make_gate(o);
  const RunResults a = ResultsStore::read(o.baseline);
  const RunResults b = ResultsStore::read(o.candidate);
  require_rankable(a.header.judge_card.empty() ? b.header : a.header,
                   a.header.judge_card.empty() ? o.candidate : o.baseline, o.force);
  std::map<EpisodeKey, const EpisodeResult*> by_key;
  for (const auto& e : b.episodes) by_key[{e.task_id, e.perturbation_id, e.episode_index}] = &e;
  std::vector<std::pair<const EpisodeResult*, const EpisodeResult*>> pairs;
  for (const auto& e : a.episodes) {
    const auto it = by_key.find({e.task_id, e.perturbation_id, e.episode_index});
    if (it == by_key.end()) continue;
    if (it->second->seed != e.seed) {
      throw InputError("compare --sequential: " + o.candidate + " episode " + e.task_id + "/" +
                       e.perturbation_id + "/" + std::to_string(e.episode_index) +
                       " has another seed than in " + o.baseline +
                       ": the files are not paired (run both on the same suite and seed)");
    }
    pairs.emplace_back(&e, it->second);
  }
  if (pairs.empty()) {
    throw InputError("compare --sequential: " + o.baseline + " and " + o.candidate +
                     " share no episode");
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) {
    return x.first->episode_index < y.first->episode_index;
  });
  const int budget = o.max_episodes > 0
                         ? std::min(o.max_episodes, static_cast<int>(pairs.size()))
                         : std::min(gate->default_budget(), static_cast<int>(pairs.size()));
  gate->start(budget);
  int used = 0, skipped = 0;
  for (const auto& [ea, eb] : pairs) {
    if (gate->finished() || used >= budget) break;
    if (!ea->counts_for_policy() || !eb->counts_for_policy()) {
      ++skipped;
      continue;
    }
    gate->update(*ea, *eb);
    ++used;
  }
  gate->finish(o, a.header.policy_name, b.header.policy_name, used, budget, skipped, o.baseline,
               o.candidate, ctx);
}
// Runs --policy-a and --policy-b pair by pair on the suite and stops when the test does.
void sequential_compare(const CompareCliOptions& o, CliContext& ctx) {
  if (o.policy_a.empty() || o.policy_b.empty()) {
    throw InputError(
        "compare --sequential needs --policy-a SPEC (baseline) and --policy-b SPEC (candidate), "
        "or --baseline A.h5 and --candidate B.h5 to replay results files");
  }
  auto gate = make_gate(o);
  const int max_episodes = o.max_episodes > 0 ? o.max_episodes : gate->default_budget();
  gate->start(max_episodes);
  SessionPlan plan = plan_session(o.plan, ctx);
  const Suite& suite = *plan.suite;
  {
    RunHeader h;
    h.judge_card = suite.info().judge_card;
    require_rankable(h, "--env " + o.plan.env, o.force);
    if (suite.info().backend == "worldmodel" && h.judge_card.empty()) {
      std::fprintf(stderr,
                   "warning: gating in a world model without a validation card: its judge's errors "
                   "are not corrected (add card=report-card.json from gauntlet wm validate)\n");
    }
  }
  const std::size_t tasks =
      plan.plan.task_ids.empty() ? suite.tasks().size() : plan.plan.task_ids.size();
  plan.plan.episodes_per_task =
      static_cast<int>((static_cast<std::size_t>(max_episodes) + tasks - 1) / tasks);
  plan.plan.task_episodes.clear();  // the sequential test sets one count for every task
  plan.specs = plan_episodes(suite, plan.plan);
  // Round-robin over tasks so that wherever the test stops, tasks are evenly represented.
  std::stable_sort(
      plan.specs.begin(), plan.specs.end(),
      [](const EpisodeSpec& x, const EpisodeSpec& y) { return x.episode_index < y.episode_index; });
  plan.specs.resize(std::min(plan.specs.size(), static_cast<std::size_t>(max_episodes)));
  const std::span<const EpisodeSpec> specs(plan.specs);

  const PolicySpec spec_a = PolicySpec::parse(o.policy_a);
  const PolicySpec spec_b = PolicySpec::parse(o.policy_b);
  auto policy_a = ctx.registry.make_policy(spec_a);
  auto policy_b = ctx.registry.make_policy(spec_b);
  SessionOptions so;
  so.command = ctx.command_line;
  EvaluationSession session_a(plan, spec_a, *policy_a, so);
  EvaluationSession session_b(plan, spec_b, *policy_b, so);
  const std::filesystem::path dir =
      o.out.empty() ? std::filesystem::path("out/compare") : std::filesystem::path(o.out);
  session_a.open_store(dir / "baseline.h5");
  session_b.open_store(dir / "candidate.h5");

  ProgressBar progress("sequential " + spec_b.display_name() + " vs " + spec_a.display_name(),
                       "pairs", "pairs/s", max_episodes, 0);
  std::size_t next = 0;
  int used = 0, skipped = 0;
  const std::size_t batch = static_cast<std::size_t>(plan.workers);
  while (next < specs.size() && !gate->finished()) {
    if (ctx.stop && ctx.stop->load()) break;
    const std::size_t end = std::min(specs.size(), next + batch);
    const SessionRunStats ran_a = session_a.run(specs.subspan(next, end - next), ctx.stop);
    const SessionRunStats ran_b = session_b.run(specs.subspan(next, end - next), ctx.stop);
    if (!ran_a.broken.empty() || !ran_b.broken.empty()) {
      check_run_health(ran_a.broken.empty() ? ran_b : ran_a,
                       (ran_a.broken.empty() ? session_b : session_a).results(),
                       (ran_a.broken.empty() ? session_b : session_a).store_path().string(), ctx);
      return;
    }
    for (std::size_t i = next; i < end && !gate->finished(); ++i) {
      const EpisodeKey k{specs[i].task_id, specs[i].perturbation.id(), specs[i].episode_index};
      const EpisodeResult* ea = session_a.find(k);
      const EpisodeResult* eb = session_b.find(k);
      if (!ea || !eb) continue;
      if (!ea->counts_for_policy() || !eb->counts_for_policy()) {
        ++skipped;
        continue;
      }
      gate->update(*ea, *eb);
      ++used;
    }
    next = end;
    progress.update(used, gate->status());
  }
  progress.finish();
  gate->finish(o, spec_a.display_name(), spec_b.display_name(), used, max_episodes, skipped,
               (dir / "baseline.h5").string(), (dir / "candidate.h5").string(), ctx);
}

}  // namespace

void add_compare_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<CompareCliOptions>();
  CLI::App* cmp = app.add_subcommand(
      "compare", "CI gate: is the candidate significantly worse than the baseline?");
  cmp->add_option("--baseline", opts->baseline, "baseline results file (.h5)");
  cmp->add_option("--candidate", opts->candidate, "candidate results file (.h5)");
  cmp->add_option("--alpha", opts->alpha, "significance level (default 0.05)");
  cmp->add_option("--margin", opts->margin,
                  "only a drop larger than this success fraction is a regression");
  cmp->add_option("--adjustment", opts->adjustment,
                  "multiple-comparison adjustment over tasks: holm | bh | none");
  cmp->add_option("--out", opts->out, "directory for compare.md (and sequential results files)");
  cmp->add_option("--junit", opts->junit, "write a JUnit XML file");
  cmp->add_flag("--json", opts->json, "print JSON on stdout");
  cmp->add_flag("--allow-unpaired", opts->allow_unpaired,
                "compare files with different seeds (unpaired Cochran-Mantel-Haenszel test over "
                "tasks; weaker)");
  cmp->add_flag(
      "--allow-partial", opts->allow_partial,
      "accept a candidate that misses some of the baseline's episodes (the verdict says so); "
      "without it such a candidate is refused (exit 2)");
  cmp->add_flag("--allow-incomplete", opts->allow_incomplete,
                "accept results files that do not hold their whole plan (a lone shard, an "
                "interrupted run); without it they are refused (exit 2)");
  cmp->add_flag("--force", opts->force,
                "gate even with a world model its validation card calls not rankable");
  cmp->add_flag("--sequential", opts->sequential,
                "run --policy-a and --policy-b pair by pair, stop when decided");
  cmp->add_option("--policy-a", opts->policy_a, "sequential: baseline policy spec");
  cmp->add_option("--policy-b", opts->policy_b, "sequential: candidate policy spec");
  cmp->add_option(
      "--max-episodes", opts->max_episodes,
      "sequential: hard cap in episode pairs (default: twice the matched fixed-N design)");
  cmp->add_option("--delta", opts->delta,
                  "sequential: design drop to detect, success fraction (default 0.1)");
  cmp->add_option("--p0", opts->p0, "sequential: design baseline success rate (default 0.5)");
  cmp->add_option("--power", opts->power, "sequential: design power (default 0.8)");
  cmp->add_option(
      "--discordance", opts->discordance,
      "sequential: design P(exactly one policy succeeds) (default: independent policies)");
  cmp->add_option("--metric", opts->metric,
                  "sequential: success (designed SPRT on paired outcomes, default) | progress "
                  "(anytime-valid betting test on paired progress in [0, 1])");
  cmp->add_option("--score-sd", opts->score_sd,
                  "sequential --metric progress: design standard deviation of the per-pair "
                  "progress difference (default: that of a 0/1 outcome at --p0, --delta)");
  cmp->add_option("--design-simulations", opts->design_simulations,
                  "sequential --metric progress: simulated runs to design the test (default 4000)");
  cmp->add_option("--suite", opts->plan.suite, "sequential: suite");
  cmp->add_option("--seed", opts->plan.seed, "sequential: suite seed override");
  cmp->add_option("--workers", opts->plan.workers, "sequential: parallel episodes");
  cmp->add_option("--task", opts->plan.tasks, "sequential: only these tasks");
  add_env_option(*cmp, opts->plan.env);
  cmp->callback([opts, &ctx] {
    if (opts->metric != "success" && opts->metric != "progress")
      throw InputError("--metric must be success or progress, got '" + opts->metric + "'");
    if (opts->metric == "progress" && !opts->sequential) {
      throw InputError(
          "--metric progress needs --sequential (the fixed-N gate tests success rates)");
    }
    if (opts->sequential && (!opts->baseline.empty() || !opts->candidate.empty())) {
      replay_compare(*opts, ctx);
    } else if (opts->sequential) {
      if (opts->plan.suite.empty()) {
        throw InputError(
            "compare --sequential needs --suite (or --baseline/--candidate results files)");
      }
      sequential_compare(*opts, ctx);
    } else {
      fixed_compare(*opts, ctx);
    }
  });
}

}  // namespace gauntlet::cli
