// The leaderboard as a static site: index.html (one row per suite version),
// one page per suite version with its ranking, per-task drill-down and provenance, and
// leaderboard.json.
#pragma once

#include <filesystem>
#include <vector>

#include "reports/leaderboard.hpp"

namespace gauntlet::reports {

struct LeaderboardSite {
  int suites = 0;
  int submissions = 0;
  std::vector<std::filesystem::path> pages;  // index.html first
};

// Creates `out` and writes the site into it.
LeaderboardSite write_leaderboard_site(const Leaderboard& board, const std::filesystem::path& out);

}  // namespace gauntlet::reports
