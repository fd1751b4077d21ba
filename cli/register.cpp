#include "adapters/builtin/builtin_policies.hpp"
#include "cli/cli_context.hpp"
#include "suites/builtin.hpp"

namespace gauntlet::cli {

void register_everything(Registry& registry) {
  register_builtin_suites(registry);
  adapters::register_builtin_policies(registry);
}

}  // namespace gauntlet::cli
