// The output of `gauntlet sim-real`: a simulator's validity against real-robot trials (per-task
// and averaged Pearson, Spearman and MMRV both ways; per-policy exact tests; a calibration plot)
// as a plain model and its writers (JSON, HTML with inline SVG, a terminal summary).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "metrics/proportion_interval.hpp"
#include "metrics/sim_real.hpp"

namespace gauntlet::reports {

// Successes of one side (sim or real) of a (policy, task) cell or of a policy over tasks.
struct SideCount {
  std::int64_t successes = 0;
  std::int64_t trials = 0;
  metrics::Interval interval;  // Wilson, at the report's level
};

// Sim against real for one policy: on one task, or over the compared tasks together.
struct SimRealComparison {
  std::string policy;
  std::string task;  // empty: over every compared task of the policy
  SideCount sim;
  SideCount real;
  double p_value = 1.0;  // two-sided exact test of H0: sim rate == real rate
  // "boschloo_exact", or "fisher_exact" when a side has more than kBoschlooMaxTrials trials
  // (Boschloo's search over the nuisance parameter grows with n1 * n2).
  std::string test = "boschloo_exact";
};

inline constexpr std::int64_t kBoschlooMaxTrials = 2000;

struct SimRealReport {
  std::vector<std::string> sim_files;
  std::vector<std::string> real_files;
  std::vector<std::string> policies;
  metrics::ValidityResult validity;
  std::vector<SimRealComparison> policy_tests;  // one per policy with both sides
  std::vector<SimRealComparison> cells;         // one per compared (policy, task)
  std::vector<std::string> notes;               // warnings worth reading (skipped tasks, ...)
  std::uint64_t seed = 0;
};

// Fills policy_tests and cells from per-episode outcomes (sim[p][t], real[p][t] as in
// metrics::ValidityInput), for the tasks `validity` compared.
void add_sim_real_tests(SimRealReport& report, const metrics::ValidityInput& input);

std::string sim_real_json(const SimRealReport& report);
std::string sim_real_html(const SimRealReport& report);
std::string sim_real_text(const SimRealReport& report);
// The calibration plot alone: real rate (y) against sim rate (x) per (policy, task), Wilson
// intervals on both axes, the diagonal where sim predicts real exactly.
std::string calibration_plot_svg(const SimRealReport& report);

// Writes sim_real.json and sim_real.html into `dir` (created).
void write_sim_real(const SimRealReport& report, const std::filesystem::path& dir);

}  // namespace gauntlet::reports
