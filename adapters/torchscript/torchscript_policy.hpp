// The `torchscript:MODEL.pt,config=policy.yaml` policy: a TorchScript model
// run in-process with LibTorch, one batched forward for all waiting episodes.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/torchscript/model_config.hpp"
#include "adapters/torchscript/model_io.hpp"
#include "adapters/torchscript/torch_model.hpp"
#include "harness/policy.hpp"

namespace gauntlet::adapters {

struct TorchscriptOptions {
  std::filesystem::path model;
  std::filesystem::path config;
  std::string device = "cpu";
  int threads = 0;  // 0: hardware threads - workers, at least 1
};

class TorchscriptPolicy final : public Policy {
 public:
  // Loads the config and the model (InputError naming either when invalid).
  explicit TorchscriptPolicy(TorchscriptOptions options);
  ~TorchscriptPolicy() override;

  PolicyRequirements requirements() const override;
  // Sets LibTorch's threads, then runs the model on a dummy batch of 1 and of
  // `slots`: an output that does not match the config is an InputError here.
  void prepare(int slots, const ActionSpace& space) override;
  void reset(int slot, const EpisodeContext& ctx) override;
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override;
  std::string identity() const override;

  const TorchscriptConfig& config() const { return config_; }
  int threads() const { return threads_; }
  // For benchmarks: the loaded model and the arguments of the last call.
  TorchModel& model() { return *model_; }
  const std::vector<HostTensor>& last_inputs() const { return packer_->tensors(); }

 private:
  std::string where() const;

  TorchscriptOptions options_;
  TorchscriptConfig config_;
  std::unique_ptr<TorchModel> model_;
  std::unique_ptr<InputPacker> packer_;
  std::unique_ptr<OutputMapper> mapper_;
  ModelOutput output_;
  std::string identity_;
  int threads_ = 0;
};

}  // namespace gauntlet::adapters
