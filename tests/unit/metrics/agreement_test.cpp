#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <vector>

#include "metrics/agreement.hpp"
#include "metrics/correlation.hpp"
#include "metrics/evaluation_table.hpp"
#include "metrics/random.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;
using gauntlet::metrics::test::format_double;

namespace {

struct Dataset {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

std::vector<Dataset> datasets() {
  Xoshiro256 rng(12);
  std::vector<Dataset> out;
  auto make = [&](const std::string& name, std::size_t n, double round, double noise) {
    Dataset d{name, {}, {}};
    for (std::size_t i = 0; i < n; ++i) {
      double x = rng.uniform();
      double y = x + noise * (rng.uniform() - 0.5);
      if (round > 0) {
        x = std::round(x / round) * round;
        y = std::round(y / round) * round;
      }
      d.x.push_back(x);
      d.y.push_back(y);
    }
    out.push_back(d);
  };
  make("continuous-8", 8, 0, 0.8);
  make("ties-12", 12, 0.2, 0.6);
  make("ties-40", 40, 0.1, 1.0);
  make("exact-5", 5, 0, 1.5);
  make("large-50", 50, 0, 2.0);
  make("success-rates-20", 20, 0.05, 0.4);
  out.push_back({"perfect-6", {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, {0.2, 0.3, 0.5, 0.7, 0.8, 0.9}});
  out.push_back({"reversed-7", {1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1}});
  // Perfectly monotone (not linear), antitone, and monotone with the same ties in x and y.
  Dataset monotone{"monotone-30", {}, {}};
  Dataset antitone{"antitone-23", {}, {}};
  for (int i = 0; i < 30; ++i) {
    monotone.x.push_back(0.1 * i);
    monotone.y.push_back(std::exp(0.3 * i));
  }
  for (int i = 0; i < 23; ++i) {
    antitone.x.push_back(std::sqrt(static_cast<double>(i)));
    antitone.y.push_back(1.0 / (1.0 + i));
  }
  out.push_back(monotone);
  out.push_back(antitone);
  out.push_back({"tied-monotone-11",
                 {0.1, 0.2, 0.2, 0.3, 0.5, 0.5, 0.5, 0.7, 0.8, 0.9, 0.9},
                 {0.01, 0.04, 0.04, 0.09, 0.25, 0.25, 0.25, 0.49, 0.64, 0.81, 0.81}});
  out.push_back(
      {"tied-partial-10", {1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, {1, 2, 2, 3, 3, 3, 4, 5, 5, 5}});
  return out;
}

}  // namespace

TEST_CASE("Spearman is exactly +-1 with p = 0 at perfect monotonicity", "[metrics][agreement]") {
  for (std::size_t n = 3; n <= 80; ++n) {
    std::vector<double> x, y, z, tied_x, tied_y;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = 0.37 * static_cast<double>(i) + 0.1;
      x.push_back(v);
      y.push_back(std::exp(v));         // increasing, not linear
      z.push_back(-v * v * v);          // decreasing
      tied_x.push_back(std::floor(v));  // ties, and a monotone map with the same ties
      tied_y.push_back(std::floor(v) * std::floor(v) + 3.0);
    }
    INFO("n = " << n);
    const auto up = spearman(x, y);
    CHECK(up.statistic == 1.0);
    CHECK(up.p_value == 0.0);
    const auto down = spearman(x, z);
    CHECK(down.statistic == -1.0);
    CHECK(down.p_value == 0.0);
    if (tied_x.front() != tied_x.back()) {
      const auto tied = spearman(tied_x, tied_y);
      CHECK(tied.statistic == 1.0);
      CHECK(tied.p_value == 0.0);
    }
  }
}

TEST_CASE("Pearson, Spearman, Kendall tau-b and MMRV equal scipy and SimplerEnv to 1e-9",
          "[metrics][agreement][golden]") {
  const auto data = datasets();
  std::ostringstream in;
  in << "dataset,x,y\n";
  for (const auto& d : data) {
    for (std::size_t i = 0; i < d.x.size(); ++i) {
      in << d.name << "," << format_double(d.x[i]) << "," << format_double(d.y[i]) << "\n";
    }
  }
  const auto golden = gauntlet::metrics::test::run_golden("correlation", in.str());
  if (!golden) return;
  REQUIRE(golden->rows.size() == data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto& d = data[i];
    REQUIRE(golden->text(i, "dataset") == d.name);
    INFO(d.name);
    const auto p = pearson(d.x, d.y);
    CHECK(p.r == Approx(golden->number(i, "pearson")).margin(1e-9));
    CHECK(p.p_value == Approx(golden->number(i, "pearson_p")).margin(1e-9));
    CHECK(p.interval.lo == Approx(golden->number(i, "pearson_lo")).margin(1e-9));
    CHECK(p.interval.hi == Approx(golden->number(i, "pearson_hi")).margin(1e-9));
    const auto s = spearman(d.x, d.y);
    CHECK(s.statistic == Approx(golden->number(i, "spearman")).margin(1e-9));
    CHECK(s.p_value == Approx(golden->number(i, "spearman_p")).margin(1e-9));
    const auto k = kendall_tau_b(d.x, d.y);
    CHECK(k.statistic == Approx(golden->number(i, "kendall")).margin(1e-9));
    CHECK(k.p_value == Approx(golden->number(i, "kendall_p")).margin(1e-9));
    CHECK(mean_maximum_rank_violation(d.x, d.y) == Approx(golden->number(i, "mmrv")).margin(1e-12));
  }
}

TEST_CASE("MMRV is zero for the same order and measures the worst swap otherwise",
          "[metrics][agreement]") {
  const std::vector<double> real{0.1, 0.5, 0.9};
  CHECK(mean_maximum_rank_violation(std::vector<double>{0.2, 0.3, 0.4}, real) == 0.0);
  // sim swaps policies 1 and 2: each of them has a violation of |0.5 - 0.9| = 0.4.
  CHECK(mean_maximum_rank_violation(std::vector<double>{0.2, 0.6, 0.4}, real) == Approx(0.8 / 3.0));
  CHECK(average_ranks(std::vector<double>{3, 1, 3, 2}) == std::vector<double>{3.5, 1, 3.5, 2});
}

TEST_CASE("Evaluation CSVs parse with a header, comments and quotes", "[metrics][csv]") {
  const auto rates = parse_evaluation_csv(
      "# sim results\npolicy,task,success_rate\nA,pick,0.5\n\"B, v2\",pick,0.75\r\nA,place,1\n"
      "\"B, v2\",place,0.25\n",
      "sim.csv");
  CHECK_FALSE(rates.per_episode);
  CHECK(rates.policies == std::vector<std::string>{"A", "B, v2"});
  CHECK(rates.tasks == std::vector<std::string>{"pick", "place"});
  CHECK(rates.policy_scores() == std::vector<double>{0.75, 0.5});

  const auto eps =
      parse_evaluation_csv("A,t1,1,1\nA,t1,0,0\nB,t1,0,1\nB,t1,1,1\nA,t2,0,1\nB,t2,0,0\n");
  CHECK(eps.per_episode);
  REQUIRE(eps.episodes.size() == 2);
  CHECK(eps.episodes[0].values == std::vector<double>{0, 1, 1});  // sorted by episode index
  CHECK(eps.episodes[0].tasks() == 2);
  CHECK(eps.policy_scores() == std::vector<double>{0.75, 0.5});
}

TEST_CASE("Malformed evaluation CSVs name the line and what was expected", "[metrics][csv]") {
  CHECK_THROWS_WITH(parse_evaluation_csv("A,t,0.5\nB,t\n", "x.csv"),
                    "x.csv:2: expected 3 fields (policy,task,success_rate) or 4 "
                    "(policy,task,episode,success), got 2 fields");
  CHECK_THROWS_WITH(parse_evaluation_csv("A,t,0.5\nB,t,1,1\n", "x.csv"),
                    Catch::StartsWith("x.csv:2: expected 3 fields like line 1"));
  CHECK_THROWS_WITH(parse_evaluation_csv("policy,task,success_rate\nA,t,abc\n", "x.csv"),
                    "x.csv:2: expected success_rate as a number in [0, 1], got 'abc'");
  CHECK_THROWS_WITH(parse_evaluation_csv("A,t,1.5\n", "x.csv"),
                    Catch::StartsWith("x.csv:1: expected success_rate in [0, 1]"));
  CHECK_THROWS_WITH(parse_evaluation_csv("A,t,0.5\nA,t,0.6\n", "x.csv"),
                    Catch::StartsWith("x.csv:2: expected one row per (policy, task)"));
  CHECK_THROWS_WITH(parse_evaluation_csv("A,t,-1,1\n", "x.csv"),
                    Catch::StartsWith("x.csv:1: expected episode as a nonnegative integer"));
  CHECK_THROWS_WITH(parse_evaluation_csv("# nothing\n", "x.csv"),
                    Catch::StartsWith("x.csv:1: expected at least one data row"));
  CHECK_THROWS_WITH(parse_evaluation_csv("A,\"t,0.5\n", "x.csv"),
                    Catch::StartsWith("x.csv:1: expected a closing double quote"));
  const auto missing = parse_evaluation_csv("A,t1,0.5\nA,t2,0.5\nB,t1,0.5\n");
  CHECK_THROWS_WITH(missing.policy_scores(), Catch::Contains("'B' has no result for task 't2'"));
}

TEST_CASE("Agreement from per-episode data comes with bootstrap intervals",
          "[metrics][agreement]") {
  // Five policies; the simulator is a noisy, slightly biased copy of the real robot.
  Xoshiro256 rng(8);
  std::ostringstream sim;
  std::ostringstream real;
  const double rates[] = {0.2, 0.35, 0.5, 0.65, 0.8};
  for (int p = 0; p < 5; ++p) {
    for (int t = 0; t < 3; ++t) {
      for (int e = 0; e < 40; ++e) {
        sim << "p" << p << ",task" << t << "," << e << ","
            << (rng.bernoulli(rates[p] * 0.9 + 0.05) ? 1 : 0) << "\n";
        real << "p" << p << ",task" << t << "," << e << "," << (rng.bernoulli(rates[p]) ? 1 : 0)
             << "\n";
      }
    }
  }
  const auto x = parse_evaluation_csv(sim.str(), "sim.csv");
  const auto y = parse_evaluation_csv(real.str(), "real.csv");
  BootstrapOptions b;
  b.resamples = 1000;
  const auto a = agreement(x, y, b);
  CHECK(a.resamples == 1000);
  CHECK(a.pearson.value > 0.8);
  REQUIRE(a.pearson.interval.has_value());
  CHECK(a.pearson.interval->lo <= a.pearson.value);
  CHECK(a.pearson.interval->hi >= a.pearson.value);
  REQUIRE(a.kendall.interval.has_value());
  CHECK(a.kendall.interval->lo <= a.kendall.value);
  REQUIRE(a.mmrv.interval.has_value());
  CHECK(a.mmrv.interval->lo >= 0.0);
  CHECK(a.pearson_fisher_interval.lo < a.pearson.value);

  const auto rates_only =
      agreement(std::vector<double>{0.1, 0.4, 0.5, 0.9}, std::vector<double>{0.2, 0.3, 0.6, 0.8});
  CHECK_FALSE(rates_only.pearson.interval.has_value());
  CHECK(rates_only.kendall.value == Approx(1.0));

  const auto other = parse_evaluation_csv("p0,t,0.5\np1,t,0.5\nq,t,0.1\n");
  CHECK_THROWS_WITH(agreement(x, other), Catch::Contains("'q'"));
}
