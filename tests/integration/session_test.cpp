// The evaluation session (harness/evaluation_session.hpp): every command that
// runs episodes takes it, so their results files carry the same header, and a
// session resumes, stores and reports its episodes the same way for all.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/evaluation_session.hpp"
#include "harness/results_store.hpp"
#include "tests/fixtures/builtin.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using namespace gauntlet;
using gauntlet::testing::fresh_dir;
using gauntlet::testing::run_process;

namespace {

testing::ProcessResult gauntlet_cli(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

// Every header field that describes the experiment (not when or by which command it ran).
std::map<std::string, std::string> experiment_fields(const RunHeader& h) {
  std::string tasks;
  for (const auto& t : h.tasks) tasks += t.id + "=" + t.instruction + ";";
  std::string perturbations;
  for (const auto& p : h.perturbations) perturbations += p + ";";
  return {{"schema_version", std::to_string(h.schema_version)},
          {"harness_version", h.harness_version},
          {"git_sha", h.git_sha},
          {"suite_name", h.suite_name},
          {"suite_version", h.suite_version},
          {"suite_hash", h.suite_hash},
          {"suite_source", h.suite_source},
          {"suite_seed", std::to_string(h.suite_seed)},
          {"policy_spec", h.policy_spec},
          {"policy_name", h.policy_name},
          {"policy_identity", h.policy_identity},
          {"episodes_per_task", std::to_string(h.episodes_per_task)},
          {"perturbations", perturbations},
          {"tasks", tasks},
          {"cameras", h.cameras},
          {"image_width", std::to_string(h.image_width)},
          {"image_height", std::to_string(h.image_height)},
          {"replan_every", std::to_string(h.replan_every)},
          {"shard", h.shard},
          {"hosts", h.hosts}};
}

#define REQUIRE_EXIT(result, code)                        \
  do {                                                    \
    const auto& r_ = (result);                            \
    INFO("stdout: " << r_.out << "\nstderr: " << r_.err); \
    REQUIRE(r_.exit_code == (code));                      \
  } while (false)

}  // namespace

TEST_CASE("run, a sequential compare and wm validate write the same header for the same experiment",
          "[session][cli]") {
  const fs::path dir = fresh_dir("session-headers");
  // A policy that asks for a camera, so the header's camera settings matter.
  const std::string policy = "vision-scripted";
  const std::vector<std::string> plan{
      "--suite", "tabletop-smoke", "--task", "pick-cube-onto-plate", "--seed",
      "7",       "--workers",      "1"};
  const auto with_plan = [&](std::vector<std::string> args, std::vector<std::string> tail) {
    args.insert(args.end(), plan.begin(), plan.end());
    args.insert(args.end(), tail.begin(), tail.end());
    return args;
  };

  const fs::path run_file = dir / "run.h5";
  REQUIRE_EXIT(gauntlet_cli(with_plan({"run"}, {"--policy", policy, "--episodes", "2", "--videos",
                                                "0", "--out", run_file.string()})),
               0);
  const auto seq = gauntlet_cli(with_plan(
      {"compare", "--sequential"}, {"--policy-a", policy, "--policy-b", "zero", "--max-episodes",
                                    "2", "--out", (dir / "seq").string()}));
  INFO("sequential: " << seq.err);
  REQUIRE((seq.exit_code == 0 || seq.exit_code == 1 || seq.exit_code == 4));
  const std::string models = std::string(GAUNTLET_SOURCE_DIR) + "/tests/worldmodel/data";
  REQUIRE_EXIT(
      gauntlet_cli(with_plan({"wm", "validate"},
                             {"--episodes", "2", "--policy", policy, "--policy", "zero", "--wm",
                              "python:wm_test_models:PaintWorld,path=" + models, "--judge",
                              "python:wm_test_models:CountingJudge", "--capture", "0",
                              "--bootstrap", "100", "--out", (dir / "wmv").string()})),
      0);

  const RunHeader from_run = ResultsStore::read(run_file).header;
  const RunHeader from_sequential = ResultsStore::read(dir / "seq" / "baseline.h5").header;
  const RunHeader from_validate =
      ResultsStore::read(dir / "wmv" / "results" / "sim" / "vision-scripted.h5").header;
  CHECK_FALSE(from_run.cameras.empty());  // the policy's camera is recorded
  CHECK(from_run.image_width > 0);
  const auto expected = experiment_fields(from_run);
  for (const auto& [name, header] :
       {std::pair{std::string("compare --sequential"), from_sequential},
        std::pair{std::string("wm validate"), from_validate}}) {
    const auto got = experiment_fields(header);
    for (const auto& [field, value] : expected) {
      INFO(name << ": header field " << field);
      CHECK(got.at(field) == value);
    }
    CHECK_FALSE(header.started_at.empty());
    CHECK_FALSE(header.command.empty());
  }
}

TEST_CASE(
    "A session resumes its results file, runs only what is missing, and reports stored episodes",
    "[session]") {
  const fs::path dir = fresh_dir("session-resume");
  PlanRequest request;
  request.suite = "tabletop-smoke";
  request.tasks = {"open-the-drawer", "push-block-into-square"};
  request.episodes_per_task = 3;
  request.workers = 2;
  const SessionPlan plan = make_session_plan(request, fixtures::builtin_registry());
  REQUIRE(plan.specs.size() == 6);
  const PolicySpec spec = PolicySpec::parse("noisy-scripted:0.3");
  auto policy = fixtures::builtin_registry().make_policy(spec);

  std::vector<EpisodeResult> first_rows;
  {
    EvaluationSession session(plan, spec, *policy, SessionOptions{});
    session.open_store(dir / "r.h5");
    fixtures::CollectingSink sink;
    session.add_sink(sink);
    // Only the first two episodes of the plan, as an interrupted run leaves them.
    const auto stats = session.run(std::span<const EpisodeSpec>(plan.specs).first(2), nullptr);
    CHECK(stats.planned == 2);
    CHECK(stats.resumed == 0);
    CHECK(stats.ran == 2);
    CHECK(sink.rows.size() == 2);
    first_rows = session.results().episodes;
  }
  EvaluationSession session(plan, spec, *policy, SessionOptions{});
  session.open_store(dir / "r.h5");
  fixtures::CollectingSink sink;
  session.add_sink(sink);
  const auto stats = session.run(nullptr);
  CHECK(stats.planned == 6);
  CHECK(stats.resumed == 2);
  CHECK(stats.ran == 4);
  CHECK(sink.rows.size() == 4);  // sinks see only what ran
  REQUIRE(session.results().episodes.size() == 6);
  for (const auto& e : first_rows) {
    const EpisodeResult* stored = session.find(e.key());
    REQUIRE(stored != nullptr);
    CHECK(stored->seed == e.seed);
    CHECK(stored->success == e.success);
  }
  CHECK(session.find(EpisodeKey{"open-the-drawer", "nominal", 99}) == nullptr);

  // The same plan without a store (a recording): everything runs again, and
  // the session still answers for the episodes it ran, in key order.
  EvaluationSession unstored(plan, spec, *policy, SessionOptions{});
  const auto all = unstored.run(nullptr);
  CHECK(all.ran == 6);
  const auto& rows = unstored.results().episodes;
  REQUIRE(rows.size() == 6);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) CHECK(rows[i - 1].key() < rows[i].key());
    CHECK(rows[i].success == session.results().episodes[i].success);  // same seeds, same outcomes
  }
}

TEST_CASE("A session plan names the field that is wrong", "[session][errors]") {
  const Registry& registry = fixtures::builtin_registry();
  PlanRequest r;
  r.suite = "tabletop-smoke";
  const auto fails_with = [&](PlanRequest request, const std::string& text) {
    CHECK_THROWS_WITH(make_session_plan(request, registry), Catch::Contains(text));
  };
  PlanRequest bad = r;
  bad.episodes_per_task = 0;
  fails_with(bad, "episodes per task must be at least 1");
  bad = r;
  bad.seed = "-3";
  fails_with(bad, "suite seed: expected a non-negative integer, got '-3'");
  bad = r;
  bad.shard = "4/4";
  fails_with(bad, "shard '4/4': expected I/N");
  bad = r;
  bad.env = "bogus:x";
  fails_with(bad, "environment 'bogus:x': unknown kind 'bogus'");
  bad = r;
  bad.tasks = {"no-such-task"};
  fails_with(bad, "no-such-task");
  bad = r;
  bad.suite = "no-such-suite";
  fails_with(bad, "unknown suite 'no-such-suite'");
}

TEST_CASE("Default results paths stay inside out/ and stay short whatever the names hold",
          "[session][reliability]") {
  const fs::path dotdot = default_results_path("..", "../../etc/passwd", Shard{});
  CHECK(dotdot.parent_path().parent_path() == fs::path("out"));
  for (const auto& part : dotdot) CHECK(part != "..");
  const fs::path long_name =
      default_results_path("tabletop-smoke", std::string(300, 'x'), Shard::parse("1/4"));
  CHECK(long_name.filename().string().size() <= 140);
  CHECK(long_name.filename().string().find(".shard-1-of-4.h5") != std::string::npos);
  // Different long names never share a file.
  CHECK(default_results_path("s", std::string(300, 'x') + "a", Shard{}) !=
        default_results_path("s", std::string(300, 'x') + "b", Shard{}));
  // Plain names are kept as they are.
  CHECK(default_results_path("tabletop-smoke", "scripted", Shard{}) ==
        fs::path("out/tabletop-smoke/scripted.h5"));
}
