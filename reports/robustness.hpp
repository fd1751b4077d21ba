// The robustness section of a report: per perturbation dimension and level,
// success with its interval and the drop from nominal as a PAIRED difference
// (perturbed episodes share their nominal twin's seed), the level where success
// falls below half of nominal, the most damaging dimension, and for composed
// perturbations the interaction (observed drop vs the sum of single drops).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/results_store.hpp"
#include "metrics/proportion_interval.hpp"
#include "reports/success_rate.hpp"

namespace gauntlet::reports {

struct RobustnessOptions {
  std::int64_t resamples = 10000;  // paired stratified bootstrap
  double level = 0.95;
  std::uint64_t seed = 20261121;  // same file, same intervals
};

// One perturbation set against nominal, over the pairs (same task, index and seed,
// both counting for the policy).
struct PairedDrop {
  std::string perturbation_id;
  Rate success;  // every counted perturbed episode (Wilson)
  int pairs = 0;
  double nominal_rate = 0.0;    // over the pairs, task-averaged
  double perturbed_rate = 0.0;  // over the pairs, task-averaged
  double drop = 0.0;            // nominal_rate - perturbed_rate
  metrics::Interval drop_ci;    // paired bootstrap, episodes resampled within tasks
  double mcnemar_p = 1.0;       // exact, two-sided
  int lost = 0;                 // pairs: nominal success, perturbed failure
  int gained = 0;               // pairs: nominal failure, perturbed success
};

struct LevelDrop {
  int level = 0;
  PairedDrop drop;
};

struct DimensionRobustness {
  std::string dimension;
  std::vector<LevelDrop> levels;  // ascending
  std::optional<int> half_level;  // first level whose success is below half of nominal (pairs)
  double mean_drop = 0.0;         // mean over its levels
  double max_level_drop = 0.0;    // drop at its highest level
};

struct Interaction {
  std::string perturbation_id;  // composed, e.g. "camera:3,lighting:2"
  PairedDrop observed;
  std::vector<std::string> singles;  // the single-dimension sets it is made of
  bool complete = false;             // every single set was run
  int episodes = 0;                  // with nominal, composed and every single
  double sum_of_single_drops = 0.0;
  double interaction = 0.0;          // observed drop - sum of single drops (same episodes)
  metrics::Interval interaction_ci;  // paired bootstrap of the per-episode difference
};

// SimplerEnv's variant aggregation: success averaged over every perturbation
// set in the file (nominal included, each weighing the same), over the
// episodes every set holds with the same seed; the interval is a stratified
// bootstrap over those episodes (each carries its mean over the variants), so
// the variants' shared initial states are not counted as independent.
struct VariantAggregate {
  std::vector<std::string> variants;  // nominal first, then the file's order
  int episodes = 0;                   // paired episodes (per variant)
  double rate = 0.0;                  // task-averaged
  metrics::Interval ci;
};

struct PolicyRobustness {
  std::string policy;
  Rate nominal;
  std::vector<DimensionRobustness> dimensions;  // in the order of the first level seen
  std::string most_damaging;                    // largest mean drop ("" when no dimension)
  std::vector<Interaction> interactions;
  std::optional<VariantAggregate> aggregate;  // needs nominal and >= 1 other set
  std::vector<std::string> notes;             // unpaired episodes, missing parts
};

// nullopt when the run holds no perturbed episodes. Throws InputError for a
// malformed perturbation id.
std::optional<PolicyRobustness> build_robustness(const RunResults& run, const std::string& policy,
                                                 const RobustnessOptions& options = {});

}  // namespace gauntlet::reports
