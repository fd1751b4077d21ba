// Deterministic random numbers for episodes and policies: xoshiro256** seeded by
// splitmix64, and the one table of random streams. Bit-identical on every
// platform, unlike std:: distributions.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace gauntlet {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Mixes a seed with a stream id so that independent consumers of one episode
// seed (initial state, perturbation, policy noise) never share a stream.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL);
  splitmix64(s);
  return splitmix64(s);
}

// The table of random streams: every fixed stream id passed to derive_seed in
// gauntlet, so that two consumers of one seed never share a stream by accident.
// The numbers are part of every result: changing one changes the episodes drawn
// from it (stored seeds and reference results would no longer match), so add
// new ids, never renumber. Streams indexed by a count or a name (a training
// step, a perturbation dimension's name hash, a distractor slot, a camera)
// derive from one of these, never from a bare seed.
enum class RngStream : std::uint64_t {
  // Of an episode seed (EpisodeSpec::seed):
  kInitialState = 1,  // the task's initial state (scenarios/mujoco/mujoco_env.cpp)
  kPolicyNoise = 2,   // builtin random/noisy policies, of (episode seed ^ the policy's seed offset)
  kPerturbation = 3,  // perturbations; each dimension then draws from its name's hash
                      // (scenarios/perturb/streams.hpp)
  kWorldModel = 4,    // WorldModelContext::seed, a world model's own sampling (worldmodel/env)
  // Of (training seed ^ episode index) in `gauntlet wm train-judge`:
  kJudgeNegatives = 17,  // which earlier frames become "not yet" samples (worldmodel/judge)
  // Of a CALVIN-like suite's seed, then the chain index (suites/calvin/chains.cpp):
  kCalvinChain = 21,   // the chain's symbolic initial state and its five subtasks
  kCalvinLayout = 22,  // where its blocks stand (sockets, jitter, yaw)
};
inline constexpr RngStream kRngStreams[] = {RngStream::kInitialState,   RngStream::kPolicyNoise,
                                            RngStream::kPerturbation,   RngStream::kWorldModel,
                                            RngStream::kJudgeNegatives, RngStream::kCalvinChain,
                                            RngStream::kCalvinLayout};

// Streams of the language perturbation's dimension seed, one per operation, so
// each operation's choices are the same at every level that applies it
// (scenarios/perturb/language.cpp).
enum class LanguageStream : std::uint64_t {
  kSynonyms = 1,
  kReorder = 2,
  kParaphraseFrame = 3,
  kDistractorClause = 4,
  kTypos = 5,
};
inline constexpr LanguageStream kLanguageStreams[] = {
    LanguageStream::kSynonyms, LanguageStream::kReorder, LanguageStream::kParaphraseFrame,
    LanguageStream::kDistractorClause, LanguageStream::kTypos};

inline std::uint64_t derive_seed(std::uint64_t seed, RngStream stream) {
  return derive_seed(seed, static_cast<std::uint64_t>(stream));
}
inline std::uint64_t derive_seed(std::uint64_t seed, LanguageStream stream) {
  return derive_seed(seed, static_cast<std::uint64_t>(stream));
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

  void reseed(std::uint64_t seed) {
    std::uint64_t s = seed;
    for (auto& word : s_) word = splitmix64(s);
    has_spare_normal_ = false;
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n) without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t n) {
    if (n == 0) return 0;
    __uint128_t m = static_cast<__uint128_t>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  bool bernoulli(double p) { return uniform() < p; }

  // Standard normal by Box-Muller; deterministic given the stream.
  double normal() {
    if (has_spare_normal_) {
      has_spare_normal_ = false;
      return spare_normal_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_normal_ = r * std::sin(theta);
    has_spare_normal_ = true;
    return r * std::cos(theta);
  }
  double normal(double mean, double stddev) { return mean + stddev * normal(); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4] = {};
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace gauntlet
