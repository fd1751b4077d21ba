// A 2x2 contingency table and the result of a test on it, shared by the exact tests in metrics/.
// The layout is scipy's: [[a, b], [c, d]]; for two success rates the samples are the COLUMNS.
#pragma once

#include <cstdint>

namespace gauntlet::metrics {

struct TwoByTwo {
  std::int64_t a = 0;  // row 0, column 0: successes of sample 1
  std::int64_t b = 0;  // row 0, column 1: successes of sample 2
  std::int64_t c = 0;  // row 1, column 0: failures of sample 1
  std::int64_t d = 0;  // row 1, column 1: failures of sample 2

  // k1 successes of n1 trials (sample 1) against k2 of n2 (sample 2), as
  // [[k1, k2], [n1 - k1, n2 - k2]]. With this layout "greater" means p1 > p2 in every test.
  // Throws std::invalid_argument unless 0 <= k <= n.
  static TwoByTwo from_proportions(std::int64_t k1, std::int64_t n1, std::int64_t k2,
                                   std::int64_t n2);
};

struct TestResult {
  double statistic = 0.0;  // the test's own statistic (documented per test)
  double p_value = 1.0;
};

// Throws std::invalid_argument when an entry is negative.
void check_table(const TwoByTwo& table);

}  // namespace gauntlet::metrics
