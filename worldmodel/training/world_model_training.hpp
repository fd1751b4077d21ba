// Training the built-in world model and judge with LibTorch, in C++. Plain
// header: the requests are filled by the CLI, the training itself runs inside
// the lazily loaded libgauntlet_torch.so (torch_module_api().train_*).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/demo_reader.hpp"

namespace gauntlet::adapters {

struct TrainingProgress {
  long step = 0;        // optimiser steps done
  long steps = 0;       // total
  long first_step = 0;  // where this process started (> 0 after a resume)
  double loss = 0.0;    // mean over the steps since the last report
  double seconds = 0.0;
};

// Options shared by both trainers.
struct TrainingOptions {
  std::filesystem::path out;         // the TorchScript file written at the end
  std::filesystem::path checkpoint;  // written every checkpoint_every steps; read with resume
  bool resume = false;
  long steps = 2000;
  int batch = 16;
  double learning_rate = 1e-3;
  std::uint64_t seed = 0;
  int threads = 1;  // LibTorch intra-op threads (results depend on it)
  long checkpoint_every = 100;
  long report_every = 10;
  // What the data was (hashes of the demonstration files): a checkpoint made
  // from other data or options is refused on resume.
  std::string data_identity;
  std::string provenance_json;  // a JSON object stored in gauntlet.json under "training"
  std::function<void(const TrainingProgress&)> progress;
};

// The action-conditioned next-frame predictor (see docs/worldmodel.md): a
// convolutional encoder of the context frame and proprioception, a residual
// latent transition conditioned on each action, and a decoder that composites
// generated pixels over the context frame.
struct WorldModelTrainRequest {
  TrainingOptions options;
  std::vector<const DemoEpisode*> episodes;  // same width, height, action and proprio dims
  std::string camera = "agentview";
  int horizon = 8;    // steps unrolled per training window
  int channels = 64;  // latent channels (network width)
  // Output.
  long resumed_from = 0;
  double final_loss = 0.0;
  std::string weights_digest;  // FNV-1a of the trained parameters (not of the file)
};

// One labelled frame for the judge.
struct JudgeSample {
  const std::uint8_t* frame = nullptr;  // height x width x 3
  float success = 0.0f;
  float progress = 0.0f;
  float weight = 1.0f;
};

// An episode the judge did not train on, as the world model regenerated it
// (frames after each action, in order), with the simulator's verdict: the
// decision threshold is calibrated on these.
struct JudgeCalibrationEpisode {
  std::vector<const std::uint8_t*> frames;  // height x width x 3 each
  bool success = false;
};

// The success / progress classifier on single frames.
struct JudgeTrainRequest {
  TrainingOptions options;
  std::vector<JudgeSample> samples;
  std::string camera = "agentview";
  int width = 64;
  int height = 64;
  int channels = 32;
  // Judged after every step, an episode succeeds the first time the success
  // probability reaches the threshold, so per-frame false positives compound
  // over an episode. When given, the threshold that maximises the balanced
  // accuracy of that episode-level decision on these episodes is stored in
  // gauntlet.json ("threshold") and used unless --env sets one.
  std::vector<JudgeCalibrationEpisode> calibration;
  // Output.
  long resumed_from = 0;
  double final_loss = 0.0;
  std::string weights_digest;  // FNV-1a of the trained parameters (not of the file)
  double threshold = 0.5;      // calibrated (0.5 without calibration episodes)
  double calibration_balanced_accuracy = -1.0;  // at that threshold; -1 without calibration
};

// Entry points inside libgauntlet_torch.so (reached via TorchModuleApi).
bool train_world_model(WorldModelTrainRequest* request, std::string* error, bool* user_error);
bool train_judge(JudgeTrainRequest* request, std::string* error, bool* user_error);

}  // namespace gauntlet::adapters
