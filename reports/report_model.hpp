// The one in-memory model every report format is written from: per policy and
// per task success with intervals, termination counts, provenance and the
// robustness section, built from results files. Writers only format it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan_coverage.hpp"
#include "harness/results_store.hpp"
#include "metrics/chain_length.hpp"
#include "metrics/proportion_interval.hpp"
#include "reports/comparisons.hpp"
#include "reports/robustness.hpp"
#include "reports/success_rate.hpp"

namespace gauntlet::reports {

struct TaskSummary {
  std::string task_id;
  std::string instruction;
  Rate success;
  double mean_progress = 0.0;
  std::map<std::string, int> terminations;  // by to_string(Termination)
  double wall_time_s = 0.0;                 // sum of the task's episode wall times
};

struct PolicySummary {
  std::string name;
  std::string source;  // results file
  RunHeader header;
  // The episodes summarised: every one, except that a run holding both nominal
  // and perturbed episodes is summarised by its nominal ones (the perturbed
  // ones are in `ReportModel::robustness`).
  std::string scope = "all";   // "all" | "nominal"
  int perturbed_episodes = 0;  // rows outside the scope
  Rate success;                // pooled over every counted episode in scope
  double mean_progress = 0.0;
  int episodes = 0;  // all rows, sim errors included
  std::map<std::string, int> terminations;
  std::vector<TaskSummary> tasks;  // in the suite's task order
  double latency_p50_ms = 0.0;     // median over episodes of per-episode p50
  double latency_p99_ms = 0.0;     // max over episodes of per-episode p99
  double wall_time_s = 0.0;        // sum of episode wall times
  PlanCoverage coverage;           // how much of its plan the file holds (shards, episodes)
  // Chain suites (episodes list subtasks): average length, success at k, per-subtask table
  // over the chains in scope (reports/long_horizon.hpp); nullopt otherwise.
  std::optional<metrics::ChainSummary> chains;
};

struct ReportModel {
  std::string suite;
  std::string suite_hash;
  std::vector<PolicySummary> policies;     // ranked: best success rate (chain suites: average
                                           // length) first
  std::vector<RunResults> runs;            // same order as policies
  std::vector<std::string> task_ids;       // union of tasks, in suite order
  std::vector<std::string> perturbations;  // perturbation ids present, nominal first
  RankingStatistics stats;                 // paired statistics over the policies, in this order
  std::string generated_at;
  // Policies with perturbed episodes, in ranked order (reports/robustness.hpp).
  std::vector<PolicyRobustness> robustness;
  // PNG strips (dimension, bytes) of what each perturbation looks like at
  // levels 0..5; filled by the CLI, which can reach the simulator.
  std::vector<std::pair<std::string, std::string>> robustness_previews;
};

// Episodes that ended neither in success nor timeout (policy, action and simulator errors).
int error_episodes(const PolicySummary& policy);
// "NAME (FILE): incomplete run: 3 of 6 planned episodes (shard 1/2 is not in this file)"
// for every policy whose file does not hold its whole plan; every format prints these.
std::vector<std::string> incomplete_run_notes(const ReportModel& model);

// For world-model runs with a validation card: that their success rates are
// corrected, with the card's judge error rates; every format prints these.
std::vector<std::string> correction_notes(const ReportModel& model);

PolicySummary summarize(const RunResults& run, const std::string& source);
// Reads every file; InputError if they belong to different suites or hashes.
ReportModel build_report_model(const std::vector<std::filesystem::path>& files,
                               const StatisticsOptions& options = {});
ReportModel build_report_model(std::vector<RunResults> runs, std::vector<std::string> sources,
                               const StatisticsOptions& options = {});

}  // namespace gauntlet::reports
