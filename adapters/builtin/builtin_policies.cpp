#include "adapters/builtin/builtin_policies.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "adapters/builtin/vision_scripted.hpp"
#include "harness/errors.hpp"
#include "harness/rng.hpp"

namespace gauntlet::adapters {
namespace {

// Per-episode policy randomness is drawn from the episode seed
// (RngStream::kPolicyNoise), so the same episode gets the same noise whichever
// worker runs it.

class ScriptedPolicy final : public Policy {
 public:
  ScriptedPolicy(double eps, std::uint64_t seed_offset, std::string identity)
      : eps_(eps), seed_offset_(seed_offset), identity_(std::move(identity)) {}

  PolicyRequirements requirements() const override {
    PolicyRequirements r;
    r.privileged = true;
    return r;
  }
  void prepare(int slots, const ActionSpace& space) override {
    space_ = space;
    experts_.resize(static_cast<std::size_t>(slots));
    rngs_.resize(static_cast<std::size_t>(slots));
  }
  void reset(int slot, const EpisodeContext& ctx) override {
    auto& expert = experts_.at(static_cast<std::size_t>(slot));
    expert = ctx.make_expert ? ctx.make_expert() : nullptr;
    if (!expert) {
      throw std::runtime_error("task '" + ctx.spec->task_id + "' has no scripted expert");
    }
    rngs_[static_cast<std::size_t>(slot)].reseed(
        derive_seed(ctx.spec->seed ^ seed_offset_, RngStream::kPolicyNoise));
  }
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const auto s = static_cast<std::size_t>(slots[i]);
      out[i].resize(1, space_.dim);
      std::span<float> a = out[i].action(0);
      experts_[s]->act(*obs[i], a);
      if (eps_ > 0.0) perturb(rngs_[s], a);
    }
  }
  std::string identity() const override { return identity_; }

 private:
  void perturb(Rng& rng, std::span<float> a) const {
    if (rng.bernoulli(eps_)) {
      // Dropout: this step's command is replaced by a random one.
      for (std::size_t k = 0; k < a.size(); ++k) {
        a[k] = static_cast<float>(rng.uniform(space_.low[k], space_.high[k]));
      }
      return;
    }
    // Otherwise Gaussian noise on the motion, scaled by EPS and the bounds.
    for (std::size_t k = 0; k + 1 < a.size(); ++k) {
      a[k] += static_cast<float>(rng.normal(0.0, 0.5 * eps_ * space_.high[k]));
    }
  }

  double eps_;
  std::uint64_t seed_offset_;
  std::string identity_;
  ActionSpace space_;
  std::vector<std::unique_ptr<Expert>> experts_;
  std::vector<Rng> rngs_;
};

class RandomPolicy final : public Policy {
 public:
  RandomPolicy(bool zero, std::uint64_t seed_offset, std::string identity)
      : zero_(zero), seed_offset_(seed_offset), identity_(std::move(identity)) {}

  PolicyRequirements requirements() const override { return {}; }
  void prepare(int slots, const ActionSpace& space) override {
    space_ = space;
    rngs_.resize(static_cast<std::size_t>(slots));
  }
  void reset(int slot, const EpisodeContext& ctx) override {
    rngs_.at(static_cast<std::size_t>(slot))
        .reseed(derive_seed(ctx.spec->seed ^ seed_offset_, RngStream::kPolicyNoise));
  }
  void act(std::span<const int> slots, std::span<const Observation* const> /*obs*/,
           std::span<ActionChunk> out) override {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      out[i].resize(1, space_.dim);
      if (zero_) continue;
      Rng& rng = rngs_[static_cast<std::size_t>(slots[i])];
      std::span<float> a = out[i].action(0);
      for (std::size_t k = 0; k < a.size(); ++k) {
        a[k] = static_cast<float>(rng.uniform(space_.low[k], space_.high[k]));
      }
    }
  }
  std::string identity() const override { return identity_; }

 private:
  bool zero_;
  std::uint64_t seed_offset_;
  std::string identity_;
  ActionSpace space_;
  std::vector<Rng> rngs_;
};

std::uint64_t seed_offset(const PolicySpec& spec) {
  const long s = spec.option_int("seed", 0);
  if (s < 0) throw InputError(spec.quoted() + ": seed must be >= 0");
  return static_cast<std::uint64_t>(s) * 0x9E3779B97F4A7C15ULL;
}

}  // namespace

void register_builtin_policies(Registry& registry) {
  register_vision_scripted_policy(registry);
  registry.add_policy(PolicyKind{
      "scripted", "scripted", "the task's closed-loop expert (reads privileged simulator state)",
      [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
        spec.require_known_options({});
        if (!spec.arg.empty()) {
          throw InputError(spec.quoted() + ": scripted takes no argument");
        }
        return std::make_unique<ScriptedPolicy>(0.0, 0, "builtin:scripted/1");
      }});
  registry.add_policy(PolicyKind{
      "noisy-scripted", "noisy-scripted:EPS[,seed=K]",
      "the expert with prob. EPS of a random action per step, else Gaussian noise of 0.5*EPS*bound",
      [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
        spec.require_known_options({"seed"});
        if (spec.arg.empty()) {
          throw InputError(spec.quoted() + ": expected noisy-scripted:EPS with EPS in [0, 1]");
        }
        const double eps = parse_spec_double(spec, "EPS", spec.arg);
        if (!(eps >= 0.0 && eps <= 1.0)) {
          throw InputError(spec.quoted() + ": EPS must be in [0, 1], got " + spec.arg);
        }
        return std::make_unique<ScriptedPolicy>(
            eps, seed_offset(spec),
            "builtin:noisy-scripted/1:eps=" + spec.arg +
                ",seed=" + std::to_string(spec.option_int("seed", 0)));
      }});
  registry.add_policy(
      PolicyKind{"random", "random[,seed=K]", "uniform random actions within the action bounds",
                 [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
                   spec.require_known_options({"seed"});
                   return std::make_unique<RandomPolicy>(
                       false, seed_offset(spec),
                       "builtin:random/1:seed=" + std::to_string(spec.option_int("seed", 0)));
                 }});
  registry.add_policy(PolicyKind{"zero", "zero",
                                 "all-zero actions (holds still); the harness-overhead baseline",
                                 [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
                                   spec.require_known_options({});
                                   return std::make_unique<RandomPolicy>(true, 0, "builtin:zero/1");
                                 }});
}

}  // namespace gauntlet::adapters
