// Shared by the adapter tests: artifacts made once per test binary by Debian's
// python3, observations to feed policies, and runs on the real smoke suite.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness/episode.hpp"
#include "harness/observation.hpp"
#include "harness/policy.hpp"
#include "harness/suite.hpp"

namespace gauntlet::testing {

// Runs GAUNTLET_PYTHON with `args`; fails the test (REQUIRE) on a non-zero exit.
void run_python(const std::vector<std::string>& args);

// A fresh folder under the build's test-tmp named NAME-PID, removed at exit:
// ctest runs the test cases of one binary as concurrent processes.
std::filesystem::path process_dir(const std::string& name);

// The folder with tests/adapters/data/make_torchscript_models.py's output,
// written once per process.
std::filesystem::path torchscript_artifacts();

// The source folder of the adapter test data.
std::filesystem::path adapter_test_data();

// An observation with the 8 smoke-suite proprio entries and optional cameras.
Observation make_observation(std::vector<float> proprio,
                             const std::vector<std::string>& cameras = {}, int width = 0,
                             int height = 0);

// Runs `episodes` episodes per task of tabletop-smoke (optionally one task)
// with `workers` slots; rows sorted by (task, perturbation, episode).
std::vector<EpisodeResult> run_smoke(Policy& policy, int episodes, int workers,
                                     const std::string& task = "", int replan_every = 0);

const Suite& smoke_suite();

// examples/policy_server/openpi_server.py in a child process serving a Python
// policy class on 127.0.0.1; the constructor waits until it listens. Port 0
// picks a free port. The destructor stops it (SIGTERM) if it still runs.
class PolicyServerProcess {
 public:
  PolicyServerProcess(const std::string& policy, const std::vector<std::string>& args,
                      const std::vector<std::string>& paths, int port = 0);
  ~PolicyServerProcess();
  PolicyServerProcess(const PolicyServerProcess&) = delete;
  PolicyServerProcess& operator=(const PolicyServerProcess&) = delete;

  int port() const { return port_; }
  std::string uri() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  // Waits for the process to end by itself; returns its exit code.
  int wait();
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path dir_;
};

}  // namespace gauntlet::testing
