// Real-robot (or other harnesses') trial logs turned into results files: a per-episode CSV
// (RFC 4180) or LeRobot's eval_info.json, one RunResults per policy, validated completely
// before anything is written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/results_store.hpp"

namespace gauntlet::cli {

struct ImportOptions {
  std::string backend = "real";  // "real" or "sim" (numbers from another simulator)
  std::string suite;             // default: "real-trials" / "sim-trials"
  std::string robot = "unknown";
  std::string policy;  // eval_info.json only: the policy's name (the file has none)
  std::string task;    // eval_info.json with a top-level per_episode list: the task's id
  std::string command_line;
};

// Parses `path` (a CSV, or eval_info.json when it ends in .json) into one RunResults per
// policy, in order of first appearance. Every problem is an InputError naming the file, the
// line and column (CSV) or the JSON path, and what was expected.
std::vector<RunResults> import_trials(const std::filesystem::path& path,
                                      const ImportOptions& options);

// The CSV parser alone: `text` holds the file's bytes, `source` names it in errors.
std::vector<RunResults> import_trials_csv(const std::string& text, const std::string& source,
                                          const ImportOptions& options);

}  // namespace gauntlet::cli
