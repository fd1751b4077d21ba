// `gauntlet compare`: the CI gate. Fixed mode compares two results files
// paired by episode seed; --sequential runs two policies pair by pair and
// stops as soon as the anytime-valid test decides. Exit 0 (no significant
// regression), 1 (regression), 2 (input error), 4 (sequential: undecided).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/cli_context.hpp"
#include "cli/progress.hpp"
#include "cli/run_setup.hpp"
#include "harness/errors.hpp"
#include "harness/evaluation_session.hpp"
#include "harness/results_store.hpp"
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
  // sequential
  bool sequential = false;
  PlanOptions plan;
  std::string policy_a, policy_b;
  int max_episodes = 0;
};

void write_outputs(const CompareCliOptions& o, const std::string& markdown, const std::string& junit) {
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
    throw InputError("compare: give --baseline A.h5 and --candidate B.h5 (or --sequential with --policy-a/--policy-b)");
  }
  if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha must be in (0, 1)");
  if (o.margin < 0 || o.margin >= 1) throw InputError("--margin must be in [0, 1) (a success fraction, e.g. 0.02)");
  const RunResults a = ResultsStore::read(o.baseline);
  const RunResults b = ResultsStore::read(o.candidate);
  reports::CompareOptions options;
  options.alpha = o.alpha;
  options.margin = o.margin;
  options.adjustment = o.adjustment;
  options.require_pairing = !o.allow_unpaired;
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
    throw InputError("compare --sequential needs --policy-a SPEC (baseline) and --policy-b SPEC (candidate)");
  }
  if (o.max_episodes < 1) throw InputError("compare --sequential needs --max-episodes N >= 1 (the budget in pairs)");
  if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha must be in (0, 1)");
  SessionPlan plan = plan_session(o.plan, ctx);
  const Suite& suite = *plan.suite;
  const std::size_t tasks = plan.plan.task_ids.empty() ? suite.tasks().size() : plan.plan.task_ids.size();
  plan.plan.episodes_per_task = static_cast<int>((static_cast<std::size_t>(o.max_episodes) + tasks - 1) / tasks);
  plan.specs = plan_episodes(suite, plan.plan);
  // Round-robin over tasks so that wherever the test stops, tasks are evenly represented.
  std::stable_sort(plan.specs.begin(), plan.specs.end(),
                   [](const EpisodeSpec& x, const EpisodeSpec& y) { return x.episode_index < y.episode_index; });
  plan.specs.resize(static_cast<std::size_t>(o.max_episodes));
  const std::span<const EpisodeSpec> specs(plan.specs);

  const PolicySpec spec_a = PolicySpec::parse(o.policy_a);
  const PolicySpec spec_b = PolicySpec::parse(o.policy_b);
  auto policy_a = ctx.registry.make_policy(spec_a);
  auto policy_b = ctx.registry.make_policy(spec_b);
  SessionOptions so;
  so.command = ctx.command_line;
  EvaluationSession session_a(plan, spec_a, *policy_a, so);
  EvaluationSession session_b(plan, spec_b, *policy_b, so);
  const std::filesystem::path dir = o.out.empty() ? std::filesystem::path("out/compare") : std::filesystem::path(o.out);
  session_a.open_store(dir / "baseline.h5");
  session_b.open_store(dir / "candidate.h5");

  metrics::SequentialOptions seq;
  seq.alpha = o.alpha;
  seq.budget = o.max_episodes;
  metrics::SequentialPairedTest test(seq);
  ProgressBar progress("sequential " + spec_b.display_name() + " vs " + spec_a.display_name(), "pairs", "pairs/s",
                       o.max_episodes, 0);
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
  report.budget = o.max_episodes;
  report.skipped_pairs = skipped;
  report.candidate_wins = test.b_wins();
  report.baseline_wins = test.a_wins();
  report.e_value_better = test.e_value_b_better();
  report.e_value_worse = test.e_value_b_worse();
  report.threshold = test.threshold();
  report.p_value = test.p_value();
  report.alpha = o.alpha;
  report.baseline_file = (dir / "baseline.h5").string();
  report.candidate_file = (dir / "candidate.h5").string();
  const std::string md = reports::sequential_compare_markdown(report);
  write_outputs(o, md, "");
  std::cout << (o.json ? reports::sequential_compare_json(report) : md) << std::flush;
  if (decision == metrics::SequentialDecision::kBWorse) ctx.exit_code = kExitRegression;
  else if (decision == metrics::SequentialDecision::kUndecided && test.stop() != metrics::SequentialStop::kFutility) {
    ctx.exit_code = kExitUndecided;
  }
}

}  // namespace

void add_compare_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<CompareCliOptions>();
  CLI::App* cmp = app.add_subcommand("compare", "CI gate: is the candidate significantly worse than the baseline?");
  cmp->add_option("--baseline", opts->baseline, "baseline results file (.h5)");
  cmp->add_option("--candidate", opts->candidate, "candidate results file (.h5)");
  cmp->add_option("--alpha", opts->alpha, "significance level (default 0.05)");
  cmp->add_option("--margin", opts->margin, "only a drop larger than this success fraction is a regression");
  cmp->add_option("--adjustment", opts->adjustment, "multiple-comparison adjustment over tasks: holm | bh | none");
  cmp->add_option("--out", opts->out, "directory for compare.md (and sequential results files)");
  cmp->add_option("--junit", opts->junit, "write a JUnit XML file");
  cmp->add_flag("--json", opts->json, "print JSON on stdout");
  cmp->add_flag("--allow-unpaired", opts->allow_unpaired, "compare files with different seeds (weaker test)");
  cmp->add_flag("--sequential", opts->sequential, "run --policy-a and --policy-b pair by pair, stop when decided");
  cmp->add_option("--policy-a", opts->policy_a, "sequential: baseline policy spec");
  cmp->add_option("--policy-b", opts->policy_b, "sequential: candidate policy spec");
  cmp->add_option("--max-episodes", opts->max_episodes, "sequential: budget in episode pairs");
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
