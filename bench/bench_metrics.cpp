// Benchmarks of metrics/: the stratified bootstrap and the rank distribution at leaderboard scale
// (20 policies x 40 tasks x 50 episodes, 10,000 resamples), plus the sequential test at full
// simulation scale (false-positive rate over 10,000+ null comparisons; episodes to a decision
// next to the fixed-N Barnard test). bench_metrics_vs_scipy.py runs scipy on the same data.
//
// Extra flags: --write-intervals=success|score prints the benchmark's 95% intervals per policy;
// --write-data=PATH writes the benchmark data as policy,task,episode,success,score
// rows (success flags and the continuous scores) and exits (used by the scipy comparison).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "metrics/aggregate.hpp"
#include "metrics/bradley_terry.hpp"
#include "metrics/random.hpp"
#include "metrics/rank_distribution.hpp"
#include "metrics/sample_size.hpp"
#include "metrics/unconditional_exact.hpp"

namespace gm = gauntlet::metrics;

namespace {

constexpr std::size_t kPolicies = 20;
constexpr std::size_t kTasks = 40;
constexpr std::size_t kEpisodes = 50;
constexpr std::int64_t kResamples = 10000;

// Success flags with common random numbers: episode e of task t has a difficulty u shared by all
// policies; policy p succeeds when u (half the time) or a fresh draw is below its task rate.
const std::vector<gm::TaskScores>& leaderboard() {
  static const std::vector<gm::TaskScores> data = [] {
    gm::Xoshiro256 rng(2024);
    std::vector<double> task_offset(kTasks);
    for (double& o : task_offset) o = 0.4 * (rng.uniform() - 0.5);
    std::vector<gm::TaskScores> out(kPolicies);
    for (std::size_t t = 0; t < kTasks; ++t) {
      std::vector<std::vector<double>> v(kPolicies, std::vector<double>(kEpisodes));
      for (std::size_t e = 0; e < kEpisodes; ++e) {
        const double u = rng.uniform();
        for (std::size_t p = 0; p < kPolicies; ++p) {
          const double rate = std::clamp(
              0.3 + 0.5 * static_cast<double>(p) / (kPolicies - 1) + task_offset[t], 0.02, 0.98);
          const double draw = rng.bernoulli(0.5) ? u : rng.uniform();
          v[p][e] = draw < rate ? 1.0 : 0.0;
        }
      }
      for (std::size_t p = 0; p < kPolicies; ++p) out[p].add_task(v[p]);
    }
    return out;
  }();
  return data;
}

void BM_StratifiedBootstrap(benchmark::State& state) {
  const auto& data = leaderboard();
  gm::BootstrapOptions options;
  options.resamples = kResamples;
  options.method =
      state.range(0) == 0 ? gm::BootstrapMethod::kPercentile : gm::BootstrapMethod::kBca;
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    auto intervals = gm::aggregate_intervals(data, {}, options);
    benchmark::DoNotOptimize(intervals.data());
  }
  const double episodes = static_cast<double>(kPolicies * kTasks * kEpisodes) * kResamples;
  state.counters["episodes_resampled_per_s"] =
      benchmark::Counter(episodes, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(gm::to_string(options.method)) +
                 ", 20 policies x 40 tasks x 50 "
                 "episodes, 10000 resamples, threads=" +
                 std::to_string(options.threads));
}
BENCHMARK(BM_StratifiedBootstrap)
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Continuous scores (progress-like): 0.7 success + 0.3 uniform noise. No binomial shortcut here:
// every resample draws all 2,000 episode indices of every policy.
const std::vector<gm::TaskScores>& continuous_leaderboard() {
  static const std::vector<gm::TaskScores> data = [] {
    std::vector<gm::TaskScores> out = leaderboard();
    gm::Xoshiro256 rng(5);
    for (auto& p : out) {
      for (double& v : p.values) v = 0.7 * v + 0.3 * rng.uniform();
    }
    return out;
  }();
  return data;
}

void BM_StratifiedBootstrapContinuous(benchmark::State& state) {
  const auto& data = continuous_leaderboard();
  gm::BootstrapOptions options;
  options.resamples = kResamples;
  const gm::AggregateSpec spec{static_cast<gm::Aggregate>(state.range(0))};
  for (auto _ : state) {
    auto intervals = gm::aggregate_intervals(data, spec, options);
    benchmark::DoNotOptimize(intervals.data());
  }
  const double episodes = static_cast<double>(kPolicies * kTasks * kEpisodes) * kResamples;
  state.counters["episodes_resampled_per_s"] =
      benchmark::Counter(episodes, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(gm::to_string(spec.kind)) +
                 ", 20 x 40 x 50 continuous scores, 10000 resamples, percentile");
}
BENCHMARK(BM_StratifiedBootstrapContinuous)
    ->Arg(static_cast<int>(gm::Aggregate::kMean))
    ->Arg(static_cast<int>(gm::Aggregate::kIqm))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_RankDistribution(benchmark::State& state) {
  const auto& data = leaderboard();
  gm::RankOptions options;
  options.bootstrap.resamples = kResamples;
  double p_best = 0.0;
  for (auto _ : state) {
    const auto ranks = gm::rank_distribution(data, {}, options);
    p_best = ranks.p_best.back();
    benchmark::DoNotOptimize(ranks.probability.data());
  }
  state.counters["p_best_of_strongest"] = p_best;
  state.SetLabel("paired resampling, 20 x 40 x 50, 10000 resamples");
}
BENCHMARK(BM_RankDistribution)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BradleyTerry(benchmark::State& state) {
  const auto& data = leaderboard();
  gm::BootstrapOptions options;
  options.resamples = 1000;
  for (auto _ : state) {
    const auto bt = gm::bradley_terry(data, {}, options);
    benchmark::DoNotOptimize(bt.fit.elo.data());
  }
  state.SetLabel("MM fit + 1000 paired bootstrap refits, 20 policies");
}
BENCHMARK(BM_BradleyTerry)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BarnardExact(benchmark::State& state) {
  const auto n = state.range(0);
  const auto table = gm::TwoByTwo::from_proportions(n * 6 / 10, n, n * 7 / 10, n);
  for (auto _ : state) benchmark::DoNotOptimize(gm::barnard_exact(table).p_value);
  state.SetLabel("two-sided, n per sample = " + std::to_string(n));
}
BENCHMARK(BM_BarnardExact)->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);

// False-positive rate of the sequential test over 20,000 null comparisons (p_A = p_B = p/100),
// a look after every pair, budget 500 pairs. Variant 0: no design (mixture prior, calibrated);
// 1: Ville's threshold without calibration; 2: designed for q1 = 0.6 with futility stopping.
void BM_SequentialFalsePositiveRate(benchmark::State& state) {
  const double p = static_cast<double>(state.range(0)) / 100.0;
  gm::SequentialOptions o;
  o.budget = 500;
  if (state.range(1) == 1) o.calibrate = false;
  if (state.range(1) == 2) o.design_win_share = 0.6;
  gm::SequentialSimulation s;
  for (auto _ : state) s = gm::simulate_sequential(p, p, std::nan(""), o, 20000, 11);
  state.counters["false_positive_rate"] = s.p_b_better + s.p_b_worse;
  state.counters["alpha"] = o.alpha;
  state.counters["mean_pairs"] = s.mean_pairs;
  static const char* kVariant[] = {"mixture, calibrated", "mixture, Ville 2/alpha",
                                   "design q1=0.6, futility"};
  state.SetLabel(std::string(kVariant[state.range(1)]) + ", 20000 nulls, budget 500");
}
BENCHMARK(BM_SequentialFalsePositiveRate)
    ->ArgsProduct({{10, 30, 50, 70, 90}, {0, 1, 2}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Episodes per policy to a decision at (p_A, p_B) next to the fixed-N Barnard test at the same
// alpha (0.05, two-sided) and power (0.8): the plan's exact batch size and 10,000 simulated
// sequential comparisons, designed for the true effect (design_sequential_test) and undesigned
// (mixture, budget 1.5 N).
void BM_SequentialSavings(benchmark::State& state) {
  gm::PlanRequest r;
  r.p0 = static_cast<double>(state.range(0)) / 100.0;
  r.delta = static_cast<double>(state.range(1) - state.range(0)) / 100.0;
  r.simulations = 10000;
  r.seed = 7;
  gm::SamplePlan plan;
  gm::SequentialSimulation mixture;
  for (auto _ : state) {
    plan = gm::plan_sample_size(r);
    gm::SequentialOptions o;  // the undesigned mixture test, budget 1.5 N, calibrated
    o.budget = static_cast<std::int64_t>(std::ceil(1.5 * static_cast<double>(plan.batch_exact)));
    mixture = gm::simulate_sequential(r.p0, r.p0 + r.delta, std::nan(""), o, r.simulations, 7);
  }
  const double n = static_cast<double>(plan.batch_exact);
  state.counters["barnard_n"] = n;
  state.counters["barnard_power"] = plan.batch_exact_power;
  state.counters["seq_mean"] = plan.sequential.mean_pairs;
  state.counters["seq_vs_batch"] = plan.sequential.mean_pairs / n;
  state.counters["seq_power"] = plan.sequential.p_b_better;
  state.counters["seq_null_mean"] = plan.sequential_null.mean_pairs;
  state.counters["seq_null_fpr"] = plan.sequential_null.p_b_better + plan.sequential_null.p_b_worse;
  state.counters["mix_mean"] = mixture.mean_pairs;
  state.counters["mix_power"] = mixture.p_b_better;
}
BENCHMARK(BM_SequentialSavings)
    ->Args({50, 60})
    ->Args({50, 70})
    ->Args({30, 50})
    ->Args({70, 90})
    ->Args({20, 50})
    ->Args({80, 95})
    ->Args({60, 90})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The design effect is a guess. A sequential test designed for p_B = design/100 (budget 1.5 N of
// that design) facing a true p_B = truth/100, against the batch size N of the design.
void BM_SequentialMisspecified(benchmark::State& state) {
  const double p_a = static_cast<double>(state.range(0)) / 100.0;
  const double p_design = static_cast<double>(state.range(1)) / 100.0;
  const double p_true = static_cast<double>(state.range(2)) / 100.0;
  gm::PlanRequest r;
  r.p0 = p_a;
  r.delta = p_design - p_a;
  r.simulations = 0;
  gm::SamplePlan plan;
  gm::SequentialSimulation s;
  for (auto _ : state) {
    plan = gm::plan_sample_size(r);
    s = gm::simulate_sequential(p_a, p_true, std::nan(""), plan.sequential_options, 10000, 9);
  }
  const double n = static_cast<double>(plan.batch_exact);
  state.counters["barnard_n_design"] = n;
  state.counters["barnard_power_true"] =
      gm::barnard_power(plan.batch_exact, plan.batch_exact, p_true, p_a, 0.05);
  state.counters["seq_mean"] = s.mean_pairs;
  state.counters["seq_vs_batch"] = s.mean_pairs / n;
  state.counters["seq_power"] = p_true >= p_a ? s.p_b_better : s.p_b_worse;
}
BENCHMARK(BM_SequentialMisspecified)
    ->Args({50, 60, 70})
    ->Args({50, 60, 80})
    ->Args({50, 60, 55})
    ->Args({50, 60, 40})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The designed sequential test (design_sequential_test, as `gauntlet stats plan --sequential`)
// at (p_A, p_B, discordance/100; 0 = independent policies; alternative 0 two-sided, 1 greater):
// the exact numbers (dynamic programming) next to 200,000 simulated null comparisons at the
// design's discordance and 100,000 with every pair discordant (the worst case), and 100,000 at
// the design point. Not in CI. Regenerates the savings table of docs/statistics.md.
void BM_SequentialDesigned(benchmark::State& state) {
  gm::PlanRequest r;
  r.p0 = static_cast<double>(state.range(0)) / 100.0;
  r.delta = static_cast<double>(state.range(1) - state.range(0)) / 100.0;
  r.paired = state.range(2) > 0;
  r.discordance = r.paired ? static_cast<double>(state.range(2)) / 100.0 : std::nan("");
  r.alternative = state.range(3) == 1 ? gm::Alternative::kGreater : gm::Alternative::kTwoSided;
  r.simulations = 0;
  gm::SamplePlan plan;
  gm::SequentialSimulation null_design, null_worst, alt;
  for (auto _ : state) {
    plan = gm::plan_sample_size(r);
    const auto& d = plan.design;
    const double p_b = r.p0 + r.delta;
    null_design = gm::simulate_sequential(r.p0, r.p0, d.discordance, d.options, 200000, 101);
    null_worst = gm::simulate_sequential(0.5, 0.5, 1.0, d.options, 100000, 102);
    alt = gm::simulate_sequential(r.p0, p_b, d.discordance, d.options, 100000, 103);
  }
  const auto& d = plan.design;
  state.counters["fixed_n"] = static_cast<double>(d.fixed_n);
  state.counters["seq_n"] = d.expected_pairs;
  state.counters["saving"] = d.saving(d.expected_pairs);
  state.counters["power"] = d.power;
  state.counters["seq_n_null"] = d.expected_pairs_null;
  state.counters["saving_null"] = d.saving(d.expected_pairs_null);
  state.counters["fpr_exact"] = d.false_positive_rate;
  state.counters["fpr_sim_200k"] = null_design.p_b_better + null_design.p_b_worse;
  state.counters["fpr_sim_worst_100k"] = null_worst.p_b_better + null_worst.p_b_worse;
  state.counters["sim_n"] = alt.mean_pairs;
  state.counters["sim_power"] = r.delta > 0 ? alt.p_b_better : alt.p_b_worse;
  state.SetLabel(std::string(plan.exact_test) + (r.paired ? ", paired D=" : ", independent D=") +
                 std::to_string(d.discordance).substr(0, 5) + ", " +
                 std::string(gm::to_string(r.alternative)));
}
BENCHMARK(BM_SequentialDesigned)
    ->Args({50, 60, 20, 0})
    ->Args({60, 70, 20, 0})
    ->Args({70, 80, 15, 0})
    ->Args({50, 70, 30, 0})
    ->Args({80, 90, 12, 0})
    ->Args({50, 60, 20, 1})
    ->Args({50, 60, 0, 0})
    ->Args({30, 50, 0, 0})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

void write_data(const std::string& path) {
  std::ofstream out(path);
  out.precision(17);
  out << "policy,task,episode,success,score\n";
  const auto& data = leaderboard();
  const auto& scores = continuous_leaderboard();
  for (std::size_t p = 0; p < data.size(); ++p) {
    for (std::size_t t = 0; t < data[p].tasks(); ++t) {
      const auto flags = data[p].task(t);
      const auto score = scores[p].task(t);
      for (std::size_t e = 0; e < flags.size(); ++e) {
        out << "policy" << p << ",task" << t << "," << e << "," << flags[e] << "," << score[e]
            << "\n";
      }
    }
  }
}

// The 95% percentile intervals of the benchmark's bootstrap, one "lo,hi" line per policy.
void write_intervals(const std::string& column) {
  const auto& data = column == "score" ? continuous_leaderboard() : leaderboard();
  gm::BootstrapOptions options;
  options.resamples = kResamples;
  for (const auto& e : gm::aggregate_intervals(data, {}, options)) {
    std::printf("%.17g,%.17g\n", e.interval.lo, e.interval.hi);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data_flag = "--write-data=";
  const std::string interval_flag = "--write-intervals=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], data_flag.c_str(), data_flag.size()) == 0) {
      write_data(argv[i] + data_flag.size());
      return 0;
    }
    if (std::strncmp(argv[i], interval_flag.c_str(), interval_flag.size()) == 0) {
      write_intervals(argv[i] + interval_flag.size());
      return 0;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
