// Sim-to-real validity (metrics/sim_real): SimplerEnv's Pearson and MMRV per task, averaged over
// tasks, pooled; checked by hand, against SimplerEnv's definitions and scipy (golden.py), and
// for the bootstrap's determinism and behaviour.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "metrics/correlation.hpp"
#include "metrics/random.hpp"
#include "metrics/sim_real.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;
using gauntlet::metrics::test::format_double;

namespace {

// Rates only: sim[p][t], real[p][t] as one number each.
ValidityInput rate_table(const std::vector<std::string>& tasks,
                         const std::vector<std::vector<double>>& sim,
                         const std::vector<std::vector<double>>& real) {
  ValidityInput in;
  in.tasks = tasks;
  in.per_episode = false;
  for (std::size_t p = 0; p < sim.size(); ++p) {
    in.policies.push_back("p" + std::to_string(p));
    in.sim.emplace_back();
    in.real.emplace_back();
    for (std::size_t t = 0; t < tasks.size(); ++t) {
      in.sim[p].push_back({sim[p][t]});
      in.real[p].push_back({real[p][t]});
    }
  }
  return in;
}

BootstrapOptions boot(std::int64_t resamples = 500, std::uint64_t seed = 7) {
  BootstrapOptions b;
  b.resamples = resamples;
  b.seed = seed;
  return b;
}

}  // namespace

TEST_CASE("MMRV both ways on a hand-computed table", "[metrics][sim-real]") {
  // sim orders p0 < p1 < p2; real orders p1 < p2 < p0. Disagreeing pairs: (0,1) and (0,2).
  //   mmrv(sim, real), real gaps: p0 max(0.10, 0.05) = 0.10, p1 0.10, p2 0.05 -> 0.25 / 3
  //   mmrv(real, sim), sim gaps:  p0 max(0.10, 0.80) = 0.80, p1 0.10, p2 0.80 -> 1.70 / 3
  const std::vector<double> sim{0.1, 0.2, 0.9};
  const std::vector<double> real{0.5, 0.4, 0.45};
  CHECK(mean_maximum_rank_violation(sim, real) == Approx(0.25 / 3).margin(1e-15));
  CHECK(mean_maximum_rank_violation(real, sim) == Approx(1.70 / 3).margin(1e-15));
  // SimplerEnv compares strictly: a tie in sim against an order in real counts for the policy
  // whose real rate is higher only ((0.5 > 0.5) != (0.6 > 0.2)): [0, 0.4] -> 0.2.
  CHECK(mean_maximum_rank_violation(std::vector<double>{0.5, 0.5}, std::vector<double>{0.2, 0.6}) ==
        Approx(0.2).margin(1e-15));

  // Through sim_real_validity: one task is that table; a second task agrees perfectly.
  const auto in = rate_table({"a", "b"}, {{0.1, 0.1}, {0.2, 0.5}, {0.9, 0.7}},
                             {{0.5, 0.2}, {0.4, 0.3}, {0.45, 0.9}});
  const auto r = sim_real_validity(in, boot());
  REQUIRE(r.tasks.size() == 2);
  CHECK(r.tasks[0].stats.mmrv_sim_real.value == Approx(0.25 / 3).margin(1e-15));
  CHECK(r.tasks[0].stats.mmrv_real_sim.value == Approx(1.70 / 3).margin(1e-15));
  CHECK(r.tasks[1].stats.mmrv_sim_real.value == 0.0);
  // SimplerEnv's summary is the mean of the per-task values.
  CHECK(r.task_mean.mmrv_sim_real.value == Approx(0.25 / 6).margin(1e-15));
  CHECK(r.task_mean.mmrv_real_sim.value == Approx(1.70 / 6).margin(1e-15));
  CHECK(r.task_mean.points == 2);
  CHECK(r.pooled.points == 6);
  CHECK(r.resamples == 0);  // rates only: nothing to resample
  CHECK_FALSE(r.task_mean.pearson.interval);
}

TEST_CASE("SimplerEnv's Pearson: 1 for equal centred rates, finite where scipy's is undefined",
          "[metrics][sim-real]") {
  CHECK(simpler_pearson(std::vector<double>{0.25, 0.25, 0.25},
                        std::vector<double>{0.5, 0.5, 0.5}) == 1.0);
  // Bit for bit as SimplerEnv with numpy: the mean of three 0.2 is 0.20000000000000004, so the
  // centred sim is not exactly zero and the "equal" shortcut does not fire.
  CHECK(simpler_pearson(std::vector<double>{0.2, 0.2, 0.2}, std::vector<double>{0.5, 0.5, 0.5}) ==
        0.0);
  // Shifted rates (exact in binary): equal once centred.
  CHECK(simpler_pearson(std::vector<double>{0.25, 0.5, 0.75},
                        std::vector<double>{0.5, 0.75, 1.0}) == 1.0);
  // Otherwise the 1e-8 in the denominator shows: 0.08 / (0.08 + 1e-8) for a perfect line.
  CHECK(simpler_pearson(std::vector<double>{0.2, 0.4, 0.6}, std::vector<double>{0.2, 0.4, 0.6}) ==
        1.0);
  CHECK(simpler_pearson(std::vector<double>{0.1, 0.3, 0.5}, std::vector<double>{0.2, 0.6, 1.0}) ==
        Approx(0.08 * 2 / (std::sqrt(0.08 * 0.32) + 1e-8)).epsilon(1e-12));
  // Constant sim, varying real: zero numerator, not NaN.
  CHECK(simpler_pearson(std::vector<double>{0.3, 0.3, 0.3}, std::vector<double>{0.1, 0.5, 0.9}) ==
        0.0);
  CHECK_THROWS_AS(simpler_pearson(std::vector<double>{0.1}, std::vector<double>{0.2}),
                  std::invalid_argument);
}

TEST_CASE("Per-task, mean-over-task and pooled validity equal SimplerEnv and scipy",
          "[metrics][sim-real][golden]") {
  // Tables built to exercise ties, constant tasks, and anti-correlation.
  struct Table {
    std::string name;
    std::vector<std::string> tasks;
    std::vector<std::vector<double>> sim, real;
  };
  const std::vector<Table> tables = {
      {"google-like",
       {"coke_can", "move_near", "drawer"},
       {{0.85, 0.46, 0.35}, {0.72, 0.55, 0.12}, {0.31, 0.20, 0.50}, {0.05, 0.07, 0.20}},
       {{0.92, 0.50, 0.42}, {0.80, 0.66, 0.31}, {0.50, 0.30, 0.56}, {0.17, 0.26, 0.28}}},
      {"ties-and-constant",
       {"t1", "t2"},
       {{0.5, 0.2}, {0.5, 0.2}, {0.1, 0.2}, {0.9, 0.2}},
       {{0.4, 0.0}, {0.6, 0.1}, {0.1, 0.0}, {0.4, 0.3}}},
      {"inverted",
       {"x", "y"},
       {{0.1, 0.9}, {0.4, 0.6}, {0.7, 0.3}},
       {{0.8, 0.2}, {0.5, 0.5}, {0.2, 0.7}}},
  };
  std::ostringstream csv;
  csv << "dataset,task,policy,sim,real\n";
  for (const auto& t : tables) {
    for (std::size_t k = 0; k < t.tasks.size(); ++k) {
      for (std::size_t p = 0; p < t.sim.size(); ++p) {
        csv << t.name << "," << t.tasks[k] << ",p" << p << "," << format_double(t.sim[p][k]) << ","
            << format_double(t.real[p][k]) << "\n";
      }
    }
  }
  const auto golden = gauntlet::metrics::test::run_golden("sim_real", csv.str());
  if (!golden) return;
  std::size_t row = 0;
  const auto same = [](double a, double b) {
    if (std::isnan(b)) return std::isnan(a);
    return std::abs(a - b) <= 1e-9;
  };
  const auto check = [&](const ValidityStats& s, const std::string& scope) {
    INFO(golden->text(row, "dataset") << " " << scope);
    REQUIRE(golden->text(row, "scope") == scope);
    CHECK(same(s.pearson.value, golden->number(row, "pearson")));
    CHECK(same(s.pearson_p_value, golden->number(row, "pearson_p")));
    CHECK(same(s.spearman.value, golden->number(row, "spearman")));
    CHECK(same(s.mmrv_sim_real.value, golden->number(row, "mmrv")));
    CHECK(same(s.mmrv_real_sim.value, golden->number(row, "mmrv_real_sim")));
    ++row;
  };
  for (const auto& t : tables) {
    const auto r = sim_real_validity(rate_table(t.tasks, t.sim, t.real), boot());
    REQUIRE(r.tasks.size() == t.tasks.size());
    for (const auto& task : r.tasks) check(task.stats, "task:" + task.task);
    check(r.task_mean, "mean");
    check(r.pooled, "pooled");
  }
  CHECK(row == golden->rows.size());
}

TEST_CASE("The episode bootstrap is seeded, brackets the estimate and narrows with episodes",
          "[metrics][sim-real]") {
  // Four policies, two tasks, Bernoulli episodes at rates that the simulator ranks correctly.
  const std::vector<std::vector<double>> sim_rates{{0.2, 0.3}, {0.4, 0.5}, {0.6, 0.55}, {0.8, 0.9}};
  const std::vector<std::vector<double>> real_rates{
      {0.1, 0.2}, {0.35, 0.4}, {0.5, 0.6}, {0.9, 0.8}};
  const auto make = [&](int n) {
    ValidityInput in;
    in.tasks = {"a", "b"};
    Xoshiro256 rng(42);
    for (std::size_t p = 0; p < sim_rates.size(); ++p) {
      in.policies.push_back("p" + std::to_string(p));
      in.sim.emplace_back(2);
      in.real.emplace_back(2);
      for (std::size_t t = 0; t < 2; ++t) {
        for (int e = 0; e < n; ++e) {
          in.sim[p][t].push_back(rng.bernoulli(sim_rates[p][t]) ? 1.0 : 0.0);
          in.real[p][t].push_back(rng.bernoulli(real_rates[p][t]) ? 1.0 : 0.0);
        }
      }
    }
    return in;
  };
  const auto small = make(25);
  const auto a = sim_real_validity(small, boot(400, 3));
  const auto b = sim_real_validity(small, boot(400, 3));
  REQUIRE(a.task_mean.pearson.interval);
  CHECK(a.task_mean.pearson.interval->lo == b.task_mean.pearson.interval->lo);
  CHECK(a.tasks[1].stats.mmrv_sim_real.interval->hi == b.tasks[1].stats.mmrv_sim_real.interval->hi);
  CHECK(a.resamples == 400);
  for (const auto* s : {&a.task_mean, &a.pooled, &a.tasks[0].stats, &a.tasks[1].stats}) {
    REQUIRE(s->pearson.interval);
    CHECK(s->pearson.interval->lo <= s->pearson.value);
    CHECK(s->pearson.value <= s->pearson.interval->hi);
    CHECK(s->mmrv_sim_real.interval->lo >= 0.0);
  }
  const auto large = sim_real_validity(make(400), boot(400, 3));
  const auto width = [](const ValidityValue& v) { return v.interval->hi - v.interval->lo; };
  CHECK(width(large.pooled.pearson) < 0.6 * width(a.pooled.pearson));
  CHECK(width(large.task_mean.mmrv_sim_real) < width(a.task_mean.mmrv_sim_real));
}

TEST_CASE("Tasks without enough policies on both sides are skipped and named",
          "[metrics][sim-real]") {
  auto in = rate_table({"a", "b"}, {{0.1, 0.2}, {0.5, 0.6}, {0.9, 0.3}},
                       {{0.2, 0.1}, {0.4, 0.2}, {0.8, 0.3}});
  in.real[2][1].clear();  // policy 2 has no real trials on task b
  const auto r = sim_real_validity(in, boot());
  REQUIRE(r.tasks.size() == 1);
  CHECK(r.tasks[0].task == "a");
  REQUIRE(r.skipped_tasks.size() == 1);
  CHECK_THAT(r.skipped_tasks[0], Catch::StartsWith("b: 2 policies"));
  in.real[2][0].clear();
  CHECK_THROWS_WITH(sim_real_validity(in, boot()), Catch::Contains("no task has 3"));
}
