// The HTML ranking table of a report model, the one builder behind report.html
// and the leaderboard's suite pages: each page picks its columns, every column
// renders the same way wherever it appears.
#pragma once

#include <string>
#include <vector>

#include "reports/report_model.hpp"

namespace gauntlet::reports {

enum class RankingColumn {
  kRank,
  kPolicy,
  kSuccess,       // pooled success rate
  kInterval,      // its 95% Wilson interval
  kRankInterval,  // from the paired bootstrap
  kPBest,
  kGroup,  // compact letter display
  kElo,
  kEpisodes,
  kErrors,     // policy, action and simulator errors
  kSubmitted,  // the results file's last update
  // Chain suites: average length and its 95% bootstrap interval. html_ranking_table inserts
  // both after kPolicy by itself when every policy is a chain run.
  kAvgLength,
  kAvgLengthInterval,
};

struct HtmlRankingTable {
  std::string id;  // the <table> id (browser tests and the page script find it)
  std::vector<RankingColumn> columns;
  // Non-empty: each policy name links to "#" + prefix + its row index.
  std::string policy_link_prefix;
};

// A sortable <table> (html_page.hpp's script) with one row per ranked policy.
std::string html_ranking_table(const ReportModel& model, const HtmlRankingTable& table);

}  // namespace gauntlet::reports
