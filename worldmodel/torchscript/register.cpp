#include "worldmodel/torchscript/register.hpp"

#include "harness/errors.hpp"
#include "worldmodel/torchscript/torchscript_world_model.hpp"

namespace gauntlet::adapters {
namespace {

TorchscriptModelOptions model_options(const PolicySpec& spec, const char* what) {
  spec.require_known_options({"device", "threads"});
  if (spec.arg.empty()) {
    throw InputError(spec.quoted() + ": expected torchscript:FILE.pt (a " + what +
                     " TorchScript file)");
  }
  TorchscriptModelOptions o;
  o.model = spec.arg;
  o.device = spec.option("device").value_or("cpu");
  const long threads = spec.option_int("threads", 0);
  if (threads < 0 || threads > 1024) throw InputError(spec.quoted() + ": threads must be 1..1024");
  o.threads = static_cast<int>(threads);
  return o;
}

}  // namespace

void register_torchscript_world_models(Registry& registry) {
  registry.add_world_model(WorldModelKind{
      "torchscript", "torchscript:WM.pt[,device=cpu][,threads=N]",
      "a TorchScript world model with reset()/step() and gauntlet.json (gauntlet wm train writes "
      "one)",
      [](const PolicySpec& spec) -> std::unique_ptr<WorldModel> {
        return std::make_unique<TorchscriptWorldModel>(model_options(spec, "world model"));
      }});
  registry.add_judge(
      JudgeKind{"torchscript", "torchscript:JUDGE.pt[,device=cpu][,threads=N]",
                "a TorchScript success classifier (gauntlet wm train-judge writes one)",
                [](const PolicySpec& spec) -> std::unique_ptr<Judge> {
                  return std::make_unique<TorchscriptJudge>(model_options(spec, "judge"));
                }});
}

}  // namespace gauntlet::adapters
