// Chain suites (CALVIN-like): the long-horizon numbers of one run (average length with its
// bootstrap interval, success at 1..5 in a row, the per-subtask table) and the report sections
// that show them. A run is a chain suite when any of its episodes lists subtasks.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "harness/results_store.hpp"
#include "metrics/chain_length.hpp"

namespace gauntlet::reports {

struct ReportModel;

// Bootstrap settings of every average-length interval in reports: 10,000 resamples, fixed seed.
metrics::BootstrapOptions chain_bootstrap_options();

bool is_chain_run(const RunResults& run);

// The chains of `run` whose episodes count for the policy (simulator errors excluded), nominal
// only when `nominal_only`; each chain's steps are its episode's subtasks, in episode order.
std::vector<metrics::Chain> run_chains(const RunResults& run, bool nominal_only);

// nullopt unless the run is a chain suite with at least one counted chain in scope.
std::optional<metrics::ChainSummary> summarize_run_chains(const RunResults& run, bool nominal_only);

// The summary as JSON: chains, avg_length, avg_length_ci95, avg_length_se, length_counts,
// success_at (rates), success_at_detail (k, successes, rate, ci95), subtasks (name, attempts,
// successes, rate, ci95), bootstrap (method, resamples, seed, level).
nlohmann::json chain_summary_json(const metrics::ChainSummary& summary);

// The long-horizon section of report.md and report.html ("" when no policy is a chain run).
std::string markdown_long_horizon_section(const ReportModel& model);
std::string html_long_horizon_section(const ReportModel& model);

}  // namespace gauntlet::reports
