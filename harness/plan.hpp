// Which episodes a run consists of and their seeds. The seed of an episode is a
// pure hash of (suite seed, task id, episode index): two policies on the same
// suite meet the same initial states (common random numbers), and an episode
// under a perturbation shares the seed of its nominal twin (paired robustness).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/episode.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

// First 8 bytes (big-endian) of
// SHA-256("gauntlet-episode-v1|<suite_seed>|<task_id>|<perturbation_id>|<episode_index>").
// plan_episodes passes "nominal" for every perturbation: perturbed episodes are
// paired with nominal ones and draw their perturbation from a stream of this seed.
std::uint64_t episode_seed(std::uint64_t suite_seed, std::string_view task_id,
                           std::string_view perturbation_id, int episode_index);

struct Shard {
  int index = 0;  // 0-based
  int count = 1;
  bool whole() const { return count == 1; }
  std::string to_string() const;
  static Shard parse(std::string_view text);  // "I/N", 0 <= I < N; throws InputError
};

struct EpisodePlan {
  int episodes_per_task = 50;
  // Per-task counts that replace episodes_per_task for the tasks they name (a
  // suite's per-task defaults; empty when --episodes N sets every task to N).
  // Seeds depend on the episode index alone, so a task's first k episodes are
  // the same whatever its count.
  std::map<std::string, int> task_episodes;
  int episodes_for(const std::string& task_id) const;
  std::vector<PerturbationSet> perturbations{PerturbationSet{}};  // nominal by default
  std::vector<std::string> task_ids;                              // empty = every task of the suite
  Shard shard;
  std::optional<std::uint64_t> seed;  // overrides the suite's seed
};

// Every episode of the plan in canonical order (task, perturbation, episode;
// task t has plan.episodes_for(t) episodes per perturbation), then the shard's
// part of it: episode i of the canonical order belongs to shard i mod N.
// Throws InputError for unknown task ids or a count below 1.
std::vector<EpisodeSpec> plan_episodes(const Suite& suite, const EpisodePlan& plan);

}  // namespace gauntlet
