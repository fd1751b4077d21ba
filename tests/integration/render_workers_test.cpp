// Camera runs with several workers render in one process per worker
// (gauntlet-render-server): the episodes are those of one worker, and the
// terminal's Ctrl-C, which reaches the render processes too, still ends the
// run cleanly (exit 130, no episode lost to a dead renderer).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

#include "harness/results_store.hpp"
#include "tests/integration/result_rows.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;

namespace {

// Children of `parent` whose command name starts with "gauntlet-render".
std::set<pid_t> render_children(pid_t parent) {
  std::set<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto open = line.find('(');
    const auto close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    const std::string comm = line.substr(open + 1, close - open - 1);
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && comm.rfind("gauntlet-render", 0) == 0 && state != 'Z') {
      out.insert(static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("Camera runs with two workers: a render process each, the episodes of one worker",
          "[cli][render]") {
  const auto dir = testing::fresh_dir("cli_render_workers");
  const auto run = [&](const std::string& workers, const std::string& out) {
    return testing::run_process({testing::gauntlet_binary(), "run", "--suite", "tabletop-smoke",
                                 "--policy", "vision-scripted", "--task", "pick-cube-onto-plate",
                                 "--task", "push-block-into-square", "--episodes", "3", "--workers",
                                 workers, "--out", (dir / out).string()});
  };
  const auto one = run("1", "one.h5");
  REQUIRE(one.exit_code == 0);
  const auto two = run("2", "two.h5");
  REQUIRE(two.exit_code == 0);
  CHECK_THAT(two.err, !Catch::Contains("warning"));
  // Workers finish episodes in another order; each episode is the same.
  const auto sorted = [](std::vector<testing::Row> r) {
    std::sort(r.begin(), r.end(), [](const testing::Row& x, const testing::Row& y) {
      return std::tie(x.task, x.episode) < std::tie(y.task, y.episode);
    });
    return r;
  };
  const auto a = sorted(testing::rows(dir / "one.h5"));
  REQUIRE(a.size() == 6);
  CHECK(a == sorted(testing::rows(dir / "two.h5")));
  int successes = 0;
  for (const auto& r : a) successes += r.success;
  CHECK(successes >= 3);  // the policy saw the scene: it acted on real images
}

TEST_CASE("Ctrl-C reaching the render processes still ends a camera run cleanly",
          "[cli][render][resume]") {
  const auto dir = testing::fresh_dir("cli_render_sigint");
  const std::string out = (dir / "r.h5").string();
  const pid_t pid = testing::start_process(
      {testing::gauntlet_binary(), "run", "--suite", "tabletop-smoke", "--policy",
       "vision-scripted", "--episodes", "40", "--workers", "2", "--out", out},
      dir / "log");
  std::set<pid_t> servers;
  std::size_t seen = 0;
  for (int i = 0; i < 4000 && (seen < 2 || servers.size() < 2); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (servers.size() < 2) servers = render_children(pid);
    if (std::filesystem::exists(out)) seen = ResultsStore::read(out).episodes.size();
  }
  REQUIRE(servers.size() == 2);  // one per worker
  // What the terminal does: every process of the group gets SIGINT.
  for (pid_t s : servers) kill(s, SIGINT);
  kill(pid, SIGINT);
  CHECK(testing::wait_process(pid) == 130);
  const auto saved = ResultsStore::read(out).episodes;
  CHECK(saved.size() >= 2);
  for (const auto& e : saved) {
    INFO(e.task_id << " #" << e.episode_index << ": " << e.error);
    CHECK(e.termination != Termination::kSimError);
  }
  // The render processes went with the run.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (pid_t s : servers) CHECK((kill(s, 0) != 0 && errno == ESRCH));
}
