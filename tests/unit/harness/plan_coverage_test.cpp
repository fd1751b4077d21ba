// Shards that must add up: what a results file says about its plan, and what
// `merge` accepts (harness/plan_coverage.hpp).
#include <catch2/catch.hpp>

#include <algorithm>

#include "harness/errors.hpp"
#include "harness/plan_coverage.hpp"
#include "harness/results_store.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;

namespace {

// 2 tasks x 2 perturbations x 3 episodes: 12 planned; canonical order t1/nominal/0..2,
// t1/light/0..2, t2/nominal/0..2, t2/light/0..2.
RunHeader header(const std::string& shard) {
  RunHeader h;
  h.harness_version = "test";
  h.suite_name = "suite-a";
  h.suite_hash = "hash-a";
  h.suite_seed = 7;
  h.policy_spec = h.policy_name = h.policy_identity = "random";
  h.episodes_per_task = 3;
  h.perturbations = {"nominal", "light"};
  h.tasks = {TaskInfo{"t1", "one", 10, "fam"}, TaskInfo{"t2", "two", 10, "fam"}};
  h.shard = shard;
  return h;
}

EpisodeResult row(const std::string& task, const std::string& perturbation, int index) {
  EpisodeResult e;
  e.task_id = task;
  e.perturbation_id = perturbation;
  e.episode_index = index;
  e.seed = 100u + static_cast<unsigned>(index);
  e.steps = 3;
  e.termination = Termination::kTimeout;
  return e;
}

// The rows of canonical positions i with i mod n == k (what shard k/n runs).
std::vector<EpisodeResult> shard_rows(int k, int n) {
  std::vector<EpisodeResult> out;
  int pos = 0;
  for (const char* t : {"t1", "t2"}) {
    for (const char* p : {"nominal", "light"}) {
      for (int e = 0; e < 3; ++e, ++pos) {
        if (pos % n == k) out.push_back(row(t, p, e));
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("Shard texts of runs, merges and older merges are read, others refused",
          "[store][shard]") {
  ShardSet s = ShardSet::parse("2/4", "f.h5");
  CHECK(s.count == 4);
  CHECK(s.indices == std::vector<int>{2});
  CHECK(s.missing() == std::vector<std::string>{"0/4", "1/4", "3/4"});
  s = ShardSet::parse("merged:3,0,1/4", "f.h5");
  CHECK(s.indices == std::vector<int>{0, 1, 3});
  CHECK(s.to_string() == "merged:0,1,3/4");
  CHECK(s.missing() == std::vector<std::string>{"2/4"});
  CHECK_FALSE(s.all());
  CHECK(ShardSet::parse("merged:0,1/2", "f.h5").all());
  s = ShardSet::parse("merged:3", "f.h5");  // written by older versions: which shards is unknown
  CHECK_FALSE(s.known());
  CHECK(s.missing().empty());
  for (const char* bad : {"", "1/1", "0/0", "a/2", "merged:0,0/2", "merged:0,2/2", "2",
                          "merged:", "merged:0/2/2", "-1/2"}) {
    INFO(bad);
    CHECK_THROWS_WITH(ShardSet::parse(bad, "f.h5"),
                      Catch::Contains("f.h5") && Catch::Contains("expected I/N"));
  }
  // 10 episodes over 4 shards: 3, 3, 2, 2.
  CHECK(shard_planned_episodes(10, 0, 4) == 3);
  CHECK(shard_planned_episodes(10, 1, 4) == 3);
  CHECK(shard_planned_episodes(10, 2, 4) == 2);
  CHECK(shard_planned_episodes(10, 3, 4) == 2);
}

TEST_CASE("A results file knows its plan: planned, finished and what is missing",
          "[store][shard]") {
  RunResults run{header("0/3"), shard_rows(0, 3)};
  PlanCoverage c = plan_coverage(run);
  CHECK(c.planned == 12);
  CHECK(c.finished == 4);
  CHECK(c.shard_planned == 4);
  CHECK_FALSE(c.complete());
  CHECK(c.summary() == "4 of 12 planned episodes");
  CHECK(c.missing() == "shards 1/3, 2/3 are not in this file");

  // An interrupted shard: its own missing episodes are named.
  run.episodes.erase(run.episodes.begin() + 1);  // canonical 3: t1/light/0
  c = plan_coverage(run);
  CHECK(c.finished == 3);
  CHECK(c.missing_examples == std::vector<std::string>{"t1/light/0"});
  CHECK_THAT(c.missing(), Catch::Contains("1 episodes of its own shards not finished") &&
                              Catch::Contains("t1/light/0"));

  // Every shard merged, every episode there: complete.
  std::vector<EpisodeResult> all;
  for (int k = 0; k < 3; ++k) {
    for (auto& e : shard_rows(k, 3)) all.push_back(e);
  }
  c = plan_coverage(RunResults{header("merged:0,1,2/3"), all});
  CHECK(c.complete());
  CHECK(c.finished == 12);
  CHECK_NOTHROW(require_complete(RunResults{header("merged:0,1,2/3"), all}, "all.h5", "compare"));

  // A whole run with rows outside its plan counts only the planned ones.
  all.push_back(row("t3", "nominal", 0));
  all.push_back(row("t1", "nominal", 9));
  all.erase(all.begin());
  c = plan_coverage(RunResults{header("0/1"), all});
  CHECK(c.finished == 11);
  CHECK_FALSE(c.complete());
  CHECK_THROWS_WITH(require_complete(RunResults{header("0/1"), all}, "whole.h5", "leaderboard"),
                    Catch::Contains("whole.h5") && Catch::Contains("11 of 12 planned episodes") &&
                        Catch::Contains("--allow-incomplete"));
}

TEST_CASE("Merge records its shards and refuses a shard given twice or another split",
          "[store][shard][merge]") {
  const auto dir = testing::fresh_dir("store_shards");
  for (int k = 0; k < 3; ++k) {
    const auto name = dir / ("s" + std::to_string(k) + ".h5");
    auto store = ResultsStore::open_for_run(name, header(std::to_string(k) + "/3"));
    store->append(shard_rows(k, 3));
  }
  {
    auto store = ResultsStore::open_for_run(dir / "two.h5", header("1/2"));
    store->append(shard_rows(1, 2));
  }
  const RunResults part = merge_results({dir / "s2.h5", dir / "s0.h5"});
  CHECK(part.header.shard == "merged:0,2/3");
  CHECK(plan_coverage(part).summary() == "8 of 12 planned episodes");
  CHECK(plan_coverage(part).missing() == "shard 1/3 is not in this file");
  ResultsStore::write(dir / "part.h5", part);
  // Merging a merge with the remaining shard completes it.
  const RunResults whole = merge_results({dir / "part.h5", dir / "s1.h5"});
  CHECK(whole.header.shard == "merged:0,1,2/3");
  CHECK(plan_coverage(whole).complete());
  // A shard merged with itself, directly or through a merge, is refused.
  CHECK_THROWS_WITH(merge_results({dir / "s0.h5", dir / "s0.h5"}),
                    Catch::Contains("shard 0/3 is in both"));
  CHECK_THROWS_WITH(merge_results({dir / "part.h5", dir / "s2.h5"}),
                    Catch::Contains("shard 2/3 is in both") && Catch::Contains("part.h5"));
  CHECK_THROWS_WITH(merge_results({dir / "s0.h5", dir / "two.h5"}),
                    Catch::Contains("2-way split") && Catch::Contains("3-way split"));
  // A shard file resumed by another shard's run is refused, file untouched.
  CHECK_THROWS_WITH(ResultsStore::open_for_run(dir / "s0.h5", header("1/3")),
                    Catch::Contains("holds shard 0/3") && Catch::Contains("shard 1/3"));
  CHECK(ResultsStore::read(dir / "s0.h5").header.shard == "0/3");
}

namespace {

// Per-task counts: t1 has 3 episodes, t2 has 5, two perturbations: 16 planned;
// canonical order t1/nominal/0..2, t1/light/0..2, t2/nominal/0..4, t2/light/0..4.
RunHeader counted_header(const std::string& shard) {
  RunHeader h = header(shard);
  h.tasks[0].episodes = 3;
  h.tasks[1].episodes = 5;
  h.episodes_per_task = 5;
  return h;
}

std::vector<EpisodeResult> counted_rows(int k, int n) {
  std::vector<EpisodeResult> out;
  int pos = 0;
  for (const auto& [t, count] : {std::pair{"t1", 3}, std::pair{"t2", 5}}) {
    for (const char* p : {"nominal", "light"}) {
      for (int e = 0; e < count; ++e, ++pos) {
        if (pos % n == k) out.push_back(row(t, p, e));
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("Per-task counts round-trip through a results file and set each task's plan",
          "[store][shard][counts]") {
  const auto dir = testing::fresh_dir("store_counts");
  {
    auto store = ResultsStore::open_for_run(dir / "r.h5", counted_header("0/1"));
    store->append(counted_rows(0, 1));
  }
  const RunResults back = ResultsStore::read(dir / "r.h5");
  REQUIRE(back.header.tasks.size() == 2);
  CHECK(back.header.tasks[0].episodes == 3);
  CHECK(back.header.tasks[1].episodes == 5);
  CHECK(back.header.episodes_of("t2") == 5);
  CHECK(back.header.episodes_text() == "3-5");
  CHECK(back.header.schema_version == 2);  // unequal counts: a schema-1 reader must refuse it
  CHECK(back.episodes.size() == 16);
  const PlanCoverage c = plan_coverage(back);
  CHECK(c.planned == 16);  // one count per task (3 or 5) would plan 12 or 20
  CHECK(c.finished == 16);
  CHECK(c.complete());
  CHECK_NOTHROW(require_complete(back, "r.h5", "report"));
  // Equal counts stay schema 1, readable by older versions.
  {
    auto store = ResultsStore::open_for_run(dir / "equal.h5", header("0/1"));
    store->append(shard_rows(0, 1));
  }
  CHECK(ResultsStore::read(dir / "equal.h5").header.schema_version == 1);
  CHECK(ResultsStore::read(dir / "equal.h5").header.episodes_text() == "3");

  // The last missing episodes of t2 (indices 3 and 4, past t1's count) are missing.
  RunResults partial = back;
  partial.episodes.erase(std::remove_if(partial.episodes.begin(), partial.episodes.end(),
                                        [](const EpisodeResult& e) {
                                          return e.task_id == "t2" && e.episode_index == 4;
                                        }),
                         partial.episodes.end());
  const PlanCoverage p = plan_coverage(partial);
  CHECK(p.finished == 14);
  CHECK(p.missing_examples == std::vector<std::string>{"t2/nominal/4", "t2/light/4"});
}

TEST_CASE("A half-finished run with per-task counts resumes to each task's count",
          "[store][counts][resume]") {
  const auto dir = testing::fresh_dir("store_counts_resume");
  const auto path = dir / "r.h5";
  std::vector<EpisodeResult> rows = counted_rows(0, 1);
  const std::vector<EpisodeResult> first(rows.begin(), rows.begin() + 7);
  {
    auto store = ResultsStore::open_for_run(path, counted_header("0/1"));
    store->append(first);
  }
  {
    // Resumed with the same plan: the counts stay, the finished rows are kept.
    auto store = ResultsStore::open_for_run(path, counted_header("0/1"));
    CHECK(store->results().episodes.size() == 7);
    CHECK(store->results().header.episodes_of("t1") == 3);
    CHECK(store->results().header.episodes_of("t2") == 5);
    CHECK_FALSE(plan_coverage(store->results()).complete());
    store->append(rows);
    CHECK(plan_coverage(store->results()).complete());
  }
  {
    // Resumed with `--episodes 4`: each task keeps the larger of the two counts.
    RunHeader four = header("0/1");
    four.episodes_per_task = 4;
    four.tasks[0].episodes = four.tasks[1].episodes = 4;
    auto store = ResultsStore::open_for_run(path, four);
    CHECK(store->results().header.episodes_of("t1") == 4);
    CHECK(store->results().header.episodes_of("t2") == 5);
    CHECK(plan_coverage(store->results()).planned == 18);
  }
}

TEST_CASE("Shards of a plan with per-task counts merge to a complete file, other counts refused",
          "[store][shard][merge][counts]") {
  const auto dir = testing::fresh_dir("store_counts_merge");
  for (int k = 0; k < 2; ++k) {
    auto store = ResultsStore::open_for_run(dir / ("s" + std::to_string(k) + ".h5"),
                                            counted_header(std::to_string(k) + "/2"));
    store->append(counted_rows(k, 2));
  }
  // Shard 1/2 holds canonical positions 1, 3, ..., 15: 8 of them.
  CHECK(plan_coverage(ResultsStore::read(dir / "s1.h5")).shard_planned == 8);
  CHECK(plan_coverage(ResultsStore::read(dir / "s1.h5")).missing() ==
        "shard 0/2 is not in this file");
  const RunResults whole = merge_results({dir / "s0.h5", dir / "s1.h5"});
  CHECK(whole.header.shard == "merged:0,1/2");
  CHECK(whole.episodes.size() == 16);
  CHECK(whole.header.episodes_of("t2") == 5);
  CHECK(plan_coverage(whole).complete());
  // A shard planned with other per-task counts (same largest count) is refused.
  RunHeader other = counted_header("1/2");
  other.tasks[0].episodes = 5;
  {
    auto store = ResultsStore::open_for_run(dir / "other.h5", other);
    store->append(counted_rows(1, 2));
  }
  CHECK_THROWS_WITH(merge_results({dir / "s0.h5", dir / "other.h5"}),
                    Catch::Contains("different --episodes"));
}
