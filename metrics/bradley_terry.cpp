#include "metrics/bradley_terry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "metrics/parallel.hpp"
#include "metrics/random.hpp"

namespace gauntlet::metrics {
namespace {

bool strongly_connected(const WinMatrix& w) {
  const std::size_t n = w.policies;
  std::vector<char> reach(n * n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    reach[i * n + i] = 1;
    for (std::size_t j = 0; j < n; ++j) {
      if (w(i, j) > 0.0) reach[i * n + j] = 1;
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!reach[i * n + k]) continue;
      for (std::size_t j = 0; j < n; ++j) {
        if (reach[k * n + j]) reach[i * n + j] = 1;
      }
    }
  }
  return std::all_of(reach.begin(), reach.end(), [](char c) { return c != 0; });
}

void add_episode_wins(std::span<const TaskScores> policies, std::size_t e, double weight,
                      std::vector<double>& wins, std::vector<std::size_t>& succ,
                      std::vector<std::size_t>& fail) {
  succ.clear();
  fail.clear();
  for (std::size_t p = 0; p < policies.size(); ++p) {
    (policies[p].values[e] != 0.0 ? succ : fail).push_back(p);
  }
  const std::size_t n = policies.size();
  for (std::size_t i : succ) {
    for (std::size_t j : fail) wins[i * n + j] += weight;
  }
}

void check_flags(std::span<const TaskScores> policies) {
  require_same_layout(policies, "Bradley-Terry");
  for (const auto& p : policies) {
    validate(p, "Bradley-Terry outcomes");
    for (double v : p.values) {
      if (v != 0.0 && v != 1.0) {
        throw std::invalid_argument("Bradley-Terry: outcomes must be success flags 0 or 1, got " +
                                    std::to_string(v));
      }
    }
  }
}

// MM iterations from `strength` (updated in place). Returns iterations used, or -1 if the
// tolerance was not reached.
int mm_iterate(const WinMatrix& w, const BradleyTerryOptions& o, std::vector<double>& s,
               std::vector<double>& next) {
  const std::size_t n = w.policies;
  std::vector<double> total_wins(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i != j) total_wins[i] += w(i, j) + o.prior_wins;
    }
  }
  for (int it = 1; it <= o.max_iterations; ++it) {
    double log_mean = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double denom = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        const double games = w(i, j) + w(j, i) + 2.0 * o.prior_wins;
        if (games > 0.0) denom += games / (s[i] + s[j]);
      }
      next[i] = denom > 0.0 ? total_wins[i] / denom : s[i];
      log_mean += std::log(next[i]);
    }
    const double scale = std::exp(log_mean / static_cast<double>(n));
    double change = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      next[i] /= scale;
      change = std::max(change, std::abs(std::log(next[i]) - std::log(s[i])));
    }
    s.swap(next);
    if (change < o.tolerance) return it;
  }
  return -1;
}

std::vector<double> to_elo(const std::vector<double>& s, const BradleyTerryOptions& o) {
  std::vector<double> elo(s.size());
  double mean = 0.0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    elo[i] = o.elo_scale * std::log10(s[i]);
    mean += elo[i];
  }
  mean /= static_cast<double>(s.size());
  for (double& e : elo) e = o.elo_anchor + e - mean;
  return elo;
}

}  // namespace

WinMatrix paired_wins(std::span<const TaskScores> policies) {
  check_flags(policies);
  WinMatrix out;
  out.policies = policies.size();
  out.wins.assign(out.policies * out.policies, 0.0);
  std::vector<std::size_t> succ;
  std::vector<std::size_t> fail;
  for (std::size_t e = 0; e < policies[0].episodes(); ++e) {
    add_episode_wins(policies, e, 1.0, out.wins, succ, fail);
  }
  return out;
}

BradleyTerryFit fit_bradley_terry(const WinMatrix& wins, const BradleyTerryOptions& options) {
  const std::size_t n = wins.policies;
  if (n < 2) throw std::invalid_argument("Bradley-Terry: need at least two policies");
  if (wins.wins.size() != n * n) throw std::invalid_argument("Bradley-Terry: win matrix size");
  if (!(options.prior_wins >= 0.0)) {
    throw std::invalid_argument("Bradley-Terry: prior_wins must be >= 0");
  }
  if (options.prior_wins == 0.0 && !strongly_connected(wins)) {
    throw std::invalid_argument(
        "Bradley-Terry: with prior_wins = 0 every group of policies must win at least once "
        "against the others (the win graph is not strongly connected, so the maximum-likelihood "
        "strengths are infinite); use prior_wins > 0");
  }
  BradleyTerryFit fit;
  fit.strength.assign(n, 1.0);
  std::vector<double> next(n);
  const int it = mm_iterate(wins, options, fit.strength, next);
  fit.converged = it > 0;
  fit.iterations = it > 0 ? it : options.max_iterations;
  fit.elo = to_elo(fit.strength, options);
  return fit;
}

BradleyTerryResult bradley_terry(std::span<const TaskScores> policies,
                                 const BradleyTerryOptions& options,
                                 const BootstrapOptions& bootstrap) {
  validate(bootstrap);
  BradleyTerryResult out;
  out.wins = paired_wins(policies);
  out.fit = fit_bradley_terry(out.wins, options);
  const std::size_t n = policies.size();
  const auto resamples = static_cast<std::size_t>(bootstrap.resamples);
  const auto& offsets = policies[0].offsets;
  std::vector<double> elo(resamples * n);
  parallel_for(resamples, bootstrap.threads, [&](std::size_t begin, std::size_t end, int) {
    WinMatrix w;
    w.policies = n;
    std::vector<double> multiplicity(policies[0].episodes());
    std::vector<std::size_t> succ;
    std::vector<std::size_t> fail;
    std::vector<double> s(n);
    std::vector<double> next(n);
    for (std::size_t r = begin; r < end; ++r) {
      Xoshiro256 rng(stream_seed(bootstrap.seed, 0, r));
      std::fill(multiplicity.begin(), multiplicity.end(), 0.0);
      for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
        const auto size = static_cast<std::uint32_t>(offsets[t + 1] - offsets[t]);
        double* task = multiplicity.data() + offsets[t];
        uniform_indices(rng, size, index_threshold(size),
                        [&](std::uint32_t, std::uint32_t i) { task[i] += 1.0; });
      }
      w.wins.assign(n * n, 0.0);
      for (std::size_t e = 0; e < multiplicity.size(); ++e) {
        if (multiplicity[e] > 0.0)
          add_episode_wins(policies, e, multiplicity[e], w.wins, succ, fail);
      }
      s = out.fit.strength;  // warm start
      BradleyTerryOptions o = options;
      if (o.prior_wins == 0.0 && !strongly_connected(w)) o.prior_wins = 1e-6;
      mm_iterate(w, o, s, next);
      const auto e = to_elo(s, options);
      std::copy(e.begin(), e.end(), elo.begin() + static_cast<std::ptrdiff_t>(r * n));
    }
  });
  BootstrapOptions percentile = bootstrap;
  percentile.method = BootstrapMethod::kPercentile;
  for (std::size_t p = 0; p < n; ++p) {
    std::vector<double> column(resamples);
    for (std::size_t r = 0; r < resamples; ++r) column[r] = elo[r * n + p];
    const auto est = summarize_replicates(std::move(column), out.fit.elo[p], nullptr, percentile);
    out.elo_interval.push_back(est.interval);
    out.elo_standard_error.push_back(est.standard_error);
  }
  return out;
}

double elo_win_probability(double elo_i, double elo_j, double elo_scale) {
  return 1.0 / (1.0 + std::pow(10.0, (elo_j - elo_i) / elo_scale));
}

}  // namespace gauntlet::metrics
