// The alternative hypothesis of a test (two-sided, less, greater), shared by all of metrics/.
// As in scipy.stats, "greater" means the first quantity exceeds the second (each test says which).
#pragma once

#include <string_view>

namespace gauntlet::metrics {

enum class Alternative { kTwoSided, kLess, kGreater };

// Parses "two-sided", "less", "greater"; throws std::invalid_argument naming the valid choices.
Alternative parse_alternative(std::string_view name);
std::string_view to_string(Alternative alternative);

}  // namespace gauntlet::metrics
