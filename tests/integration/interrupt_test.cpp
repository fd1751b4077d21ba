// Signals and broken policies cannot hold a run: SIGINT/SIGTERM leave within
// seconds whatever the policy does (finished episodes saved), a second SIGINT
// leaves at once, and a policy that keeps failing the same way trips the
// circuit breaker (exit 3) instead of burning the whole plan.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "harness/results_store.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using namespace gauntlet;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kPolicies = std::string(GAUNTLET_SOURCE_DIR) + "/tests/adapters/data";

std::vector<std::string> run_args(const std::string& policy, const fs::path& out, int episodes) {
  return {testing::gauntlet_binary(),
          "run",
          "--suite",
          "tabletop-smoke",
          "--task",
          "open-the-drawer",
          "--policy",
          policy,
          "--episodes",
          std::to_string(episodes),
          "--workers",
          "1",
          "--videos",
          "0",
          "--out",
          out.string()};
}

// Waits (bounded) until `flag` exists: the policy has started to hang.
bool wait_for(const fs::path& flag) {
  for (int i = 0; i < 6000; ++i) {
    if (fs::exists(flag)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE(
    "SIGINT or SIGTERM while the policy hangs: exit 130 within seconds, finished episodes saved",
    "[cli][signals][reliability]") {
  for (const auto& [mode, signal] :
       {std::pair{std::string("sleep"), SIGINT}, std::pair{std::string("spin"), SIGTERM}}) {
    INFO("policy " << mode << "s, signal " << signal);
    const fs::path dir = testing::fresh_dir("interrupt-" + mode);
    const fs::path flag = dir / "hanging";
    const pid_t pid = testing::start_process(
        run_args("python:gauntlet_test_policies:HangAt,episode=2,mode=" + mode +
                     ",flag=" + flag.string() + ",path=" + kPolicies,
                 dir / "r.h5", 5),
        dir / "log");
    REQUIRE(wait_for(flag));
    const auto t0 = Clock::now();
    kill(pid, signal);
    const int code = testing::wait_process(pid);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    INFO(testing::read_file(dir / "log"));
    CHECK(code == 130);
    CHECK(seconds < 10.0);  // the policy would hang for an hour (sleep) or forever (spin)
    const auto saved = ResultsStore::read(dir / "r.h5").episodes;
    CHECK(saved.size() == 2);  // episodes 0 and 1 finished before the hang
    CHECK_THAT(testing::read_file(dir / "log"),
               Catch::Contains("run the same command again to resume"));
  }
}

TEST_CASE("A second SIGINT leaves at once", "[cli][signals][reliability]") {
  const fs::path dir = testing::fresh_dir("interrupt-twice");
  const fs::path flag = dir / "hanging";
  const pid_t pid = testing::start_process(
      run_args("python:gauntlet_test_policies:HangAt,episode=1,flag=" + flag.string() +
                   ",path=" + kPolicies,
               dir / "r.h5", 3),
      dir / "log");
  REQUIRE(wait_for(flag));
  kill(pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(pid, SIGINT);
  CHECK(testing::wait_process(pid) == 130);
  const std::string log = testing::read_file(dir / "log");
  CHECK_THAT(log, Catch::Contains("interrupted again"));
  CHECK(ResultsStore::read(dir / "r.h5").episodes.size() == 1);
}

TEST_CASE("Consecutive failures of the same kind trip the circuit breaker: exit 3, resumable",
          "[cli][circuit-breaker][reliability]") {
  const fs::path dir = testing::fresh_dir("circuit-breaker");
  const std::string policy = "python:gauntlet_test_policies:AlwaysRaises,path=" + kPolicies;
  auto args = run_args(policy, dir / "r.h5", 20);
  const auto r = testing::run_process(args);
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("circuit breaker"));
  CHECK_THAT(r.err, Catch::Contains("ws://127.0.0.1:9 is gone"));
  CHECK(ResultsStore::read(dir / "r.h5").episodes.size() == 5);  // the default: 5 in a row

  // Off: every episode runs, and a run in which no episode got past the
  // policy still exits 3, saying so and showing the first error.
  args.insert(args.end(), {"--circuit-breaker", "0"});
  const auto all = testing::run_process(args);
  INFO(all.err);
  CHECK(all.exit_code == 3);
  CHECK_THAT(all.err, Catch::Contains("20 of 20 episodes ended in errors (policy_error 20)"));
  CHECK_THAT(all.err, Catch::Contains("no episode ran policy"));
  CHECK(ResultsStore::read(dir / "r.h5").episodes.size() == 20);

  // A policy that works exits 0 with no error line.
  const auto ok = testing::run_process(run_args("zero", dir / "zero.h5", 2));
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.err, !Catch::Contains("ended in errors"));
}
