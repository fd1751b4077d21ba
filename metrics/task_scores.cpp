#include "metrics/task_scores.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {

void TaskScores::add_task(std::span<const double> scores) {
  if (scores.empty()) throw std::invalid_argument("task scores: a task needs at least one episode");
  for (double v : scores) {
    if (!std::isfinite(v)) throw std::invalid_argument("task scores: every score must be finite");
  }
  values.insert(values.end(), scores.begin(), scores.end());
  offsets.push_back(values.size());
}

TaskScores TaskScores::from_tasks(const std::vector<std::vector<double>>& tasks) {
  TaskScores out;
  for (const auto& t : tasks) out.add_task(t);
  return out;
}

TaskScores TaskScores::from_counts(std::span<const std::int64_t> successes,
                                   std::span<const std::int64_t> trials) {
  if (successes.size() != trials.size()) {
    throw std::invalid_argument("task scores: successes and trials differ in length");
  }
  TaskScores out;
  for (std::size_t t = 0; t < trials.size(); ++t) {
    if (trials[t] <= 0 || successes[t] < 0 || successes[t] > trials[t]) {
      throw std::invalid_argument("task scores: task " + std::to_string(t) + " has " +
                                  std::to_string(successes[t]) + " successes of " +
                                  std::to_string(trials[t]) + " trials");
    }
    std::vector<double> v(static_cast<std::size_t>(trials[t]), 0.0);
    for (std::int64_t i = 0; i < successes[t]; ++i) v[static_cast<std::size_t>(i)] = 1.0;
    out.add_task(v);
  }
  return out;
}

bool same_layout(const TaskScores& x, const TaskScores& y) {
  return x.offsets == y.offsets;
}

void validate(const TaskScores& s, const char* what) {
  const std::string name(what);
  if (s.offsets.size() < 2) throw std::invalid_argument(name + ": no task");
  if (s.offsets.front() != 0 || s.offsets.back() != s.values.size()) {
    throw std::invalid_argument(name + ": task offsets do not cover the scores");
  }
  for (std::size_t t = 0; t + 1 < s.offsets.size(); ++t) {
    if (s.offsets[t + 1] <= s.offsets[t]) {
      throw std::invalid_argument(name + ": task " + std::to_string(t) + " has no episode");
    }
  }
  for (double v : s.values) {
    if (!std::isfinite(v)) throw std::invalid_argument(name + ": a score is not finite");
  }
}

void require_same_layout(std::span<const TaskScores> policies, const char* what) {
  for (std::size_t p = 1; p < policies.size(); ++p) {
    if (!same_layout(policies[0], policies[p])) {
      throw std::invalid_argument(std::string(what) + ": policy " + std::to_string(p) +
                                  " has a different task/episode layout than policy 0; paired "
                                  "statistics need the same episodes for every policy");
    }
  }
}

}  // namespace gauntlet::metrics
