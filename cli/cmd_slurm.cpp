// `gauntlet slurm submit|status` and `gauntlet k8s manifest`: one evaluation as
// N shards on a cluster. Submit writes a job array (one shard per task,
// requeue-safe) and a dependent merge+report job; status reads the shard
// results files and, where Slurm answers, squeue/sacct.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_context.hpp"
#include "cli/cluster_jobs.hpp"
#include "cli/run_setup.hpp"
#include "harness/errors.hpp"
#include "harness/plan_coverage.hpp"
#include "harness/results_store.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::cli {
namespace {

struct CommandOutput {
  int exit_code = -1;  // -1: could not be started
  std::string out;
};

// Runs argv (PATH lookup) and captures its stdout; its stderr goes to ours
// unless `quiet`.
CommandOutput capture(const std::vector<std::string>& argv, bool quiet) {
  CommandOutput r;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return r;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return r;
  }
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    if (quiet) {
      const int null = ::open("/dev/null", O_WRONLY);
      if (null >= 0) ::dup2(null, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      r.out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (r.exit_code == 127) r.exit_code = -1;
  return r;
}

std::string self_path() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("gauntlet") : p.string();
}

struct ClusterOptions {
  PlanOptions plan;
  std::string policy;
  int shards = 0;
  std::string out;
  std::string partition, time;
  std::vector<std::string> sbatch_args;
  std::vector<std::string> run_args;
  int cpus_per_task = 1;
  bool dry_run = false;
  std::string gauntlet;
  std::string image = "gauntlet:latest";
  int parallelism = 0;
};

// The `run` options every shard shares, rebuilt from the parsed ones.
std::vector<std::string> shared_run_args(const ClusterOptions& o) {
  std::vector<std::string> a{"--suite", o.plan.suite, "--policy", o.policy};
  if (o.plan.episodes_option && o.plan.episodes_option->count() > 0)
    a.insert(a.end(), {"--episodes", std::to_string(o.plan.episodes)});
  if (!o.plan.seed.empty()) a.insert(a.end(), {"--seed", o.plan.seed});
  for (const auto& p : o.plan.perturb) a.insert(a.end(), {"--perturb", p});
  if (o.plan.ood_sweep_option && o.plan.ood_sweep_option->count() > 0) {
    a.push_back(o.plan.ood_sweep.empty() ? "--ood-sweep" : "--ood-sweep=" + o.plan.ood_sweep);
  }
  if (!o.plan.ood_dims.empty()) a.insert(a.end(), {"--ood-dims", o.plan.ood_dims});
  for (const auto& t : o.plan.tasks) a.insert(a.end(), {"--task", t});
  if (!o.plan.env.empty()) a.insert(a.end(), {"--env", o.plan.env});
  a.insert(a.end(), o.run_args.begin(), o.run_args.end());
  return a;
}

std::string job_name(const std::string& suite) {
  std::string out = "gauntlet-";
  for (const char c : std::filesystem::path(suite).stem().string()) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  }
  return out.substr(0, 60);
}

// Checks the options and the plan (suite, tasks, perturbations, policy spec)
// before anything is written or submitted; returns the job and its episode count.
std::pair<ClusterJob, std::size_t> plan_cluster_job(const ClusterOptions& o, CliContext& ctx,
                                                    const std::string& command) {
  if (o.shards < 1) throw InputError(command + ": --shards must be >= 1");
  if (o.cpus_per_task < 1) throw InputError(command + ": --cpus-per-task must be >= 1");
  if (o.out.empty()) throw InputError(command + ": --out DIR is required");
  if (o.plan.workers > 0) {
    throw InputError(command +
                     ": give --cpus-per-task instead of --workers (each shard runs one "
                     "worker per CPU it is given)");
  }
  for (const auto& a : o.run_args) {
    if (a == "--shard" || a == "--out" || a == "--workers" || a.rfind("--shard=", 0) == 0 ||
        a.rfind("--out=", 0) == 0) {
      throw InputError(command + ": --run-arg '" + a + "': the shard, output and workers are set " +
                       "per task");
    }
  }
  PolicySpec::parse(o.policy);
  const SessionPlan plan = plan_session(o.plan, ctx);  // the whole plan: shard 0/1
  if (static_cast<std::size_t>(o.shards) > plan.specs.size()) {
    throw InputError(command + ": --shards " + std::to_string(o.shards) + " is more than the " +
                     std::to_string(plan.specs.size()) + " planned episodes");
  }
  ClusterJob job;
  job.gauntlet = o.gauntlet.empty() ? self_path() : o.gauntlet;
  job.run_args = shared_run_args(o);
  job.shards = o.shards;
  job.out_dir = std::filesystem::absolute(o.out).lexically_normal().string();
  while (job.out_dir.size() > 1 && job.out_dir.back() == '/') job.out_dir.pop_back();
  job.workdir = std::filesystem::current_path().string();
  job.name = job_name(o.plan.suite);
  job.partition = o.partition;
  job.time = o.time;
  job.cpus_per_task = o.cpus_per_task;
  job.sbatch_args = o.sbatch_args;
  job.image = o.image;
  job.parallelism = o.parallelism;
  for (const auto& a : job.sbatch_args) {
    if (a.find('\n') != std::string::npos || a.rfind("--", 0) != 0) {
      throw InputError(command + ": --sbatch-arg '" + a + "': expected one sbatch option, e.g. " +
                       "--gres=gpu:1");
    }
  }
  return {job, plan.specs.size()};
}

std::string job_id_of(const std::string& parsable, const std::string& what) {
  std::string id = parsable.substr(0, parsable.find_first_of(";\n"));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    throw RuntimeFailure("sbatch gave no job id for the " + what + " (output: '" + parsable + "')");
  }
  return id;
}

void slurm_submit(const ClusterOptions& o, CliContext& ctx) {
  const auto [job, planned] = plan_cluster_job(o, ctx, "slurm submit");
  const std::string array = slurm_array_script(job);
  const std::string merge = slurm_merge_script(job);
  if (o.dry_run) {
    std::cout << "# " << job.out_dir << "/gauntlet-array.sbatch\n"
              << array << "\n# " << job.out_dir << "/gauntlet-merge.sbatch\n"
              << merge << "\n# submitted as: sbatch --parsable " << job.out_dir
              << "/gauntlet-array.sbatch; sbatch --parsable --dependency=afterany:ARRAY_JOB "
              << job.out_dir << "/gauntlet-merge.sbatch\n";
    return;
  }
  const std::filesystem::path dir(job.out_dir);
  std::error_code ec;
  for (const char* sub : {"shards", "logs"}) std::filesystem::create_directories(dir / sub, ec);
  if (ec || !std::filesystem::is_directory(dir / "shards")) {
    throw InputError("--out '" + o.out + "': cannot create the directory");
  }
  reports::write_text_file(dir / "gauntlet-array.sbatch", array);
  reports::write_text_file(dir / "gauntlet-merge.sbatch", merge);
  const auto a = capture({"sbatch", "--parsable", (dir / "gauntlet-array.sbatch").string()}, false);
  if (a.exit_code != 0) {
    throw RuntimeFailure(a.exit_code < 0 ? "slurm submit: sbatch not found on PATH"
                                         : "slurm submit: sbatch refused the job array (exit " +
                                               std::to_string(a.exit_code) + ")");
  }
  const std::string array_id = job_id_of(a.out, "job array");
  const auto m = capture({"sbatch", "--parsable", "--dependency=afterany:" + array_id,
                          (dir / "gauntlet-merge.sbatch").string()},
                         false);
  if (m.exit_code != 0) {
    throw RuntimeFailure("slurm submit: sbatch refused the merge job (array " + array_id +
                         " is submitted; cancel it with scancel " + array_id + ")");
  }
  const std::string merge_id = job_id_of(m.out, "merge job");
  nlohmann::json state{{"schema", "gauntlet-slurm"},
                       {"array_job", array_id},
                       {"merge_job", merge_id},
                       {"shards", job.shards},
                       {"planned_episodes", planned},
                       {"suite", o.plan.suite},
                       {"policy", o.policy},
                       {"submitted_at", utc_now_iso8601()},
                       {"submitted_epoch", static_cast<long long>(std::time(nullptr))},
                       {"results", job.out_dir + "/results.h5"},
                       {"report", job.out_dir + "/report"}};
  reports::write_text_file(dir / "slurm.json", state.dump(2) + "\n");
  std::cout << array_id << "\n";
  std::fprintf(stderr,
               "submitted job array %s (%d shards, %zu episodes) and merge job %s; follow it "
               "with: gauntlet slurm status %s\n",
               array_id.c_str(), job.shards, planned, merge_id.c_str(), job.out_dir.c_str());
}

struct StatusOptions {
  std::string dir;
  bool json = false;
};

std::string duration_text(double s) {
  const long t = std::lround(s);
  char buf[64];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  } else if (t >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", t);
  }
  return buf;
}

// Array task index -> Slurm state, from squeue (live tasks) then sacct (finished ones).
std::map<int, std::string> slurm_task_states(const std::string& array_id, bool& answered) {
  std::map<int, std::string> states;
  answered = false;
  const auto parse = [&](const std::string& text, char sep, bool overwrite) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      const auto at = line.find(sep);
      if (at == std::string::npos) continue;
      std::string id = line.substr(0, at);
      std::string state = line.substr(at + 1);
      state = state.substr(0, state.find_first_of(" \t"));
      const auto underscore = id.find('_');
      if (underscore != std::string::npos) id = id.substr(underscore + 1);
      if (id.empty() || id.size() > 9 || id.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      const int i = std::stoi(id);
      if (overwrite || !states.count(i)) states[i] = state;
    }
  };
  const auto q = capture({"squeue", "-h", "-r", "-j", array_id, "-o", "%K %T"}, true);
  if (q.exit_code == 0) {
    answered = true;
    parse(q.out, ' ', true);
  }
  const auto s = capture({"sacct", "-n", "-P", "-X", "-j", array_id, "-o", "JobID,State"}, true);
  if (s.exit_code == 0) {
    answered = true;
    parse(s.out, '|', false);
  }
  return states;
}

void slurm_status(const StatusOptions& o) {
  const std::filesystem::path dir(o.dir);
  const auto state_file = dir / "slurm.json";
  if (!std::filesystem::is_regular_file(state_file)) {
    throw InputError("slurm status: '" + state_file.string() +
                     "' not found: give the --out DIR of `gauntlet slurm submit`");
  }
  nlohmann::json state;
  try {
    std::ifstream in(state_file);
    state = nlohmann::json::parse(in);
    if (state.value("schema", "") != "gauntlet-slurm" || !state["shards"].is_number_integer() ||
        state["shards"].get<int>() < 1 || state["shards"].get<int>() > 1'000'000 ||
        !state["array_job"].is_string() || !state["planned_episodes"].is_number_unsigned() ||
        (state.contains("submitted_epoch") && !state["submitted_epoch"].is_number_integer())) {
      throw std::runtime_error("missing schema, shards, array_job or planned_episodes");
    }
  } catch (const std::exception& e) {
    throw InputError("slurm status: " + state_file.string() +
                     ": not a gauntlet Slurm state file (" + e.what() + ")");
  }
  const int shards = state["shards"].get<int>();
  const std::size_t planned = state["planned_episodes"].get<std::size_t>();
  const std::string array_id = state["array_job"].get<std::string>();
  bool answered = false;
  const auto slurm = slurm_task_states(array_id, answered);
  ClusterJob paths;
  paths.out_dir = std::filesystem::absolute(dir).lexically_normal().string();
  while (paths.out_dir.size() > 1 && paths.out_dir.back() == '/') paths.out_dir.pop_back();
  paths.shards = shards;
  std::size_t finished = 0;
  std::map<std::string, int> counts;
  nlohmann::json rows = nlohmann::json::array();
  for (int i = 0; i < shards; ++i) {
    const std::size_t shard_planned = shard_planned_episodes(planned, i, shards);
    std::size_t done = 0;
    std::string note;
    const std::filesystem::path file = shard_file(paths, std::to_string(i));
    if (std::filesystem::exists(file)) {
      try {
        done = plan_coverage(ResultsStore::read(file)).finished;
      } catch (const InputError& e) {
        note = e.what();
      }
    }
    const auto it = slurm.find(i);
    const std::string slurm_state = it == slurm.end() ? "" : it->second;
    std::string status;
    if (shard_planned > 0 && done >= shard_planned) {
      status = "done";
    } else if (slurm_state == "RUNNING" || slurm_state == "COMPLETING") {
      status = "running";
    } else if (slurm_state == "PENDING" || slurm_state == "REQUEUED" ||
               slurm_state == "CONFIGURING" || slurm_state == "REQUEUE_HOLD" ||
               slurm_state == "SUSPENDED" || slurm_state == "PREEMPTED" ||
               slurm_state == "RESIZING") {
      status = "pending";
    } else if (answered) {
      // Slurm no longer runs it and its shard is unfinished.
      status = "failed";
    } else {
      status = "unknown";  // no squeue/sacct here: only the files speak
    }
    ++counts[status];
    finished += done;
    rows.push_back({{"shard", i},
                    {"state", status},
                    {"slurm_state", slurm_state},
                    {"finished", done},
                    {"planned", shard_planned},
                    {"file", file.string()},
                    {"error", note}});
  }
  const long long submitted = state.value("submitted_epoch", 0LL);
  const double elapsed = submitted > 0 ? static_cast<double>(std::time(nullptr) - submitted) : 0.0;
  double eta = -1;
  if (finished >= planned) {
    eta = 0;
  } else if (finished > 0 && elapsed > 0) {
    eta = elapsed * static_cast<double>(planned - finished) / static_cast<double>(finished);
  }
  if (o.json) {
    nlohmann::json doc{{"array_job", array_id},
                       {"shards", rows},
                       {"finished_episodes", finished},
                       {"planned_episodes", planned},
                       {"counts", counts},
                       {"slurm_answered", answered},
                       {"elapsed_s", elapsed},
                       {"eta_s", eta < 0 ? nlohmann::json() : nlohmann::json(eta)},
                       {"complete", finished >= planned}};
    std::cout << doc.dump(2) << "\n";
    return;
  }
  std::printf("array job %s, %d shards%s\n", array_id.c_str(), shards,
              answered ? "" : " (no answer from squeue/sacct: states from the results files)");
  std::printf("%-6s %-8s %-12s %s\n", "shard", "state", "slurm", "episodes");
  for (const auto& r : rows) {
    std::printf("%-6d %-8s %-12s %zu/%zu%s\n", r["shard"].get<int>(),
                r["state"].get<std::string>().c_str(), r["slurm_state"].get<std::string>().c_str(),
                r["finished"].get<std::size_t>(), r["planned"].get<std::size_t>(),
                r["error"].get<std::string>().empty()
                    ? ""
                    : ("  " + r["error"].get<std::string>()).c_str());
  }
  std::string summary;
  for (const auto& [k, v] : counts)
    summary += (summary.empty() ? "" : ", ") + std::to_string(v) + " " + k;
  std::printf("episodes: %zu of %zu planned (%.0f%%); shards: %s; elapsed %s; ETA %s\n", finished,
              planned,
              planned ? 100.0 * static_cast<double>(finished) / static_cast<double>(planned) : 0.0,
              summary.c_str(), duration_text(elapsed).c_str(),
              eta < 0 ? "unknown" : duration_text(eta).c_str());
}

void k8s_manifest(const ClusterOptions& o, CliContext& ctx) {
  ClusterOptions opts = o;
  if (opts.gauntlet.empty()) opts.gauntlet = "gauntlet";  // on the image's PATH
  const auto [job, planned] = plan_cluster_job(opts, ctx, "k8s manifest");
  std::cout << k8s_indexed_job(job);
  std::fprintf(stderr, "k8s manifest: %d shards, %zu episodes\n", job.shards, planned);
}

void add_cluster_options(CLI::App& cmd, ClusterOptions& o) {
  o.plan.add_to(cmd, false);
  cmd.add_option("--policy", o.policy, "policy spec")->required();
  cmd.add_option("--shards", o.shards, "number of shards (array tasks)")->required();
  cmd.add_option("--out", o.out, "directory for scripts, shard results, logs and the report")
      ->required();
  cmd.add_option("--cpus-per-task", o.cpus_per_task, "CPUs (= workers) per shard (default 1)");
  cmd.add_option("--run-arg", o.run_args,
                 "extra `gauntlet run` option for every shard (repeatable), e.g. "
                 "--run-arg=--replan-every=4");
  cmd.add_option("--gauntlet", o.gauntlet,
                 "gauntlet binary as the nodes see it (default: this one; k8s: gauntlet)");
}

}  // namespace

void add_slurm_command(CLI::App& app, CliContext& ctx) {
  CLI::App* slurm = app.add_subcommand("slurm", "Run an evaluation as a Slurm job array");
  slurm->require_subcommand(1);
  auto sub = std::make_shared<ClusterOptions>();
  CLI::App* submit = slurm->add_subcommand(
      "submit", "Write and submit a job array (one shard per task) and a merge+report job");
  add_cluster_options(*submit, *sub);
  submit->add_option("--partition", sub->partition, "Slurm partition");
  submit->add_option("--time", sub->time, "time limit per shard, e.g. 02:00:00");
  submit->add_option("--sbatch-arg", sub->sbatch_args,
                     "extra sbatch option (repeatable), e.g. --sbatch-arg=--gres=gpu:1");
  submit->add_flag("--dry-run", sub->dry_run, "print the scripts; write and submit nothing");
  submit->callback([sub, &ctx] { slurm_submit(*sub, ctx); });

  auto st = std::make_shared<StatusOptions>();
  CLI::App* status =
      slurm->add_subcommand("status", "Shards done, running, failed; episodes finished; ETA");
  status->add_option("dir", st->dir, "the --out DIR of `slurm submit`")->required();
  status->add_flag("--json", st->json, "print JSON on stdout");
  status->callback([st] { slurm_status(*st); });
}

void add_k8s_command(CLI::App& app, CliContext& ctx) {
  CLI::App* k8s = app.add_subcommand("k8s", "Run an evaluation as a Kubernetes Indexed Job");
  k8s->require_subcommand(1);
  auto opts = std::make_shared<ClusterOptions>();
  CLI::App* manifest =
      k8s->add_subcommand("manifest", "Print an Indexed Job manifest (one shard per index)");
  add_cluster_options(*manifest, *opts);
  manifest->add_option("--image", opts->image,
                       "container image with gauntlet (default gauntlet:latest)");
  manifest->add_option("--parallelism", opts->parallelism, "pods at once (default: every shard)");
  manifest->callback([opts, &ctx] { k8s_manifest(*opts, ctx); });
}

}  // namespace gauntlet::cli
