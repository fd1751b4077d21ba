// `gauntlet compare`: the CI gate. Fixed mode compares two results files
// paired by episode seed; --sequential runs two policies pair by pair and
// stops as soon as the designed sequential test (one-sided, candidate worse,
// design drop --delta, futility stop) decides. Exit 0 (no significant
// regression), 1 (regression), 2 (input error), 4 (sequential: stopped at the
// --max-episodes cap undecided).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/cli_context.hpp"
#include "cli/progress.hpp"
#include "cli/run_setup.hpp"
#include "harness/errors.hpp"
#include "harness/evaluation_session.hpp"
#include "harness/plan_coverage.hpp"
#include "harness/results_store.hpp"
#include "metrics/sample_size.hpp"
#include "metrics/sequential_test.hpp"
#include "reports/compare.hpp"
#include "reports/compare_writers.hpp"
#include "reports/sequential_compare.hpp"
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
  // sequential
  bool sequential = false;
  PlanOptions plan;
  std::string policy_a, policy_b;
  int max_episodes = 0;  // hard cap in pairs; 0: twice the matched fixed-N design
  double p0 = 0.5;       // design: the baseline's success rate
  double delta = 0.1;    // design: the drop to detect (success fraction)
  double power = 0.8;
  double discordance = std::nan("");  // design: P(exactly one succeeds); NaN: independent policies
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

void sequential_compare(const CompareCliOptions& o, CliContext& ctx) {
  if (o.policy_a.empty() || o.policy_b.empty()) {
    throw InputError(
        "compare --sequential needs --policy-a SPEC (baseline) and --policy-b SPEC (candidate)");
  }
  if (o.max_episodes < 0) throw InputError("--max-episodes must be >= 1 (the cap in pairs)");
  if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha must be in (0, 1)");
  if (!(o.delta > 0 && o.delta < 1))
    throw InputError("--delta must be in (0, 1) (the drop to detect, e.g. 0.1)");
  if (!(o.p0 > 0 && o.p0 < 1) || o.p0 - o.delta < 0) {
    throw InputError("--p0 must be in (0, 1) with --p0 - --delta >= 0");
  }
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
  metrics::SamplePlan designed;
  try {
    designed = metrics::plan_sample_size(req);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("compare --sequential: cannot design the test: ") + e.what());
  }
  metrics::SequentialDesign& design = designed.design;
  const int max_episodes =
      o.max_episodes > 0 ? o.max_episodes
                         : static_cast<int>(std::min<std::int64_t>(2 * design.fixed_n, 1'000'000));
  design.options.budget = max_episodes;
  SessionPlan plan = plan_session(o.plan, ctx);
  const Suite& suite = *plan.suite;
  const std::size_t tasks =
      plan.plan.task_ids.empty() ? suite.tasks().size() : plan.plan.task_ids.size();
  plan.plan.episodes_per_task =
      static_cast<int>((static_cast<std::size_t>(max_episodes) + tasks - 1) / tasks);
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

  metrics::SequentialPairedTest test(design.options);
  ProgressBar progress("sequential " + spec_b.display_name() + " vs " + spec_a.display_name(),
                       "pairs", "pairs/s", max_episodes, 0);
  std::size_t next = 0;
  int used = 0, skipped = 0;
  const std::size_t batch = static_cast<std::size_t>(plan.workers);
  while (next < specs.size() && !test.finished()) {
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
    for (std::size_t i = next; i < end && !test.finished(); ++i) {
      const EpisodeKey k{specs[i].task_id, specs[i].perturbation.id(), specs[i].episode_index};
      const EpisodeResult* ea = session_a.find(k);
      const EpisodeResult* eb = session_b.find(k);
      if (!ea || !eb) continue;
      if (!ea->counts_for_policy() || !eb->counts_for_policy()) {
        ++skipped;
        continue;
      }
      test.update(ea->success, eb->success);
      ++used;
    }
    next = end;
    progress.update(used, "candidate won " + std::to_string(test.b_wins()) + ", baseline won " +
                              std::to_string(test.a_wins()));
  }
  progress.finish();
  const auto decision = test.decision();
  reports::SequentialCompareReport report;
  report.baseline = spec_a.display_name();
  report.candidate = spec_b.display_name();
  report.decision = decision;
  report.stop = test.stop();
  report.pairs_used = used;
  report.budget = max_episodes;
  report.skipped_pairs = skipped;
  report.candidate_wins = test.b_wins();
  report.baseline_wins = test.a_wins();
  report.e_value_better = test.e_value_b_better();
  report.e_value_worse = test.e_value_b_worse();
  report.threshold = test.threshold();
  report.p_value = test.exact_p_value();
  report.ville_p_value = test.p_value();
  report.alpha = o.alpha;
  report.design_p0 = o.p0;
  report.design_delta = o.delta;
  report.design_discordance = design.discordance;
  report.design_power_target = o.power;
  report.fixed_n = design.fixed_n;
  report.fixed_power = designed.batch_exact_power;
  report.design_power = design.power;
  report.design_false_positive_rate = design.false_positive_rate;
  report.expected_pairs = design.expected_pairs;
  report.expected_pairs_null = design.expected_pairs_null;
  report.max_discordant = design.options.max_discordant;
  report.futility_threshold = design.options.futility_threshold;
  report.baseline_file = (dir / "baseline.h5").string();
  report.candidate_file = (dir / "candidate.h5").string();
  const std::string md = reports::sequential_compare_markdown(report);
  write_outputs(o, md, "");
  std::cout << (o.json ? reports::sequential_compare_json(report) : md) << std::flush;
  // Exit 1: regression; 0: futility stop or the design's horizon reached undecided (no
  // regression at level alpha, as a fixed-N test that is not significant); 4: stopped at the
  // --max-episodes cap (or interrupted) before the design could finish.
  const bool horizon = test.stop() == metrics::SequentialStop::kBudget &&
                       design.options.max_discordant > 0 &&
                       test.a_wins() + test.b_wins() >= design.options.max_discordant;
  if (decision == metrics::SequentialDecision::kBWorse) {
    ctx.exit_code = kExitRegression;
  } else if (test.stop() != metrics::SequentialStop::kFutility && !horizon) {
    ctx.exit_code = kExitUndecided;
  }
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
  cmp->add_option("--suite", opts->plan.suite, "sequential: suite");
  cmp->add_option("--seed", opts->plan.seed, "sequential: suite seed override");
  cmp->add_option("--workers", opts->plan.workers, "sequential: parallel episodes");
  cmp->add_option("--task", opts->plan.tasks, "sequential: only these tasks");
  add_env_option(*cmp, opts->plan.env);
  cmp->callback([opts, &ctx] {
    if (opts->sequential) {
      if (opts->plan.suite.empty()) throw InputError("compare --sequential needs --suite");
      sequential_compare(*opts, ctx);
    } else {
      fixed_compare(*opts, ctx);
    }
  });
}

}  // namespace gauntlet::cli
