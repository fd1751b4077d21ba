#include "adapters/python/register.hpp"
#include "adapters/builtin/builtin_policies.hpp"
#include "adapters/remote/register.hpp"
#include "adapters/torchscript/register.hpp"
#include "cli/cli_context.hpp"
#include "suites/builtin.hpp"
#include "worldmodel/env/worldmodel_suite.hpp"
#include "worldmodel/torchscript/register.hpp"

namespace gauntlet::cli {

void register_everything(Registry& registry) {
  register_builtin_suites(registry);
  adapters::register_builtin_policies(registry);
  adapters::register_torchscript_policy(registry);
  adapters::register_python_policy(registry);
  adapters::register_remote_policy(registry);
  adapters::register_torchscript_world_models(registry);
  adapters::register_python_world_models(registry);
  worldmodel::register_world_model_environment(registry);
}

}  // namespace gauntlet::cli
