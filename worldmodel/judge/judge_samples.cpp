#include "worldmodel/judge/judge_samples.hpp"

#include <algorithm>

#include "harness/rng.hpp"

namespace gauntlet::adapters {

void add_judge_samples(const DemoEpisode& e, int episode_index, const std::vector<Image>* generated,
                       const JudgeSampleOptions& options, std::vector<JudgeSample>& samples) {
  const int n = e.frame_count();
  if (n == 0) return;
  // Progress of frame i (the observation before action i): the task's
  // progress after action i - 1; frame 0 has none recorded.
  const auto progress_of = [&](int i) -> float {
    if (i == 0 || e.progress.empty()) return 0.0f;
    return std::clamp(e.progress[static_cast<std::size_t>(std::min(i, e.steps) - 1)], 0.0f, 1.0f);
  };
  // generated[k] shows what follows action k, i.e. real frame k + 1.
  const auto generated_frame = [&](int i) -> const std::uint8_t* {
    if (!generated || i < 1 || static_cast<std::size_t>(i - 1) >= generated->size()) return nullptr;
    const Image& g = (*generated)[static_cast<std::size_t>(i - 1)];
    return g.width == e.width && g.height == e.height ? g.rgb.data() : nullptr;
  };
  const auto add = [&](int i, float success, float progress) {
    samples.push_back(JudgeSample{e.frame(i), success, progress, 1.0f});
    if (const std::uint8_t* g = generated_frame(i))
      samples.push_back(JudgeSample{g, success, progress, 1.0f});
  };
  const int last = n - 1;
  add(last, e.success ? 1.0f : 0.0f, e.success ? 1.0f : progress_of(last));
  // Negatives: distinct earlier frames, drawn from the episode's own stream.
  const int limit = e.success ? last - options.margin : last;
  if (limit <= 0) return;
  Rng rng(derive_seed(options.seed ^ static_cast<std::uint64_t>(episode_index),
                      RngStream::kJudgeNegatives));
  std::vector<int> candidates(static_cast<std::size_t>(limit));
  for (int i = 0; i < limit; ++i) candidates[static_cast<std::size_t>(i)] = i;
  const int k = std::min(options.negatives_per_episode, limit);
  for (int j = 0; j < k; ++j) {
    const auto pick =
        static_cast<std::size_t>(j) + rng.below(candidates.size() - static_cast<std::size_t>(j));
    std::swap(candidates[static_cast<std::size_t>(j)], candidates[pick]);
    const int i = candidates[static_cast<std::size_t>(j)];
    add(i, 0.0f, progress_of(i));
  }
}

JudgeSampleCounts balance_judge_samples(std::vector<JudgeSample>& samples) {
  JudgeSampleCounts c;
  for (const auto& s : samples) (s.success > 0.5f ? c.positives : c.negatives) += 1;
  if (c.positives == 0 || c.negatives == 0) return c;
  const double total = static_cast<double>(samples.size());
  const auto wp = static_cast<float>(total / (2.0 * static_cast<double>(c.positives)));
  const auto wn = static_cast<float>(total / (2.0 * static_cast<double>(c.negatives)));
  for (auto& s : samples) s.weight = s.success > 0.5f ? wp : wn;
  return c;
}

}  // namespace gauntlet::adapters
