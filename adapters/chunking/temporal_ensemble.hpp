// ACT-style temporal ensembling: query the policy every step and execute the
// exponentially weighted average of every chunk prediction covering this step.
#pragma once

#include <span>
#include <vector>

#include "harness/action.hpp"

namespace gauntlet::adapters {

// One episode's ensembling state. Step t keeps every chunk predicted at a
// step s with s <= t < s + horizon; the prediction for t from the chunk made
// at s is chunk_s[t - s]. As in ACT (Zhao et al. 2023, and its reference code),
// the live predictions are ordered oldest first and weighted w_i = exp(-m * i),
// so i = 0 is the OLDEST prediction: m > 0 favours older predictions (smoother
// actions, ACT's default m = 0.01), m = 0 is a plain mean, m < 0 favours the
// newest prediction.
class TemporalEnsembler {
 public:
  explicit TemporalEnsembler(double m = 0.01) : m_(m) {}

  void reset();
  // Adds the chunk predicted at the current step, writes this step's blended
  // action into `out` (size = chunk.dim) and advances to the next step. Throws
  // std::invalid_argument when the chunk's dim differs from earlier chunks.
  void add_and_blend(const ActionChunk& chunk, std::span<float> out);

  int step() const { return step_; }
  // Predictions that contributed to the last blended action.
  int live_predictions() const { return static_cast<int>(live_.size()); }
  double m() const { return m_; }

 private:
  struct Prediction {
    int made_at = 0;
    ActionChunk chunk;
  };
  double m_;
  int step_ = 0;
  std::vector<Prediction> live_;  // oldest first
  std::vector<double> sum_;
};

}  // namespace gauntlet::adapters
