#include "metrics/fisher_exact.hpp"

#include <algorithm>
#include <boost/math/distributions/hypergeometric.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gauntlet::metrics {
namespace {

// The hypergeometric law of cell a given the margins, with scipy's conventions outside the
// support (pmf 0, cdf 0 or 1). Boost.Math is what scipy itself calls for these.
class Hypergeometric {
 public:
  Hypergeometric(std::int64_t total, std::int64_t successes, std::int64_t draws)
      : dist_(static_cast<unsigned>(successes), static_cast<unsigned>(draws),
              static_cast<unsigned>(total)),
        lo_(std::max<std::int64_t>(0, draws - (total - successes))),
        hi_(std::min(draws, successes)) {}

  double pmf(std::int64_t x) const {
    if (x < lo_ || x > hi_) return 0.0;
    return boost::math::pdf(dist_, static_cast<unsigned>(x));
  }
  double cdf(std::int64_t x) const {
    if (x < lo_) return 0.0;
    if (x >= hi_) return 1.0;
    return boost::math::cdf(dist_, static_cast<unsigned>(x));
  }
  double sf(std::int64_t x) const {
    if (x < lo_) return 1.0;
    if (x >= hi_) return 0.0;
    return boost::math::cdf(boost::math::complement(dist_, static_cast<unsigned>(x)));
  }

 private:
  boost::math::hypergeometric_distribution<double> dist_;
  std::int64_t lo_;
  std::int64_t hi_;
};

// scipy's _binary_search_for_binom_tst: index i in [lo, hi] with a(i) <= d < a(i+1) for a
// function ascending on the range.
template <class F>
std::int64_t binary_search(F a, double d, std::int64_t lo, std::int64_t hi) {
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    const double midval = a(mid);
    if (midval < d) {
      lo = mid + 1;
    } else if (midval > d) {
      hi = mid - 1;
    } else {
      return mid;
    }
  }
  return a(lo) <= d ? lo : lo - 1;
}

}  // namespace

TestResult fisher_exact(const TwoByTwo& t, Alternative alternative) {
  check_table(t);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (t.a + t.c == 0 || t.b + t.d == 0 || t.a + t.b == 0 || t.c + t.d == 0) return {nan, 1.0};
  const double odds_ratio = (t.c > 0 && t.b > 0)
                                ? static_cast<double>(t.a * t.d) / static_cast<double>(t.c * t.b)
                                : std::numeric_limits<double>::infinity();
  const std::int64_t n1 = t.a + t.b;
  const std::int64_t n2 = t.c + t.d;
  const std::int64_t n = t.a + t.c;
  const Hypergeometric h(n1 + n2, n1, n);
  double p = 1.0;
  switch (alternative) {
    case Alternative::kLess:
      p = h.cdf(t.a);
      break;
    case Alternative::kGreater:
      p = Hypergeometric(n1 + n2, n1, t.b + t.d).cdf(t.b);
      break;
    case Alternative::kTwoSided: {
      const auto mode = static_cast<std::int64_t>(static_cast<double>((n + 1) * (n1 + 1)) /
                                                  static_cast<double>(n1 + n2 + 2));
      const double pexact = h.pmf(t.a);
      const double pmode = h.pmf(mode);
      const double epsilon = 1e-14;
      const double gamma = 1.0 + epsilon;
      if (std::abs(pexact - pmode) / std::max(pexact, pmode) <= epsilon) return {odds_ratio, 1.0};
      if (t.a < mode) {
        const double plower = h.cdf(t.a);
        if (h.pmf(n) > pexact * gamma) return {odds_ratio, plower};
        const std::int64_t guess =
            binary_search([&](std::int64_t x) { return -h.pmf(x); }, -pexact * gamma, mode, n);
        p = plower + h.sf(guess);
      } else {
        const double pupper = h.sf(t.a - 1);
        if (h.pmf(0) > pexact * gamma) return {odds_ratio, pupper};
        const std::int64_t guess =
            binary_search([&](std::int64_t x) { return h.pmf(x); }, pexact * gamma, 0, mode);
        p = pupper + h.cdf(guess);
      }
      break;
    }
  }
  return {odds_ratio, std::min(p, 1.0)};
}

}  // namespace gauntlet::metrics
