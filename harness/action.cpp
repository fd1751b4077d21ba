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

std::string to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::kEeDelta:
      return "ee_delta";
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
