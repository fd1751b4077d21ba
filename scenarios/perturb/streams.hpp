// Randomness of perturbations: every dimension draws from its own stream of the
// episode seed, so an episode's perturbation is the same at every level, alone or composed.
#pragma once

#include <cstdint>
#include <string_view>

#include "harness/rng.hpp"

namespace gauntlet::perturb {

// FNV-1a of a name: stable stream ids for dimensions and cameras.
inline std::uint64_t name_hash(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The seed of `dimension` for an episode; independent of the level and of the
// other dimensions composed with it.
inline std::uint64_t dimension_seed(std::uint64_t episode_seed, std::string_view dimension) {
  return derive_seed(derive_seed(episode_seed, RngStream::kPerturbation), name_hash(dimension));
}

// A magnitude fraction in [0.5, 1]: every episode is perturbed noticeably.
inline double draw_fraction(Rng& rng) {
  return rng.uniform(0.5, 1.0);
}
// A signed fraction in [-1, -0.5] U [0.5, 1].
inline double draw_signed_fraction(Rng& rng) {
  const double u = draw_fraction(rng);
  return rng.bernoulli(0.5) ? u : -u;
}

}  // namespace gauntlet::perturb
