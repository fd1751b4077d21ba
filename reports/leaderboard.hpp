// The leaderboard's model: many results files validated and grouped into one
// ranking per suite version (never mixed). reports/leaderboard_site.hpp writes it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/results_store.hpp"
#include "reports/report_model.hpp"

namespace gauntlet::reports {

// Everything wrong with a submission (empty when valid): schema, values out of
// range, duplicate or impossible episodes, seeds that do not match the
// documented episode-seed hash (fabricated or edited rows).
std::vector<std::string> validate_submission(const RunResults& run);

struct LeaderboardOptions {
  std::string title = "gauntlet leaderboard";
  bool skip_invalid = false;  // otherwise an invalid submission is an InputError
  // Accept a file that does not hold its whole plan (a lone shard, an interrupted
  // run); otherwise it is invalid like any other bad submission.
  bool allow_incomplete = false;
};

// One suite version's ranking.
struct LeaderboardSuite {
  std::string suite, hash, version;
  std::string page;     // its HTML file name in the site
  ReportModel ranking;  // the submissions, ranked
};

struct Leaderboard {
  std::string title;
  std::string generated_at;
  std::vector<LeaderboardSuite> suites;  // in the order their first file was given
  std::vector<std::string> rejected;     // "FILE: reason" for skipped submissions
};

// Reads and validates every file; InputError for an invalid one unless
// options.skip_invalid.
Leaderboard build_leaderboard(const std::vector<std::filesystem::path>& files,
                              const LeaderboardOptions& options);

}  // namespace gauntlet::reports
