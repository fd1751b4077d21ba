// Deterministic pseudo-random numbers for resampling and simulation in metrics/: our own
// generators (splitmix64, xoshiro256**), so results are identical across standard libraries.
#pragma once

#include <cstdint>
#include <vector>

namespace gauntlet::metrics {

// One step of splitmix64 (Steele, Lea, Flood 2014): advances `state` and returns a mixed word.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Seed of an independent stream identified by (seed, a, b): resample b of policy a, say.
// A pure function of its arguments, which is what makes results independent of thread count.
constexpr std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  std::uint64_t s = seed;
  std::uint64_t h = splitmix64(s);
  s = h ^ (a * 0xd1342543de82ef95ULL);
  h = splitmix64(s);
  s = h ^ (b * 0xaf251af3b0f025b5ULL);
  return splitmix64(s);
}

// xoshiro256** 1.0 (Blackman and Vigna 2018), seeded through splitmix64.
class Xoshiro256 {
 public:
  explicit constexpr Xoshiro256(std::uint64_t seed) {
    std::uint64_t s = seed;
    for (auto& word : state_) word = splitmix64(s);
  }

  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform double in [0, 1) with 53 random bits.
  constexpr double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n) for 0 < n < 2^32, exactly unbiased (Lemire 2019, multiply and
  // reject); `threshold` must be rejection_threshold(n), precomputed by callers in hot loops.
  constexpr std::uint32_t below(std::uint32_t n, std::uint32_t threshold) {
    for (;;) {
      const std::uint64_t m = (next() >> 32) * static_cast<std::uint64_t>(n);
      if (static_cast<std::uint32_t>(m) >= threshold) return static_cast<std::uint32_t>(m >> 32);
    }
  }
  constexpr std::uint32_t below(std::uint32_t n) { return below(n, rejection_threshold(n)); }

  // 2^32 mod n: multiply-shift results whose low word falls below it are rejected.
  static constexpr std::uint32_t rejection_threshold(std::uint32_t n) {
    return static_cast<std::uint32_t>((0x100000000ULL - n) % n);
  }

  constexpr bool bernoulli(double p) { return uniform() < p; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4] = {};
};

// The rejection threshold of uniform_indices for a range of size n: 2^16 mod n for n < 2^16
// (16-bit lanes), else 2^32 mod n (Xoshiro256::below).
constexpr std::uint32_t index_threshold(std::uint32_t n) {
  return n < 0x10000u ? (0x10000u - n) % n : Xoshiro256::rejection_threshold(n);
}

// Calls use(lane, i) n times with i uniform in [0, n), exactly (Lemire's multiply-and-reject).
// For n < 2^16 each 64-bit output gives four 16-bit lanes, and `lane` = 0..3 names the lane so a
// caller can keep four independent accumulators; t = index_threshold(n). The bootstrap's inner
// loop: a generator call per four episodes, no state kept between tasks.
template <class Use>
inline void uniform_indices(Xoshiro256& rng, std::uint32_t n, std::uint32_t t, Use&& use) {
  if (n >= 0x10000u) {
    for (std::uint32_t i = 0; i < n; ++i) use(i & 3u, rng.below(n, t));
    return;
  }
  auto draw = [&](std::uint64_t bits) {
    std::uint32_t m = static_cast<std::uint32_t>(bits & 0xFFFFu) * n;
    while ((m & 0xFFFFu) < t) m = static_cast<std::uint32_t>(rng.next() >> 48) * n;
    return m >> 16;
  };
  std::uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const std::uint64_t r = rng.next();
    use(0u, draw(r));
    use(1u, draw(r >> 16));
    use(2u, draw(r >> 32));
    use(3u, draw(r >> 48));
  }
  if (i < n) {
    std::uint64_t r = rng.next();
    for (std::uint32_t lane = 0; i < n; ++i, ++lane, r >>= 16) use(lane, draw(r));
  }
}

// Walker's alias method (Vose 1991): O(1) draws from a discrete law on 0..m-1 after an O(m)
// build. Probabilities are exact up to double rounding (about 1e-16).
class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(const std::vector<double>& weights) {
    const std::size_t m = weights.size();
    prob_.assign(m, 1.0);
    alias_.resize(m);
    double total = 0.0;
    for (double w : weights) total += w;
    std::vector<double> scaled(m);
    std::vector<std::uint32_t> small;
    std::vector<std::uint32_t> large;
    for (std::size_t i = 0; i < m; ++i) {
      alias_[i] = static_cast<std::uint32_t>(i);
      scaled[i] = weights[i] * static_cast<double>(m) / total;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back();
      small.pop_back();
      const std::uint32_t l = large.back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // Leftovers are 1 up to rounding.
    for (std::uint32_t i : small) prob_[i] = 1.0;
    for (std::uint32_t i : large) prob_[i] = 1.0;
  }

  std::size_t size() const { return prob_.size(); }
  // Column i keeps outcome i with probability(i), else yields alias(i).
  double probability(std::size_t i) const { return prob_[i]; }
  std::uint32_t alias(std::size_t i) const { return alias_[i]; }

  std::uint32_t sample(Xoshiro256& rng) const {
    const double u = rng.uniform() * static_cast<double>(prob_.size());
    const auto i = static_cast<std::size_t>(u);
    return (u - static_cast<double>(i)) < prob_[i] ? static_cast<std::uint32_t>(i) : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

}  // namespace gauntlet::metrics
