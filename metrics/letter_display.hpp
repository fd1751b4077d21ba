// Compact letter display: policies that share a letter are not significantly different.
// Built by the insert-absorb algorithm with a final sweep (Piepho 2004).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metrics/multiple_testing.hpp"

namespace gauntlet::metrics {

// significant: policies x policies, row-major; pair (i, j) counts as significantly different if
// either [i * n + j] or [j * n + i] is nonzero (the diagonal is ignored). order: policies best
// first (e.g. by estimate); letters are assigned in that order, so the best policy gets "a".
// Empty order means 0, 1, 2, ... Letters run a..z then A..Z, then "{52}", "{53}", ...
// Guarantee: two policies share a letter if and only if they are not significantly different.
std::vector<std::string> compact_letter_display(std::size_t policies,
                                                std::span<const std::uint8_t> significant,
                                                std::span<const std::size_t> order = {});

// The significance matrix from pairwise p-values (row-major, upper triangle read), adjusted
// over the n(n-1)/2 pairs with `adjustment`, significant when the adjusted p <= alpha.
std::vector<std::uint8_t> significance_matrix(std::size_t policies,
                                              std::span<const double> pairwise_p_values,
                                              double alpha, Adjustment adjustment);

}  // namespace gauntlet::metrics
