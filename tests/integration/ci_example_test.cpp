// examples/ci/: the GitHub Actions workflow and the GitLab CI job, run with
// the commands their YAML holds (run_ci_example.py extracts them), against a
// stored baseline: a good candidate passes, a broken one fails the gate, and
// both leave JUnit, the HTML report and the Markdown verdict behind.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::run_process;
namespace fs = std::filesystem;

namespace {

const std::string kSource = GAUNTLET_SOURCE_DIR;

// The released checkpoint's stored results: scripted, 4 episodes per task.
fs::path baseline(const fs::path& dir) {
  const fs::path file = dir / "baselines" / "tabletop-smoke.h5";
  fs::create_directories(file.parent_path());
  const auto r =
      run_process({testing::gauntlet_binary(), "run", "--suite", "tabletop-smoke", "--policy",
                   "scripted", "--episodes", "4", "--videos", "0", "--out", file.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return file;
}

nlohmann::json run_example(const std::string& kind, const std::string& file, const fs::path& dir,
                           const std::string& candidate, std::vector<std::string> extra = {}) {
  const std::string bin = fs::path(testing::gauntlet_binary()).parent_path().string();
  std::vector<std::string> argv = {GAUNTLET_PYTHON,
                                   kSource + "/tests/integration/run_ci_example.py",
                                   kind,
                                   kSource + "/examples/ci/" + file,
                                   dir.string(),
                                   "EPISODES=4",
                                   "CANDIDATE_POLICY=" + candidate,
                                   "BASELINE_RESULTS=" + baseline(dir).string(),
                                   "PATH=" + bin + ":" + std::getenv("PATH")};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const auto r = run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

void check_artifacts(const fs::path& out, bool regression) {
  const std::string junit = testing::read_file(out / "junit.xml");
  CHECK_THAT(junit, Catch::Contains("<testsuite"));
  CHECK((junit.find("<failure") != std::string::npos) == regression);
  CHECK(fs::file_size(out / "report" / "report.html") > 1000);
  const std::string verdict = testing::read_file(out / "compare" / "compare.md");
  CHECK((verdict.find("no regression") == std::string::npos) == regression);
  CHECK_THAT(verdict, Catch::Contains("regression"));
}

// A stand-in for GitLab's notes API on 127.0.0.1: records the body it is sent.
struct NotesServer {
  fs::path dir;
  pid_t pid = -1;
  int port = 0;
  explicit NotesServer(const fs::path& d) : dir(d) {
    const std::string code =
        "import http.server, sys, urllib.parse\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_POST(self):\n"
        "        body = self.rfile.read(int(self.headers['Content-Length'])).decode()\n"
        "        note = urllib.parse.parse_qs(body)['body'][0]\n"
        "        open(sys.argv[1] + '/note.md', 'w').write(self.path + '\\n' + "
        "self.headers['PRIVATE-TOKEN'] + '\\n' + note)\n"
        "        self.send_response(201); self.end_headers(); self.wfile.write(b'{}')\n"
        "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
        "open(sys.argv[1] + '/port.tmp', 'w').write(str(s.server_address[1]))\n"
        "import os; os.replace(sys.argv[1] + '/port.tmp', sys.argv[1] + '/port')\n"
        "s.handle_request()\n";
    pid = testing::start_process({GAUNTLET_PYTHON, "-c", code, dir.string()}, dir / "notes.log");
    for (int i = 0; i < 500 && !fs::exists(dir / "port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(fs::exists(dir / "port"));
    port = std::stoi(testing::read_file(dir / "port"));
  }
  ~NotesServer() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      testing::wait_process(pid);
    }
  }
};

}  // namespace

TEST_CASE("The GitHub Actions example passes a good candidate and fails a regression",
          "[ci][examples]") {
  {
    const fs::path dir = fresh_dir("ci_github_pass");
    const auto j = run_example("github", "github-actions.yml", dir, "scripted,name=candidate");
    INFO(j.dump(2));
    CHECK(j["failed"] == false);
    CHECK(j["outputs"]["compare"]["exit_code"] == "0");
    CHECK(j["steps"].size() == 4);  // evaluate, compare, report, gate
    check_artifacts(dir / "gauntlet-out", false);
    CHECK(testing::read_file(dir / "step_summary.md") ==
          testing::read_file(dir / "gauntlet-out" / "compare" / "compare.md"));
  }
  {
    const fs::path dir = fresh_dir("ci_github_fail");
    const auto j = run_example("github", "github-actions.yml", dir, "zero,name=candidate");
    INFO(j.dump(2));
    CHECK(j["failed"] == true);
    CHECK(j["outputs"]["compare"]["exit_code"] == "1");
    // The compare step itself succeeds (exit 1 is a verdict); the last step fails the job.
    REQUIRE(j["steps"].size() == 4);
    CHECK(j["steps"][1]["exit_code"] == 0);
    CHECK(j["steps"][2]["exit_code"] == 0);  // the report still runs
    CHECK(j["steps"][3]["exit_code"] != 0);
    check_artifacts(dir / "gauntlet-out", true);
  }
}

TEST_CASE("The GitLab CI example gates, keeps its artifacts and posts the verdict as a note",
          "[ci][examples]") {
  {
    const fs::path dir = fresh_dir("ci_gitlab_fail");
    NotesServer notes(dir);
    const auto j =
        run_example("gitlab", "gitlab-ci.yml", dir, "zero,name=candidate",
                    {"CI_MERGE_REQUEST_IID=7", "CI_PROJECT_ID=42", "GAUNTLET_NOTE_TOKEN=secret",
                     "CI_API_V4_URL=http://127.0.0.1:" + std::to_string(notes.port) + "/api/v4"});
    INFO(j.dump(2));
    CHECK(j["exit_code"] == 1);
    CHECK(j["junit"] == "gauntlet-out/junit.xml");
    for (const auto& p : j["artifacts"]) CHECK(fs::exists(dir / p.get<std::string>()));
    check_artifacts(dir / "gauntlet-out", true);
    CHECK(testing::wait_process(notes.pid) == 0);
    notes.pid = -1;
    CHECK(testing::read_file(dir / "note.md") ==
          "/api/v4/projects/42/merge_requests/7/notes\nsecret\n" +
              testing::read_file(dir / "gauntlet-out" / "compare" / "compare.md"));
  }
  {
    const fs::path dir = fresh_dir("ci_gitlab_pass");
    const auto j = run_example("gitlab", "gitlab-ci.yml", dir, "scripted,name=candidate");
    INFO(j.dump(2));
    CHECK(j["exit_code"] == 0);
    check_artifacts(dir / "gauntlet-out", false);
  }
}
