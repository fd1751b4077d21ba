// What `run`, `record` and later `compare --sequential` share: turning the
// common options into a loaded suite, a policy and a validated episode plan.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_context.hpp"
#include "harness/plan.hpp"
#include "harness/results_store.hpp"

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
  std::string env;  // --env: "" / "sim" (the suite's simulator) or worldmodel:MODEL,judge=JUDGE

  // Adds --suite --episodes --seed --workers --perturb --ood-sweep --ood-dims --task --env [--shard].
  void add_to(CLI::App& app, bool with_shard);
};

struct PreparedPlan {
  std::shared_ptr<const Suite> suite;
  EpisodePlan plan;
  std::uint64_t seed = 0;
  int workers = 1;
  std::vector<EpisodeSpec> specs;
};

// The results-file header of a run of `policy` on `suite` under `plan`: the
// suite's identity, the policy's, the plan's tasks and perturbation sets, the
// cameras of `request` (none when null), host, time and command. Callers add
// what only they know (replan_every, shard).
RunHeader make_run_header(const Suite& suite, const PolicySpec& spec, const Policy& policy, const EpisodePlan& plan,
                          std::uint64_t seed, const ObservationRequest* request, const std::string& command);

// The perturbation sets of the plan: --ood-sweep (nominal, then each dimension
// at each level) and every --perturb set; nominal alone when neither is given.
std::vector<PerturbationSet> perturbation_sets(const PlanOptions& o, const Suite& suite);

// Loads the suite (wrapped in the world-model backend when --env says so) and
// validates every option (InputError naming the option).
PreparedPlan prepare_plan(const PlanOptions& o, CliContext& ctx);

std::string sanitize_file_name(const std::string& name);

// --env (for commands that take plan options one by one, e.g. compare --sequential).
void add_env_option(CLI::App& app, std::string& env);

}  // namespace gauntlet::cli
