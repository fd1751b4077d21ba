#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "metrics/aggregate.hpp"
#include "metrics/bootstrap.hpp"
#include "metrics/random.hpp"
#include "metrics/stratified_bootstrap.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;
using gauntlet::metrics::test::format_double;

namespace {

// Continuous scores, a different number of episodes per task (ragged strata).
TaskScores continuous_scores(std::uint64_t seed, std::size_t tasks) {
  Xoshiro256 rng(seed);
  TaskScores s;
  for (std::size_t t = 0; t < tasks; ++t) {
    std::vector<double> v(6 + t % 5);
    const double shift = 0.1 * static_cast<double>(t);
    for (double& x : v) x = std::min(1.3, shift + rng.uniform() * rng.uniform() * 1.2);
    s.add_task(v);
  }
  return s;
}

TaskScores binary_scores(std::uint64_t seed, std::size_t tasks, std::size_t episodes,
                         std::vector<double> rates) {
  Xoshiro256 rng(seed);
  TaskScores s;
  for (std::size_t t = 0; t < tasks; ++t) {
    std::vector<double> v(episodes);
    for (double& x : v) x = rng.bernoulli(rates[t % rates.size()]) ? 1.0 : 0.0;
    s.add_task(v);
  }
  return s;
}

}  // namespace

TEST_CASE("Aggregates follow rliable's definitions on a small example", "[metrics][aggregate]") {
  const auto s = TaskScores::from_tasks({{0.0, 1.0}, {0.5, 0.5, 0.5, 0.5}, {2.0}});
  // task means 0.5, 0.5, 2.0
  CHECK(aggregate(s, {Aggregate::kMean}) == Approx(1.0));
  CHECK(aggregate(s, {Aggregate::kMedian}) == Approx(0.5));
  // pooled 0, .5, .5, .5, .5, 1, 2: drop int(7/4) = 1 at each end -> mean of .5 .5 .5 .5 1
  CHECK(aggregate(s, {Aggregate::kIqm}) == Approx(0.6));
  // gamma 1: task means of min(x, 1): 0.5, 0.5, 1.0 -> gap 1 - 2/3
  CHECK(aggregate(s, {Aggregate::kOptimalityGap, 1.0}) == Approx(1.0 / 3.0));
  CHECK_FALSE(higher_is_better(Aggregate::kOptimalityGap));
  CHECK_THROWS_WITH(parse_aggregate("max"), Catch::Contains("mean, median, iqm, optimality-gap"));
  CHECK_THROWS_AS(TaskScores::from_tasks({{}}), std::invalid_argument);
}

TEST_CASE("Percentile and BCa intervals equal scipy.stats.bootstrap on the same replicates",
          "[metrics][bootstrap][golden]") {
  const auto scores = continuous_scores(7, 5);
  for (auto kind :
       {Aggregate::kMean, Aggregate::kMedian, Aggregate::kIqm, Aggregate::kOptimalityGap}) {
    const AggregateSpec spec{kind, 1.0};
    BootstrapOptions options;
    options.resamples = 2000;
    options.seed = 11;
    options.level = 0.9;
    const TaskScores one[1] = {scores};
    const auto replicates = stratified_replicates(one, spec, options, Resampling::kIndependent);
    std::ostringstream in;
    in << "kind,task,value\n" << to_string(kind) << ",0," << options.level << "\n";
    for (std::size_t t = 0; t < scores.tasks(); ++t) {
      for (double v : scores.task(t)) in << "score," << t << "," << format_double(v) << "\n";
    }
    for (double v : replicates.values) in << "replicate,0," << format_double(v) << "\n";
    const auto golden = gauntlet::metrics::test::run_golden("bca", in.str());
    if (!golden) return;
    const double estimate = aggregate(scores, spec);
    const auto jack = jackknife_aggregate(scores, spec);
    for (std::size_t i = 0; i < golden->rows.size(); ++i) {
      options.method = parse_bootstrap_method(golden->text(i, "method"));
      const auto est = summarize_replicates(replicates.values, estimate, &jack, options);
      INFO(to_string(kind) << " " << golden->text(i, "method"));
      CHECK(est.estimate == Approx(golden->number(i, "estimate")).margin(1e-12));
      CHECK(est.interval.lo == Approx(golden->number(i, "lo")).margin(1e-9));
      CHECK(est.interval.hi == Approx(golden->number(i, "hi")).margin(1e-9));
      CHECK(est.standard_error == Approx(golden->number(i, "se")).margin(1e-12));
    }
  }
}

TEST_CASE("Same seed gives the same bootstrap for any thread count", "[metrics][bootstrap]") {
  const auto a = binary_scores(1, 8, 20, {0.3, 0.7});
  const auto b = binary_scores(2, 8, 20, {0.5});
  const TaskScores both[2] = {a, b};
  BootstrapOptions options;
  options.resamples = 3001;
  options.seed = 42;
  for (auto resampling : {Resampling::kIndependent, Resampling::kPaired}) {
    options.threads = 1;
    const auto one = stratified_replicates(both, {}, options, resampling);
    for (int threads : {2, 3, 7}) {
      options.threads = threads;
      CHECK(stratified_replicates(both, {}, options, resampling).values == one.values);
    }
  }
  options.threads = 4;
  const auto single = aggregate_interval(a, {}, options);
  const auto many = aggregate_intervals(both, {}, options);
  CHECK(many[0].interval.lo == single.interval.lo);
  CHECK(many[0].interval.hi == single.interval.hi);
  const auto seed42 = stratified_replicates(both, {}, options, Resampling::kIndependent);
  options.seed = 43;
  CHECK(stratified_replicates(both, {}, options, Resampling::kIndependent).values != seed42.values);
}

TEST_CASE("Bootstrap replicates of the task mean average to the estimate", "[metrics][bootstrap]") {
  const auto s = binary_scores(5, 10, 30, {0.2, 0.5, 0.9});
  BootstrapOptions options;
  options.resamples = 20000;
  const TaskScores one[1] = {s};
  const auto r = stratified_replicates(one, {}, options, Resampling::kIndependent);
  double mean = 0.0;
  for (double v : r.values) mean += v;
  mean /= static_cast<double>(r.values.size());
  CHECK(mean == Approx(aggregate(s)).margin(2e-3));
  // Stratified: the variance is the sum of within-task binomial variances / T^2.
  double var = 0.0;
  for (std::size_t t = 0; t < s.tasks(); ++t) {
    double m = 0.0;
    for (double v : s.task(t)) m += v;
    m /= 30.0;
    var += m * (1 - m) / 30.0;
  }
  var /= 100.0;
  const auto est = aggregate_interval(s, {}, options);
  CHECK(est.standard_error == Approx(std::sqrt(var)).epsilon(0.03));
}

TEST_CASE("Success flags take the binomial shortcut with the same bootstrap distribution",
          "[metrics][bootstrap]") {
  // The shortcut draws each task's success count from Binomial(n, k / n); moving the failures
  // to 1e-12 forces the generic path (n index draws per task). Both distributions must agree.
  const auto flags = binary_scores(31, 6, 15, {0.1, 0.6, 0.9});
  TaskScores nudged = flags;
  for (double& v : nudged.values) v = v == 0.0 ? 1e-12 : v;
  BootstrapOptions options;
  options.resamples = 40000;
  for (auto kind : {Aggregate::kMean, Aggregate::kMedian, Aggregate::kIqm}) {
    const TaskScores a[1] = {flags};
    const TaskScores b[1] = {nudged};
    auto x = stratified_replicates(a, {kind}, options, Resampling::kIndependent).values;
    auto y = stratified_replicates(b, {kind}, options, Resampling::kIndependent).values;
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    double mx = 0.0;
    double my = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      mx += x[i];
      my += y[i];
    }
    mx /= static_cast<double>(x.size());
    my /= static_cast<double>(y.size());
    INFO(to_string(kind));
    CHECK(mx == Approx(my).margin(2e-3));
    for (double q : {0.025, 0.25, 0.5, 0.75, 0.975}) {
      CHECK(sorted_quantile(x, q) == Approx(sorted_quantile(y, q)).margin(0.012));
    }
  }
}

TEST_CASE("Percentile and BCa intervals cover the true mean about 95% of the time",
          "[metrics][bootstrap][coverage]") {
  // Known case: 10 tasks with success rates 0.1..0.9 (true task-mean success 0.5), 25 episodes
  // each. 300 simulated evaluations, 999 resamples each; the binomial standard error of the
  // coverage estimate is about 1.3%, and stratified bootstrap intervals with 25 episodes per
  // task run a little narrow, hence the lower bound 0.89.
  const std::vector<double> rates{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.5};
  const double truth = 0.5;
  int covered_percentile = 0;
  int covered_bca = 0;
  const int sims = 300;
  for (int s = 0; s < sims; ++s) {
    const auto scores = binary_scores(1000 + static_cast<std::uint64_t>(s), 10, 25, rates);
    BootstrapOptions options;
    options.resamples = 999;
    options.seed = static_cast<std::uint64_t>(s);
    const auto p = aggregate_interval(scores, {}, options);
    options.method = BootstrapMethod::kBca;
    const auto b = aggregate_interval(scores, {}, options);
    covered_percentile += (p.interval.lo <= truth && truth <= p.interval.hi) ? 1 : 0;
    covered_bca += (b.interval.lo <= truth && truth <= b.interval.hi) ? 1 : 0;
  }
  const double cp = covered_percentile / static_cast<double>(sims);
  const double cb = covered_bca / static_cast<double>(sims);
  INFO("percentile coverage " << cp << ", BCa coverage " << cb);
  CHECK(cp >= 0.89);
  CHECK(cp <= 0.99);
  CHECK(cb >= 0.89);
  CHECK(cb <= 0.99);
}

TEST_CASE("A degenerate bootstrap distribution gives a zero-width interval",
          "[metrics][bootstrap]") {
  const auto s = TaskScores::from_tasks({{1, 1, 1}, {1, 1}});
  BootstrapOptions options;
  options.resamples = 200;
  options.method = BootstrapMethod::kBca;
  const auto e = aggregate_interval(s, {}, options);
  CHECK(e.interval.lo == 1.0);
  CHECK(e.interval.hi == 1.0);
  CHECK(e.standard_error == 0.0);
  options.resamples = 0;
  CHECK_THROWS_AS(aggregate_interval(s, {}, options), std::invalid_argument);
}
