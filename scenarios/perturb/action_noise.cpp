#include "scenarios/perturb/action_noise.hpp"

#include <algorithm>
#include <cmath>

#include "harness/rng.hpp"
#include "scenarios/perturb/levels.hpp"

namespace gauntlet::perturb {

void ActionPerturbation::reset(int level, std::uint64_t seed, const ActionSpace& space,
                               std::vector<float> hold) {
  level_ = level;
  seed_ = seed;
  in_flight_.clear();
  hold_ = std::move(hold);
  if (level <= 0) return;
  const ActionLevel p = action_level(level);
  noise_frac_ = p.noise_frac;
  latency_ = p.latency_steps;
  scale_.assign(static_cast<std::size_t>(space.dim), 0.0f);
  // The motion components; the gripper command (last of ee_delta) stays exact.
  const int motion = space.kind == ActionKind::kEeDelta ? space.dim - 1 : space.dim;
  for (int i = 0; i < motion; ++i) {
    const auto k = static_cast<std::size_t>(i);
    scale_[k] =
        static_cast<float>(noise_frac_ * std::max(std::abs(space.low[k]), std::abs(space.high[k])));
  }
}

void ActionPerturbation::apply(int step, std::span<float> action) {
  if (level_ <= 0) return;
  // Noise of step t depends on (episode, t) only, whatever the policy's chunking.
  Rng rng(derive_seed(seed_, static_cast<std::uint64_t>(step)));
  for (std::size_t i = 0; i < action.size() && i < scale_.size(); ++i) {
    action[i] += static_cast<float>(rng.normal(0.0, scale_[i]));
  }
  if (latency_ == 0) return;
  in_flight_.emplace_back(action.begin(), action.end());
  if (static_cast<int>(in_flight_.size()) > latency_) {
    std::copy(in_flight_.front().begin(), in_flight_.front().end(), action.begin());
    in_flight_.pop_front();
  } else {
    std::copy_n(hold_.begin(), std::min(hold_.size(), action.size()), action.begin());
  }
}

}  // namespace gauntlet::perturb
