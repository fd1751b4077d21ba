// Shards that must add up: what a results file says about its plan, and what
// `merge` accepts (harness/plan_coverage.hpp).
#include <catch2/catch.hpp>

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
