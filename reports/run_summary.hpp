// What `gauntlet run` says when it finishes: the summary model of one results
// file, written as the `--json` document or the one-line note on stderr.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/results_store.hpp"
#include "reports/report_model.hpp"

namespace gauntlet::reports {

struct RunSummary {
  std::string suite, suite_hash;
  std::string policy, policy_spec;
  std::string out;    // the results file
  int episodes = 0;   // every row, sim errors included
  int perturbed = 0;  // rows of a perturbation set other than nominal (not in `success`)
  Rate success;       // over counted episodes (report_model.hpp's scope)
  double mean_progress = 0.0;
  std::vector<TaskSummary> tasks;
  std::map<std::string, int> errors;  // policy_error, invalid_action, sim_error (0 when none)
  // Chain suites: average length with its bootstrap interval, success at 1..5, per subtask.
  std::optional<metrics::ChainSummary> chains;
};

RunSummary summarize_run(const RunResults& results, const std::string& out);

// One JSON document on one line, newline-terminated. Chain suites add avg_length,
// avg_length_ci95, success_at (rates at 1..5 in a row) and long_horizon (everything of
// reports/long_horizon.hpp's chain_summary_json).
std::string run_summary_json(const RunSummary& summary);
// "POLICY: success R% [LO, HI] over N episodes -> OUT\n" (with perturbed
// episodes: "over N nominal episodes (+M perturbed: `gauntlet report` ...)"); chain suites:
// "POLICY: avg length L [LO, HI] over N chains, success R% [LO, HI] -> OUT\n".
std::string run_summary_line(const RunSummary& summary);

}  // namespace gauntlet::reports
