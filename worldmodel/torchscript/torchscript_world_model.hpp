// World models and judges stored as TorchScript (the built-in ones `gauntlet
// wm train|train-judge` writes, or any model following the contract in
// docs/worldmodel.md), run through the same lazily loaded LibTorch module as
// torchscript policies. Plain C++.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/torchscript/torch_model.hpp"
#include "harness/world_model.hpp"

namespace gauntlet::adapters {

struct TorchscriptModelOptions {
  std::filesystem::path model;
  std::string device = "cpu";
  int threads = 0;  // LibTorch intra-op threads; 0 leaves the process setting
};

// Reads gauntlet.json of a loaded model: InputError naming the file when it
// is absent or does not describe a model of `kind` ("world_model", "judge").
struct ModelMetadata {
  std::string kind;
  std::string camera = "agentview";
  int width = 0;
  int height = 0;
  int context_frames = 1;
  int action_dim = 7;
  int proprio_dim = 0;
  int frames = 1;
  double threshold = -1.0;  // a judge's calibrated decision threshold (-1: none)
  std::string text;         // the whole JSON
};
ModelMetadata read_model_metadata(const TorchModel& model, const std::filesystem::path& file,
                                  const std::string& kind);

class TorchscriptWorldModel final : public WorldModel {
 public:
  explicit TorchscriptWorldModel(TorchscriptModelOptions options);
  const WorldModelInfo& info() const override { return info_; }
  std::unique_ptr<WorldModelRollout> new_rollout() override;
  void reset(std::span<WorldModelRollout* const> rollouts,
             std::span<const WorldModelContext> contexts) override;
  void predict(std::span<WorldModelRollout* const> rollouts,
               std::span<const ActionChunk* const> actions,
               std::span<WorldModelPrediction> out) override;
  std::string identity() const override { return identity_; }
  const ModelMetadata& metadata() const { return metadata_; }

 private:
  void predict_group(std::span<WorldModelRollout* const> rollouts,
                     std::span<const ActionChunk* const> actions,
                     std::span<WorldModelPrediction> out);
  TorchscriptModelOptions options_;
  std::unique_ptr<TorchModel> model_;
  ModelMetadata metadata_;
  WorldModelInfo info_;
  std::string identity_;
  bool reset_takes_seed_ = false;  // reset(frames, proprio, seed: [B] int64)
};

class TorchscriptJudge final : public Judge {
 public:
  explicit TorchscriptJudge(TorchscriptModelOptions options);
  const JudgeInfo& info() const override { return info_; }
  void judge(std::span<const JudgeInput> items, std::span<JudgeVerdict> out) override;
  std::string identity() const override { return identity_; }

 private:
  TorchscriptModelOptions options_;
  std::unique_ptr<TorchModel> model_;
  ModelMetadata metadata_;
  JudgeInfo info_;
  std::string identity_;
};

}  // namespace gauntlet::adapters
