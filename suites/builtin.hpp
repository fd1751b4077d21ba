// Registers gauntlet's built-in suites (YAML compiled into the binary) and the
// resolver that loads a user's suite from a .yaml path.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/registry.hpp"

namespace gauntlet {

// {path relative to the source tree, YAML text} of every built-in suite.
const std::vector<std::pair<std::string, std::string>>& embedded_suite_files();

void register_builtin_suites(Registry& registry);

}  // namespace gauntlet
