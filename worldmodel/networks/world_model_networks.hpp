// The built-in world model and judge networks as torch::jit::Modules:
// parameters registered from C++, methods compiled from TorchScript source.
// LibTorch header: only for the libgauntlet_torch.so module's sources.
#pragma once

#include <torch/script.h>

#include <string>

#include "worldmodel/training/world_model_training.hpp"

namespace gauntlet::adapters {

struct WorldModelShape {
  int width = 64;
  int height = 64;
  int action_dim = 7;
  int proprio_dim = 8;
  int channels = 64;
};

// The world model: methods reset(frames, proprio) -> state,
// step(state, actions) -> (frames, proprio, state) (the contract of the
// torchscript world-model adapter, docs/worldmodel.md) and
// training_loss(frames, actions, proprio). proprio_mean/std and action_scale
// normalise inputs inside the model.
torch::jit::Module build_world_model(const WorldModelShape& shape,
                                     const torch::Tensor& proprio_mean,
                                     const torch::Tensor& proprio_std,
                                     const torch::Tensor& action_scale);
// What a checkpoint must match to be resumed (architecture, data, options).
std::string world_model_identity(const WorldModelShape& shape, const TrainingOptions& options,
                                 int horizon);
// gauntlet.json of a trained world model.
std::string world_model_metadata(const WorldModelShape& shape, const std::string& camera,
                                 const TrainingOptions& options, int horizon);

struct JudgeShape {
  int width = 64;
  int height = 64;
  int channels = 32;
};

// The judge: forward(frames [B, K, 3, H, W]) -> [B, 2] (success probability,
// progress) from the last frame; training_loss(frames, success, progress, weight).
torch::jit::Module build_judge(const JudgeShape& shape);
std::string judge_identity(const JudgeShape& shape, const TrainingOptions& options);
std::string judge_metadata(const JudgeShape& shape, const std::string& camera,
                           const TrainingOptions& options);

}  // namespace gauntlet::adapters
