#include "metrics/stratified_bootstrap.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "metrics/aggregate_kernel.hpp"
#include "metrics/parallel.hpp"
#include "metrics/random.hpp"

namespace gauntlet::metrics {
namespace {

// A policy whose scores are all success flags (0 or 1). Resampling n episodes with replacement
// from a task with k successes gives Binomial(n, k / n) successes: one draw per task from that
// law replaces n index draws, with exactly the same bootstrap distribution. The law of each task
// is an alias table whose cells carry the value the aggregate needs (the task mean, or the
// success count for the IQM), flattened so a draw touches one cell.
struct BinaryLaw {
  struct Cell {
    double keep = 1.0;             // probability of the cell's own outcome
    double value[2] = {0.0, 0.0};  // value of the cell's own outcome, of its alias
  };
  std::vector<Cell> cells;
  std::vector<std::size_t> start;  // first cell of task t
  std::vector<double> outcomes;    // n + 1 per task
  double episodes = 0.0;

  double sample(std::size_t t, Xoshiro256& rng) const {
    const double u = rng.uniform() * outcomes[t];
    const auto i = static_cast<std::size_t>(u);
    const Cell& c = cells[start[t] + i];
    // Indexing instead of a conditional: the comparison is a coin flip, which a branch would
    // mispredict half the time.
    return c.value[(u - static_cast<double>(i)) >= c.keep ? 1 : 0];
  }
};

std::optional<BinaryLaw> binary_law(const TaskScores& scores, const AggregateSpec& spec) {
  for (double v : scores.values) {
    if (v != 0.0 && v != 1.0) return std::nullopt;
  }
  // min(score, gamma) for the optimality gap: a success counts min(1, gamma), a failure
  // min(0, gamma).
  const double hi = spec.kind == Aggregate::kOptimalityGap ? std::min(1.0, spec.gamma) : 1.0;
  const double lo = spec.kind == Aggregate::kOptimalityGap ? std::min(0.0, spec.gamma) : 0.0;
  BinaryLaw law;
  for (std::size_t t = 0; t < scores.tasks(); ++t) {
    double k = 0.0;
    for (double v : scores.task(t)) k += v;
    const auto n = static_cast<double>(scores.task_size(t));
    // Binomial(n, k / n) weights by the ratio recurrence from the mode k (the alias table
    // normalises): w(j + 1) / w(j) = (n - j) k / ((j + 1) (n - k)).
    const auto size = scores.task_size(t);
    const auto mode = static_cast<std::size_t>(k);
    std::vector<double> pmf(size + 1, 0.0);
    pmf[mode] = 1.0;
    for (std::size_t j = mode; j < size; ++j) {
      pmf[j + 1] =
          pmf[j] * (static_cast<double>(size - j) * k) / (static_cast<double>(j + 1) * (n - k));
    }
    for (std::size_t j = mode; j > 0; --j) {
      pmf[j - 1] =
          pmf[j] * (static_cast<double>(j) * (n - k)) / (static_cast<double>(size - j + 1) * k);
    }
    // The value of j successes: the count itself for the IQM, else the task mean, rounded
    // exactly as the generic path rounds sum / n (ties with the estimate matter to BCa).
    auto value = [&](std::size_t j) {
      const auto jj = static_cast<double>(j);
      return spec.kind == Aggregate::kIqm ? jj : (jj * hi + (n - jj) * lo) / n;
    };
    const AliasTable table(pmf);
    law.start.push_back(law.cells.size());
    law.outcomes.push_back(static_cast<double>(size + 1));
    for (std::size_t j = 0; j <= size; ++j) {
      law.cells.push_back({table.probability(j), {value(j), value(table.alias(j))}});
    }
  }
  law.episodes = static_cast<double>(scores.episodes());
  return law;
}

double evaluate_binary(const BinaryLaw& law, const AggregateSpec& spec, Xoshiro256& rng,
                       detail::Scratch& scratch) {
  const std::size_t tasks = law.start.size();
  if (spec.kind == Aggregate::kIqm) {
    // The pool sorted is (N - K) zeros then K ones; count the ones inside the trimmed window.
    double ones = 0.0;
    for (std::size_t t = 0; t < tasks; ++t) ones += law.sample(t, rng);
    const auto n = static_cast<std::size_t>(law.episodes);
    const std::size_t lowercut = n / 4;
    const std::size_t uppercut = n - lowercut;
    const auto first_one = n - static_cast<std::size_t>(ones);
    const std::size_t inside =
        uppercut > std::max(lowercut, first_one) ? uppercut - std::max(lowercut, first_one) : 0;
    return static_cast<double>(inside) / static_cast<double>(uppercut - lowercut);
  }
  for (std::size_t t = 0; t < tasks; ++t) scratch.means[t] = law.sample(t, rng);
  return detail::from_task_means(scratch.means.data(), tasks, spec);
}

}  // namespace

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
  std::vector<detail::PreparedScores> prepared;
  std::vector<std::vector<std::uint32_t>> thresholds;
  std::vector<std::optional<BinaryLaw>> binary(n_policies);
  if (resampling == Resampling::kIndependent) {
    for (std::size_t p = 0; p < n_policies; ++p) binary[p] = binary_law(policies[p], spec);
  }
  prepared.reserve(n_policies);
  thresholds.reserve(n_policies);
  for (const auto& p : policies) {
    prepared.emplace_back(p, spec);
    std::vector<std::uint32_t> thr(p.tasks());
    for (std::size_t t = 0; t < p.tasks(); ++t) {
      thr[t] = index_threshold(static_cast<std::uint32_t>(p.task_size(t)));
    }
    thresholds.push_back(std::move(thr));
  }

  ReplicateMatrix out;
  out.resamples = resamples;
  out.policies = n_policies;
  out.values.assign(resamples * n_policies, 0.0);

  parallel_for(resamples, options.threads, [&](std::size_t begin, std::size_t end, int) {
    detail::Scratch scratch(scratch_size);
    std::vector<std::size_t> index(resampling == Resampling::kPaired ? policies[0].episodes() : 0);
    for (std::size_t r = begin; r < end; ++r) {
      if (resampling == Resampling::kPaired) {
        const auto& offsets = policies[0].offsets;
        const auto& thr = thresholds[0];
        Xoshiro256 rng(stream_seed(options.seed, 0, r));
        for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
          std::size_t e = offsets[t];
          uniform_indices(rng, static_cast<std::uint32_t>(offsets[t + 1] - offsets[t]), thr[t],
                          [&](std::uint32_t, std::uint32_t i) { index[e++] = offsets[t] + i; });
        }
        for (std::size_t p = 0; p < n_policies; ++p) {
          std::size_t k = 0;
          out.values[r * n_policies + p] = detail::evaluate(
              prepared[p], spec, [&](std::size_t, std::size_t) { return index[k++]; }, scratch);
        }
      } else {
        for (std::size_t p = 0; p < n_policies; ++p) {
          if (binary[p]) {
            Xoshiro256 rng(stream_seed(options.seed, p, r));
            out.values[r * n_policies + p] = evaluate_binary(*binary[p], spec, rng, scratch);
            continue;
          }
          Xoshiro256 rng(stream_seed(options.seed, p, r));
          out.values[r * n_policies + p] =
              detail::evaluate_resample(prepared[p], spec, thresholds[p].data(), rng, scratch);
        }
      }
    }
  });
  return out;
}

}  // namespace gauntlet::metrics
