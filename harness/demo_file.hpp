// Demonstration files in the robomimic / LIBERO HDF5 layout, written while a
// run records every step: data/demo_K/{actions, dones, rewards, states,
// obs/..., next_obs/...} with attributes num_samples and model_file, data's
// env_args, and mask/{train,valid}. docs/demonstrations.md lists every key.
#pragma once

#include <cstdint>
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
  std::string suite_spec;     // the --suite argument, so replay can load the suite again
};

// robomimic's EnvType of env_args.type (ROBOSUITE_TYPE).
inline constexpr int kRobomimicEnvType = 1;
// Seeds the choice of mask/valid demos.
inline constexpr std::uint64_t kValidationSplitSeed = 0x67617567'6e746c74ULL;

// The demos (indices K of demo_K) of robomimic's "valid" filter key for a
// file of `demos` demos: a tenth (at least one when there are two or more),
// chosen by a fixed pseudo-random permutation.
std::vector<int> validation_demos(int demos);

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
