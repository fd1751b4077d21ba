#include "reports/long_horizon.hpp"

#include <algorithm>
#include <cstdio>

#include "reports/report_model.hpp"
#include "reports/svg.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

constexpr std::uint64_t kChainBootstrapSeed = 20261203;

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string length_ci(const metrics::Interval& ci) {
  return "[" + fixed(ci.lo, 2) + ", " + fixed(ci.hi, 2) + "]";
}

std::string percent_ci(const metrics::Interval& ci) {
  return "[" + fixed(100 * ci.lo, 1) + ", " + fixed(100 * ci.hi, 1) + "]";
}

int max_horizon(const ReportModel& model) {
  int h = 0;
  for (const auto& p : model.policies) {
    if (p.chains) h = std::max(h, p.chains->horizon);
  }
  return h;
}

std::string method_note(const ReportModel& model) {
  const auto o = chain_bootstrap_options();
  return "Average length: subtasks completed in a row per chain (a chain stops at its first "
         "failure), with a 95% " +
         std::string(metrics::to_string(o.method)) + " bootstrap interval over chains (" +
         std::to_string(o.resamples) + " resamples, seed " + std::to_string(o.seed) +
         "). Success at k: chains that completed at least k subtasks in a row, 95% Wilson "
         "interval. Per subtask: a subtask is attempted when its chain reaches it." +
         (std::any_of(model.policies.begin(), model.policies.end(),
                      [](const PolicySummary& p) { return p.chains && p.scope == "nominal"; })
              ? " Nominal chains only (perturbed chains are in the robustness section)."
              : "");
}

}  // namespace

metrics::BootstrapOptions chain_bootstrap_options() {
  metrics::BootstrapOptions o;
  o.resamples = 10000;
  o.seed = kChainBootstrapSeed;
  o.level = 0.95;
  return o;
}

bool is_chain_run(const RunResults& run) {
  return std::any_of(run.episodes.begin(), run.episodes.end(),
                     [](const EpisodeResult& e) { return !e.subtasks.empty(); });
}

std::vector<metrics::Chain> run_chains(const RunResults& run, bool nominal_only) {
  std::vector<metrics::Chain> chains;
  for (const auto& e : run.episodes) {
    if (!e.counts_for_policy()) continue;
    if (nominal_only && e.perturbation_id != "nominal") continue;
    metrics::Chain c;
    for (const auto& s : e.subtasks) c.push_back({s.name, s.success});
    chains.push_back(std::move(c));
  }
  return chains;
}

std::optional<metrics::ChainSummary> summarize_run_chains(const RunResults& run,
                                                          bool nominal_only) {
  if (!is_chain_run(run)) return std::nullopt;
  const auto chains = run_chains(run, nominal_only);
  const bool any =
      std::any_of(chains.begin(), chains.end(), [](const metrics::Chain& c) { return !c.empty(); });
  if (!any) return std::nullopt;
  return metrics::summarize_chains(chains, chain_bootstrap_options());
}

nlohmann::json chain_summary_json(const metrics::ChainSummary& s) {
  using nlohmann::json;
  const auto o = chain_bootstrap_options();
  json j;
  j["chains"] = s.chains;
  j["horizon"] = s.horizon;
  j["avg_length"] = s.average_length.estimate;
  j["avg_length_ci95"] = {s.average_length.interval.lo, s.average_length.interval.hi};
  j["avg_length_se"] = s.average_length.standard_error;
  j["length_counts"] = s.length_counts;
  json rates = json::array();
  json detail = json::array();
  for (const auto& a : s.success_at) {
    rates.push_back(a.rate);
    detail.push_back({{"k", a.k},
                      {"successes", a.successes},
                      {"chains", a.chains},
                      {"rate", a.rate},
                      {"ci95", {a.ci.lo, a.ci.hi}}});
  }
  j["success_at"] = rates;
  j["success_at_detail"] = detail;
  json subtasks = json::array();
  for (const auto& t : s.subtasks) {
    subtasks.push_back({{"name", t.name},
                        {"attempts", t.attempts},
                        {"successes", t.successes},
                        {"rate", t.rate},
                        {"ci95", {t.ci.lo, t.ci.hi}}});
  }
  j["subtasks"] = subtasks;
  j["bootstrap"] = {{"method", std::string(metrics::to_string(o.method))},
                    {"resamples", o.resamples},
                    {"seed", o.seed},
                    {"level", o.level}};
  return j;
}

std::string markdown_long_horizon_section(const ReportModel& model) {
  const int horizon = max_horizon(model);
  if (horizon == 0) return {};
  std::string out = "\n## Long horizon (chains)\n\n" + method_note(model) +
                    "\n\n| Policy | Chains | Avg length | 95% CI |";
  std::string rule = "|---|---:|---:|---|";
  for (int k = 1; k <= horizon; ++k) {
    out += " " + std::to_string(k) + " in a row |";
    rule += "---:|";
  }
  out += "\n" + rule + "\n";
  for (const auto& p : model.policies) {
    if (!p.chains) continue;
    const auto& s = *p.chains;
    out += "| " + escape_markdown(p.name) + " | " + std::to_string(s.chains) + " | " +
           fixed(s.average_length.estimate, 2) + " | " + length_ci(s.average_length.interval) +
           " |";
    for (int k = 1; k <= horizon; ++k) {
      if (k > s.horizon) {
        out += " - |";
        continue;
      }
      const auto& a = s.success_at[static_cast<std::size_t>(k - 1)];
      out += " " + format_percent(a.rate) + " " + percent_ci(a.ci) + " |";
    }
    out += "\n";
  }
  out +=
      "\n### Success per subtask\n\n| Subtask | Policy | Attempts | Successes | Success | 95% CI "
      "|\n|---|---|---:|---:|---:|---|\n";
  std::vector<std::string> names;
  for (const auto& p : model.policies) {
    if (!p.chains) continue;
    for (const auto& t : p.chains->subtasks) names.push_back(t.name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& name : names) {
    for (const auto& p : model.policies) {
      if (!p.chains) continue;
      const auto& rows = p.chains->subtasks;
      const auto it = std::find_if(rows.begin(), rows.end(),
                                   [&](const metrics::SubtaskRate& r) { return r.name == name; });
      if (it == rows.end()) {
        out +=
            "| " + escape_markdown(name) + " | " + escape_markdown(p.name) + " | 0 | 0 | - | - |\n";
        continue;
      }
      out += "| " + escape_markdown(name) + " | " + escape_markdown(p.name) + " | " +
             std::to_string(it->attempts) + " | " + std::to_string(it->successes) + " | " +
             format_percent(it->rate) + " | " + percent_ci(it->ci) + " |\n";
    }
  }
  return out;
}

std::string html_long_horizon_section(const ReportModel& model) {
  const int horizon = max_horizon(model);
  if (horizon == 0) return {};
  std::string h = "<section id=\"long-horizon\"><h2>Long horizon (chains)</h2>\n<p>" +
                  escape_xml(method_note(model)) +
                  "</p>\n<table><thead><tr><th>Policy</th><th>Chains</th><th>Avg length</th>"
                  "<th>95% CI</th>";
  for (int k = 1; k <= horizon; ++k) h += "<th>" + std::to_string(k) + " in a row</th>";
  h += "</tr></thead><tbody>\n";
  for (const auto& p : model.policies) {
    if (!p.chains) continue;
    const auto& s = *p.chains;
    h += "<tr><td>" + escape_xml(p.name) + "</td><td>" + std::to_string(s.chains) + "</td><td>" +
         fixed(s.average_length.estimate, 2) + "</td><td>" + length_ci(s.average_length.interval) +
         "</td>";
    for (int k = 1; k <= horizon; ++k) {
      if (k > s.horizon) {
        h += "<td>-</td>";
        continue;
      }
      const auto& a = s.success_at[static_cast<std::size_t>(k - 1)];
      h += "<td>" + format_percent(a.rate) + " " + percent_ci(a.ci) + "</td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody></table>\n<h3>Success per subtask</h3>\n<table><thead><tr><th>Policy</th>"
       "<th>Subtask</th><th>Attempts</th><th>Successes</th><th>Success</th><th>95% CI</th></tr>"
       "</thead><tbody>\n";
  for (const auto& p : model.policies) {
    if (!p.chains) continue;
    for (const auto& t : p.chains->subtasks) {
      h += "<tr><td>" + escape_xml(p.name) + "</td><td>" + escape_xml(t.name) + "</td><td>" +
           std::to_string(t.attempts) + "</td><td>" + std::to_string(t.successes) + "</td><td>" +
           format_percent(t.rate) + "</td><td>" + percent_ci(t.ci) + "</td></tr>\n";
    }
  }
  return h + "</tbody></table></section>\n";
}

}  // namespace gauntlet::reports
