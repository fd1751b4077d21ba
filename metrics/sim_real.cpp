#include "metrics/sim_real.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "metrics/correlation.hpp"
#include "metrics/random.hpp"

namespace gauntlet::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean(std::span<const double> v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

bool constant(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

// The point statistics of one sample of (sim, real) rate pairs; p-values only when asked.
struct Point {
  double pearson = 0.0, pearson_p = kNaN, spearman = kNaN, mmrv_sr = 0.0, mmrv_rs = 0.0;
};

Point point(std::span<const double> sim, std::span<const double> real, bool p_values) {
  Point out;
  out.pearson = simpler_pearson(sim, real);
  if (!constant(sim) && !constant(real)) {
    out.spearman = spearman(sim, real).statistic;
    if (p_values) out.pearson_p = pearson(sim, real).p_value;
  }
  out.mmrv_sr = mean_maximum_rank_violation(sim, real);
  out.mmrv_rs = mean_maximum_rank_violation(real, sim);
  return out;
}

// The mean over tasks; a NaN task value is left out (NaN when all are).
double finite_mean(const std::vector<double>& v) {
  double sum = 0.0;
  std::size_t n = 0;
  for (const double x : v) {
    if (std::isfinite(x)) {
      sum += x;
      ++n;
    }
  }
  return n == 0 ? kNaN : sum / static_cast<double>(n);
}

Point task_mean(const std::vector<Point>& tasks) {
  std::vector<double> pr, sr, m1, m2;
  for (const auto& t : tasks) {
    pr.push_back(t.pearson);
    sr.push_back(t.spearman);
    m1.push_back(t.mmrv_sr);
    m2.push_back(t.mmrv_rs);
  }
  return {finite_mean(pr), kNaN, finite_mean(sr), finite_mean(m1), finite_mean(m2)};
}

ValidityStats stats_of(const Point& p, std::size_t points) {
  ValidityStats s;
  s.points = points;
  s.pearson.value = p.pearson;
  s.pearson_p_value = p.pearson_p;
  s.spearman.value = p.spearman;
  s.mmrv_sim_real.value = p.mmrv_sr;
  s.mmrv_real_sim.value = p.mmrv_rs;
  return s;
}

// Replicates of the five statistics of one ValidityStats.
struct Replicates {
  std::vector<double> pearson, spearman, mmrv_sr, mmrv_rs;
  void add(const Point& p) {
    pearson.push_back(p.pearson);
    spearman.push_back(p.spearman);
    mmrv_sr.push_back(p.mmrv_sr);
    mmrv_rs.push_back(p.mmrv_rs);
  }
};

std::optional<Interval> finite_percentile(std::vector<double> v, double level) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return percentile_interval(v, level);
}

void attach(ValidityStats& s, Replicates& r, double level) {
  s.pearson.interval = finite_percentile(std::move(r.pearson), level);
  s.spearman.interval = finite_percentile(std::move(r.spearman), level);
  s.mmrv_sim_real.interval = finite_percentile(std::move(r.mmrv_sr), level);
  s.mmrv_real_sim.interval = finite_percentile(std::move(r.mmrv_rs), level);
}

void check_cells(const std::vector<std::vector<std::vector<double>>>& side, const char* name,
                 const ValidityInput& in) {
  if (side.size() != in.policies.size()) {
    throw std::invalid_argument(std::string("sim-real: ") + name + " has " +
                                std::to_string(side.size()) + " policies, expected " +
                                std::to_string(in.policies.size()));
  }
  for (std::size_t p = 0; p < side.size(); ++p) {
    if (side[p].size() != in.tasks.size()) {
      throw std::invalid_argument(std::string("sim-real: ") + name + " of policy '" +
                                  in.policies[p] + "' has " + std::to_string(side[p].size()) +
                                  " tasks, expected " + std::to_string(in.tasks.size()));
    }
    for (std::size_t t = 0; t < side[p].size(); ++t) {
      const auto& cell = side[p][t];
      if (!in.per_episode && cell.size() > 1) {
        throw std::invalid_argument(std::string("sim-real: ") + name + " rate of '" +
                                    in.policies[p] + "' on '" + in.tasks[t] +
                                    "' holds several numbers without per-episode data");
      }
      for (const double x : cell) {
        if (!std::isfinite(x)) {
          throw std::invalid_argument(std::string("sim-real: ") + name + " score of '" +
                                      in.policies[p] + "' on '" + in.tasks[t] + "' is not finite");
        }
      }
    }
  }
}

}  // namespace

double simpler_pearson(std::span<const double> sim, std::span<const double> real) {
  if (sim.size() != real.size()) {
    throw std::invalid_argument("simpler_pearson: sim and real differ in length");
  }
  if (sim.size() < 2) throw std::invalid_argument("simpler_pearson: need at least 2 values");
  const double ms = mean(sim);
  const double mr = mean(real);
  bool equal = true;
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t i = 0; i < sim.size(); ++i) {
    const double a = sim[i] - ms;
    const double b = real[i] - mr;
    equal = equal && a == b;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (equal) return 1.0;
  return sxy / (std::sqrt(sxx * syy) + 1e-8);
}

ValidityResult sim_real_validity(const ValidityInput& in, const BootstrapOptions& options,
                                 std::size_t min_policies) {
  validate(options);
  if (min_policies < 2) throw std::invalid_argument("sim-real: min_policies must be >= 2");
  check_cells(in.sim, "sim", in);
  check_cells(in.real, "real", in);
  ValidityResult out;
  out.level = options.level;

  // The compared cells: per task, the policies with episodes on both sides.
  struct Cell {
    std::size_t p, t;
  };
  std::vector<std::vector<Cell>> task_cells;
  for (std::size_t t = 0; t < in.tasks.size(); ++t) {
    std::vector<Cell> cells;
    for (std::size_t p = 0; p < in.policies.size(); ++p) {
      if (!in.sim[p][t].empty() && !in.real[p][t].empty()) cells.push_back({p, t});
    }
    if (cells.size() < min_policies) {
      out.skipped_tasks.push_back(in.tasks[t] + ": " + std::to_string(cells.size()) +
                                  " policies with both sim and real episodes, need " +
                                  std::to_string(min_policies));
      continue;
    }
    task_cells.push_back(std::move(cells));
  }
  if (task_cells.empty()) {
    throw std::invalid_argument(
        "sim-real: no task has " + std::to_string(min_policies) +
        " or more policies with both sim and real episodes (tasks are matched by id, "
        "policies by name)");
  }

  // Rates of every compared cell, from the data or from one resample of it.
  const auto evaluate = [&](auto&& rate, bool p_values, std::vector<TaskValidity>* keep) {
    std::vector<Point> tasks;
    std::vector<double> all_sim, all_real;
    for (const auto& cells : task_cells) {
      std::vector<double> s, r;
      for (const Cell& c : cells) {
        s.push_back(rate(in.sim[c.p][c.t]));
        r.push_back(rate(in.real[c.p][c.t]));
      }
      tasks.push_back(point(s, r, p_values));
      all_sim.insert(all_sim.end(), s.begin(), s.end());
      all_real.insert(all_real.end(), r.begin(), r.end());
      if (keep) {
        TaskValidity tv;
        tv.task = in.tasks[cells.front().t];
        for (const Cell& c : cells) tv.policies.push_back(c.p);
        tv.sim_rate = s;
        tv.real_rate = r;
        tv.stats = stats_of(tasks.back(), cells.size());
        keep->push_back(std::move(tv));
      }
    }
    return std::tuple{tasks, task_mean(tasks), point(all_sim, all_real, p_values), all_sim.size()};
  };

  const auto data_rate = [](const std::vector<double>& v) { return mean(v); };
  const auto [task_points, mean_point, pooled_point, pooled_n] =
      evaluate(data_rate, true, &out.tasks);
  out.task_mean = stats_of(mean_point, task_cells.size());
  out.pooled = stats_of(pooled_point, pooled_n);
  if (!in.per_episode) return out;

  const auto b = static_cast<std::size_t>(options.resamples);
  std::vector<Replicates> per_task(task_cells.size());
  Replicates mean_reps, pooled_reps;
  for (std::size_t r = 0; r < b; ++r) {
    // One stream per replicate: the numbers do not depend on anything but the seed.
    Xoshiro256 rng(stream_seed(options.seed, 0x5171, r));
    const auto resampled_rate = [&](const std::vector<double>& v) {
      const auto n = static_cast<std::uint32_t>(v.size());
      const std::uint32_t threshold = Xoshiro256::rejection_threshold(n);
      double sum = 0.0;
      for (std::uint32_t i = 0; i < n; ++i) sum += v[rng.below(n, threshold)];
      return sum / static_cast<double>(n);
    };
    const auto [tp, mp, pp, unused] = evaluate(resampled_rate, false, nullptr);
    (void)unused;
    for (std::size_t t = 0; t < tp.size(); ++t) per_task[t].add(tp[t]);
    mean_reps.add(mp);
    pooled_reps.add(pp);
  }
  for (std::size_t t = 0; t < per_task.size(); ++t) {
    attach(out.tasks[t].stats, per_task[t], options.level);
  }
  attach(out.task_mean, mean_reps, options.level);
  attach(out.pooled, pooled_reps, options.level);
  out.resamples = options.resamples;
  return out;
}

}  // namespace gauntlet::metrics
