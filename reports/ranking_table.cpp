#include "reports/ranking_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/svg.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

std::string pct(double v, int decimals = 1) {
  return percent_number(v, decimals);
}

std::string header(RankingColumn c) {
  switch (c) {
    case RankingColumn::kRank:
      return "<th data-type=\"num\">Rank</th>";
    case RankingColumn::kPolicy:
      return "<th data-type=\"text\">Policy</th>";
    case RankingColumn::kSuccess:
      return "<th data-type=\"num\">Success</th>";
    case RankingColumn::kInterval:
      return "<th>95% CI</th>";
    case RankingColumn::kRankInterval:
      return "<th data-type=\"num\">Rank interval</th>";
    case RankingColumn::kPBest:
      return "<th data-type=\"num\">P(best)</th>";
    case RankingColumn::kGroup:
      return "<th data-type=\"text\">Group</th>";
    case RankingColumn::kElo:
      return "<th data-type=\"num\">Elo</th>";
    case RankingColumn::kEpisodes:
      return "<th data-type=\"num\">Episodes</th>";
    case RankingColumn::kErrors:
      return "<th data-type=\"num\">Errors</th>";
    case RankingColumn::kSubmitted:
      return "<th data-type=\"text\">Submitted</th>";
    case RankingColumn::kAvgLength:
      return "<th data-type=\"num\">Avg length</th>";
    case RankingColumn::kAvgLengthInterval:
      return "<th>95% CI (length)</th>";
  }
  return {};
}

// A cell sorted by `key` (the page script compares data-sort values).
std::string sorted_cell(const std::string& key, const std::string& text) {
  return "<td data-sort=\"" + key + "\">" + text + "</td>";
}

std::string cell(RankingColumn c, const ReportModel& m, std::size_t i, const HtmlRankingTable& t) {
  const PolicySummary& p = m.policies[i];
  const RankingStatistics& st = m.stats;
  const bool ranked = st.available && i < st.rank_lo.size() && i < st.rank_hi.size();
  switch (c) {
    case RankingColumn::kRank:
      return sorted_cell(std::to_string(i + 1), std::to_string(i + 1));
    case RankingColumn::kPolicy: {
      const std::string name = escape_xml(p.name);
      const std::string text =
          t.policy_link_prefix.empty()
              ? name
              : "<a href=\"#" + t.policy_link_prefix + std::to_string(i) + "\">" + name + "</a>";
      return "<td class=\"name\" data-sort=\"" + name + "\">" + text + "</td>";
    }
    case RankingColumn::kSuccess:
      return sorted_cell(pct(p.success.rate, 4), pct(p.success.rate) + "%");
    case RankingColumn::kInterval:
      return "<td>[" + pct(p.success.ci95.lo) + ", " + pct(p.success.ci95.hi) + "]</td>";
    case RankingColumn::kRankInterval:
      return sorted_cell(
          ranked ? std::to_string(st.rank_lo[i]) : "0",
          ranked ? std::to_string(st.rank_lo[i]) + "&ndash;" + std::to_string(st.rank_hi[i]) : "-");
    case RankingColumn::kPBest: {
      const bool has = st.available && i < st.p_best.size();
      return sorted_cell(has ? pct(st.p_best[i], 3) : "0", has ? pct(st.p_best[i]) + "%" : "-");
    }
    case RankingColumn::kGroup: {
      const bool has = st.available && i < st.letters.size();
      return "<td data-sort=\"" + (has ? escape_xml(st.letters[i]) : "") + "\" class=\"group\">" +
             (has ? escape_xml(st.letters[i]) : "-") + "</td>";
    }
    case RankingColumn::kElo: {
      const bool has = i < st.elo.size();
      return sorted_cell(has ? std::to_string(st.elo[i]) : "0",
                         has ? std::to_string(static_cast<int>(std::lround(st.elo[i]))) : "-");
    }
    case RankingColumn::kEpisodes:
      return sorted_cell(std::to_string(p.episodes), std::to_string(p.episodes));
    case RankingColumn::kErrors:
      return sorted_cell(std::to_string(error_episodes(p)), std::to_string(error_episodes(p)));
    case RankingColumn::kSubmitted:
      return "<td>" + escape_xml(p.header.updated_at) + "</td>";
    case RankingColumn::kAvgLength: {
      if (!p.chains) return "<td data-sort=\"0\">-</td>";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f", p.chains->average_length.estimate);
      return sorted_cell(buf, buf);
    }
    case RankingColumn::kAvgLengthInterval: {
      if (!p.chains) return "<td>-</td>";
      char buf[64];
      std::snprintf(buf, sizeof buf, "[%.2f, %.2f]", p.chains->average_length.interval.lo,
                    p.chains->average_length.interval.hi);
      return std::string("<td>") + buf + "</td>";
    }
  }
  return {};
}

}  // namespace

std::string html_ranking_table(const ReportModel& m, const HtmlRankingTable& t) {
  // Chain suites rank by average length: show it beside the policy.
  HtmlRankingTable with_chains = t;
  const bool chains = !m.policies.empty() &&
                      std::all_of(m.policies.begin(), m.policies.end(),
                                  [](const PolicySummary& p) { return p.chains.has_value(); });
  auto& cols = with_chains.columns;
  const auto policy = std::find(cols.begin(), cols.end(), RankingColumn::kPolicy);
  if (chains && policy != cols.end() &&
      std::find(cols.begin(), cols.end(), RankingColumn::kAvgLength) == cols.end()) {
    cols.insert(policy + 1, {RankingColumn::kAvgLength, RankingColumn::kAvgLengthInterval});
  }
  std::string h = "<table id=\"" + escape_xml(t.id) + "\" class=\"sortable\"><thead><tr>";
  for (const RankingColumn c : with_chains.columns) h += header(c);
  h += "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < m.policies.size(); ++i) {
    h += "<tr data-policy=\"" + escape_xml(m.policies[i].name) + "\">";
    for (const RankingColumn c : with_chains.columns) h += cell(c, m, i, t);
    h += "</tr>\n";
  }
  return h + "</tbody></table>\n";
}

}  // namespace gauntlet::reports
