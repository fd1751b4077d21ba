#include "adapters/chunking/chunk_execution.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "adapters/chunking/temporal_ensemble.hpp"
#include "harness/errors.hpp"

namespace gauntlet::adapters {
namespace {

// Forwards everything; only replan_every() and identity() differ.
class ReplanPolicy final : public Policy {
 public:
  ReplanPolicy(std::unique_ptr<Policy> inner, int every)
      : inner_(std::move(inner)), every_(every) {}
  PolicyRequirements requirements() const override { return inner_->requirements(); }
  void prepare(int slots, const ActionSpace& space) override { inner_->prepare(slots, space); }
  void reset(int slot, const EpisodeContext& ctx) override { inner_->reset(slot, ctx); }
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    inner_->act(slots, obs, out);
  }
  std::string identity() const override {
    return inner_->identity() + "|replan_every=" + std::to_string(every_);
  }
  int replan_every() const override { return every_; }

 private:
  std::unique_ptr<Policy> inner_;
  int every_;
};

// Queries the inner policy at every step and returns one blended action.
class EnsemblingPolicy final : public Policy {
 public:
  EnsemblingPolicy(std::unique_ptr<Policy> inner, double m, std::string m_text)
      : inner_(std::move(inner)), m_(m), m_text_(std::move(m_text)) {}
  PolicyRequirements requirements() const override { return inner_->requirements(); }
  void prepare(int slots, const ActionSpace& space) override {
    inner_->prepare(slots, space);
    ensemblers_.assign(static_cast<std::size_t>(slots), TemporalEnsembler(m_));
  }
  void reset(int slot, const EpisodeContext& ctx) override {
    ensemblers_.at(static_cast<std::size_t>(slot)).reset();
    inner_->reset(slot, ctx);
  }
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    chunks_.resize(out.size());
    for (auto& c : chunks_) c.error.clear();
    inner_->act(slots, obs, chunks_);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const ActionChunk& c = chunks_[i];
      if (!c.error.empty()) {
        out[i].error = c.error;
        continue;
      }
      if (c.horizon < 1 || c.dim < 1 ||
          c.values.size() !=
              static_cast<std::size_t>(c.horizon) * static_cast<std::size_t>(c.dim)) {
        out[i] = c;  // let the runner's validation name what is wrong
        continue;
      }
      out[i].resize(1, c.dim);
      try {
        ensemblers_.at(static_cast<std::size_t>(slots[i])).add_and_blend(c, out[i].action(0));
      } catch (const std::invalid_argument& e) {
        out[i].error = e.what();
      }
    }
  }
  std::string identity() const override { return inner_->identity() + "|ensemble=" + m_text_; }
  int replan_every() const override { return 1; }

 private:
  std::unique_ptr<Policy> inner_;
  double m_;
  std::string m_text_;
  std::vector<TemporalEnsembler> ensemblers_;
  std::vector<ActionChunk> chunks_;
};

}  // namespace

std::unique_ptr<Policy> with_chunk_execution(const PolicySpec& spec, std::unique_ptr<Policy> policy,
                                             int fallback_replan_every) {
  const auto replan = spec.option(std::string(kReplanEveryOption));
  const auto ensemble = spec.option(std::string(kEnsembleOption));
  if (replan && ensemble) {
    throw InputError(
        spec.quoted() +
        ": replan_every and ensemble exclude each other (ensembling queries every step)");
  }
  if (ensemble) {
    const double m = spec.option_double(std::string(kEnsembleOption), 0.0);
    if (!std::isfinite(m)) {
      throw InputError(spec.quoted() + ": ensemble must be a finite number (ACT uses 0.01)");
    }
    return std::make_unique<EnsemblingPolicy>(std::move(policy), m, *ensemble);
  }
  const long every = spec.option_int(std::string(kReplanEveryOption), fallback_replan_every);
  if (every < 0 || every > 1000000) {
    throw InputError(spec.quoted() + ": replan_every must be >= 0 (0: the whole chunk), got " +
                     std::to_string(every));
  }
  if (every == 0) return policy;
  return std::make_unique<ReplanPolicy>(std::move(policy), static_cast<int>(every));
}

}  // namespace gauntlet::adapters
