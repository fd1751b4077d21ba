// Which frames the built-in judge learns from: each episode's final frame
// labelled with the simulator's verdict, plus earlier frames as negatives
// (the judge runs at every step of a world-model episode), optionally the
// same frames as a world model regenerated them. Plain C++.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/demo_reader.hpp"
#include "harness/observation.hpp"
#include "worldmodel/training/world_model_training.hpp"

namespace gauntlet::adapters {

struct JudgeSampleOptions {
  int negatives_per_episode = 4;  // earlier frames of each episode, labelled "not yet"
  int margin = 5;                 // a successful episode's last `margin` frames are never negatives
  std::uint64_t seed = 0;
};

struct JudgeSampleCounts {
  long positives = 0;
  long negatives = 0;
};

// Appends the samples of `episode` (frames at its own size). `generated`, when
// given, holds the world model's frames for the same actions (generated[k]
// follows action k); the same choice of frames is added from it. The pointers
// in the samples refer to `episode` and `generated`, which must outlive them.
void add_judge_samples(const DemoEpisode& episode, int episode_index,
                       const std::vector<Image>* generated, const JudgeSampleOptions& options,
                       std::vector<JudgeSample>& samples);

// Sets weights so successes and failures weigh the same in total.
JudgeSampleCounts balance_judge_samples(std::vector<JudgeSample>& samples);

}  // namespace gauntlet::adapters
