// The plan options that `run`, `record`, `compare --sequential` and
// `wm validate` share, turned into a harness PlanRequest / SessionPlan.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_context.hpp"
#include "harness/evaluation_session.hpp"
#include "harness/plan.hpp"

namespace gauntlet::cli {

struct PlanOptions {
  std::string suite;
  int episodes = 0;
  CLI::Option* episodes_option = nullptr;
  std::string seed;
  int workers = 0;
  std::vector<std::string> perturb;  // one perturbation set per occurrence
  std::string ood_sweep;             // levels of --ood-sweep ("" with the option: 1..5)
  CLI::Option* ood_sweep_option = nullptr;
  std::string ood_dims;  // dimensions of the sweep (default: every one the suite supports)
  std::vector<std::string> tasks;
  std::string shard = "0/1";
  std::string env;      // --env: "" / "sim" (the suite's simulator) or worldmodel:MODEL,judge=JUDGE
  std::string robot;    // --robot: run on this robot where the suite allows ("" : the suite's)
  std::string chains;   // --chains: a chain file (CALVIN-like suites)
  std::string overlay;  // --overlay: visual-matching background PNG for every task

  // Adds --suite --robot --episodes --seed --workers --perturb --ood-sweep --ood-dims --task --env
  // [--shard].
  void add_to(CLI::App& app, bool with_shard);
};

// The perturbation sets of the plan: --ood-sweep (nominal, then each dimension
// at each level) and every --perturb set; nominal alone when neither is given.
std::vector<PerturbationSet> perturbation_sets(const PlanOptions& o, const Suite& suite);

// The plan request of these options (suite, environment, episodes, seed,
// workers, tasks, shard, perturbation sets).
PlanRequest plan_request(const PlanOptions& o);

// Loads the suite in its environment and plans the episodes
// (make_session_plan); sizes the rasteriser's threads for the workers.
SessionPlan plan_session(const PlanOptions& o, CliContext& ctx);

// After a session's run: says on stderr how many episodes ended in errors
// (and the first error), and why the circuit breaker stopped the run if it
// did. Sets exit code 3 when the breaker tripped or when no stored episode ran
// the policy without a policy error; returns false then.
bool check_run_health(const SessionRunStats& stats, const RunResults& results,
                      const std::string& where, CliContext& ctx);

// --env (for commands that take plan options one by one, e.g. compare --sequential).
void add_env_option(CLI::App& app, std::string& env);

}  // namespace gauntlet::cli
