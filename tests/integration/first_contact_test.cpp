// What a new user meets first, through the real binary: task listings, the
// live progress line in a real terminal (tmux), JUnit case times.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "harness/results_store.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::run_process;
namespace fs = std::filesystem;

namespace {

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

const std::string kPolicies = std::string(GAUNTLET_SOURCE_DIR) + "/tests/adapters/data";

// A tmux server of its own (-L) with one 80x24 pane running `command`.
class TmuxPane {
 public:
  explicit TmuxPane(const std::string& command)
      : socket_("gauntlet-test-" + std::to_string(getpid())) {
    REQUIRE(fs::exists("/usr/bin/tmux"));  // scripts/bootstrap-deps installs it
    // Not run_process: the server it starts would inherit, and hold open, the
    // pipes run_process reads to their end.
    const fs::path log = fresh_dir(socket_) / "tmux.log";
    const pid_t pid =
        testing::start_process({"/usr/bin/tmux", "-L", socket_, "-f", "/dev/null", "new-session",
                                "-d", "-x", "80", "-y", "24", "-s", "t", command},
                               log);
    INFO(testing::read_file(log));
    REQUIRE(testing::wait_process(pid) == 0);
  }
  ~TmuxPane() { run_process({"/usr/bin/tmux", "-L", socket_, "kill-server"}); }
  TmuxPane(const TmuxPane&) = delete;
  TmuxPane& operator=(const TmuxPane&) = delete;

  // The pane's rows as the user sees them (a wrapped line is two rows).
  std::vector<std::string> rows() const {
    const auto r = run_process({"/usr/bin/tmux", "-L", socket_, "capture-pane", "-p", "-t", "t"});
    std::vector<std::string> out;
    std::istringstream in(r.out);
    for (std::string row; std::getline(in, row);) out.push_back(row);
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
  }
  // Polls until a row contains `text`; the rows then, or empty after `seconds`.
  std::vector<std::string> wait_for(const std::string& text, double seconds) const {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      auto r = rows();
      for (const auto& row : r) {
        if (row.find(text) != std::string::npos) return r;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
  }

 private:
  std::string socket_;
};

std::string joined(const std::vector<std::string>& rows) {
  std::string s;
  for (const auto& r : rows) s += r + "\n";
  return s;
}

}  // namespace

TEST_CASE("list tasks SUITE shows every task id with its instruction and step limit",
          "[cli][list]") {
  auto r = gauntlet_cmd({"list", "tasks", "tabletop-smoke", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["suite"] == "tabletop-smoke");
  REQUIRE(j["tasks"].size() == 3);
  CHECK(j["tasks"][0]["id"] == "pick-cube-onto-plate");
  CHECK(j["tasks"][0]["instruction"] == "pick up the red cube and place it on the plate");
  CHECK(j["tasks"][0]["max_steps"] == 160);
  CHECK(j["tasks"][0]["family"] == "pick_place");
  // The listing is what `list suites --json` says of the same suite.
  r = gauntlet_cmd({"list", "suites", "--json"});
  REQUIRE(r.exit_code == 0);
  for (const auto& s : nlohmann::json::parse(r.out)) {
    if (s["name"] == "libero-object") {
      const auto t = gauntlet_cmd({"list", "tasks", "libero-object", "--json"});
      REQUIRE(t.exit_code == 0);
      CHECK(nlohmann::json::parse(t.out)["tasks"] == s["tasks"]);
    }
  }
  // Plain text: one row per task under a header, ids usable with run --task.
  r = gauntlet_cmd({"list", "tasks", "tabletop-smoke"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("id ") && Catch::Contains("open-the-drawer") &&
                        Catch::Contains("push the blue block into the green square") &&
                        Catch::Contains("3 tasks in tabletop-smoke"));
}

TEST_CASE("list tasks with an unknown or missing suite exits 2 naming the valid suites",
          "[cli][list][bad-input]") {
  auto r = gauntlet_cmd({"list", "tasks", "no-such-suite"});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("unknown suite 'no-such-suite'") &&
                        Catch::Contains("tabletop-smoke") && Catch::Contains("libero-object"));
  r = gauntlet_cmd({"list", "tasks", "--json"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("give a suite") && Catch::Contains("tabletop-smoke"));
  r = gauntlet_cmd({"list", "policies", "tabletop-smoke"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("takes no argument"));
}

TEST_CASE("In an 80-column terminal the progress line is redrawn in place and shows errors",
          "[cli][progress]") {
  const fs::path dir = fresh_dir("progress_tmux");
  // A long policy spec (a label that cannot fit) that fails every drawer episode.
  const std::string command = testing::gauntlet_binary() +
                              " run --suite tabletop-smoke --policy "
                              "python:gauntlet_test_policies:RaiseOnWord,path=" +
                              kPolicies + " --episodes 4 --workers 1 --videos 0 --out " +
                              (dir / "r.h5").string() + "; echo EXIT=$?; sleep 60";
  TmuxPane pane(command);
  const auto rows = pane.wait_for("EXIT=", 120);
  INFO(joined(rows));
  REQUIRE(!rows.empty());
  CHECK_THAT(joined(rows), Catch::Contains("EXIT=0"));
  // One progress row, the final one; every earlier redraw was erased in place.
  int progress_rows = 0;
  for (const auto& row : rows) {
    if (row.find("/12 episodes") != std::string::npos) {
      ++progress_rows;
      CHECK_THAT(row, Catch::Contains("12/12 episodes") && Catch::Contains("errors 4"));
      CHECK(row.size() < 80);
    }
    // No fragment of a wrapped progress line (its tail would start a row).
    CHECK(row.find("ep/s") == std::string::npos);
    CHECK(row.rfind("episodes", 0) == std::string::npos);
  }
  CHECK(progress_rows == 1);
  CHECK_THAT(rows.front(), Catch::StartsWith("python:gauntlet_test_"));  // the label, cut
}

TEST_CASE("The progress line is on screen before the first episode ends", "[cli][progress]") {
  const fs::path dir = fresh_dir("progress_first");
  // 0.5 s per step for 160 steps: the first episode would take 80 s.
  const std::string command = testing::gauntlet_binary() +
                              " run --suite tabletop-smoke --task pick-cube-onto-plate --policy "
                              "python:gauntlet_test_policies:Sleepy,seconds=0.5,path=" +
                              kPolicies + " --episodes 1 --workers 1 --videos 0 --out " +
                              (dir / "r.h5").string();
  TmuxPane pane(command);
  const auto rows = pane.wait_for("0/1 episodes", 20);
  INFO(joined(pane.rows()));
  REQUIRE(!rows.empty());
  CHECK_THAT(joined(rows), Catch::Contains("errors 0") && Catch::Contains("ETA --"));
  // Still running its first episode: nothing finished yet.
  CHECK(joined(pane.rows()).find("1/1 episodes") == std::string::npos);
}

TEST_CASE("JUnit case times are the wall time of each case's episodes", "[cli][report][junit]") {
  const fs::path dir = fresh_dir("junit_times");
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "scripted", "--episodes",
                        "2", "--workers", "2", "--videos", "0", "--out", (dir / "a.h5").string()})
              .exit_code == 0);
  std::map<std::string, double> expected;  // task -> summed episode wall time
  for (const auto& e : ResultsStore::read(dir / "a.h5").episodes)
    expected[e.task_id] += e.wall_time_s;
  REQUIRE(expected.size() == 3);

  auto case_times = [](const std::string& xml) {
    std::map<std::string, double> out;
    const std::regex re("<testcase classname=\"[^\"]*\" name=\"([^\"]*)\" time=\"([0-9.]+)\"");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), re); it != std::sregex_iterator();
         ++it)
      out[(*it)[1]] = std::stod((*it)[2]);
    return out;
  };
  REQUIRE(gauntlet_cmd({"report", (dir / "a.h5").string(), "--out", (dir / "rep").string(),
                        "--format", "junit"})
              .exit_code == 0);
  const std::string xml = testing::read_file(dir / "rep" / "junit.xml");
  const auto report_times = case_times(xml);
  // One case per task plus the run's plan-coverage check, which ran no episodes.
  REQUIRE(report_times.size() == 4);
  CHECK(report_times.at("plan-coverage") == 0.0);
  double total = 0;
  for (const auto& [task, seconds] : expected) {
    INFO(task);
    CHECK(seconds > 0.0);
    CHECK(report_times.at(task) == Approx(seconds).margin(0.0006));
    total += seconds;
  }
  std::smatch m;
  REQUIRE(std::regex_search(xml, m, std::regex("<testsuite [^>]* time=\"([0-9.]+)\"")));
  CHECK(std::stod(m[1]) == Approx(total).margin(0.002));

  // The CI gate's JUnit: each task case carries the candidate's wall time.
  REQUIRE(gauntlet_cmd({"compare", "--baseline", (dir / "a.h5").string(), "--candidate",
                        (dir / "a.h5").string(), "--junit", (dir / "gate.xml").string()})
              .exit_code == 0);
  const auto gate_times = case_times(testing::read_file(dir / "gate.xml"));
  for (const auto& [task, seconds] : expected)
    CHECK(gate_times.at(task) == Approx(seconds).margin(0.0006));
  CHECK(gate_times.at("overall") == 0.0);  // the suite's time is not counted twice
}

TEST_CASE("cmake --install puts a working gauntlet and its LibTorch module under PREFIX",
          "[cli][install]") {
  const fs::path build = fs::path(GAUNTLET_TEST_TMP).parent_path();
  const fs::path prefix = fresh_dir("install_prefix");
  // What `make install PREFIX=...` runs (the Makefile's recipe, checked below).
  const auto r =
      run_process({"/usr/bin/cmake", "--install", build.string(), "--prefix", prefix.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path exe = prefix / "bin" / "gauntlet";
  REQUIRE(fs::exists(exe));
  // The module the binary looks for first, in <exe>/../lib, is the one built.
  const fs::path module = prefix / "lib" / "libgauntlet_torch.so";
  REQUIRE(fs::exists(module));
  CHECK(testing::read_file(module) == testing::read_file(build / "lib" / "libgauntlet_torch.so"));
  // Installed, it runs from anywhere: suites are compiled in.
  auto t = run_process({exe.string(), "list", "tasks", "tabletop-smoke", "--json"});
  REQUIRE(t.exit_code == 0);
  CHECK(nlohmann::json::parse(t.out)["tasks"].size() == 3);
  t = run_process({exe.string(), "run", "--suite", "tabletop-smoke", "--policy", "scripted",
                   "--task", "open-the-drawer", "--episodes", "1", "--videos", "0", "--out",
                   (prefix / "r.h5").string()});
  INFO(t.err);
  CHECK(t.exit_code == 0);
  CHECK(ResultsStore::read(prefix / "r.h5").episodes.size() == 1);

  const auto make = run_process(
      {"/usr/bin/make", "-n", "-C", GAUNTLET_SOURCE_DIR, "install", "PREFIX=" + prefix.string()});
  CHECK_THAT(make.out,
             Catch::Contains("cmake --install build/release --prefix " + prefix.string()));
  const auto plain = run_process({"/usr/bin/make", "-n", "-C", GAUNTLET_SOURCE_DIR, "install"});
  CHECK_THAT(plain.out, Catch::Contains("cmake --install build/release --prefix /usr/local"));
}

TEST_CASE("README's first screen says where the binary is and how to install it",
          "[docs][install]") {
  const std::string readme = testing::read_file(std::string(GAUNTLET_SOURCE_DIR) + "/README.md");
  std::string first_screen;
  std::istringstream in(readme);
  std::string line;
  for (int i = 0; i < 24 && std::getline(in, line); ++i) first_screen += line + "\n";
  CHECK_THAT(first_screen, Catch::Contains("make demo") && Catch::Contains("make test") &&
                               Catch::Contains("build/release/bin/gauntlet") &&
                               Catch::Contains("make install") &&
                               Catch::Contains("/usr/local/bin/gauntlet"));
}

TEST_CASE("report --print keeps the ranking narrow and prints per-task success as rows",
          "[cli][report]") {
  const fs::path dir = fresh_dir("report_print");
  REQUIRE(gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "scripted", "--episodes",
                        "1", "--videos", "0", "--out", (dir / "a.h5").string()})
              .exit_code == 0);
  const auto r =
      gauntlet_cmd({"report", (dir / "a.h5").string(), "--out", (dir / "rep").string(), "--print"});
  REQUIRE(r.exit_code == 0);
  INFO(r.out);
  std::istringstream in(r.out);
  std::vector<std::string> table_rows;
  for (std::string row; std::getline(in, row);) {
    if (row.rfind("|", 0) == 0) table_rows.push_back(row);
  }
  // Ranking: header, separator, one policy; tasks: header, separator, three tasks.
  REQUIRE(table_rows.size() == 3 + 5);
  CHECK_THAT(table_rows[0], Catch::StartsWith("| Rank | Policy |"));
  CHECK(table_rows[0].find("open-the-drawer") == std::string::npos);
  CHECK(table_rows[3] == "| Task | 1 |");
  CHECK_THAT(table_rows[5], Catch::StartsWith("| pick-cube-onto-plate | "));
  CHECK_THAT(table_rows[7], Catch::StartsWith("| open-the-drawer | "));
  for (const auto& row : table_rows) CHECK(row.size() <= 90);
}
