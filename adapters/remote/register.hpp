// Registers the `remote:ws://HOST:PORT[,key=value...]` policy kind (openpi
// websocket protocol). Plain header: websocketpp and msgpack stay in adapters/remote/.
#pragma once

#include <memory>

#include "harness/registry.hpp"

namespace gauntlet::adapters {

void register_remote_policy(Registry& registry);

}  // namespace gauntlet::adapters
