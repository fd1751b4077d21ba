// The `action` perturbation: Gaussian noise on the motion components of each
// action and a k-step control latency, per episode, drawn from the episode's stream.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "harness/action.hpp"

namespace gauntlet::perturb {

class ActionPerturbation {
 public:
  // `hold` is applied while the first `latency` actions are still in flight
  // (the backend's no-op: no motion, gripper open). Level 0 disables it.
  void reset(int level, std::uint64_t seed, const ActionSpace& space, std::vector<float> hold);
  // Replaces `action` (the policy's, at control step `step`) by what reaches the robot.
  void apply(int step, std::span<float> action);
  bool active() const { return level_ > 0; }

 private:
  int level_ = 0;
  std::uint64_t seed_ = 0;
  double noise_frac_ = 0.0;
  int latency_ = 0;
  std::vector<float> scale_;  // noise standard deviation per component
  std::vector<float> hold_;
  std::deque<std::vector<float>> in_flight_;
};

}  // namespace gauntlet::perturb
