#include <catch2/catch.hpp>

#include <fstream>

#include "harness/errors.hpp"
#include "harness/results_store.hpp"
#include "harness/sha256.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;

namespace {

RunHeader test_header() {
  RunHeader h;
  h.harness_version = "test";
  h.git_sha = "abc";
  h.suite_name = "suite-a";
  h.suite_version = "1";
  h.suite_hash = "hash-a";
  h.suite_source = "builtin:x";
  h.suite_seed = 99;
  h.policy_spec = "random";
  h.policy_name = "random";
  h.policy_identity = "id-random";
  h.episodes_per_task = 2;
  h.perturbations = {"nominal"};
  h.tasks = {TaskInfo{"t1", "do the thing", 100, "fam"},
             TaskInfo{"t2", "do the \"other\" thing", 50, "fam"}};
  h.hosts = "host1";
  h.started_at = "2026-01-01T00:00:00Z";
  return h;
}

EpisodeResult episode(const std::string& task, int index, bool success) {
  EpisodeResult e;
  e.task_id = task;
  e.episode_index = index;
  e.seed = 1000u + static_cast<unsigned>(index);
  e.success = success;
  e.progress = success ? 1.0 : 0.25;
  e.episode_return = success ? 1.0 : 0.0;
  e.steps = 17 + index;
  e.termination = success ? Termination::kSuccess : Termination::kPolicyError;
  e.wall_time_s = 0.5;
  e.policy_calls = 17;
  e.latency_p50_ms = 1.5;
  e.latency_p95_ms = 2.5;
  e.latency_p99_ms = 3.5;
  e.error = success ? "" : "Traceback: ValueError: bad \xc3\xa9";
  return e;
}

}  // namespace

TEST_CASE("A results file round-trips every field", "[store]") {
  const auto dir = testing::fresh_dir("store_roundtrip");
  const auto path = dir / "r.h5";
  {
    auto store = ResultsStore::open_for_run(path, test_header());
    const std::vector<EpisodeResult> eps{episode("t2", 1, false), episode("t1", 0, true)};
    store->append(eps);
  }
  const RunResults r = ResultsStore::read(path);
  CHECK(r.header.suite_name == "suite-a");
  CHECK(r.header.suite_seed == 99);
  CHECK(r.header.tasks.size() == 2);
  CHECK(r.header.tasks[1].instruction == "do the \"other\" thing");
  CHECK(r.header.tasks[1].max_steps == 50);
  CHECK(r.header.perturbations == std::vector<std::string>{"nominal"});
  REQUIRE(r.episodes.size() == 2);
  // Rows are stored sorted by (task, perturbation, episode).
  CHECK(r.episodes[0].task_id == "t1");
  const EpisodeResult& e = r.episodes[1];
  const EpisodeResult want = episode("t2", 1, false);
  CHECK(e.seed == want.seed);
  CHECK(e.success == want.success);
  CHECK(e.progress == want.progress);
  CHECK(e.steps == want.steps);
  CHECK(e.termination == Termination::kPolicyError);
  CHECK(e.latency_p99_ms == want.latency_p99_ms);
  CHECK(e.error == want.error);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".lock"));
}

TEST_CASE("Reopening a results file resumes it without duplicating rows", "[store]") {
  const auto dir = testing::fresh_dir("store_resume");
  const auto path = dir / "r.h5";
  {
    auto store = ResultsStore::open_for_run(path, test_header());
    const std::vector<EpisodeResult> eps{episode("t1", 0, true)};
    store->append(eps);
  }
  auto store = ResultsStore::open_for_run(path, test_header());
  CHECK(store->contains({"t1", "nominal", 0}));
  CHECK_FALSE(store->contains({"t1", "nominal", 1}));
  const std::vector<EpisodeResult> eps{episode("t1", 0, true), episode("t1", 1, false)};
  store->append(eps);
  CHECK(store->results().episodes.size() == 2);
  CHECK(ResultsStore::read(path).episodes.size() == 2);
}

TEST_CASE("A results file of another experiment is refused and left untouched", "[store]") {
  const auto dir = testing::fresh_dir("store_mismatch");
  const auto path = dir / "r.h5";
  {
    auto store = ResultsStore::open_for_run(path, test_header());
    const std::vector<EpisodeResult> eps{episode("t1", 0, true)};
    store->append(eps);
  }
  const std::string before = sha256_file_hex(path);
  RunHeader other_policy = test_header();
  other_policy.policy_identity = "id-scripted";
  CHECK_THROWS_WITH(ResultsStore::open_for_run(path, other_policy),
                    Catch::Contains("policy identity"));
  RunHeader other_suite = test_header();
  other_suite.suite_hash = "hash-b";
  CHECK_THROWS_AS(ResultsStore::open_for_run(path, other_suite), InputError);
  RunHeader other_seed = test_header();
  other_seed.suite_seed = 100;
  CHECK_THROWS_WITH(ResultsStore::open_for_run(path, other_seed), Catch::Contains("seed"));
  RunHeader real_trials = test_header();
  real_trials.backend = "real";
  CHECK_THROWS_WITH(ResultsStore::open_for_run(path, real_trials), Catch::Contains("backend"));
  CHECK(sha256_file_hex(path) == before);
}

TEST_CASE("The backend (sim or real) round-trips through a results file", "[store]") {
  const auto dir = testing::fresh_dir("store_backend");
  RunResults r;
  r.header = test_header();
  CHECK(r.header.backend == "sim");  // what every run of this harness writes
  r.header.backend = "real";
  r.episodes = {episode("t1", 0, true)};
  ResultsStore::write(dir / "real.h5", r);
  CHECK(ResultsStore::read(dir / "real.h5").header.backend == "real");
}

TEST_CASE("Two writers of one results file are refused", "[store]") {
  const auto dir = testing::fresh_dir("store_lock");
  auto first = ResultsStore::open_for_run(dir / "r.h5", test_header());
  CHECK_THROWS_WITH(ResultsStore::open_for_run(dir / "r.h5", test_header()),
                    Catch::Contains("another gauntlet process"));
}

TEST_CASE("Files that are not gauntlet results are input errors naming the file", "[store]") {
  const auto dir = testing::fresh_dir("store_bad");
  CHECK_THROWS_WITH(ResultsStore::read(dir / "missing.h5"), Catch::Contains("missing.h5"));
  std::ofstream(dir / "text.h5") << "not hdf5";
  CHECK_THROWS_WITH(ResultsStore::read(dir / "text.h5"), Catch::Contains("not an HDF5 file"));
  // A directory that cannot exist (its parent is a regular file).
  CHECK_THROWS_AS(ResultsStore::open_for_run(dir / "text.h5" / "r.h5", test_header()), InputError);
}

TEST_CASE("Merging refuses conflicting rows and mixed experiments", "[store][merge]") {
  const auto dir = testing::fresh_dir("store_merge");
  {
    RunHeader first = test_header();
    first.shard = "0/2";
    RunHeader second = test_header();
    second.shard = "1/2";
    auto a = ResultsStore::open_for_run(dir / "a.h5", first);
    const std::vector<EpisodeResult> ea{episode("t1", 0, true)};
    a->append(ea);
    auto b = ResultsStore::open_for_run(dir / "b.h5", second);
    const std::vector<EpisodeResult> eb{episode("t1", 1, true), episode("t1", 0, true)};
    b->append(eb);
    auto c = ResultsStore::open_for_run(dir / "c.h5", second);
    const std::vector<EpisodeResult> ec{episode("t1", 0, false)};
    c->append(ec);
    RunHeader other = second;
    other.policy_identity = "other";
    auto d = ResultsStore::open_for_run(dir / "d.h5", other);
  }
  const RunResults merged = merge_results({dir / "a.h5", dir / "b.h5"});
  CHECK(merged.episodes.size() == 2);  // the shared episode is not duplicated
  CHECK_THROWS_WITH(merge_results({dir / "a.h5", dir / "c.h5"}), Catch::Contains("conflicts"));
  CHECK_THROWS_WITH(merge_results({dir / "a.h5", dir / "d.h5"}),
                    Catch::Contains("different experiments"));
}
