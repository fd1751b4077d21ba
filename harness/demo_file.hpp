// Demonstration files in the robomimic / LIBERO HDF5 layout, written while a
// run records every step: data/demo_K/{actions, dones, rewards,
// obs/agentview_rgb, obs/eye_in_hand_rgb, obs/ee_states, obs/gripper_states}.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/runner.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

struct DemoFileOptions {
  bool only_success = false;  // drop failed episodes
  int compression = 4;        // gzip level for images, 0..9
  std::string policy_spec;    // provenance
  std::string command;
  // Cameras to store (`record --camera`); empty: every camera the episode
  // renders. A camera only the policy asked for is rendered for it, not stored.
  std::vector<std::string> cameras;
  std::string shard = "0/1";  // "I/N" of the plan this file records
};

// A StepRecorder that streams each finished episode into one HDF5 file. The
// file is written under PATH.partial and renamed to PATH by finish(), so an
// interrupted recording never leaves a truncated file under the final name.
class DemoWriter final : public StepRecorder {
 public:
  DemoWriter(const std::filesystem::path& path, const Suite& suite, int slots,
             DemoFileOptions options);
  ~DemoWriter() override;

  void begin_episode(int slot, const EpisodeSpec& spec, Env& env) override;
  void record_step(int slot, const Observation& obs, std::span<const float> action) override;
  void record_outcome(int slot, const StepResult& result, Env& env) override;
  void end_episode(int slot, const EpisodeResult& result) override;

  // Writes the summary attributes and moves the file into place.
  void finish();
  int demos_written() const { return demos_; }

 private:
  struct Buffer;
  void write_demo(const Buffer& b, const EpisodeResult& result);

  std::filesystem::path path_;
  std::filesystem::path partial_;
  const Suite& suite_;
  DemoFileOptions options_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  long file_ = -1;  // hid_t
  long data_ = -1;  // hid_t of /data
  int demos_ = 0;
  std::vector<int> task_indices_;  // tasks with at least one demo, in first-seen order
  long samples_ = 0;
  std::mutex mutex_;
};

// LIBERO's dataset key for a camera ("agentview" -> "agentview_rgb",
// "wrist" -> "eye_in_hand_rgb").
std::string demo_camera_key(const std::string& camera);

}  // namespace gauntlet
