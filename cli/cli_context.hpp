// State shared by the subcommands of the `gauntlet` executable: the registry
// of suites and policies, the command line (for provenance), and the exit code.
#pragma once

#include <atomic>
#include <string>

#include <CLI/CLI.hpp>

#include "harness/registry.hpp"

namespace gauntlet::cli {

struct CliContext {
  Registry registry;
  std::string command_line;
  int exit_code = 0;
  // Set by SIGINT/SIGTERM: running commands stop after saving finished episodes.
  std::atomic<bool>* stop = nullptr;
};

void add_preview_command(CLI::App& app, CliContext& ctx);
void add_list_command(CLI::App& app, CliContext& ctx);
void add_run_command(CLI::App& app, CliContext& ctx);
void add_report_command(CLI::App& app, CliContext& ctx);
void add_merge_command(CLI::App& app, CliContext& ctx);
void add_record_command(CLI::App& app, CliContext& ctx);
void add_replay_command(CLI::App& app, CliContext& ctx);
void add_compare_command(CLI::App& app, CliContext& ctx);
void add_leaderboard_command(CLI::App& app, CliContext& ctx);
void add_stats_command(CLI::App& app, CliContext& ctx);
void add_agreement_command(CLI::App& app, CliContext& ctx);
void add_import_command(CLI::App& app, CliContext& ctx);
void add_sim_real_command(CLI::App& app, CliContext& ctx);
void add_wm_command(CLI::App& app, CliContext& ctx);
void add_slurm_command(CLI::App& app, CliContext& ctx);
void add_k8s_command(CLI::App& app, CliContext& ctx);

// Registers every built-in suite and policy kind.
void register_everything(Registry& registry);

}  // namespace gauntlet::cli
