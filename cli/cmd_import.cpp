// `gauntlet import trials.csv|eval_info.json --out F.h5|DIR [--backend real|sim]`: real-robot
// trials (or another harness's episodes) as results files, one per policy, that report,
// compare, leaderboard and sim-real read like any run.
#include <cstdio>
#include <map>

#include "cli/cli_context.hpp"
#include "cli/trial_import.hpp"
#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "harness/results_store.hpp"

namespace gauntlet::cli {
namespace {

struct ImportCommandOptions {
  std::string input;
  std::string out;
  bool force = false;
  ImportOptions import;
};

void import_command(const ImportCommandOptions& o) {
  const std::vector<RunResults> runs = import_trials(o.input, o.import);
  // The store holds one policy per file: F.h5 for one policy, else one file per policy in DIR.
  std::vector<std::filesystem::path> targets;
  const std::filesystem::path out(o.out);
  if (out.extension() == ".h5") {
    if (runs.size() != 1) {
      throw InputError("--out: " + o.input + " holds " + std::to_string(runs.size()) +
                       " policies and a results file holds one; give a directory (--out DIR "
                       "writes DIR/POLICY.h5 for each)");
    }
    targets.push_back(out);
  } else {
    std::map<std::filesystem::path, std::string> seen;
    for (const auto& r : runs) {
      const auto path = file_inside(out, r.header.policy_name, ".h5");
      const auto [it, fresh] = seen.emplace(path, r.header.policy_name);
      if (!fresh) {
        throw InputError("--out: policies '" + it->second + "' and '" + r.header.policy_name +
                         "' map to one file name " + path.string());
      }
      targets.push_back(path);
    }
  }
  // Refuse before writing anything: an earlier import or run is never replaced unasked.
  for (const auto& t : targets) {
    if (std::filesystem::exists(t) && !o.force) {
      throw InputError("--out: '" + t.string() +
                       "' exists; pass --force to replace it (nothing was written)");
    }
  }
  if (out.extension() != ".h5") {
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) throw InputError("--out: cannot create directory '" + o.out + "': " + ec.message());
  } else if (out.has_parent_path() && !std::filesystem::is_directory(out.parent_path())) {
    throw InputError("--out: directory '" + out.parent_path().string() + "' does not exist");
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ResultsStore::write(targets[i], runs[i]);
    std::size_t successes = 0;
    for (const auto& e : runs[i].episodes) successes += e.success ? 1 : 0;
    std::printf("%s: policy %s, %zu tasks, %zu/%zu successes, backend %s\n",
                targets[i].string().c_str(), printable(runs[i].header.policy_name).c_str(),
                runs[i].header.tasks.size(), successes, runs[i].episodes.size(),
                runs[i].header.backend.c_str());
  }
}

}  // namespace

void add_import_command(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<ImportCommandOptions>();
  CLI::App* c = app.add_subcommand(
      "import", "Turn real-robot trial logs (CSV, LeRobot eval_info.json) into results files");
  c->add_option("input", o->input,
                "CSV with a header row: policy,task,episode,success[,progress,seed,operator,"
                "timestamp,notes]; or LeRobot's eval_info.json")
      ->required();
  c->add_option("--out", o->out, "F.h5 (one policy) or a directory: DIR/POLICY.h5 per policy")
      ->required();
  c->add_option("--backend", o->import.backend, "real (default) or sim (another simulator)");
  c->add_option("--suite", o->import.suite, "suite name in the header (default: BACKEND-trials)");
  c->add_option("--robot", o->import.robot, "robot name in the header (default: unknown)");
  c->add_option("--policy", o->import.policy, "eval_info.json: the policy's name");
  c->add_option("--task", o->import.task, "eval_info.json with per_episode: the task id");
  c->add_flag("--force", o->force, "replace existing output files");
  c->callback([o, &ctx] {
    o->import.command_line = ctx.command_line;
    import_command(*o);
  });
}

}  // namespace gauntlet::cli
