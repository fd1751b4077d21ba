// One episode: what to run (EpisodeSpec, with its seed) and what happened
// (EpisodeResult, one row of the results store).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace gauntlet {

// A set of perturbations applied together, e.g. camera:3,lighting:2. Level 0
// is nominal; the canonical id sorts dimensions by name ("nominal" when empty).
struct PerturbationSet {
  std::vector<std::pair<std::string, int>> items;  // (dimension, level 1..5)

  bool nominal() const { return items.empty(); }
  std::string id() const;
  // "camera:3,lighting:2" or "nominal"/"" -> set. Syntax only; whether a
  // dimension exists is checked by the perturbation registry. Throws InputError.
  static PerturbationSet parse(std::string_view text);
};

struct EpisodeSpec {
  std::string suite;
  int task_index = 0;
  std::string task_id;
  PerturbationSet perturbation;
  int episode_index = 0;
  std::uint64_t seed = 0;
};

enum class Termination : std::int8_t {
  kSuccess = 0,
  kTimeout = 1,
  kPolicyError = 2,
  kInvalidAction = 3,
  kSimError = 4,
};
std::string_view to_string(Termination t);
std::optional<Termination> parse_termination(std::string_view text);
inline constexpr Termination kAllTerminations[] = {
    Termination::kSuccess, Termination::kTimeout, Termination::kPolicyError,
    Termination::kInvalidAction, Termination::kSimError};

// Identity of an episode within a run: the same key always has the same seed.
struct EpisodeKey {
  std::string task_id;
  std::string perturbation_id;
  int episode_index = 0;
  friend auto operator<=>(const EpisodeKey&, const EpisodeKey&) = default;
};

// One subtask of a chain episode (CALVIN-like suites): its name as the suite
// lists it, whether its oracle fired, and the control steps it took.
struct SubtaskOutcome {
  std::string name;
  bool success = false;
  int steps = 0;
  friend bool operator==(const SubtaskOutcome&, const SubtaskOutcome&) = default;
};

struct EpisodeResult {
  std::string task_id;
  std::string perturbation_id = "nominal";
  int episode_index = 0;
  std::uint64_t seed = 0;
  bool success = false;
  double progress = 0.0;  // max over the episode of the task's progress, in [0,1]
  double episode_return = 0.0;
  int steps = 0;  // control steps the policy acted for
  Termination termination = Termination::kTimeout;
  double wall_time_s = 0.0;
  int policy_calls = 0;
  double latency_p50_ms = 0.0;
  double latency_p95_ms = 0.0;
  double latency_p99_ms = 0.0;
  std::string error;  // policy/sim error text or traceback
  // Chain suites only: the subtasks attempted, in order; empty otherwise.
  std::vector<SubtaskOutcome> subtasks;

  // Subtasks completed in a row from the start (CALVIN's "length").
  int chain_length() const {
    int n = 0;
    while (n < static_cast<int>(subtasks.size()) && subtasks[static_cast<std::size_t>(n)].success)
      ++n;
    return n;
  }
  EpisodeKey key() const { return {task_id, perturbation_id, episode_index}; }
  // True when the episode counts against the policy (not a simulator fault).
  bool counts_for_policy() const { return termination != Termination::kSimError; }
};

}  // namespace gauntlet
