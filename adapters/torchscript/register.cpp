#include "adapters/torchscript/register.hpp"

#include "adapters/chunking/chunk_execution.hpp"
#include "adapters/torchscript/torchscript_policy.hpp"
#include "harness/errors.hpp"

namespace gauntlet::adapters {

void register_torchscript_policy(Registry& registry) {
  registry.add_policy(PolicyKind{
      "torchscript", "torchscript:MODEL.pt,config=POLICY.yaml[,KEY=VALUE...]",
      "a TorchScript model run in-process with LibTorch (batched across workers)",
      [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
        spec.require_known_options(
            {"config", "device", "threads", kReplanEveryOption, kEnsembleOption});
        if (spec.arg.empty()) {
          throw InputError(spec.quoted() + ": expected torchscript:MODEL.pt,config=POLICY.yaml");
        }
        const auto config = spec.option("config");
        if (!config || config->empty()) {
          throw InputError(spec.quoted() +
                           ": torchscript needs config=POLICY.yaml (which inputs the "
                           "model takes, what it outputs)");
        }
        TorchscriptOptions o;
        o.model = spec.arg;
        o.config = *config;
        o.device = spec.option("device").value_or("cpu");
        const long threads = spec.option_int("threads", 0);
        if (threads < 0 || threads > 1024) {
          throw InputError(spec.quoted() +
                           ": threads must be 1..1024 (0 or absent: cores - workers)");
        }
        o.threads = static_cast<int>(threads);
        if (!std::filesystem::exists(o.model)) {
          throw InputError(spec.quoted() + ": model file '" + o.model.string() +
                           "' does not exist");
        }
        auto policy = std::make_unique<TorchscriptPolicy>(o);
        const int fallback = policy->config().replan_every;
        return with_chunk_execution(spec, std::move(policy), fallback);
      }});
}

}  // namespace gauntlet::adapters
