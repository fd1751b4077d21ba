#include "metrics/two_by_two.hpp"

#include <stdexcept>
#include <string>

namespace gauntlet::metrics {

TwoByTwo TwoByTwo::from_proportions(std::int64_t k1, std::int64_t n1, std::int64_t k2,
                                    std::int64_t n2) {
  if (k1 < 0 || n1 < 0 || k1 > n1 || k2 < 0 || n2 < 0 || k2 > n2) {
    throw std::invalid_argument("two proportions: need 0 <= k <= n for both samples, got " +
                                std::to_string(k1) + "/" + std::to_string(n1) + " and " +
                                std::to_string(k2) + "/" + std::to_string(n2));
  }
  return {k1, k2, n1 - k1, n2 - k2};
}

void check_table(const TwoByTwo& t) {
  if (t.a < 0 || t.b < 0 || t.c < 0 || t.d < 0) {
    throw std::invalid_argument("2x2 table: all entries must be nonnegative, got [[" +
                                std::to_string(t.a) + ", " + std::to_string(t.b) + "], [" +
                                std::to_string(t.c) + ", " + std::to_string(t.d) + "]]");
  }
}

}  // namespace gauntlet::metrics
