#include "adapters/python/register.hpp"

#include "adapters/chunking/chunk_execution.hpp"
#include "harness/errors.hpp"

namespace gauntlet::adapters {

void register_python_policy(Registry& registry) {
  registry.add_policy(
      PolicyKind{"python", "python:package.module:ClassName[,path=DIR][,venv=DIR][,KEY=VALUE...]",
                 "a Python class in the embedded python3.11 (reset(task), act(obs), optional "
                 "act_batch(obs_list))",
                 [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
                   return with_chunk_execution(spec, make_python_policy(spec));
                 }});
}

}  // namespace gauntlet::adapters
