// What the `wm` subcommands share: reading demonstration files with their
// provenance (file hashes, episode seeds) for training identity and for the
// train/validation overlap check.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_context.hpp"
#include "harness/demo_reader.hpp"

namespace gauntlet::cli {

std::vector<DemoSet> read_demo_sets(const std::vector<std::string>& files,
                                    const std::string& camera);
// A stable string naming the data: each file's SHA-256 and the camera.
std::string demo_identity(const std::vector<DemoSet>& sets, const std::string& camera);
nlohmann::json demo_provenance(
    const std::vector<DemoSet>& sets);  // [{file, sha256, episodes, successes, policy}]
nlohmann::json demo_seeds(const std::vector<DemoSet>& sets);  // every episode seed (strings)

void add_wm_validate_command(CLI::App& wm, CliContext& ctx);

}  // namespace gauntlet::cli
