// Reads demonstration files (the robomimic / LIBERO layout `gauntlet record`
// writes, see demo_file.hpp) back into memory: one camera's frames, the
// actions, proprioception, per-step progress and each demo's outcome.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gauntlet {

// One subtask of a chain demo (CALVIN-like suites; data/demo_K/subtasks): it
// covers actions [start, end), and `annotation` is the instruction the policy saw.
struct DemoSubtask {
  std::string name;
  std::string annotation;
  int start = 0;
  int end = 0;
  bool success = false;
  friend bool operator==(const DemoSubtask&, const DemoSubtask&) = default;
};

struct DemoEpisode {
  std::string name;  // "demo_K"
  std::string task;
  std::string instruction;
  std::string perturbation;
  std::string seed;  // as stored (a decimal string)
  int episode = -1;
  bool success = false;
  int steps = 0;  // actions
  int width = 0;
  int height = 0;
  // The observation before each action, then (has_final) the one after the
  // last action: steps + 1 frames, or steps frames for files without final_obs.
  std::vector<std::uint8_t> frames;  // frame_count() x height x width x 3
  bool has_final = false;
  int action_dim = 0;
  std::vector<float> actions;  // steps x action_dim
  int proprio_dim = 0;
  std::vector<float> proprio;         // frame_count() x proprio_dim (empty when absent)
  std::vector<float> progress;        // after each action (steps); empty when not stored
  std::vector<DemoSubtask> subtasks;  // chain demos only, in order

  int frame_count() const { return steps + (has_final ? 1 : 0); }
  std::size_t frame_bytes() const {
    return static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  }
  const std::uint8_t* frame(int i) const {
    return frames.data() + static_cast<std::size_t>(i) * frame_bytes();
  }
  const float* action(int i) const {
    return actions.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(action_dim);
  }
};

struct DemoSet {
  std::filesystem::path path;
  std::string camera;       // e.g. "agentview"
  std::string policy_spec;  // provenance attributes of /data
  std::string env_args;
  std::vector<DemoEpisode> episodes;  // in demo_K order (K ascending)
};

// What replaying one demo needs (no images): its episode, actions, the
// simulator states before each action and after the last, the proprioception
// after each action (next_obs/proprio), and the scene it was recorded in.
struct DemoTrace {
  std::string name;  // "demo_K"
  std::string task;
  std::string perturbation;
  int episode = -1;
  std::uint64_t seed = 0;
  bool success = false;
  int steps = 0;
  int action_dim = 0;
  std::vector<float> actions;  // steps x action_dim
  int state_size = 0;
  std::vector<double> states;       // steps x state_size
  std::vector<double> final_state;  // state_size (empty in files without final_state)
  int proprio_dim = 0;
  std::vector<float> next_proprio;  // steps x proprio_dim (empty without next_obs)
  std::string model_file;
  std::string state_layout;
  std::vector<DemoSubtask> subtasks;  // chain demos only, in order
};

struct DemoTraceSet {
  std::filesystem::path path;
  std::string env_args;  // JSON
  std::vector<DemoTrace> demos;
};

// Reads the traces of `path`'s demos (only `demo` when not empty). InputError
// naming the file and demo when it is not a demonstration file, a demo lacks
// `states` (recorded by a backend that cannot save them, or by an older
// gauntlet), or shapes disagree.
DemoTraceSet read_demo_traces(const std::filesystem::path& path, const std::string& demo = "");

// Reads every demo of `path` with the frames of `camera`. InputError naming
// the file (and demo) when it is missing, not a demonstration file, lacks the
// camera, or has inconsistent shapes.
DemoSet read_demo_file(const std::filesystem::path& path, const std::string& camera = "agentview");

}  // namespace gauntlet
