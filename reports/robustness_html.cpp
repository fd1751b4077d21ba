// report.html's robustness section: per dimension a grouped bar chart of
// success by level and policy, the paired drops, previews of what each level
// looks like, and the composed perturbations' interactions.
#include <algorithm>
#include <cstdio>

#include "reports/html_page.hpp"
#include "reports/robustness_sections.hpp"
#include "reports/svg.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

std::string pct(double v, int decimals = 1) {
  return percent_number(v, decimals);
}

std::string interval(const metrics::Interval& ci) {
  return "[" + pct(ci.lo) + ", " + pct(ci.hi) + "]";
}

}  // namespace

std::string html_robustness_section(
    const std::vector<PolicyRobustness>& all,
    const std::vector<std::pair<std::string, std::string>>& previews) {
  if (all.empty()) return {};
  // Dimensions in the order first seen; for each a chart (groups = levels,
  // series = policies) and a table of paired drops.
  std::vector<std::string> dims;
  for (const auto& p : all) {
    for (const auto& d : p.dimensions) {
      if (std::find(dims.begin(), dims.end(), d.dimension) == dims.end())
        dims.push_back(d.dimension);
    }
  }
  std::string h =
      "<section id=\"robustness\"><h2>Robustness</h2>\n<p class=\"note\">Success at each "
      "perturbation "
      "level (level 0 = nominal) with 95% Wilson intervals. The drop from nominal is a paired "
      "difference "
      "over the same seeds (perturbed episodes share their nominal twin's initial state), with a "
      "paired "
      "bootstrap interval and the exact McNemar p-value.</p>\n<ul class=\"summary\">";
  for (const auto& p : all) {
    h += "<li><b>" + escape_xml(p.policy) + "</b>: nominal " + pct(p.nominal.rate) + "%" +
         (p.most_damaging.empty()
              ? std::string()
              : "; most damaging dimension: <b>" + escape_xml(p.most_damaging) + "</b>");
    for (const auto& d : p.dimensions) {
      if (d.half_level) {
        h += "; " + escape_xml(d.dimension) + " halves success from level " +
             std::to_string(*d.half_level);
      }
    }
    h += "</li>";
  }
  h += "</ul>\n";
  for (const auto& dim : dims) {
    std::vector<std::string> series;
    std::vector<int> levels{0};
    for (const auto& p : all) {
      for (const auto& d : p.dimensions) {
        if (d.dimension != dim) continue;
        for (const auto& l : d.levels) {
          if (std::find(levels.begin(), levels.end(), l.level) == levels.end())
            levels.push_back(l.level);
        }
      }
    }
    std::sort(levels.begin(), levels.end());
    std::vector<BarGroup> groups;
    for (const int level : levels)
      groups.push_back(BarGroup{"level " + std::to_string(level), {}, {}, {}});
    std::string table =
        "<table class=\"robustness\"><thead><tr><th>Policy</th><th>Level</th><th>Success</th>"
        "<th>95% CI</th><th>Drop (points)</th><th>95% CI</th><th>p (McNemar)</th><th>Pairs</th>"
        "</tr></thead><tbody>\n";
    for (const auto& p : all) {
      series.push_back(p.policy);
      const DimensionRobustness* d = nullptr;
      for (const auto& x : p.dimensions) {
        if (x.dimension == dim) d = &x;
      }
      for (std::size_t g = 0; g < levels.size(); ++g) {
        const Rate* r = levels[g] == 0 ? &p.nominal : nullptr;
        const PairedDrop* drop = nullptr;
        if (d) {
          for (const auto& l : d->levels) {
            if (l.level == levels[g]) {
              r = &l.drop.success;
              drop = &l.drop;
            }
          }
        }
        groups[g].values.push_back(r ? r->rate : 0.0);
        groups[g].lo.push_back(r ? r->ci95.lo : 0.0);
        groups[g].hi.push_back(r ? r->ci95.hi : 0.0);
        if (drop) {
          char p_text[32];
          std::snprintf(p_text, sizeof p_text, "%.3g", drop->mcnemar_p);
          table += "<tr><td>" + escape_xml(p.policy) + "</td><td>" + std::to_string(levels[g]) +
                   "</td><td>" + pct(drop->success.rate) + "%</td><td>" +
                   interval(drop->success.ci95) + "</td><td>" + pct(drop->drop) + "</td><td>" +
                   interval(drop->drop_ci) + "</td><td>" + p_text + "</td><td>" +
                   std::to_string(drop->pairs) + "</td></tr>\n";
        }
      }
    }
    table += "</tbody></table>\n";
    h += "<h3>" + escape_xml(dim) + "</h3>\n<div class=\"chart\">" +
         grouped_bar_svg("Success under " + dim, series, groups,
                         std::max(560, 120 * static_cast<int>(groups.size()))) +
         "</div>\n";
    for (const auto& [name, png] : previews) {
      if (name == dim) {
        h += "<figure class=\"preview\"><img alt=\"" + escape_xml(dim) +
             " at levels 0 to 5\" src=\"data:image/png;base64," + base64_encode(png) +
             "\"><figcaption>agentview at levels 0&ndash;5, one seed (the first "
             "task)</figcaption></figure>\n";
      }
    }
    h += "<details><summary>Paired drops</summary>" + table + "</details>\n";
  }
  bool any_interaction = false;
  for (const auto& p : all) any_interaction = any_interaction || !p.interactions.empty();
  if (any_interaction) {
    h += "<h3>Composed "
         "perturbations</h3><table><thead><tr><th>Policy</th><th>Perturbation</th><th>Observed "
         "drop</th>"
         "<th>Sum of single drops</th><th>Interaction</th><th>95% CI</th></tr></thead><tbody>\n";
    for (const auto& p : all) {
      for (const auto& x : p.interactions) {
        h += "<tr><td>" + escape_xml(p.policy) + "</td><td>" + escape_xml(x.perturbation_id) +
             "</td><td>" + pct(x.observed.drop) + "</td><td>" +
             (x.complete ? pct(x.sum_of_single_drops) : std::string("-")) + "</td><td>" +
             (x.complete ? pct(x.interaction) : std::string("-")) + "</td><td>" +
             (x.complete ? interval(x.interaction_ci) : std::string("-")) + "</td></tr>\n";
      }
    }
    h += "</tbody></table>\n";
  }
  return h + "</section>\n";
}

}  // namespace gauntlet::reports
