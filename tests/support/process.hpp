// Running the real `gauntlet` binary from tests: capture stdout, stderr and the
// exit code, or start it in the background to kill it mid-run.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace gauntlet::testing {

struct ProcessResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs argv[0] with arguments; throws if it cannot start or exceeds `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::seconds timeout = std::chrono::seconds(600));

// Starts argv in the background with stdout/stderr to files; returns its pid.
pid_t start_process(const std::vector<std::string>& argv, const std::filesystem::path& log);
// Waits for pid; returns its exit code (128+N when killed by signal N).
int wait_process(pid_t pid);

// A fresh empty directory under the build's test-tmp folder.
std::filesystem::path fresh_dir(const std::string& name);

std::string gauntlet_binary();

// The whole content of a file (fopen/fread: no stream iterators, see STYLE);
// throws std::runtime_error when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace gauntlet::testing
