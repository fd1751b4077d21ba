// Registers the `torchscript:` world-model and judge kinds (the `worldmodel`
// backend). Plain header: LibTorch is loaded lazily by adapters/torchscript/.
#pragma once

#include "harness/registry.hpp"

namespace gauntlet::adapters {

void register_torchscript_world_models(Registry& registry);

}  // namespace gauntlet::adapters
