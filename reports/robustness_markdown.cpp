// The robustness section of report.md: per policy, success and paired drop per
// dimension and level, the paired-drop table and composed-perturbation interactions.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/robustness_sections.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

std::string points(double v, bool sign = true) {
  if (std::isnan(v)) return "-";
  if (std::abs(v) < 5e-4) v = 0.0;  // no "-0.0"
  if (v == 0.0) return "0.0";
  char buf[32];
  std::snprintf(buf, sizeof buf, sign ? "%+.1f" : "%.1f", 100.0 * v);
  return buf;
}

std::string interval_points(const metrics::Interval& ci) {
  if (std::isnan(ci.lo)) return "-";
  return "[" + points(ci.lo) + ", " + points(ci.hi) + "]";
}

std::string p_value(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, p < 0.001 ? "%.1e" : "%.3f", p);
  return buf;
}

}  // namespace

std::string markdown_robustness_section(const std::vector<PolicyRobustness>& robustness) {
  if (robustness.empty()) return "";
  std::string out =
      "\n## Robustness\n\n"
      "Each perturbed episode is paired with the nominal episode of the same seed (same initial "
      "state). "
      "Drop = nominal minus perturbed success over the pairs (task-averaged, percentage points), "
      "with a "
      "95% paired bootstrap interval (episodes resampled within tasks, the same draw for both) and "
      "the "
      "exact McNemar p-value. *Half at*: the first level whose success is below half of nominal. "
      "The "
      "most damaging dimension has the largest mean drop over its levels. Interaction = observed "
      "drop "
      "of a composed perturbation minus the sum of its single drops (negative: less than "
      "additive). "
      "Runs that hold perturbed episodes are ranked above by their nominal episodes.\n";
  for (const auto& r : robustness) {
    out += "\n### " + escape_markdown(r.policy) + "\n\n";
    if (r.nominal.trials > 0) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "Nominal success %s [%.1f, %.1f] over %d episodes.",
                    format_percent(r.nominal.rate).c_str(), 100.0 * r.nominal.ci95.lo,
                    100.0 * r.nominal.ci95.hi, r.nominal.trials);
      out += buf;
      if (!r.most_damaging.empty())
        out += " Most damaging dimension: **" + escape_markdown(r.most_damaging) + "**.";
      out += "\n\n";
    }
    if (!r.dimensions.empty()) {
      std::vector<int> levels;
      for (const auto& d : r.dimensions) {
        for (const auto& l : d.levels) {
          if (std::find(levels.begin(), levels.end(), l.level) == levels.end())
            levels.push_back(l.level);
        }
      }
      std::sort(levels.begin(), levels.end());
      out += "| Dimension |";
      std::string sep = "|---|";
      for (const int l : levels) {
        out += " L" + std::to_string(l) + " success (drop) |";
        sep += "---:|";
      }
      out += " Half at | Mean drop |\n" + sep + "---:|---:|\n";
      for (const auto& d : r.dimensions) {
        out += "| " + escape_markdown(d.dimension) + " |";
        for (const int l : levels) {
          const auto it = std::find_if(d.levels.begin(), d.levels.end(),
                                       [&](const LevelDrop& x) { return x.level == l; });
          out += it == d.levels.end() ? " - |"
                                      : " " + format_percent(it->drop.success.rate) + " (" +
                                            points(-it->drop.drop) + ") |";
        }
        out += " " + (d.half_level ? "L" + std::to_string(*d.half_level) : std::string("-")) +
               " | " + points(d.mean_drop, false) + " |\n";
      }
      out +=
          "\n| Perturbation | Success | 95% CI | Pairs | Drop | 95% CI of drop | McNemar p | Lost "
          "| Gained |\n"
          "|---|---:|---|---:|---:|---|---:|---:|---:|\n";
      for (const auto& d : r.dimensions) {
        for (const auto& l : d.levels) {
          const PairedDrop& x = l.drop;
          char ci[64];
          std::snprintf(ci, sizeof ci, "[%.1f, %.1f]", 100.0 * x.success.ci95.lo,
                        100.0 * x.success.ci95.hi);
          out += "| " + escape_markdown(x.perturbation_id) + " | " +
                 format_percent(x.success.rate) + " | " + ci + " | " + std::to_string(x.pairs) +
                 " | " + points(x.drop, false) + " | " + interval_points(x.drop_ci) + " | " +
                 (x.pairs > 0 ? p_value(x.mcnemar_p) : std::string("-")) + " | " +
                 std::to_string(x.lost) + " | " + std::to_string(x.gained) + " |\n";
        }
      }
    }
    if (r.aggregate) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "\nVariant aggregation (SimplerEnv): %s [%.1f, %.1f] averaged over %zu "
                    "variants (nominal included) on %d paired episodes each.\n",
                    format_percent(r.aggregate->rate).c_str(), 100.0 * r.aggregate->ci.lo,
                    100.0 * r.aggregate->ci.hi, r.aggregate->variants.size(),
                    r.aggregate->episodes);
      out += buf;
    }
    if (!r.interactions.empty()) {
      out +=
          "\n| Composed | Success | Observed drop | Sum of single drops | Interaction | 95% CI | "
          "Episodes |\n"
          "|---|---:|---:|---:|---:|---|---:|\n";
      for (const auto& x : r.interactions) {
        out += "| " + escape_markdown(x.perturbation_id) + " | " +
               format_percent(x.observed.success.rate) + " | " + points(x.observed.drop, false) +
               " | " + points(x.sum_of_single_drops, false) + " | " + points(x.interaction) +
               " | " + interval_points(x.interaction_ci) + " | " + std::to_string(x.episodes) +
               " |\n";
      }
    }
    for (const auto& n : r.notes) out += "\n- Note: " + escape_markdown(n);
    if (!r.notes.empty()) out += "\n";
  }
  return out;
}

}  // namespace gauntlet::reports
