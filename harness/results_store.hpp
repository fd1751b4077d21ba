// The results store: one HDF5 file per run (header attributes, an `episodes`
// table, `tasks` and `perturbations` tables), rewritten atomically after every
// batch of finished episodes so a kill at any moment leaves the last complete file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "harness/episode.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

// Schema 2: the tasks table has an `episodes` column and task counts differ
// (a schema-1 reader would judge such a file by one count per task). Files
// whose tasks all have one count are still written as schema 1.
inline constexpr int kResultsSchemaVersion = 2;

struct RunHeader {
  int schema_version = kResultsSchemaVersion;
  std::string harness_version;
  std::string git_sha;
  std::string suite_name;
  std::string suite_version;
  std::string suite_hash;
  std::string suite_source;
  std::uint64_t suite_seed = 0;
  std::string policy_spec;
  std::string policy_name;
  std::string policy_identity;
  int episodes_per_task = 0;               // the largest task's count (all, when equal)
  std::vector<std::string> perturbations;  // perturbation ids in the plan
  std::vector<TaskInfo> tasks;             // tasks in the plan, each with its planned count
  std::string cameras;                     // comma-separated, as requested by the policy
  int image_width = 0;
  int image_height = 0;
  int replan_every = 0;
  // The robot the suite ran on and the action convention the policy spoke
  // (files written before robots/ existed: the floating gripper, ee_delta).
  std::string robot = "floating_gripper";
  std::string action_convention = "ee_delta";
  // The rest of the conversion in force (harness/policy_io.hpp; older files:
  // none): a = a * scale + offset after the convention ("" = 1 and 0), the
  // proprio layout, and the image preprocessing ("flip=180;resize_with_pad=H,W").
  std::string action_scale;
  std::string action_offset;
  std::string state_layout = "default";
  std::string image_preprocessing;
  // Where the episodes came from: "sim" (this harness, or numbers imported from
  // another simulator) or "real" (robot trials brought in by `gauntlet import`).
  // Files written before the attribute existed read as "sim".
  std::string backend = "sim";
  std::string shard = "0/1";  // "I/N"; merges "merged:I,J/N" (harness/plan_coverage.hpp)
  std::string hosts;          // comma-separated hosts that produced rows
  std::string started_at;     // ISO-8601 UTC
  std::string updated_at;
  std::string command;
  // World-model runs with a validation card: its judge error rates (JSON;
  // empty otherwise). Reports and compare correct success rates with them.
  std::string judge_card;

  // Planned episodes (per perturbation) of task `t`: its own count, or
  // episodes_per_task for files from before per-task counts.
  int episodes_of(const TaskInfo& t) const {
    return t.episodes > 0 ? t.episodes : episodes_per_task;
  }
  // The same by id; 0 for a task not in the plan.
  int episodes_of(const std::string& task_id) const;
  // "25" when every task has 25 episodes, "9-60" when counts differ.
  std::string episodes_text() const;
};

struct RunResults {
  RunHeader header;
  std::vector<EpisodeResult> episodes;  // sorted by EpisodeKey
};

// Throws InputError naming both files when `b` cannot extend or merge with
// `a` (different suite, suite hash, seed, policy, backend, or observation settings).
void check_same_experiment(const RunHeader& a, const std::string& a_name, const RunHeader& b,
                           const std::string& b_name);

class ResultsStore {
 public:
  // Creates `path`, or resumes it when it exists and holds the same experiment
  // (otherwise InputError, file untouched). Writes the header at once, so an
  // unwritable path fails before any episode runs. Holds an exclusive lock on
  // `path.lock` until destroyed: two processes never write one file.
  static std::unique_ptr<ResultsStore> open_for_run(const std::filesystem::path& path,
                                                    RunHeader header);
  ~ResultsStore();

  const RunResults& results() const { return results_; }
  bool contains(const EpisodeKey& key) const { return keys_.count(key) != 0; }
  // Adds rows (duplicates of a stored key are ignored) and rewrites the file
  // atomically before returning.
  void append(std::span<const EpisodeResult> episodes);
  const std::filesystem::path& path() const { return path_; }

  // Reads a results file; InputError naming the file when it is missing or
  // not a gauntlet results file of a supported schema.
  static RunResults read(const std::filesystem::path& path);
  // Writes `results` to `path` atomically (temp file, fsync, rename).
  static void write(const std::filesystem::path& path, const RunResults& results);

 private:
  ResultsStore(std::filesystem::path path, int lock_fd);
  std::filesystem::path path_;
  int lock_fd_ = -1;
  RunResults results_;
  std::set<EpisodeKey> keys_;
};

// Joins shard files of one experiment; InputError on mismatched experiments
// or conflicting rows for one episode key.
RunResults merge_results(const std::vector<std::filesystem::path>& inputs);

std::string utc_now_iso8601();
std::string host_name();

}  // namespace gauntlet
