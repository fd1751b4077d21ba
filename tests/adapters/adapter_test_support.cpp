#include "tests/adapters/adapter_test_support.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "harness/runner.hpp"
#include "tests/fixtures/builtin.hpp"
#include "tests/support/process.hpp"

namespace gauntlet::testing {
namespace {

const std::vector<std::string>& smoke_proprio_names() {
  static const std::vector<std::string> names = {
      "eef_pos_x",        "eef_pos_y",        "eef_pos_z",         "eef_axis_angle_x",
      "eef_axis_angle_y", "eef_axis_angle_z", "gripper_qpos_left", "gripper_qpos_right"};
  return names;
}

using Collect = fixtures::CollectingSink;

}  // namespace

void run_python(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {GAUNTLET_PYTHON};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv, std::chrono::seconds(300));
  INFO("python " << (args.empty() ? "" : args[0]) << "\nstdout: " << r.out
                 << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
}

std::filesystem::path adapter_test_data() {
  return std::filesystem::path(GAUNTLET_SOURCE_DIR) / "tests" / "adapters" / "data";
}

std::filesystem::path process_dir(const std::string& name) {
  // ctest runs test cases of one binary as parallel processes: each gets its
  // own folder, removed when the process ends.
  struct Owned {
    std::filesystem::path path;
    ~Owned() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static std::mutex mutex;
  static std::vector<std::unique_ptr<Owned>> owned;
  std::lock_guard<std::mutex> lock(mutex);
  auto dir =
      std::make_unique<Owned>();  // no temporary Owned: its destructor would remove the folder
  dir->path = fresh_dir(name + "-" + std::to_string(::getpid()));
  owned.push_back(std::move(dir));
  return owned.back()->path;
}

std::filesystem::path torchscript_artifacts() {
  static std::once_flag once;
  static std::filesystem::path dir;
  std::call_once(once, [] {
    dir = process_dir("torchscript-artifacts");
    run_python({(adapter_test_data() / "make_torchscript_models.py").string(), dir.string()});
  });
  return dir;
}

Observation make_observation(std::vector<float> proprio, const std::vector<std::string>& cameras,
                             int width, int height) {
  Observation obs;
  obs.proprio = std::move(proprio);
  obs.proprio_names = &smoke_proprio_names();
  obs.instruction = "pick up the red cube";
  for (const auto& c : cameras) {
    CameraFrame f;
    f.name = c;
    f.image.resize(width, height);
    obs.cameras.push_back(std::move(f));
  }
  return obs;
}

const Suite& smoke_suite() {
  return fixtures::smoke_suite();
}

std::vector<EpisodeResult> run_smoke(Policy& policy, int episodes, int workers,
                                     const std::string& task, int replan_every) {
  EpisodePlan plan;
  plan.episodes_per_task = episodes;
  if (!task.empty()) plan.task_ids = {task};
  const auto specs = plan_episodes(smoke_suite(), plan);
  RunnerOptions options;
  options.workers = workers;
  options.replan_every = replan_every;
  Runner runner(smoke_suite(), policy, options);
  Collect sink;
  runner.run(specs, sink);
  REQUIRE(sink.rows.size() == specs.size());
  std::sort(sink.rows.begin(), sink.rows.end(),
            [](const auto& a, const auto& b) { return a.key() < b.key(); });
  return sink.rows;
}

PolicyServerProcess::PolicyServerProcess(const std::string& policy,
                                         const std::vector<std::string>& args,
                                         const std::vector<std::string>& paths, int port) {
  static std::atomic<int> counter{0};
  dir_ = process_dir("policy-server-" + std::to_string(counter++));
  const auto port_file = dir_ / "port";
  std::vector<std::string> argv = {
      GAUNTLET_PYTHON,
      std::string(GAUNTLET_SOURCE_DIR) + "/examples/policy_server/openpi_server.py",
      "--policy",
      policy,
      "--port",
      std::to_string(port),
      "--port-file",
      port_file.string()};
  for (const auto& a : args) {
    argv.push_back("--arg");
    argv.push_back(a);
  }
  for (const auto& p : paths) {
    argv.push_back("--path");
    argv.push_back(p);
  }
  pid_ = start_process(argv, dir_ / "log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_file(port_file);
    if (!text.empty()) {
      port_ = std::stoi(text);
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("the policy server exited before listening:\n" << log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("the policy server did not start listening within 60 s:\n" << log());
}

PolicyServerProcess::~PolicyServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    wait_process(pid_);
  }
}

int PolicyServerProcess::wait() {
  const int code = wait_process(pid_);
  pid_ = -1;
  return code;
}

std::string PolicyServerProcess::log() const {
  return read_file(dir_ / "log");
}

}  // namespace gauntlet::testing
