// Open-loop replay: a world model fed the recorded actions of demonstrations
// from their first real frame, for fidelity metrics (PSNR/SSIM drift curves),
// side-by-side strips, and judge training on generated frames.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "harness/demo_reader.hpp"
#include "harness/world_model.hpp"

namespace gauntlet::worldmodel {

struct OpenLoopRollout {
  std::vector<Image> frames;  // frames[k]: generated after actions 0..k
  std::string error;          // the model failed on this episode
};

// The real frame `index` of a demo as an Image, resized to width x height.
Image demo_frame(const DemoEpisode& episode, int index, int width, int height);

// Replays at most `horizon` recorded actions (0: all) of every episode,
// `batch` episodes per model call (one action per call, so any model works).
// `progress` is told how many episodes are done.
std::vector<OpenLoopRollout> replay_open_loop(WorldModel& model,
                                              std::span<const DemoEpisode* const> episodes,
                                              int horizon, int batch,
                                              const std::function<void(int)>& progress = {});

}  // namespace gauntlet::worldmodel
