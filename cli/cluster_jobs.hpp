// The scripts that run one evaluation as N shards on a cluster: a Slurm job
// array and its dependent merge+report job, and a Kubernetes Indexed Job.
// Plain text builders; `gauntlet slurm` and `gauntlet k8s` write or print them.
#pragma once

#include <string>
#include <vector>

namespace gauntlet::cli {

struct ClusterJob {
  std::string gauntlet;               // absolute path of the gauntlet binary (or image path)
  std::vector<std::string> run_args;  // `run` options shared by every shard (no --shard/--out)
  int shards = 1;
  std::string out_dir;  // absolute; shards/, logs/, results.h5, report/ live here
  std::string workdir;  // where relative suite paths resolve
  std::string name;     // job name
  // Slurm
  std::string partition;
  std::string time;
  int cpus_per_task = 1;
  std::vector<std::string> sbatch_args;  // extra "#SBATCH" lines, e.g. "--gres=gpu:1"
  // Kubernetes
  std::string image;
  int parallelism = 0;  // 0: all shards at once
};

// The results file of shard `index` ("$SHARD" allowed), inside out_dir.
std::string shard_file(const ClusterJob& job, const std::string& index);
// Single-quoted for a POSIX shell.
std::string shell_quote(const std::string& s);

// The job array: one shard per task, requeue-safe (a requeued task runs the
// same command and the runner resumes its shard's results file).
std::string slurm_array_script(const ClusterJob& job);
// Runs after the array (afterany): merges the shard files that exist and writes the report;
// a missing or unfinished shard shows in the report as an incomplete run.
std::string slurm_merge_script(const ClusterJob& job);
// An Indexed Job: completion index = shard; results on a volume mounted at out_dir.
std::string k8s_indexed_job(const ClusterJob& job);

}  // namespace gauntlet::cli
