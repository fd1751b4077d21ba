// Agreement between two evaluations of the same policies (simulator vs. real robot, world model
// vs. simulator): Pearson, Spearman, Kendall and MMRV with intervals from per-episode data.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "metrics/bootstrap.hpp"
#include "metrics/evaluation_table.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

struct AgreementStatistic {
  double value = 0.0;
  double p_value = 0.0;  // test of no association (NaN for MMRV)
  // Percentile interval from resampling episodes within each (policy, task) of each
  // evaluation that has per-episode rows; absent when neither has.
  std::optional<Interval> interval;
};

struct AgreementResult {
  std::vector<std::string> policies;  // in the order of x
  std::vector<double> x_scores;       // policy scores: mean over tasks of the success rate
  std::vector<double> y_scores;
  AgreementStatistic pearson;
  Interval pearson_fisher_interval;  // scipy's pearsonr(...).confidence_interval(level)
  AgreementStatistic spearman;
  AgreementStatistic kendall;  // tau-b
  AgreementStatistic mmrv;     // in y's units (y is the reference, e.g. the real robot)
  std::int64_t resamples = 0;  // 0 when no interval was bootstrapped
  double level = 0.95;
};

// x: the evaluation under test (simulator, world model); y: the reference it should agree with.
// Policies are matched by name and must be the same in both (std::invalid_argument naming the
// one missing). Needs at least 3 policies.
AgreementResult agreement(const EvaluationTable& x, const EvaluationTable& y,
                          const BootstrapOptions& bootstrap = {.resamples = 2000});

// From policy scores alone (no per-episode data, so no bootstrap interval).
AgreementResult agreement(std::span<const double> x, std::span<const double> y,
                          double level = 0.95);

}  // namespace gauntlet::metrics
