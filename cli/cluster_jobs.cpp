#include "cli/cluster_jobs.hpp"

namespace gauntlet::cli {
namespace {

std::string joined_args(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += " " + shell_quote(a);
  return out;
}

std::string shard_files_list(const ClusterJob& job) {
  std::string out;
  for (int i = 0; i < job.shards; ++i) {
    out += "  " + shell_quote(shard_file(job, std::to_string(i))) + "\n";
  }
  return out;
}

// YAML double-quoted scalar.
std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string shard_file(const ClusterJob& job, const std::string& index) {
  return job.out_dir + "/shards/shard-" + index + "-of-" + std::to_string(job.shards) + ".h5";
}

std::string slurm_array_script(const ClusterJob& job) {
  const std::string n = std::to_string(job.shards);
  std::string s = "#!/bin/bash\n";
  s += "# gauntlet: one shard of " + n + " per array task. Written by `gauntlet slurm submit`.\n";
  s += "#SBATCH --job-name=" + job.name + "\n";
  s += "#SBATCH --array=0-" + std::to_string(job.shards - 1) + "\n";
  s += "#SBATCH --requeue\n";
  s += "#SBATCH --open-mode=append\n";
  s += "#SBATCH --output=" + job.out_dir + "/logs/shard-%a.log\n";
  s += "#SBATCH --chdir=" + job.workdir + "\n";
  s += "#SBATCH --cpus-per-task=" + std::to_string(job.cpus_per_task) + "\n";
  s += "#SBATCH --ntasks=1\n";
  if (!job.partition.empty()) s += "#SBATCH --partition=" + job.partition + "\n";
  if (!job.time.empty()) s += "#SBATCH --time=" + job.time + "\n";
  for (const auto& a : job.sbatch_args) s += "#SBATCH " + a + "\n";
  s += "set -euo pipefail\n";
  s += "SHARD=\"${SLURM_ARRAY_TASK_ID:?run this script as a Slurm array task}\"\n";
  s += "echo \"gauntlet: shard $SHARD/" + n +
       " attempt $(( ${SLURM_RESTART_COUNT:-0} + 1 )) on $(hostname) at $(date -u "
       "+%FT%TZ)\" >&2\n";
  s += "# A preempted or requeued task runs this same command again: the runner\n"
       "# resumes the shard's results file and runs only what it lacks.\n";
  s += "exec " + shell_quote(job.gauntlet) + " run" + joined_args(job.run_args) + " --workers " +
       std::to_string(job.cpus_per_task) + " --shard \"$SHARD/" + n + "\" --out " +
       shell_quote(job.out_dir) + "/shards/shard-\"$SHARD\"-of-" + n + ".h5\n";
  return s;
}

std::string slurm_merge_script(const ClusterJob& job) {
  std::string s = "#!/bin/bash\n";
  s += "# gauntlet: merge the " + std::to_string(job.shards) +
       " shards and write the report; runs after the array (afterany).\n";
  s += "#SBATCH --job-name=" + job.name + "-merge\n";
  s += "#SBATCH --output=" + job.out_dir + "/logs/merge.log\n";
  s += "#SBATCH --chdir=" + job.workdir + "\n";
  s += "#SBATCH --ntasks=1\n";
  if (!job.partition.empty()) s += "#SBATCH --partition=" + job.partition + "\n";
  for (const auto& a : job.sbatch_args) s += "#SBATCH " + a + "\n";
  s += "set -euo pipefail\n";
  s += "shards=(\n" + shard_files_list(job) + ")\n";
  s += "files=()\n";
  s += "for f in \"${shards[@]}\"; do\n";
  s += "  if [ -e \"$f\" ]; then files+=(\"$f\"); else echo \"gauntlet: missing $f\" >&2; fi\n";
  s += "done\n";
  s += "[ ${#files[@]} -gt 0 ] || { echo 'gauntlet: no shard produced a results file' >&2; exit 3; "
       "}\n";
  s += "# A shard that failed for good is missing here: the report marks the run incomplete.\n";
  s += shell_quote(job.gauntlet) + " merge --force " + shell_quote(job.out_dir + "/results.h5") +
       " \"${files[@]}\"\n";
  s += "exec " + shell_quote(job.gauntlet) + " report " + shell_quote(job.out_dir + "/results.h5") +
       " --out " + shell_quote(job.out_dir + "/report") + " --format html,md,json,csv,junit\n";
  return s;
}

std::string k8s_indexed_job(const ClusterJob& job) {
  const std::string n = std::to_string(job.shards);
  std::string command =
      "exec " + shell_quote(job.gauntlet) + " run" + joined_args(job.run_args) + " --workers " +
      std::to_string(job.cpus_per_task) + " --shard \"$JOB_COMPLETION_INDEX/" + n + "\" --out " +
      shell_quote(job.out_dir) + "/shards/shard-\"$JOB_COMPLETION_INDEX\"-of-" + n + ".h5";
  std::string y;
  y += "# gauntlet: one shard of " + n +
       " per completion index. Written by `gauntlet k8s manifest`.\n";
  y += "# A retried pod resumes its shard's results file; afterwards run\n";
  y += "#   gauntlet merge " + job.out_dir + "/results.h5 " + job.out_dir + "/shards/*.h5\n";
  y += "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + job.name + "\n";
  y += "spec:\n  completionMode: Indexed\n  completions: " + n + "\n";
  y +=
      "  parallelism: " + std::to_string(job.parallelism > 0 ? job.parallelism : job.shards) + "\n";
  y += "  backoffLimitPerIndex: 3\n  maxFailedIndexes: " + n + "\n";
  y += "  template:\n    spec:\n      restartPolicy: Never\n      containers:\n";
  y += "      - name: gauntlet\n        image: " + yaml_quote(job.image) + "\n";
  y += "        command: [\"/bin/bash\", \"-c\"]\n";
  y += "        args:\n        - " + yaml_quote(command) + "\n";
  y += "        resources:\n          requests:\n            cpu: " +
       yaml_quote(std::to_string(job.cpus_per_task)) + "\n";
  y += "        volumeMounts:\n        - name: results\n          mountPath: " +
       yaml_quote(job.out_dir) + "\n";
  y += "      volumes:\n      - name: results\n        persistentVolumeClaim:\n";
  y += "          claimName: gauntlet-results  # a ReadWriteMany volume every pod shares\n";
  return y;
}

}  // namespace gauntlet::cli
