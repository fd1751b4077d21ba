// The registry of perturbation dimensions: names, what each changes, and its
// parameters per level (from levels.hpp). Backend-independent; validates names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/episode.hpp"

namespace gauntlet::perturb {

struct LevelParameter {
  std::string name;
  double value = 0.0;
  std::string unit;  // "deg", "m", "fraction", "log-factor", "count", "steps", ...
};

struct DimensionInfo {
  std::string name;
  std::string summary;
  // What it changes: "image" (rendering only), "sensor" (images after
  // rendering), "scene" (object placement), "instruction", "physics", "control".
  std::string affects;
  // True when only camera images change: a policy that reads privileged state
  // sees exactly the nominal episode.
  bool visual_only = false;
  std::vector<std::vector<LevelParameter>> levels;  // levels[L - 1]
};

// Every dimension, in the order `gauntlet list perturbations` prints them.
const std::vector<DimensionInfo>& all_dimensions();
std::vector<std::string> dimension_names();
bool is_dimension(std::string_view name);
// Throws InputError listing the valid names.
const DimensionInfo& dimension_info(std::string_view name);

// Level of `dimension` in `set` (0 when absent).
int level_of(const PerturbationSet& set, std::string_view dimension);

// Checks every dimension of `set` is known and supported; InputError naming
// `what` (e.g. "--perturb") and the supported dimensions.
void validate_set(const PerturbationSet& set, const std::vector<std::string>& supported,
                  const std::string& suite_name, const std::string& what);

// Parses "1,2,5" (levels for --ood-sweep); InputError naming `what`.
std::vector<int> parse_levels(std::string_view text, const std::string& what);

}  // namespace gauntlet::perturb
