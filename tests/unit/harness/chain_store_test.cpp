// Chain episodes (CALVIN-like suites) in the results store: the `subtasks` column round-trips
// through write, resume, the forked reader and merge; files from before it still read; damage
// in it is an InputError naming the file, row and what was expected.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness/errors.hpp"
#include "harness/results_store.hpp"
#include "harness/subtask_list.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::testing;

namespace {

RunHeader chain_header() {
  RunHeader h;
  h.harness_version = "test";
  h.suite_name = "calvin-d";
  h.suite_hash = "hash-d";
  h.suite_seed = 5;
  h.policy_spec = "scripted";
  h.policy_name = "scripted";
  h.policy_identity = "id-scripted";
  h.episodes_per_task = 3;
  h.perturbations = {"nominal"};
  h.tasks = {TaskInfo{"chains", "five in a row", 1800, "calvin"}};
  return h;
}

EpisodeResult chain_episode(int index, std::vector<SubtaskOutcome> subtasks) {
  EpisodeResult e;
  e.task_id = "chains";
  e.episode_index = index;
  e.seed = 77u + static_cast<unsigned>(index);
  e.subtasks = std::move(subtasks);
  e.success = e.chain_length() == 5;
  e.termination = e.success ? Termination::kSuccess : Termination::kTimeout;
  for (const auto& s : e.subtasks) e.steps += s.steps;
  return e;
}

const std::vector<SubtaskOutcome> kTwoDone = {
    {"open_drawer", true, 118}, {"turn_on_led", true, 64}, {"stack_block", false, 360}};
const std::vector<SubtaskOutcome> kAllFive = {{"move_slider_left", true, 90},
                                              {"lift_red_block_slider", true, 120},
                                              {"place_in_drawer", true, 101},
                                              {"turn_off_lightbulb", true, 40},
                                              {"rotate_blue_block_right", true, 77}};

void python(const std::string& code, const std::filesystem::path& path) {
  const auto script = path.parent_path() / "edit.py";
  std::ofstream(script)
      << "import sys, h5py, numpy as np\nwith h5py.File(sys.argv[1], 'r+') as f:\n"
      << code;
  const auto r =
      run_process({GAUNTLET_PYTHON, script.string(), path.string()}, std::chrono::seconds(60));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

std::string read_error(const std::filesystem::path& p) {
  try {
    ResultsStore::read(p);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Subtask lists have one text form and refuse malformed entries", "[store][chains]") {
  CHECK(format_subtasks(kTwoDone) == "open_drawer:1:118;turn_on_led:1:64;stack_block:0:360");
  CHECK(parse_subtasks(format_subtasks(kTwoDone), "f") == kTwoDone);
  CHECK(parse_subtasks("", "f").empty());
  const std::vector<std::pair<std::string, std::string>> bad{
      {"open_drawer:1", "NAME:SUCCESS:STEPS"},
      {"open_drawer:1:2:3", "NAME:SUCCESS:STEPS"},
      {"open drawer:1:2", "subtask name"},
      {":1:2", "subtask name"},
      {"open_drawer:2:2", "success 0 or 1"},
      {"open_drawer:1:-4", "steps"},
      {"open_drawer:1:x", "steps"},
      {"open_drawer:1:2;", "entry 2"},
      {"a:0:5;b:1:5", "success after a failed subtask"},
  };
  for (const auto& [text, words] : bad) {
    INFO(text);
    CHECK_THROWS_WITH(parse_subtasks(text, "file.h5: row 3"),
                      Catch::Contains("file.h5: row 3") && Catch::Contains(words));
  }
  CHECK_THROWS_AS(format_subtasks({{"bad;name", true, 1}}), RuntimeFailure);
}

TEST_CASE("Chain subtasks survive write, resume, the forked reader and merge", "[store][chains]") {
  const auto dir = fresh_dir("chain_store");
  RunHeader first = chain_header();
  first.shard = "0/2";
  RunHeader second = chain_header();
  second.shard = "1/2";
  {
    auto a = ResultsStore::open_for_run(dir / "a.h5", first);
    const std::vector<EpisodeResult> ea{chain_episode(0, kTwoDone)};
    a->append(ea);
  }
  {
    // Resume: the stored chain is kept, the new one appended.
    auto a = ResultsStore::open_for_run(dir / "a.h5", first);
    REQUIRE(a->results().episodes.size() == 1);
    CHECK(a->results().episodes[0].subtasks == kTwoDone);
    const std::vector<EpisodeResult> more{chain_episode(2, {})};  // a non-chain row: empty list
    a->append(more);
    auto b = ResultsStore::open_for_run(dir / "b.h5", second);
    const std::vector<EpisodeResult> eb{chain_episode(1, kAllFive)};
    b->append(eb);
  }
  const RunResults r = ResultsStore::read(dir / "a.h5");
  REQUIRE(r.episodes.size() == 2);
  CHECK(r.episodes[0].subtasks == kTwoDone);
  CHECK(r.episodes[0].chain_length() == 2);
  CHECK(r.episodes[1].subtasks.empty());
  const RunResults merged = merge_results({dir / "a.h5", dir / "b.h5"});
  REQUIRE(merged.episodes.size() == 3);
  CHECK(merged.episodes[1].subtasks == kAllFive);
  CHECK(merged.episodes[1].chain_length() == 5);
  ResultsStore::write(dir / "m.h5", merged);
  CHECK(ResultsStore::read(dir / "m.h5").episodes[1].subtasks == kAllFive);

  // The same chain with other subtask outcomes in another shard file is a conflict.
  RunHeader third = chain_header();
  third.shard = "1/2";
  {
    auto c = ResultsStore::open_for_run(dir / "c.h5", third);
    std::vector<SubtaskOutcome> changed = kTwoDone;
    changed[2].steps = 359;
    const std::vector<EpisodeResult> ec{chain_episode(0, changed)};
    c->append(ec);
  }
  CHECK_THROWS_WITH(merge_results({dir / "a.h5", dir / "c.h5"}), Catch::Contains("conflicts"));
}

TEST_CASE("A results file without the subtasks column still reads, and damage in it is named",
          "[store][chains]") {
  const auto dir = fresh_dir("chain_store_compat");
  const auto good = dir / "good.h5";
  {
    auto s = ResultsStore::open_for_run(good, chain_header());
    const std::vector<EpisodeResult> e{chain_episode(0, kTwoDone), chain_episode(1, kAllFive)};
    s->append(e);
  }
  // A file as gauntlet wrote it before chain suites: the episodes table without the column.
  const auto old = dir / "old.h5";
  std::filesystem::copy_file(good, old);
  python(
      "    import numpy.lib.recfunctions as rf\n"
      "    d=f['episodes'][:]\n"
      "    assert 'subtasks' in d.dtype.names\n"
      "    n=rf.drop_fields(d,'subtasks',usemask=False); del f['episodes']; f['episodes']=n\n",
      old);
  const RunResults r = ResultsStore::read(old);
  REQUIRE(r.episodes.size() == 2);
  CHECK(r.episodes[0].subtasks.empty());
  CHECK(r.episodes[1].steps == chain_episode(1, kAllFive).steps);

  const std::vector<std::pair<std::string, std::string>> cases{
      {"open_drawer:3:10", "success 0 or 1"},
      {"open_drawer:0:10;turn_on_led:1:5", "success after a failed subtask"},
      {"open_drawer", "NAME:SUCCESS:STEPS"},
  };
  int i = 0;
  for (const auto& [text, words] : cases) {
    const auto bad = dir / ("bad" + std::to_string(i++) + ".h5");
    std::filesystem::copy_file(good, bad);
    python("    d=f['episodes'][:]; d['subtasks'][1]=b'" + text + "'; f['episodes'][:]=d\n", bad);
    const std::string err = read_error(bad);
    INFO(err);
    CHECK_THAT(err, Catch::Contains(bad.string()) && Catch::Contains("episodes row 1") &&
                        Catch::Contains("'subtasks'") && Catch::Contains(words));
  }
  // The column stored as a number is refused naming it.
  const auto numeric = dir / "numeric.h5";
  std::filesystem::copy_file(good, numeric);
  python(
      "    import numpy.lib.recfunctions as rf\n"
      "    d=f['episodes'][:]\n"
      "    n=rf.drop_fields(d,'subtasks',usemask=False)\n"
      "    n=rf.append_fields(n,'subtasks',np.zeros(len(n),dtype=np.int32),usemask=False)\n"
      "    del f['episodes']; f['episodes']=n\n",
      numeric);
  CHECK_THAT(read_error(numeric),
             Catch::Contains("numeric.h5") && Catch::Contains("column 'subtasks'"));
}
