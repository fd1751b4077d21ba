// The stratified bootstrap engine: replicates of a task aggregate for many policies at once,
// resampling episodes within each task, seeded per resample so any thread count gives one answer.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "metrics/aggregate.hpp"
#include "metrics/bootstrap.hpp"
#include "metrics/task_scores.hpp"

namespace gauntlet::metrics {

enum class Resampling {
  kIndependent,  // each policy draws its own episodes (stream seed, policy, resample)
  kPaired,       // one draw of episode indices per resample, shared by all policies: keeps the
                 // pairing of common-random-number episodes (needs identical layouts)
};

// Replicates laid out resample-major: value (r, p) at values[r * policies + p].
struct ReplicateMatrix {
  std::size_t resamples = 0;
  std::size_t policies = 0;
  std::vector<double> values;

  double operator()(std::size_t r, std::size_t p) const { return values[r * policies + p]; }
  std::vector<double> column(std::size_t p) const;
};

// Resample r draws from Xoshiro256(stream_seed(seed, p, r)) for policy p (kIndependent) or
// Xoshiro256(stream_seed(seed, 0, r)) for the shared draw (kPaired), with uniform_indices. With
// kIndependent, a policy whose scores are all success flags (0 or 1) draws each task's resampled
// success count from its Binomial(n, k / n) law (alias method) instead of n episode indices: the
// same bootstrap distribution, 50 times fewer draws at 50 episodes per task. The inner loop
// allocates nothing: each worker owns its scratch buffers.
ReplicateMatrix stratified_replicates(std::span<const TaskScores> policies,
                                      const AggregateSpec& spec, const BootstrapOptions& options,
                                      Resampling resampling);

}  // namespace gauntlet::metrics
