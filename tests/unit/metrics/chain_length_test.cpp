#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <sstream>

#include "metrics/chain_length.hpp"
#include "metrics/random.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;

namespace {

Chain chain(std::initializer_list<std::pair<const char*, bool>> steps) {
  Chain c;
  for (const auto& [name, ok] : steps) c.push_back({name, ok});
  return c;
}

// A five-subtask chain of the given length (failing at step length + 1 when length < 5).
Chain chain_of_length(int length) {
  Chain c;
  for (int i = 0; i < std::min(length + 1, 5); ++i)
    c.push_back({"s" + std::to_string(i), i < length});
  return c;
}

// Lengths 0..5 drawn from `law` (probabilities of each length).
std::vector<int> draw_lengths(Xoshiro256& rng, std::size_t n, const std::vector<double>& law) {
  std::vector<int> out(n);
  for (int& l : out) {
    double u = rng.uniform();
    l = 0;
    while (l < 5 && u >= law[static_cast<std::size_t>(l)]) u -= law[static_cast<std::size_t>(l++)];
  }
  return out;
}

}  // namespace

TEST_CASE("a chain's length is its leading successes and the tables count only reached subtasks",
          "[metrics][chains]") {
  CHECK(chain_length(chain({})) == 0);
  CHECK(chain_length(chain({{"a", false}})) == 0);
  CHECK(chain_length(chain({{"a", true}, {"b", true}, {"c", false}})) == 2);
  // A step listed after the first failure was never reached: not a success, not an attempt.
  CHECK(chain_length(chain({{"a", true}, {"b", false}, {"c", true}})) == 1);

  const std::vector<Chain> chains = {
      chain({{"open_drawer", true}, {"lift_red_block_table", true}, {"turn_on_led", false}}),
      chain({{"open_drawer", false}, {"lift_red_block_table", true}}),
      chain({{"turn_on_led", true},
             {"open_drawer", true},
             {"move_slider_left", true},
             {"stack_block", true},
             {"close_drawer", true}}),
      chain({{"lift_red_block_table", true}, {"open_drawer", true}, {"stack_block", false}}),
  };
  BootstrapOptions o;
  o.resamples = 2000;
  const ChainSummary s = summarize_chains(chains, o);
  CHECK(s.chains == 4);
  CHECK(s.horizon == 5);
  CHECK(s.average_length.estimate == Approx((2 + 0 + 5 + 2) / 4.0));
  CHECK(s.length_counts == std::vector<std::int64_t>{1, 0, 2, 0, 0, 1});
  REQUIRE(s.success_at.size() == 5);
  const std::int64_t at_least[] = {3, 3, 1, 1, 1};
  for (int k = 1; k <= 5; ++k) {
    const auto& row = s.success_at[static_cast<std::size_t>(k - 1)];
    CHECK(row.k == k);
    CHECK(row.successes == at_least[k - 1]);
    CHECK(row.rate == Approx(at_least[k - 1] / 4.0));
    const Interval w = wilson_interval(at_least[k - 1], 4, 0.95);
    CHECK(row.ci.lo == w.lo);
    CHECK(row.ci.hi == w.hi);
  }
  // Per subtask (sorted by name): attempts up to and including each chain's first failure.
  struct Want {
    const char* name;
    std::int64_t attempts, successes;
  };
  const Want want[] = {{"close_drawer", 1, 1},     {"lift_red_block_table", 2, 2},
                       {"move_slider_left", 1, 1}, {"open_drawer", 4, 3},
                       {"stack_block", 2, 1},      {"turn_on_led", 2, 1}};
  REQUIRE(s.subtasks.size() == std::size(want));
  for (std::size_t i = 0; i < s.subtasks.size(); ++i) {
    INFO(want[i].name);
    CHECK(s.subtasks[i].name == want[i].name);
    CHECK(s.subtasks[i].attempts == want[i].attempts);
    CHECK(s.subtasks[i].successes == want[i].successes);
  }
  // Same seed, same interval; the interval brackets the estimate.
  const ChainSummary again = summarize_chains(chains, o);
  CHECK(again.average_length.interval.lo == s.average_length.interval.lo);
  CHECK(again.average_length.interval.hi == s.average_length.interval.hi);
  CHECK(s.average_length.interval.lo <= s.average_length.estimate);
  CHECK(s.average_length.interval.hi >= s.average_length.estimate);

  CHECK_THROWS_AS(summarize_chains(std::vector<Chain>{}, o), std::invalid_argument);
  CHECK_THROWS_AS(summarize_chains(std::vector<Chain>{Chain{}, Chain{}}, o), std::invalid_argument);
  const int a[] = {1, 2};
  const int b[] = {1};
  const int neg[] = {-1, 2};
  CHECK_THROWS_AS(paired_length_test(a, b, o), std::invalid_argument);
  CHECK_THROWS_AS(paired_length_test(a, neg, o), std::invalid_argument);
}

TEST_CASE("chain metrics agree with scipy's bootstrap and permutation test and statsmodels' Wilson",
          "[metrics][chains][golden]") {
  Xoshiro256 rng(17);
  struct Set {
    std::string name;
    std::vector<int> a, b;
  };
  std::vector<Set> sets;
  const std::vector<double> weak = {0.25, 0.25, 0.2, 0.15, 0.1, 0.05};
  const std::vector<double> strong = {0.08, 0.12, 0.2, 0.2, 0.2, 0.2};
  sets.push_back({"small", draw_lengths(rng, 12, weak), draw_lengths(rng, 12, strong)});
  sets.push_back({"close", draw_lengths(rng, 13, strong), draw_lengths(rng, 13, strong)});
  sets.push_back({"large", draw_lengths(rng, 300, weak), draw_lengths(rng, 300, strong)});
  sets.push_back({"same", draw_lengths(rng, 400, strong), {}});
  sets.back().b = sets.back().a;
  for (std::size_t i = 0; i < 40; ++i) sets.back().b[i] = std::min(5, sets.back().b[i] + 1);
  std::ostringstream in;
  in << "set,baseline,candidate\n";
  for (const auto& s : sets) {
    for (std::size_t i = 0; i < s.a.size(); ++i)
      in << s.name << ',' << s.a[i] << ',' << s.b[i] << '\n';
  }
  const auto golden = test::run_golden("chains", in.str());
  if (!golden) return;
  BootstrapOptions o;
  o.resamples = 20000;
  o.seed = 5;
  std::size_t checked = 0;
  for (std::size_t r = 0; r < golden->rows.size(); ++r) {
    const std::string& name = golden->text(r, "set");
    const std::string& kind = golden->text(r, "kind");
    const auto& set =
        *std::find_if(sets.begin(), sets.end(), [&](const Set& s) { return s.name == name; });
    INFO(name << " " << kind << " k=" << golden->text(r, "k"));
    std::vector<Chain> chains;
    for (const int l : set.b) chains.push_back(chain_of_length(l));
    const ChainSummary s = summarize_chains(chains, o);
    if (kind == "bootstrap") {
      // Two independent sets of 20,000 resamples: equal within Monte Carlo error (and the
      // 1/n grid of a small sample's means).
      const double tol = set.b.size() < 50 ? 0.1 : 0.015;
      CHECK(s.average_length.interval.lo == Approx(golden->number(r, "v1")).margin(tol));
      CHECK(s.average_length.interval.hi == Approx(golden->number(r, "v2")).margin(tol));
      CHECK(s.average_length.standard_error == Approx(golden->number(r, "v3")).epsilon(0.03));
    } else if (kind == "success_at") {
      const auto& row = s.success_at.at(static_cast<std::size_t>(golden->number(r, "k")) - 1);
      CHECK(row.successes == static_cast<std::int64_t>(golden->number(r, "v1")));
      CHECK(row.ci.lo == Approx(golden->number(r, "v2")).margin(1e-12));
      CHECK(row.ci.hi == Approx(golden->number(r, "v3")).margin(1e-12));
    } else {
      const PairedLengthTest t = paired_length_test(set.a, set.b, o);
      CHECK(t.exact);
      CHECK(t.p_less == Approx(golden->number(r, "v1")).margin(1e-12));
      CHECK(t.p_greater == Approx(golden->number(r, "v2")).margin(1e-12));
      CHECK(t.p_two_sided == Approx(golden->number(r, "v3")).margin(1e-12));
      // The normal approximation (beyond max_work) stays close to the exact law at n = 300+.
      if (set.a.size() >= 300) {
        const PairedLengthTest approx = paired_length_test(set.a, set.b, o, 1.0);
        CHECK_FALSE(approx.exact);
        CHECK(approx.p_greater == Approx(t.p_greater).margin(0.01));
        CHECK(approx.p_less == Approx(t.p_less).margin(0.01));
      }
    }
    ++checked;
  }
  CHECK(checked == sets.size() * 7);
}

TEST_CASE("the paired length test's difference, counts and bootstrap interval describe the pairs",
          "[metrics][chains]") {
  const int a[] = {0, 1, 2, 3, 5, 5, 2, 4};
  const int b[] = {1, 1, 4, 2, 5, 5, 5, 4};
  BootstrapOptions o;
  o.resamples = 4000;
  const PairedLengthTest t = paired_length_test(a, b, o);
  CHECK(t.pairs == 8);
  CHECK(t.baseline == Approx(22 / 8.0));
  CHECK(t.candidate == Approx(27 / 8.0));
  CHECK(t.difference == Approx(5 / 8.0));
  CHECK(t.candidate_longer == 3);
  CHECK(t.baseline_longer == 1);
  CHECK(t.ties == 4);
  CHECK(t.ci.lo <= t.difference);
  CHECK(t.ci.hi >= t.difference);
  // Nonzero differences +1, +2, -1, +3 (|d| = 1, 2, 1, 3; observed positive sum 6 of 7): of the
  // 16 sign patterns, 3 keep a positive sum >= 6 ({1, 2, 1, 3} and {2, 3} with either 1).
  CHECK(t.p_greater == Approx(3.0 / 16.0));
  const int same[] = {3, 3, 3};
  const PairedLengthTest tied = paired_length_test(same, same, o);
  CHECK(tied.p_two_sided == 1.0);
  CHECK(tied.difference == 0.0);
}

TEST_CASE("the average-length bootstrap interval covers the true mean at its nominal level",
          "[metrics][chains][coverage]") {
  // A CALVIN-like law of lengths (mean 2.75): 1000 evaluations of 100 chains, each with a 95%
  // percentile interval from 1000 resamples. Coverage should be 0.95 up to the percentile
  // bootstrap's O(1/n) undercoverage; 1000 replications give a Monte Carlo sd of 0.007.
  const std::vector<double> law = {0.1, 0.1, 0.15, 0.25, 0.25, 0.15};
  double truth = 0.0;
  for (std::size_t l = 0; l < law.size(); ++l) truth += static_cast<double>(l) * law[l];
  Xoshiro256 rng(2026);
  BootstrapOptions o;
  o.resamples = 1000;
  const int reps = 1000;
  int covered = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) {
    std::vector<Chain> chains;
    for (const int l : draw_lengths(rng, 100, law)) chains.push_back(chain_of_length(l));
    o.seed = static_cast<std::uint64_t>(r);
    const auto s = summarize_chains(chains, o);
    covered += (s.average_length.interval.lo <= truth && truth <= s.average_length.interval.hi);
  }
  const double coverage = covered / static_cast<double>(reps);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO("coverage " << coverage << " in " << seconds << " s");
  CHECK(coverage >= 0.925);  // 0.95 - 3.5 sd, allowing the percentile method's small undercoverage
  CHECK(coverage <= 0.975);
  WARN("avg-length interval coverage " << coverage << " (nominal 0.95), " << seconds << " s");
}
