// The columns of a results file that must not depend on workers, shards or
// interruptions, for comparing two runs of the same experiment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/results_store.hpp"

namespace gauntlet::testing {

struct Row {
  std::string task, perturbation;
  int episode;
  std::uint64_t seed;
  bool success;
  double progress;
  int steps;
  Termination termination;
  friend bool operator==(const Row&, const Row&) = default;
};

// In file order.
inline std::vector<Row> rows(const std::filesystem::path& file) {
  std::vector<Row> out;
  for (const auto& e : ResultsStore::read(file).episodes) {
    out.push_back({e.task_id, e.perturbation_id, e.episode_index, e.seed, e.success, e.progress,
                   e.steps, e.termination});
  }
  return out;
}

}  // namespace gauntlet::testing
