// The `gauntlet` executable: subcommands, exit codes (0 ok, 1 regression, 2 bad
// input, 3 runtime failure, 4 undecided, 130 interrupted) and signal handling.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "harness/version.hpp"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

}  // namespace

int main(int argc, char** argv) {
  using namespace gauntlet;
  cli::CliContext ctx;
  ctx.stop = &g_stop;
  for (int i = 0; i < argc; ++i) ctx.command_line += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{"gauntlet: statistically confident evaluation of robot policies"};
  app.set_version_flag("--version", std::string(kHarnessVersion) + " (" + kGitSha + ")");
  app.require_subcommand(1);
  try {
    cli::register_everything(ctx.registry);
    cli::add_preview_command(app, ctx);
    cli::add_list_command(app, ctx);
    cli::add_run_command(app, ctx);
    cli::add_report_command(app, ctx);
    cli::add_merge_command(app, ctx);
    cli::add_record_command(app, ctx);
    cli::add_compare_command(app, ctx);
    cli::add_leaderboard_command(app, ctx);
    cli::add_stats_command(app, ctx);
    cli::add_agreement_command(app, ctx);
    cli::add_wm_command(app, ctx);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet: internal error while starting: " << e.what() << "\n";
    return kExitRuntimeFailure;
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInputError;
  } catch (const InputError& e) {
    // Names in messages come from users and files: no raw ESC/CR on the terminal.
    std::cerr << "gauntlet: error: " << printable(e.what(), true) << "\n";
    return kExitInputError;
  } catch (const std::exception& e) {
    std::cerr << "gauntlet: failed: " << printable(e.what(), true) << "\n";
    return kExitRuntimeFailure;
  }
  if (g_stop.load() && ctx.exit_code == 0) return 130;
  return ctx.exit_code;
}
