// The `gauntlet` executable: subcommands, exit codes (0 ok, 1 regression, 2 bad
// input, 3 runtime failure, 4 undecided, 130 interrupted) and signal handling.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "harness/version.hpp"

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_done{false};

void say(const char* text) {
  // write(2) is async-signal-safe; stdio is not.
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

// First SIGINT/SIGTERM: stop after saving finished episodes. Second: leave at
// once. Finished episodes are already on disk (every results-file write is an
// atomic rename), so leaving never loses one.
extern "C" void on_signal(int) {
  if (g_stop.exchange(true)) {
    say("\ngauntlet: interrupted again: leaving now; finished episodes are saved\n");
    ::_exit(130);
  }
}

// A policy call that never returns (a hung server, a sleeping or spinning
// Python policy, a huge settle phase) must not hold the process: once stopped,
// the command has this long to return on its own.
constexpr auto kStopGrace = std::chrono::milliseconds(1500);

void watch_for_stop() {
  while (!g_stop.load()) {
    if (g_done.load()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (g_done.load()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  say("\ngauntlet: interrupted: the running step did not return within 1.5 s; leaving now. "
      "Finished episodes "
      "are saved: run the same command again to resume\n");
  ::_exit(130);
}

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
    cli::add_replay_command(app, ctx);
    cli::add_compare_command(app, ctx);
    cli::add_leaderboard_command(app, ctx);
    cli::add_stats_command(app, ctx);
    cli::add_agreement_command(app, ctx);
    cli::add_import_command(app, ctx);
    cli::add_sim_real_command(app, ctx);
    cli::add_wm_command(app, ctx);
    cli::add_slurm_command(app, ctx);
    cli::add_k8s_command(app, ctx);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet: internal error while starting: " << e.what() << "\n";
    return kExitRuntimeFailure;
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::thread(watch_for_stop).detach();
  const auto finish = [](int code) {
    g_done.store(true);
    return code;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return finish(app.exit(e));
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return finish(kExitInputError);
  } catch (const InputError& e) {
    // Names in messages come from users and files: no raw ESC/CR on the terminal.
    std::cerr << "gauntlet: error: " << printable(e.what(), true) << "\n";
    return finish(kExitInputError);
  } catch (const std::exception& e) {
    std::cerr << "gauntlet: failed: " << printable(e.what(), true) << "\n";
    return finish(kExitRuntimeFailure);
  }
  if (g_stop.load()) return finish(130);
  return finish(ctx.exit_code);
}
