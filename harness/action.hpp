// Actions: the space a policy speaks (ActionSpace) and what it returns per call
// (ActionChunk: H actions of `dim` numbers, executed in order by the runner).
#pragma once

#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace gauntlet {

enum class ActionKind {
  kEeDelta,   // dx dy dz (m), droll dpitch dyaw (rad, world frame), gripper (-1 open .. +1 closed)
  kJointPos,  // joint positions (rad), one per arm joint, then the gripper (-1 open .. +1 closed)
};

struct ActionSpace {
  ActionKind kind = ActionKind::kEeDelta;
  int dim = 7;
  std::vector<float> low;
  std::vector<float> high;
  std::vector<std::string> names;
};

// The default for every manipulation suite: 7-D end-effector delta as LIBERO
// and most VLAs use, bounded to 5 cm and 0.5 rad per control step.
ActionSpace ee_delta_action_space();
// Absolute joint targets of an arm: `lower`/`upper` per joint, then the gripper.
ActionSpace joint_position_action_space(const std::vector<std::string>& joints,
                                        const std::vector<double>& lower,
                                        const std::vector<double>& upper);

std::string to_string(ActionKind kind);

struct ActionChunk {
  int horizon = 0;
  int dim = 0;
  std::vector<float> values;  // horizon x dim, row-major
  // A policy may fail one item of a batch without failing the others: a
  // non-empty error ends that episode as policy_error with this text.
  std::string error;

  void resize(int h, int d) {
    horizon = h;
    dim = d;
    values.assign(static_cast<std::size_t>(h) * static_cast<std::size_t>(d), 0.0f);
    error.clear();
  }
  std::span<float> action(int i) {
    return {values.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(dim),
            static_cast<std::size_t>(dim)};
  }
  std::span<const float> action(int i) const {
    return {values.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(dim),
            static_cast<std::size_t>(dim)};
  }
};

// Why a chunk cannot be executed ("" when it can): wrong size, NaN or Inf.
std::string validate_chunk(const ActionChunk& chunk, const ActionSpace& space);

}  // namespace gauntlet
