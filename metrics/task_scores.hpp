// Per-episode scores of one policy grouped by task: the plain-array input of every aggregate,
// bootstrap, ranking and paired comparison in metrics/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gauntlet::metrics {

// Task t owns values[offsets[t] .. offsets[t + 1]). A success is 1.0, a failure 0.0; continuous
// scores (progress, normalised return) are any finite numbers. Two policies evaluated on the same
// episode seeds (common random numbers) have the same layout, episode i of task t in both.
struct TaskScores {
  std::vector<double> values;
  std::vector<std::size_t> offsets{0};

  std::size_t tasks() const { return offsets.size() - 1; }
  std::size_t episodes() const { return values.size(); }
  std::size_t task_size(std::size_t t) const { return offsets[t + 1] - offsets[t]; }
  std::span<const double> task(std::size_t t) const {
    return {values.data() + offsets[t], task_size(t)};
  }

  // Appends one task's episodes; throws std::invalid_argument if `scores` is empty or not finite.
  void add_task(std::span<const double> scores);

  static TaskScores from_tasks(const std::vector<std::vector<double>>& tasks);
  // successes[t] of trials[t] episodes per task, as ones followed by zeros (for data that only
  // has counts; fine for every statistic that does not pair episodes across policies).
  static TaskScores from_counts(std::span<const std::int64_t> successes,
                                std::span<const std::int64_t> trials);
};

// Same number of tasks and of episodes in every task.
bool same_layout(const TaskScores& x, const TaskScores& y);

// Throws std::invalid_argument naming the problem: no task, an empty task, inconsistent offsets,
// a value that is not finite. `what` prefixes the message (e.g. the policy name).
void validate(const TaskScores& scores, const char* what = "task scores");

// Throws std::invalid_argument unless every policy has the layout of the first.
void require_same_layout(std::span<const TaskScores> policies, const char* what);

}  // namespace gauntlet::metrics
