// Shared by the adapter tests: artifacts made once per test binary by Debian's
// python3, observations to feed policies, and runs on the real smoke suite.
#pragma once

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

// The folder with tests/adapters/data/make_torchscript_models.py's output,
// written once per process.
std::filesystem::path torchscript_artifacts();

// The source folder of the adapter test data.
std::filesystem::path adapter_test_data();

// An observation with the 8 smoke-suite proprio entries and optional cameras.
Observation make_observation(std::vector<float> proprio, const std::vector<std::string>& cameras = {},
                             int width = 0, int height = 0);

// Runs `episodes` episodes per task of tabletop-smoke (optionally one task)
// with `workers` slots; rows sorted by (task, perturbation, episode).
std::vector<EpisodeResult> run_smoke(Policy& policy, int episodes, int workers, const std::string& task = "",
                                     int replan_every = 0);

const Suite& smoke_suite();

}  // namespace gauntlet::testing
