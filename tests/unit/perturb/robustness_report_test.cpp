// The robustness model on results built in memory with known outcomes: paired
// drops and their intervals come from metrics/, the half level, the most damaging
// dimension, interactions, unpaired episodes, and the nominal-only headline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "metrics/paired_comparison.hpp"
#include "reports/report_model.hpp"
#include "reports/robustness.hpp"
#include "reports/robustness_sections.hpp"

using namespace gauntlet;
using namespace gauntlet::reports;

namespace {

constexpr int kEpisodes = 10;

std::uint64_t seed_of(const std::string& task, int index) {
  return std::hash<std::string>{}(task) + static_cast<std::uint64_t>(index);
}

// Success of (task, perturbation, index): nominal fails only t1/0; camera:1
// also fails t1/1 and t1/2; camera:2 fails every t1 and t2/0..5; lighting:1 is
// nominal; camera:1,lighting:1 fails t1/1..4 and t2/1.
bool succeeds(const std::string& task, const std::string& p, int i) {
  if (task == "t1" && i == 0) return false;
  if (p == "camera:1") return !(task == "t1" && (i == 1 || i == 2));
  if (p == "camera:2") return !(task == "t1" || i <= 5);
  if (p == "camera:1,lighting:1")
    return !((task == "t1" && i >= 1 && i <= 4) || (task == "t2" && i == 1));
  return true;
}

RunResults results() {
  RunResults run;
  run.header.policy_name = "p";
  run.header.tasks = {TaskInfo{"t1", "do one", 100, "f"}, TaskInfo{"t2", "do two", 100, "f"}};
  run.header.perturbations = {"nominal", "camera:1", "camera:2", "lighting:1",
                              "camera:1,lighting:1"};
  for (const auto& p : run.header.perturbations) {
    for (const char* task : {"t1", "t2"}) {
      for (int i = 0; i < kEpisodes; ++i) {
        EpisodeResult e;
        e.task_id = task;
        e.perturbation_id = p;
        e.episode_index = i;
        e.seed = seed_of(task, i);
        e.success = succeeds(task, p, i);
        e.termination = e.success ? Termination::kSuccess : Termination::kTimeout;
        run.episodes.push_back(e);
      }
    }
  }
  return run;
}

const PairedDrop& find(const PolicyRobustness& r, const std::string& dim, int level) {
  for (const auto& d : r.dimensions) {
    for (const auto& l : d.levels) {
      if (d.dimension == dim && l.level == level) return l.drop;
    }
  }
  FAIL("no " << dim << ":" << level);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Robustness drops are paired differences with metrics' intervals and McNemar p",
          "[reports][robustness]") {
  const auto r = build_robustness(results(), "p");
  REQUIRE(r);
  CHECK(r->nominal.trials == 20);
  CHECK(r->nominal.successes == 19);
  const PairedDrop& c1 = find(*r, "camera", 1);
  CHECK(c1.pairs == 20);
  CHECK(c1.lost == 2);
  CHECK(c1.gained == 0);
  CHECK(c1.drop == Approx(0.1));  // t1: 0.9 -> 0.7, t2 unchanged; task-averaged
  CHECK(c1.drop_ci.lo <= 0.1);
  CHECK(c1.drop_ci.hi >= 0.1);
  CHECK(c1.drop_ci.lo >= 0.0);  // never gained: no resample can show a negative drop
  CHECK(c1.mcnemar_p == Approx(metrics::mcnemar_exact(metrics::PairedCounts{17, 2, 0, 1}).p_value));
  CHECK(c1.success.successes == 17);
  CHECK(find(*r, "lighting", 1).drop == Approx(0.0));
  CHECK(find(*r, "lighting", 1).mcnemar_p == Approx(1.0));
}

TEST_CASE("The half level, the most damaging dimension and interactions are found",
          "[reports][robustness]") {
  const auto r = build_robustness(results(), "p");
  REQUIRE(r);
  REQUIRE(r->dimensions.size() == 2);
  CHECK(r->dimensions[0].dimension == "camera");
  CHECK(r->dimensions[0].half_level == 2);  // camera:2 keeps 4 of 20, nominal 19 of 20
  CHECK_FALSE(r->dimensions[1].half_level.has_value());
  CHECK(r->most_damaging == "camera");
  REQUIRE(r->interactions.size() == 1);
  const Interaction& x = r->interactions.front();
  CHECK(x.complete);
  CHECK(x.episodes == 20);
  CHECK(x.singles == std::vector<std::string>{"camera:1", "lighting:1"});
  // Observed: t1 0.9 -> 0.5 and t2 1.0 -> 0.9, mean 0.25; singles: 0.1 + 0.
  CHECK(x.observed.drop == Approx(0.25));
  CHECK(x.sum_of_single_drops == Approx(0.1));
  CHECK(x.interaction == Approx(0.15));
  CHECK(x.interaction_ci.lo <= 0.15);
  CHECK(x.interaction_ci.hi >= 0.15);
}

TEST_CASE("Episodes without a nominal twin of the same seed are not paired and are noted",
          "[reports][robustness]") {
  RunResults run = results();
  for (auto& e : run.episodes) {
    if (e.perturbation_id == "camera:1" && e.task_id == "t2" && e.episode_index == 9)
      e.seed += 1000;
  }
  run.episodes.erase(std::remove_if(run.episodes.begin(), run.episodes.end(),
                                    [](const EpisodeResult& e) {
                                      return e.perturbation_id == "nominal" && e.task_id == "t1" &&
                                             e.episode_index == 5;
                                    }),
                     run.episodes.end());
  const auto r = build_robustness(run, "p");
  REQUIRE(r);
  CHECK(find(*r, "camera", 1).pairs == 18);
  bool seed_note = false, missing_note = false;
  for (const auto& n : r->notes) {
    seed_note = seed_note || n.find("another seed") != std::string::npos;
    missing_note = missing_note || n.find("no counted nominal twin") != std::string::npos;
  }
  CHECK(seed_note);
  CHECK(missing_note);
}

TEST_CASE("Runs without perturbed episodes have no robustness and keep their headline",
          "[reports][robustness]") {
  RunResults run = results();
  run.episodes.erase(
      std::remove_if(run.episodes.begin(), run.episodes.end(),
                     [](const EpisodeResult& e) { return e.perturbation_id != "nominal"; }),
      run.episodes.end());
  CHECK_FALSE(build_robustness(run, "p"));
  const PolicySummary all = summarize(run, "x.h5");
  CHECK(all.scope == "all");
  CHECK(all.episodes == 20);
  const PolicySummary mixed = summarize(results(), "x.h5");
  CHECK(mixed.scope == "nominal");
  CHECK(mixed.episodes == 20);
  CHECK(mixed.perturbed_episodes == 80);
  CHECK(mixed.success.successes == 19);
}

TEST_CASE("The Markdown and JSON sections carry the robustness numbers", "[reports][robustness]") {
  const auto r = build_robustness(results(), "p");
  REQUIRE(r);
  const std::string md = markdown_robustness_section({*r});
  CHECK_THAT(md, Catch::Contains("## Robustness") && Catch::Contains("| camera |") &&
                     Catch::Contains("Most damaging dimension: **camera**") &&
                     Catch::Contains("camera:1,lighting:1"));
  const nlohmann::json j = robustness_json({*r});
  REQUIRE(j.size() == 1);
  CHECK(j[0]["most_damaging"] == "camera");
  CHECK(j[0]["dimensions"][0]["half_level"] == 2);
  CHECK(j[0]["dimensions"][0]["levels"][0]["drop"].get<double>() == Approx(0.1));
  CHECK(j[0]["interactions"][0]["interaction"].get<double>() == Approx(0.15));
  CHECK(markdown_robustness_section({}).empty());
}

TEST_CASE("Variant aggregation averages every variant on paired episodes, bootstrap by episode",
          "[reports][robustness][variant-aggregation]") {
  const RunResults run = results();
  const auto r = build_robustness(run, "p");
  REQUIRE(r);
  REQUIRE(r->aggregate);
  const VariantAggregate& a = *r->aggregate;
  CHECK(a.variants == run.header.perturbations);  // nominal first, the file's order
  CHECK(a.episodes == 2 * kEpisodes);
  // By hand: per task, the mean over variants and episodes; then over tasks.
  const std::vector<std::string> variants = run.header.perturbations;
  std::vector<std::vector<double>> per_episode(2, std::vector<double>(kEpisodes, 0.0));
  double expected = 0.0;
  for (int t = 0; t < 2; ++t) {
    const std::string task = t == 0 ? "t1" : "t2";
    double task_sum = 0.0;
    for (int i = 0; i < kEpisodes; ++i) {
      for (const auto& v : variants)
        per_episode[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)] +=
            succeeds(task, v, i) ? 1.0 / static_cast<double>(variants.size()) : 0.0;
      task_sum += per_episode[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)];
    }
    expected += task_sum / kEpisodes / 2.0;
  }
  CHECK(a.rate == Approx(expected).epsilon(1e-12));
  // The interval against an independent stratified bootstrap (episodes
  // resampled within tasks, each carrying its mean over the variants): the
  // percentile endpoints agree to Monte Carlo error.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> pick(0, kEpisodes - 1);
  std::vector<double> means;
  for (int b = 0; b < 40000; ++b) {
    double m = 0.0;
    for (const auto& task : per_episode) {
      double s = 0.0;
      for (int i = 0; i < kEpisodes; ++i) s += task[static_cast<std::size_t>(pick(rng))];
      m += s / kEpisodes / 2.0;
    }
    means.push_back(m);
  }
  std::sort(means.begin(), means.end());
  CHECK(a.ci.lo == Approx(means[static_cast<std::size_t>(0.025 * 40000)]).margin(0.015));
  CHECK(a.ci.hi == Approx(means[static_cast<std::size_t>(0.975 * 40000)]).margin(0.015));
  CHECK(a.ci.lo < a.rate);
  CHECK(a.rate < a.ci.hi);
  // In the JSON and Markdown sections.
  const auto j = robustness_json({*r});
  CHECK(j[0]["variant_aggregation"]["success_rate"].get<double>() == Approx(expected));
  CHECK(j[0]["variant_aggregation"]["ci95"][0].get<double>() == Approx(a.ci.lo));
  CHECK_THAT(markdown_robustness_section({*r}),
             Catch::Contains("Variant aggregation (SimplerEnv)"));
}

TEST_CASE("Variant aggregation needs nominal episodes",
          "[reports][robustness][variant-aggregation]") {
  RunResults run = results();
  std::erase_if(run.episodes,
                [](const EpisodeResult& e) { return e.perturbation_id == "nominal"; });
  const auto r = build_robustness(run, "p");
  REQUIRE(r);
  CHECK_FALSE(r->aggregate);
}
