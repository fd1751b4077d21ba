// One evaluation of several policies on several tasks as read from a CSV: either success rates
// per (policy, task) or per-episode outcomes. The input of the agreement statistics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/task_scores.hpp"

namespace gauntlet::metrics {

struct EvaluationTable {
  std::vector<std::string> policies;  // in order of first appearance
  std::vector<std::string> tasks;     // in order of first appearance
  bool per_episode = false;
  // rate[p][t]: success rate (or mean score) of policy p on task t; NaN when absent.
  std::vector<std::vector<double>> rate;
  // per_episode only: the episodes of policy p, tasks in `tasks` order (those it has), each
  // task's episodes sorted by episode index.
  std::vector<TaskScores> episodes;
  std::vector<std::vector<std::size_t>> episode_tasks;  // task indices of each TaskScores block

  // Mean over tasks of the rates, every task weighing the same. Throws std::invalid_argument
  // naming the policy and task when a policy lacks a task that another policy has.
  std::vector<double> policy_scores() const;
  std::size_t policy_index(std::string_view name) const;  // policies.size() if absent
};

// Parses CSV text with rows `policy,task,success_rate` or `policy,task,episode,success` (one
// kind per file). An optional header row naming those columns, blank lines and lines starting
// with '#' are skipped; fields may be double-quoted. Rates and successes must lie in [0, 1]
// (a success may be a continuous score), episodes are nonnegative integers, and a
// (policy, task[, episode]) key may appear once. Errors throw std::invalid_argument with
// "<source>:<line>: expected ..., got ...".
EvaluationTable parse_evaluation_csv(std::string_view text, std::string_view source = "input");

// A per-episode table from scores already grouped: scores[p][k] holds the episode scores of
// policies[p] on tasks[k] in episode order; a policy without scores on a task lacks that task
// (its rate is NaN). Throws std::invalid_argument when the shapes disagree.
EvaluationTable per_episode_table(std::vector<std::string> policies, std::vector<std::string> tasks,
                                  const std::vector<std::vector<std::vector<double>>>& scores);

}  // namespace gauntlet::metrics
