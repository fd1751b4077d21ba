// Registers the `torchscript:MODEL.pt,config=policy.yaml` policy kind. Plain
// header: LibTorch stays inside adapters/torchscript/ (and is loaded lazily).
#pragma once

#include "harness/registry.hpp"

namespace gauntlet::adapters {

void register_torchscript_policy(Registry& registry);

}  // namespace gauntlet::adapters
