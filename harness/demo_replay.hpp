// Replaying a recorded demonstration, as robomimic's playback_dataset.py
// does: rebuild the episode's scene, set the first recorded simulator state,
// apply the recorded actions and measure how far the replay drifts.
#pragma once

#include <string>

#include "harness/demo_reader.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

struct ReplayOptions {
  // A step diverges when its state differs from the recorded one by more than
  // this (L2 norm over the state vector, as robomimic's playback prints).
  double tolerance = 1e-6;
  // Restore the recorded state before every action (one-step errors, no
  // compounding) instead of only before the first.
  bool every_state = false;
};

struct DemoReplay {
  std::string demo;
  std::string task;
  int steps = 0;                    // actions replayed
  double max_state_error = 0.0;     // max over steps of |state - recorded| (L2)
  double final_state_error = -1.0;  // after the last action; -1 without final_state
  double max_eef_error = -1.0;      // m, end-effector position vs next_obs; -1 without it
  int first_divergent_step = -1;    // first action after which the error exceeded tolerance
  bool recorded_success = false;
  bool replayed_success = false;  // the task's success after the last action
  bool scene_matches = true;      // model_file equals the suite's scene of the task
  // Chain demos: the replay attempted the recorded subtasks with the same
  // outcomes and boundaries (always true for other demos).
  bool subtasks_reproduced = true;
  std::string error;  // a sim_error while replaying

  bool reproduced() const {
    return first_divergent_step < 0 && recorded_success == replayed_success &&
           subtasks_reproduced && error.empty();
  }
};

// Replays one demo in `suite` (which must offer simulator states). InputError
// when the demo's task is not in the suite or its states do not fit the scene.
DemoReplay replay_demo(const Suite& suite, const DemoTrace& demo, const ReplayOptions& options);

}  // namespace gauntlet
