#include "metrics/stratified_bootstrap.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "metrics/aggregate_kernel.hpp"
#include "metrics/parallel.hpp"
#include "metrics/random.hpp"

namespace gauntlet::metrics {

std::vector<double> ReplicateMatrix::column(std::size_t p) const {
  std::vector<double> out(resamples);
  for (std::size_t r = 0; r < resamples; ++r) out[r] = values[r * policies + p];
  return out;
}

ReplicateMatrix stratified_replicates(std::span<const TaskScores> policies,
                                      const AggregateSpec& spec, const BootstrapOptions& options,
                                      Resampling resampling) {
  validate(options);
  if (policies.empty()) throw std::invalid_argument("bootstrap: no policy");
  std::size_t scratch_size = 0;
  for (const auto& p : policies) {
    validate(p, "bootstrap scores");
    for (std::size_t t = 0; t < p.tasks(); ++t) {
      if (p.task_size(t) > std::numeric_limits<std::uint32_t>::max()) {
        throw std::invalid_argument("bootstrap: a task has more than 2^32 - 1 episodes");
      }
    }
    scratch_size = std::max({scratch_size, p.episodes(), p.tasks()});
  }
  if (resampling == Resampling::kPaired) require_same_layout(policies, "paired bootstrap");

  const std::size_t n_policies = policies.size();
  const auto resamples = static_cast<std::size_t>(options.resamples);
  std::vector<std::vector<double>> prepared;
  std::vector<std::vector<std::uint32_t>> thresholds;
  prepared.reserve(n_policies);
  thresholds.reserve(n_policies);
  for (const auto& p : policies) {
    prepared.push_back(detail::prepared_values(p, spec));
    std::vector<std::uint32_t> thr(p.tasks());
    for (std::size_t t = 0; t < p.tasks(); ++t) {
      thr[t] = Xoshiro256::rejection_threshold(static_cast<std::uint32_t>(p.task_size(t)));
    }
    thresholds.push_back(std::move(thr));
  }

  ReplicateMatrix out;
  out.resamples = resamples;
  out.policies = n_policies;
  out.values.assign(resamples * n_policies, 0.0);

  parallel_for(resamples, options.threads, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> scratch(scratch_size);
    std::vector<std::size_t> index(resampling == Resampling::kPaired ? policies[0].episodes() : 0);
    for (std::size_t r = begin; r < end; ++r) {
      if (resampling == Resampling::kPaired) {
        const auto& offsets = policies[0].offsets;
        const auto& thr = thresholds[0];
        Xoshiro256 rng(stream_seed(options.seed, 0, r));
        for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
          const auto n = static_cast<std::uint32_t>(offsets[t + 1] - offsets[t]);
          for (std::size_t e = offsets[t]; e < offsets[t + 1]; ++e) {
            index[e] = offsets[t] + rng.below(n, thr[t]);
          }
        }
        for (std::size_t p = 0; p < n_policies; ++p) {
          std::size_t k = 0;
          out.values[r * n_policies + p] = detail::evaluate(
              prepared[p].data(), offsets, spec,
              [&](std::size_t, std::size_t) { return index[k++]; }, scratch.data());
        }
      } else {
        for (std::size_t p = 0; p < n_policies; ++p) {
          const auto& offsets = policies[p].offsets;
          const auto& thr = thresholds[p];
          Xoshiro256 rng(stream_seed(options.seed, p, r));
          out.values[r * n_policies + p] = detail::evaluate(
              prepared[p].data(), offsets, spec,
              [&](std::size_t t, std::size_t n) {
                return offsets[t] + rng.below(static_cast<std::uint32_t>(n), thr[t]);
              },
              scratch.data());
        }
      }
    }
  });
  return out;
}

}  // namespace gauntlet::metrics
