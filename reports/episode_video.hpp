// Episode videos for reports: a StepRecorder that renders the agentview of a
// few episodes per task and stores each as an animated WebP in the results
// file's media folder (FILE.h5.media/), and the encoder it uses.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/episode.hpp"
#include "harness/observation.hpp"
#include "harness/runner.hpp"

namespace gauntlet::reports {

// Animated WebP (lossy, looping) from equally sized RGB frames.
std::string encode_animated_webp(const std::vector<Image>& frames, int frame_ms, int quality = 70);

// Where the videos of results file `results` live.
std::filesystem::path media_dir(const std::filesystem::path& results);
// File name of an episode's video inside the media folder.
std::string video_file_name(const EpisodeKey& key);

struct VideoOptions {
  int episodes_per_task = 2;  // the first N episode indices of every task and perturbation
  std::string camera = "agentview";
  int width = 128;
  int height = 128;
  int every = 2;  // render every N-th control step (10 fps at 20 Hz)
};

class EpisodeVideoRecorder final : public StepRecorder {
 public:
  EpisodeVideoRecorder(std::filesystem::path dir, int slots, VideoOptions options);
  ~EpisodeVideoRecorder() override;

  bool records(const EpisodeSpec& spec) const override;
  bool wants_observations() const override { return false; }
  void begin_episode(int slot, const EpisodeSpec& spec, Env& env) override;
  void record_step(int slot, const Observation& obs, std::span<const float> action) override;
  void record_outcome(int slot, const StepResult& result, Env& env) override;
  void end_episode(int slot, const EpisodeResult& result) override;

 private:
  struct Clip;
  std::filesystem::path dir_;
  VideoOptions options_;
  std::vector<std::unique_ptr<Clip>> clips_;
};

}  // namespace gauntlet::reports
