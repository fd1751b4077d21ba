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
#include "harness/results_store.hpp"
#include "harness/runner.hpp"
#include "harness/version.hpp"
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


struct Collect final : EpisodeSink {
  ResultsStore& store;
  std::map<EpisodeKey, EpisodeResult> rows;
  explicit Collect(ResultsStore& s) : store(s) {}
  void on_episodes(std::span<const EpisodeResult> finished) override {
    store.append(finished);
    for (const auto& e : finished) rows[e.key()] = e;
  }
};

void sequential_compare(const CompareCliOptions& o, CliContext& ctx) {
  if (o.policy_a.empty() || o.policy_b.empty()) {
    throw InputError("compare --sequential needs --policy-a SPEC (baseline) and --policy-b SPEC (candidate)");
  }
  if (o.max_episodes < 1) throw InputError("compare --sequential needs --max-episodes N >= 1 (the budget in pairs)");
  if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha must be in (0, 1)");
  PlanOptions plan_options = o.plan;
  PreparedPlan prepared = prepare_plan(plan_options, ctx);
  const Suite& suite = *prepared.suite;
  const std::size_t tasks = prepared.plan.task_ids.empty() ? suite.tasks().size() : prepared.plan.task_ids.size();
  prepared.plan.episodes_per_task =
      static_cast<int>((static_cast<std::size_t>(o.max_episodes) + tasks - 1) / tasks);
  auto specs = plan_episodes(suite, prepared.plan);
  // Round-robin over tasks so that wherever the test stops, tasks are evenly represented.
  std::stable_sort(specs.begin(), specs.end(),
                   [](const EpisodeSpec& x, const EpisodeSpec& y) { return x.episode_index < y.episode_index; });
  specs.resize(static_cast<std::size_t>(o.max_episodes));

  const PolicySpec spec_a = PolicySpec::parse(o.policy_a);
  const PolicySpec spec_b = PolicySpec::parse(o.policy_b);
  auto policy_a = ctx.registry.make_policy(spec_a);
  auto policy_b = ctx.registry.make_policy(spec_b);
  RunnerOptions ro;
  ro.workers = prepared.workers;
  Runner runner_a(suite, *policy_a, ro);
  Runner runner_b(suite, *policy_b, ro);
  const std::filesystem::path dir = o.out.empty() ? std::filesystem::path("out/compare") : std::filesystem::path(o.out);
  std::filesystem::create_directories(dir);
  auto header_a = make_run_header(suite, spec_a, *policy_a, prepared.plan, prepared.seed, nullptr, ctx.command_line);
  auto header_b = make_run_header(suite, spec_b, *policy_b, prepared.plan, prepared.seed, nullptr, ctx.command_line);
  auto store_a = ResultsStore::open_for_run(dir / "baseline.h5", header_a);
  auto store_b = ResultsStore::open_for_run(dir / "candidate.h5", header_b);
  Collect sink_a(*store_a), sink_b(*store_b);
  for (const auto& e : store_a->results().episodes) sink_a.rows[e.key()] = e;
  for (const auto& e : store_b->results().episodes) sink_b.rows[e.key()] = e;

  metrics::SequentialOptions so;
  so.alpha = o.alpha;
  so.budget = o.max_episodes;
  metrics::SequentialPairedTest test(so);
  Progress progress("sequential " + spec_b.display_name() + " vs " + spec_a.display_name(), o.max_episodes, 0, 0);
  std::size_t next = 0;
  int used = 0, skipped = 0;
  const std::size_t batch = static_cast<std::size_t>(prepared.workers);
  while (next < specs.size() && !test.finished()) {
    if (ctx.stop && ctx.stop->load()) break;
    const std::size_t end = std::min(specs.size(), next + batch);
    std::vector<EpisodeSpec> todo_a, todo_b;
    for (std::size_t i = next; i < end; ++i) {
      const EpisodeKey k{specs[i].task_id, specs[i].perturbation.id(), specs[i].episode_index};
      if (!sink_a.rows.count(k)) todo_a.push_back(specs[i]);
      if (!sink_b.rows.count(k)) todo_b.push_back(specs[i]);
    }
    runner_a.run(todo_a, sink_a, ctx.stop);
    runner_b.run(todo_b, sink_b, ctx.stop);
    for (std::size_t i = next; i < end && !test.finished(); ++i) {
      const EpisodeKey k{specs[i].task_id, specs[i].perturbation.id(), specs[i].episode_index};
      const auto ia = sink_a.rows.find(k);
      const auto ib = sink_b.rows.find(k);
      if (ia == sink_a.rows.end() || ib == sink_b.rows.end()) continue;
      if (!ia->second.counts_for_policy() || !ib->second.counts_for_policy()) {
        ++skipped;
        continue;
      }
      test.update(ia->second.success, ib->second.success);
      ++used;
    }
    next = end;
    progress.update(used, static_cast<int>(test.b_wins()));
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
