#include "adapters/chunking/temporal_ensemble.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace gauntlet::adapters {

void TemporalEnsembler::reset() {
  step_ = 0;
  live_.clear();
}

void TemporalEnsembler::add_and_blend(const ActionChunk& chunk, std::span<float> out) {
  if (chunk.horizon < 1) throw std::invalid_argument("temporal ensembling: empty action chunk");
  if (!live_.empty() && live_.front().chunk.dim != chunk.dim) {
    throw std::invalid_argument("temporal ensembling: chunk dimension changed from " +
                                std::to_string(live_.front().chunk.dim) + " to " +
                                std::to_string(chunk.dim));
  }
  if (out.size() != static_cast<std::size_t>(chunk.dim)) {
    throw std::invalid_argument("temporal ensembling: output has " + std::to_string(out.size()) +
                                " numbers, chunk dim is " + std::to_string(chunk.dim));
  }
  // Drop predictions that no longer cover this step (made at s, covering s..s+h-1).
  std::size_t keep = 0;
  for (std::size_t i = 0; i < live_.size(); ++i) {
    if (live_[i].made_at + live_[i].chunk.horizon > step_) {
      if (keep != i) std::swap(live_[keep], live_[i]);
      ++keep;
    }
  }
  live_.resize(keep);
  live_.push_back(Prediction{step_, chunk});

  sum_.assign(static_cast<std::size_t>(chunk.dim), 0.0);
  double total = 0.0;
  for (std::size_t i = 0; i < live_.size(); ++i) {
    const double w = std::exp(-m_ * static_cast<double>(i));
    const std::span<const float> a = live_[i].chunk.action(step_ - live_[i].made_at);
    for (std::size_t k = 0; k < sum_.size(); ++k) sum_[k] += w * static_cast<double>(a[k]);
    total += w;
  }
  for (std::size_t k = 0; k < sum_.size(); ++k) out[k] = static_cast<float>(sum_[k] / total);
  ++step_;
}

}  // namespace gauntlet::adapters
