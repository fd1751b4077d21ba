// Episode videos for reports: a StepRecorder that keeps a few episodes per
// task in the results file's media folder (FILE.h5.media/): the agentview as
// an animated WebP (embedded in report.html) and/or every camera the policy
// saw as an H.264 MP4 (reports/mp4/).
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
// File name of an episode's WebP video inside the media folder.
std::string video_file_name(const EpisodeKey& key);
// File name of one camera's MP4 video of an episode inside the media folder.
std::string mp4_file_name(const EpisodeKey& key, const std::string& camera);

struct VideoOptions {
  int episodes_per_task = 2;  // the first N episode indices of every task and perturbation
  std::string camera = "agentview";
  int width = 128;
  int height = 128;
  int every = 2;     // render every N-th control step (10 fps at 20 Hz)
  bool webp = true;  // the agentview, rendered outside the observation
  // Every camera the policy saw, as it saw it (perturbed images included);
  // the agentview, rendered, for a policy that saw none (privileged state).
  bool mp4 = false;
  int control_hz = 20;
};

// "webp", "mp4" or "webp,mp4" (either order) into options; InputError naming --video-format.
void parse_video_formats(const std::string& text, VideoOptions& options);

class EpisodeVideoRecorder final : public StepRecorder {
 public:
  EpisodeVideoRecorder(std::filesystem::path dir, int slots, VideoOptions options);
  ~EpisodeVideoRecorder() override;

  bool records(const EpisodeSpec& spec) const override;
  // MP4s show the observations, so recorded episodes observe every step.
  bool wants_observations() const override { return options_.mp4; }
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
