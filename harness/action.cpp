#include "harness/action.hpp"

#include <cmath>

namespace gauntlet {

ActionSpace ee_delta_action_space() {
  ActionSpace space;
  space.kind = ActionKind::kEeDelta;
  space.dim = 7;
  space.low = {-0.05f, -0.05f, -0.05f, -0.5f, -0.5f, -0.5f, -1.0f};
  space.high = {0.05f, 0.05f, 0.05f, 0.5f, 0.5f, 0.5f, 1.0f};
  space.names = {"dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"};
  return space;
}

ActionSpace joint_position_action_space(const std::vector<std::string>& joints,
                                        const std::vector<double>& lower,
                                        const std::vector<double>& upper) {
  ActionSpace space;
  space.kind = ActionKind::kJointPos;
  space.dim = static_cast<int>(joints.size()) + 1;
  for (std::size_t i = 0; i < joints.size(); ++i) {
    space.low.push_back(static_cast<float>(lower.at(i)));
    space.high.push_back(static_cast<float>(upper.at(i)));
    space.names.push_back(joints[i]);
  }
  space.low.push_back(-1.0f);
  space.high.push_back(1.0f);
  space.names.emplace_back("gripper");
  return space;
}

std::string to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::kEeDelta:
      return "ee_delta";
    case ActionKind::kJointPos:
      return "joint_pos";
  }
  return "unknown";
}

std::string validate_chunk(const ActionChunk& chunk, const ActionSpace& space) {
  if (chunk.horizon < 1) return "policy returned an empty action chunk";
  if (chunk.dim != space.dim) {
    return "policy returned actions of dimension " + std::to_string(chunk.dim) + ", expected " +
           std::to_string(space.dim) + " (" + to_string(space.kind) + ")";
  }
  if (chunk.values.size() !=
      static_cast<std::size_t>(chunk.horizon) * static_cast<std::size_t>(chunk.dim)) {
    return "action chunk holds " + std::to_string(chunk.values.size()) + " numbers, expected " +
           std::to_string(chunk.horizon) + " x " + std::to_string(chunk.dim);
  }
  for (std::size_t i = 0; i < chunk.values.size(); ++i) {
    if (!std::isfinite(chunk.values[i])) {
      return "action " + std::to_string(i / static_cast<std::size_t>(chunk.dim)) + " component " +
             std::to_string(i % static_cast<std::size_t>(chunk.dim)) + " is not finite (" +
             std::to_string(chunk.values[i]) + ")";
    }
  }
  return {};
}

}  // namespace gauntlet
