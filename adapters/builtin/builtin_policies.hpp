// The built-in policies: `scripted` (each task's closed-loop expert),
// `noisy-scripted:EPS` (the expert with action noise and random dropout of
// strength EPS), `random` (uniform actions) and `zero` (all-zero actions).
#pragma once

#include "harness/registry.hpp"

namespace gauntlet::adapters {

void register_builtin_policies(Registry& registry);

}  // namespace gauntlet::adapters
