#include "cli/run_setup.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "harness/errors.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/render/gl_context.hpp"

namespace gauntlet::cli {

void PlanOptions::add_to(CLI::App& app, bool with_shard) {
  app.add_option("--suite", suite, "suite name, PATH.yaml or bddl:PATH")->required();
  app.add_option("--robot", robot,
                 "run on this robot instead of the suite's, where the suite allows it "
                 "(`gauntlet list robots`)");
  app.add_option("--chains", chains,
                 "chain suites (calvin-*): run these chains, a JSON list of [INITIAL, [5 subtask "
                 "names]] as CALVIN's eval_sequences.json (docs/calvin.md)");
  app.add_option("--overlay", overlay,
                 "visual matching: composite the robot and objects over this PNG (the real "
                 "camera's view of the empty scene) in every task's agentview");
  episodes_option = app.add_option(
      "--episodes", episodes,
      "episodes of every task (and per perturbation); default: each task's own count "
      "(`gauntlet list tasks SUITE`)");
  app.add_option("--seed", seed, "suite seed override (episode seeds derive from it)");
  app.add_option("--workers", workers, "parallel episodes (one Env each); default: CPU cores");
  app.add_option("--perturb", perturb,
                 "perturbations applied together, DIM:LEVEL[,DIM:LEVEL...]; repeat for more sets");
  ood_sweep_option =
      app.add_option(
             "--ood-sweep", ood_sweep,
             "nominal plus every supported dimension at each level (default 1,2,3,4,5), paired")
          ->expected(0, 1);
  app.add_option("--ood-dims", ood_dims,
                 "dimensions of --ood-sweep, comma-separated (default: all the suite's)");
  app.add_option("--task", tasks, "only these task ids (repeatable)");
  add_env_option(app, env);
  if (with_shard)
    app.add_option("--shard", shard, "run part I of N of the episodes (0-based), e.g. 0/4");
}

bool check_run_health(const SessionRunStats& stats, const RunResults& results,
                      const std::string& where, CliContext& ctx) {
  std::map<Termination, int> errors;
  const EpisodeResult* first = nullptr;
  for (const auto& e : results.episodes) {
    if (e.termination == Termination::kPolicyError ||
        e.termination == Termination::kInvalidAction || e.termination == Termination::kSimError) {
      ++errors[e.termination];
      if (!first) first = &e;
    }
  }
  const int n = static_cast<int>(results.episodes.size());
  if (first) {
    std::string counts;
    for (const auto& [t, c] : errors)
      counts += (counts.empty() ? "" : ", ") + std::string(to_string(t)) + " " + std::to_string(c);
    int total = 0;
    for (const auto& [t, c] : errors) total += c;
    std::fprintf(stderr, "%s: %d of %d episodes ended in errors (%s); the first (%s #%d): %s\n",
                 where.c_str(), total, n, counts.c_str(), first->task_id.c_str(),
                 first->episode_index, first->error.c_str());
  }
  if (!stats.broken.empty()) {
    std::fprintf(
        stderr,
        "gauntlet: stopped by the circuit breaker: %s\n%s: the %d finished episodes are saved; "
        "fix the policy and run the same command again to resume\n",
        stats.broken.c_str(), where.c_str(), n);
    ctx.exit_code = kExitRuntimeFailure;
    return false;
  }
  if (n > 0 && errors[Termination::kPolicyError] == n) {
    std::fprintf(stderr, "gauntlet: no episode ran policy '%s' without a policy error\n",
                 results.header.policy_name.c_str());
    ctx.exit_code = kExitRuntimeFailure;
    return false;
  }
  return true;
}

void add_env_option(CLI::App& app, std::string& env) {
  app.add_option(
      "--env", env,
      "where episodes run: sim (default: the suite's simulator) or worldmodel:WM.pt,judge=JUDGE.pt "
      "(a learned world model; see docs/worldmodel.md)");
}

namespace {

// Runs `parse` and names the command-line option in any InputError it throws.
template <typename Parse>
auto for_option(const char* option, Parse&& parse) {
  try {
    return parse();
  } catch (const InputError& e) {
    throw InputError(std::string(option) + ": " + e.what());
  }
}

}  // namespace

std::vector<PerturbationSet> perturbation_sets(const PlanOptions& o, const Suite& suite) {
  const bool sweep = o.ood_sweep_option && o.ood_sweep_option->count() > 0;
  if (!o.ood_dims.empty() && !sweep) throw InputError("--ood-dims needs --ood-sweep");
  std::vector<PerturbationSet> sets;
  const auto add = [&](PerturbationSet set) {
    const std::string id = set.id();
    if (std::none_of(sets.begin(), sets.end(),
                     [&](const PerturbationSet& s) { return s.id() == id; })) {
      sets.push_back(std::move(set));
    }
  };
  if (sweep) {
    const std::vector<int> levels =
        perturb::parse_levels(o.ood_sweep.empty() ? "1,2,3,4,5" : o.ood_sweep, "--ood-sweep");
    std::vector<std::string> dims;
    if (o.ood_dims.empty()) {
      dims = suite.perturbation_dimensions();
      if (dims.empty())
        throw InputError("--ood-sweep: suite '" + suite.info().name + "' supports no perturbation");
    } else {
      std::stringstream in(o.ood_dims);
      for (std::string d; std::getline(in, d, ',');) dims.push_back(d);
    }
    add(PerturbationSet{});
    for (const auto& d : dims) {
      for (const int l : levels) {
        PerturbationSet set;
        set.items.emplace_back(d, l);
        perturb::validate_set(set, suite.perturbation_dimensions(), suite.info().name,
                              "--ood-dims");
        add(std::move(set));
      }
    }
  }
  for (const auto& text : o.perturb) {
    PerturbationSet set = for_option("--perturb", [&] { return PerturbationSet::parse(text); });
    perturb::validate_set(set, suite.perturbation_dimensions(), suite.info().name, "--perturb");
    add(std::move(set));
  }
  // A variant-aggregation suite's own variants, else nominal.
  if (sets.empty()) {
    for (const auto& id : suite.default_perturbations()) add(PerturbationSet::parse(id));
  }
  if (sets.empty()) add(PerturbationSet{});
  return sets;
}

PlanRequest plan_request(const PlanOptions& o) {
  // Values checked here first, so that errors name the option; the harness
  // checks them again in its own terms for other callers.
  if (o.episodes_option && o.episodes_option->count() > 0 && o.episodes < 1) {
    throw InputError("--episodes must be at least 1, got " + std::to_string(o.episodes));
  }
  if (o.workers < 0) throw InputError("--workers must be >= 1, got " + std::to_string(o.workers));
  for_option("--shard", [&] { return Shard::parse(o.shard); });
  if (!o.seed.empty()) for_option("--seed", [&] { return parse_suite_seed(o.seed); });
  PlanRequest r;
  r.suite = o.suite;
  r.env = o.env;
  r.robot = o.robot;
  r.chains = o.chains;
  r.overlay = o.overlay;
  if (o.episodes_option && o.episodes_option->count() > 0) r.episodes_per_task = o.episodes;
  r.seed = o.seed;
  r.workers = o.workers;
  r.tasks = o.tasks;
  r.shard = o.shard;
  r.perturbations = [o](const Suite& suite) { return perturbation_sets(o, suite); };
  return r;
}

SessionPlan plan_session(const PlanOptions& o, CliContext& ctx) {
  SessionPlan p = make_session_plan(plan_request(o), ctx.registry);
  render::configure_rendering(p.workers);
  return p;
}

}  // namespace gauntlet::cli
