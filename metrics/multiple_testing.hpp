// Adjusted p-values for families of tests: Holm (family-wise error) and Benjamini-Hochberg (FDR).
// Equal to statsmodels.stats.multitest.multipletests(p, method='holm' / 'fdr_bh').
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace gauntlet::metrics {

enum class Adjustment { kNone, kHolm, kBenjaminiHochberg };

// Parses "none", "holm", "bh" / "fdr_bh" / "benjamini-hochberg"; throws std::invalid_argument
// naming the valid choices.
Adjustment parse_adjustment(std::string_view name);
std::string_view to_string(Adjustment adjustment);

// Adjusted p-values in the input order, each clipped to [0, 1]. Throws std::invalid_argument when
// a p-value is outside [0, 1] or NaN.
std::vector<double> holm_adjust(std::span<const double> p_values);
std::vector<double> benjamini_hochberg_adjust(std::span<const double> p_values);
std::vector<double> adjust_p_values(std::span<const double> p_values, Adjustment adjustment);

}  // namespace gauntlet::metrics
