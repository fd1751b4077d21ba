// What `run`, `record` and later `compare --sequential` share: turning the
// common options into a loaded suite, a policy and a validated episode plan.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_context.hpp"
#include "harness/plan.hpp"

namespace gauntlet::cli {

struct PlanOptions {
  std::string suite;
  int episodes = 0;
  CLI::Option* episodes_option = nullptr;
  std::string seed;
  int workers = 0;
  std::string perturb;
  std::vector<std::string> tasks;
  std::string shard = "0/1";

  // Adds --suite --episodes --seed --workers --perturb --task [--shard].
  void add_to(CLI::App& app, bool with_shard);
};

struct PreparedPlan {
  std::shared_ptr<const Suite> suite;
  EpisodePlan plan;
  std::uint64_t seed = 0;
  int workers = 1;
  std::vector<EpisodeSpec> specs;
};

// Loads the suite and validates every option (InputError naming the option).
PreparedPlan prepare_plan(const PlanOptions& o, CliContext& ctx);

std::string sanitize_file_name(const std::string& name);

}  // namespace gauntlet::cli
