#include "worldmodel/env/open_loop.hpp"

#include <algorithm>
#include <charconv>

#include "harness/rng.hpp"
#include "worldmodel/env/worldmodel_env.hpp"

namespace gauntlet::worldmodel {
namespace {

// The recorded episode seed (a decimal string); 0 for demonstrations without one.
std::uint64_t episode_seed(const DemoEpisode& e) {
  std::uint64_t seed = 0;
  std::from_chars(e.seed.data(), e.seed.data() + e.seed.size(), seed);
  return seed;
}

}  // namespace

Image demo_frame(const DemoEpisode& episode, int index, int width, int height) {
  Image src;
  src.resize(episode.width, episode.height);
  std::copy_n(episode.frame(index), episode.frame_bytes(), src.rgb.begin());
  if (src.width == width && src.height == height) return src;
  Image out;
  resize_image(src, width, height, out);
  return out;
}

std::vector<OpenLoopRollout> replay_open_loop(WorldModel& model,
                                              std::span<const DemoEpisode* const> episodes,
                                              int horizon, int batch,
                                              const std::function<void(int)>& progress) {
  const WorldModelInfo& info = model.info();
  std::vector<OpenLoopRollout> out(episodes.size());
  batch = std::max(1, batch);
  int done = 0;
  for (std::size_t start = 0; start < episodes.size(); start += static_cast<std::size_t>(batch)) {
    const std::size_t end = std::min(episodes.size(), start + static_cast<std::size_t>(batch));
    const std::size_t n = end - start;
    std::vector<std::unique_ptr<WorldModelRollout>> rollouts;
    std::vector<Image> first(n);
    std::vector<std::vector<const Image*>> context(n);
    std::vector<std::vector<float>> proprio(n);
    std::vector<WorldModelContext> contexts(n);
    std::vector<WorldModelRollout*> handles;
    std::vector<int> steps(n);
    int longest = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const DemoEpisode& e = *episodes[start + i];
      rollouts.push_back(model.new_rollout());
      handles.push_back(rollouts.back().get());
      first[i] = demo_frame(e, 0, info.width, info.height);
      context[i].assign(static_cast<std::size_t>(info.context_frames), &first[i]);
      proprio[i].assign(static_cast<std::size_t>(std::max(info.proprio_dim, 0)), 0.0f);
      for (int k = 0; k < info.proprio_dim && k < e.proprio_dim; ++k)
        proprio[i][static_cast<std::size_t>(k)] = e.proprio[static_cast<std::size_t>(k)];
      contexts[i].frames = context[i];
      contexts[i].proprio = proprio[i];
      contexts[i].instruction = e.instruction;
      contexts[i].seed = derive_seed(episode_seed(e), RngStream::kWorldModel);
      steps[i] = horizon > 0 ? std::min(horizon, e.steps) : e.steps;
      longest = std::max(longest, steps[i]);
    }
    try {
      model.reset(handles, contexts);
    } catch (const std::exception& e) {
      for (std::size_t i = 0; i < n; ++i) out[start + i].error = std::string("reset: ") + e.what();
      done += static_cast<int>(n);
      if (progress) progress(done);
      continue;
    }
    for (int t = 0; t < longest; ++t) {
      std::vector<WorldModelRollout*> active;
      std::vector<std::size_t> index;
      std::vector<ActionChunk> chunks;
      for (std::size_t i = 0; i < n; ++i) {
        if (t >= steps[i] || !out[start + i].error.empty()) continue;
        const DemoEpisode& e = *episodes[start + i];
        ActionChunk c;
        c.resize(1, e.action_dim);
        std::copy_n(e.action(t), e.action_dim, c.values.begin());
        chunks.push_back(std::move(c));
        active.push_back(handles[i]);
        index.push_back(i);
      }
      if (active.empty()) break;
      std::vector<const ActionChunk*> acts;
      for (const auto& c : chunks) acts.push_back(&c);
      std::vector<WorldModelPrediction> preds(active.size());
      try {
        model.predict(active, acts, preds);
      } catch (const std::exception& e) {
        for (const std::size_t i : index) out[start + i].error = e.what();
        break;
      }
      for (std::size_t k = 0; k < active.size(); ++k) {
        OpenLoopRollout& r = out[start + index[k]];
        if (!preds[k].error.empty() || preds[k].frames.empty()) {
          r.error = preds[k].error.empty() ? "no frame predicted" : preds[k].error;
          continue;
        }
        r.frames.push_back(std::move(preds[k].frames.front()));
      }
    }
    done += static_cast<int>(n);
    if (progress) progress(done);
  }
  return out;
}

}  // namespace gauntlet::worldmodel
