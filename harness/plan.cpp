#include "harness/plan.hpp"

#include <charconv>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"

namespace gauntlet {

std::uint64_t episode_seed(std::uint64_t suite_seed, std::string_view task_id,
                           std::string_view perturbation_id, int episode_index) {
  Sha256 h;
  h.update("gauntlet-episode-v1|" + std::to_string(suite_seed) + "|");
  h.update(task_id);
  h.update("|");
  h.update(perturbation_id);
  h.update("|" + std::to_string(episode_index));
  const auto d = h.digest();
  std::uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = (seed << 8) | d[static_cast<std::size_t>(i)];
  return seed;
}

std::string Shard::to_string() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

Shard Shard::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  Shard s;
  auto parse_int = [&](std::string_view part, int& out) {
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && ptr == part.data() + part.size();
  };
  if (slash == std::string_view::npos || !parse_int(text.substr(0, slash), s.index) ||
      !parse_int(text.substr(slash + 1), s.count) || s.count < 1 || s.index < 0 ||
      s.index >= s.count) {
    throw InputError("shard '" + std::string(text) + "': expected I/N with 0 <= I < N (e.g. 0/4)");
  }
  return s;
}

int EpisodePlan::episodes_for(const std::string& task_id) const {
  const auto it = task_episodes.find(task_id);
  return it == task_episodes.end() ? episodes_per_task : it->second;
}

std::vector<EpisodeSpec> plan_episodes(const Suite& suite, const EpisodePlan& plan) {
  if (plan.episodes_per_task < 1) {
    throw InputError("episodes per task must be at least 1, got " +
                     std::to_string(plan.episodes_per_task));
  }
  for (const auto& [id, n] : plan.task_episodes) {
    if (n < 1) {
      throw InputError("episodes of task '" + id + "' must be at least 1, got " +
                       std::to_string(n));
    }
  }
  std::vector<int> task_indices;
  if (plan.task_ids.empty()) {
    for (int i = 0; i < static_cast<int>(suite.tasks().size()); ++i) task_indices.push_back(i);
  } else {
    for (const auto& id : plan.task_ids) task_indices.push_back(suite.task_index(id));
  }
  std::vector<EpisodeSpec> out;
  std::size_t canonical = 0;
  for (const int t : task_indices) {
    const TaskInfo& task = suite.tasks()[static_cast<std::size_t>(t)];
    const int episodes = plan.episodes_for(task.id);
    for (const auto& perturbation : plan.perturbations) {
      for (int e = 0; e < episodes; ++e, ++canonical) {
        if (canonical % static_cast<std::size_t>(plan.shard.count) !=
            static_cast<std::size_t>(plan.shard.index)) {
          continue;
        }
        EpisodeSpec spec;
        spec.suite = suite.info().name;
        spec.task_index = t;
        spec.task_id = task.id;
        spec.perturbation = perturbation;
        spec.episode_index = e;
        // Perturbed episodes share the seed of their nominal twin: same initial
        // state, paired outcomes (the perturbation draws from its own stream).
        spec.seed = episode_seed(plan.seed.value_or(suite.info().seed), task.id, "nominal", e);
        out.push_back(std::move(spec));
      }
    }
  }
  return out;
}

int Suite::task_index(const std::string& id) const {
  const auto& ts = tasks();
  std::vector<std::string> ids;
  for (int i = 0; i < static_cast<int>(ts.size()); ++i) {
    if (ts[static_cast<std::size_t>(i)].id == id) return i;
    ids.push_back(ts[static_cast<std::size_t>(i)].id);
  }
  throw InputError("unknown task '" + id + "' in suite '" + info().name +
                   "'; valid tasks: " + join_names(ids));
}

}  // namespace gauntlet
