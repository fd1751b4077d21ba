// A static leaderboard site from many results files: one ranking per suite
// version (never mixed), per-task drill-down, provenance, and JSON. Every
// submission is validated first; problems are reported, never rendered raw.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/results_store.hpp"

namespace gauntlet::reports {

// Everything wrong with a submission (empty when valid): schema, values out of
// range, duplicate or impossible episodes, seeds that do not match the
// documented episode-seed hash (fabricated or edited rows).
std::vector<std::string> validate_submission(const RunResults& run);

struct LeaderboardOptions {
  std::string title = "gauntlet leaderboard";
  bool skip_invalid = false;  // otherwise an invalid submission is an InputError
};

struct LeaderboardResult {
  int suites = 0;
  int submissions = 0;
  std::vector<std::string> rejected;  // "FILE: reason" for skipped submissions
  std::vector<std::filesystem::path> pages;
};

LeaderboardResult write_leaderboard(const std::vector<std::filesystem::path>& files,
                                    const std::filesystem::path& out, const LeaderboardOptions& options);

}  // namespace gauntlet::reports
