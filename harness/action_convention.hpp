// Named action conventions: what a checkpoint's action numbers meant in
// training, converted to gauntlet's native ee_delta (metres, world-frame
// rotation vector in radians, gripper -1 open .. +1 closed) so that a real
// checkpoint's outputs move the robot as they moved it where it was trained.
// A policy spec selects one with `actions=NAME` (any adapter).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/action.hpp"
#include "harness/policy.hpp"

namespace gauntlet {

struct ActionConvention {
  std::string name;
  std::string summary;  // units and source, one line
  ActionSpace space;    // what the policy speaks (dimension, bounds, names)
  // The policy's action (space.dim numbers) as a native ee_delta (7 numbers).
  void (*to_native)(std::span<const float> in, std::span<float> out) = nullptr;
};

// ee_delta (native), libero, calvin, bridge, rt1.
const std::vector<ActionConvention>& action_conventions();
// InputError naming the valid conventions when `name` is unknown (`what` names where it came from).
const ActionConvention& find_action_convention(const std::string& name, const std::string& what);

// Wraps a policy whose actions follow `convention`: it is prepared with the
// convention's space and its chunks are converted to ee_delta before the
// runner sees them; a chunk of the wrong size fails its episode with a
// message naming the convention.
std::unique_ptr<Policy> with_action_convention(std::unique_ptr<Policy> inner,
                                               const ActionConvention& convention);

}  // namespace gauntlet
