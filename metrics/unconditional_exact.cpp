#include "metrics/unconditional_exact.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace gauntlet::metrics {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

std::vector<double> log_binomial_coefficients(std::int64_t n) {
  std::vector<double> out(static_cast<std::size_t>(n + 1));
  const double lg_n = boost::math::lgamma(static_cast<double>(n + 1));
  for (std::int64_t k = 0; k <= n; ++k) {
    out[static_cast<std::size_t>(k)] = lg_n - boost::math::lgamma(static_cast<double>(k + 1)) -
                                       boost::math::lgamma(static_cast<double>(n - k + 1));
  }
  return out;
}

// The rejection region {tables at least as extreme} collapsed by s = x1 + x2: under a common
// success probability pi, P(region) = sum_s W(s) pi^s (1 - pi)^(N - s), with
// W(s) = sum over region tables with x1 + x2 = s of C(c1, x1) C(c2, x2). Stored as log W(s).
class RegionPolynomial {
 public:
  // in_region(x1, x2) says whether table (x1, x2) belongs to the region.
  template <class InRegion>
  RegionPolynomial(std::int64_t c1, std::int64_t c2, InRegion in_region) : n_(c1 + c2) {
    const auto l1 = log_binomial_coefficients(c1);
    const auto l2 = log_binomial_coefficients(c2);
    log_w_.assign(static_cast<std::size_t>(n_ + 1), kNegInf);
    for (std::int64_t s = 0; s <= n_; ++s) {
      const std::int64_t lo = std::max<std::int64_t>(0, s - c2);
      const std::int64_t hi = std::min(s, c1);
      double m = kNegInf;
      for (std::int64_t x1 = lo; x1 <= hi; ++x1) {
        if (in_region(x1, s - x1)) {
          m = std::max(m, l1[static_cast<std::size_t>(x1)] + l2[static_cast<std::size_t>(s - x1)]);
        }
      }
      if (m == kNegInf) continue;
      double sum = 0.0;
      for (std::int64_t x1 = lo; x1 <= hi; ++x1) {
        if (in_region(x1, s - x1)) {
          sum +=
              std::exp(l1[static_cast<std::size_t>(x1)] + l2[static_cast<std::size_t>(s - x1)] - m);
        }
      }
      log_w_[static_cast<std::size_t>(s)] = m + std::log(sum);
      terms_.push_back(s);
    }
  }

  bool empty() const { return terms_.empty(); }

  // log P_pi(region).
  double log_probability(double pi) const {
    const double lp = pi > 0.0 ? std::log(pi) : kNegInf;
    const double lq = pi < 1.0 ? std::log1p(-pi) : kNegInf;
    double m = kNegInf;
    for (std::int64_t s : terms_) m = std::max(m, term(s, lp, lq));
    if (m == kNegInf) return kNegInf;
    double sum = 0.0;
    for (std::int64_t s : terms_) sum += std::exp(term(s, lp, lq) - m);
    return m + std::log(sum);
  }

  // sup over pi of P_pi(region), and where it is attained.
  std::pair<double, double> maximise() const {
    if (empty()) return {0.0, 0.5};
    const auto grid = static_cast<std::int64_t>(
        std::max(256.0, std::ceil(16.0 * std::sqrt(static_cast<double>(n_)))));
    std::vector<double> f(static_cast<std::size_t>(grid + 1));
    for (std::int64_t i = 0; i <= grid; ++i) {
      f[static_cast<std::size_t>(i)] =
          log_probability(static_cast<double>(i) / static_cast<double>(grid));
    }
    double best = kNegInf;
    double best_pi = 0.5;
    for (std::int64_t i = 0; i <= grid; ++i) {
      const auto iu = static_cast<std::size_t>(i);
      const double left = i > 0 ? f[iu - 1] : kNegInf;
      const double right = i < grid ? f[iu + 1] : kNegInf;
      if (f[iu] == kNegInf || f[iu] < left || f[iu] < right) continue;
      double pi = static_cast<double>(i) / static_cast<double>(grid);
      double value = f[iu];
      // Refine inside the neighbouring cells (a flat top or an endpoint needs no refinement).
      const double lo =
          static_cast<double>(std::max<std::int64_t>(i - 1, 0)) / static_cast<double>(grid);
      const double hi = static_cast<double>(std::min(i + 1, grid)) / static_cast<double>(grid);
      std::uintmax_t iterations = 200;
      const auto r = boost::math::tools::brent_find_minima(
          [this](double x) { return -log_probability(x); }, lo, hi, 50, iterations);
      if (-r.second > value) {
        value = -r.second;
        pi = r.first;
      }
      if (value > best) {
        best = value;
        best_pi = pi;
      }
    }
    return {std::clamp(std::exp(best), 0.0, 1.0), best_pi};
  }

 private:
  double term(std::int64_t s, double lp, double lq) const {
    const double a = s == 0 ? 0.0 : static_cast<double>(s) * lp;
    const double b = s == n_ ? 0.0 : static_cast<double>(n_ - s) * lq;
    return log_w_[static_cast<std::size_t>(s)] + a + b;
  }

  std::int64_t n_;
  std::vector<double> log_w_;
  std::vector<std::int64_t> terms_;
};

// Conditional (hypergeometric) tail probabilities of cell x1 given s = x1 + x2, for every table:
// lower[x1][x2] = P(X1 <= x1 | s), upper[x1][x2] = P(X1 >= x1 | s). Built by the ratio recurrence
// from the mode of each conditional law, which keeps relative accuracy near 1e-14.
struct ConditionalTails {
  std::vector<double> lower;
  std::vector<double> upper;
};

ConditionalTails conditional_tails(std::int64_t c1, std::int64_t c2) {
  const auto w2 = static_cast<std::size_t>(c2 + 1);
  ConditionalTails out;
  out.lower.assign(static_cast<std::size_t>(c1 + 1) * w2, 0.0);
  out.upper.assign(out.lower.size(), 0.0);
  std::vector<double> w;
  for (std::int64_t s = 0; s <= c1 + c2; ++s) {
    const std::int64_t lo = std::max<std::int64_t>(0, s - c2);
    const std::int64_t hi = std::min(s, c1);
    const auto count = static_cast<std::size_t>(hi - lo + 1);
    w.assign(count, 0.0);
    // Mode of the hypergeometric law of X1 (draws c1 from c1 + c2 with s successes).
    auto mode = static_cast<std::int64_t>(
        std::floor(static_cast<double>((s + 1) * (c1 + 1)) / static_cast<double>(c1 + c2 + 2)));
    mode = std::clamp(mode, lo, hi);
    const auto m = static_cast<std::size_t>(mode - lo);
    w[m] = 1.0;
    for (std::int64_t x = mode; x < hi; ++x) {  // w(x + 1) / w(x)
      const double ratio =
          static_cast<double>((c1 - x) * (s - x)) / static_cast<double>((x + 1) * (c2 - s + x + 1));
      w[static_cast<std::size_t>(x + 1 - lo)] = w[static_cast<std::size_t>(x - lo)] * ratio;
    }
    for (std::int64_t x = mode; x > lo; --x) {  // w(x - 1) / w(x)
      const double ratio =
          static_cast<double>(x * (c2 - s + x)) / static_cast<double>((c1 - x + 1) * (s - x + 1));
      w[static_cast<std::size_t>(x - 1 - lo)] = w[static_cast<std::size_t>(x - lo)] * ratio;
    }
    double total = 0.0;
    for (double v : w) total += v;
    double acc = 0.0;
    for (std::size_t i = 0; i < count; ++i) {
      acc += w[i];
      const auto x1 = static_cast<std::size_t>(lo) + i;
      out.lower[x1 * w2 + static_cast<std::size_t>(s) - x1] = std::min(1.0, acc / total);
    }
    acc = 0.0;
    for (std::size_t i = count; i-- > 0;) {
      acc += w[i];
      const auto x1 = static_cast<std::size_t>(lo) + i;
      out.upper[x1 * w2 + static_cast<std::size_t>(s) - x1] = std::min(1.0, acc / total);
    }
  }
  return out;
}

// The Wald statistic of every table (x1, x2) at [x1 * (c2 + 1) + x2], with numpy's exact
// operation order so that ties between tables (which decide the region) fall as in scipy.
std::vector<double> wald_statistics(std::int64_t c1, std::int64_t c2, bool pooled) {
  const auto w2 = static_cast<std::size_t>(c2 + 1);
  std::vector<double> wald(static_cast<std::size_t>(c1 + 1) * w2);
  const double n1 = static_cast<double>(c1);
  const double n2 = static_cast<double>(c2);
  for (std::int64_t x1 = 0; x1 <= c1; ++x1) {
    for (std::int64_t x2 = 0; x2 <= c2; ++x2) {
      const double p1 = static_cast<double>(x1) / n1;
      const double p2 = static_cast<double>(x2) / n2;
      double variance = 0.0;
      if (pooled) {
        const double p = static_cast<double>(x1 + x2) / static_cast<double>(c1 + c2);
        variance = p * (1 - p) * (1 / n1 + 1 / n2);
      } else {
        variance = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2;
      }
      wald[static_cast<std::size_t>(x1) * w2 + static_cast<std::size_t>(x2)] =
          p1 == p2 ? 0.0 : (p1 - p2) / std::sqrt(variance);
    }
  }
  return wald;
}

UnconditionalResult boschloo_one_sided(const TwoByTwo& t, bool less) {
  const std::int64_t c1 = t.a + t.c;
  const std::int64_t c2 = t.b + t.d;
  const auto tails = conditional_tails(c1, c2);
  const auto w2 = static_cast<std::size_t>(c2 + 1);
  // kLess: small x1 is extreme, statistic P(X1 <= x1 | s). kGreater: large x1 is extreme, which
  // scipy writes as P(X2 <= x2 | s) on the second column: the same number as P(X1 >= x1 | s).
  const std::vector<double>& pv = less ? tails.lower : tails.upper;
  const double fisher_stat = pv[static_cast<std::size_t>(t.a) * w2 + static_cast<std::size_t>(t.b)];
  // scipy's guard against rounding: a relative tolerance of 1e-13 (gh-14178).
  const double threshold = fisher_stat * (1.0 + 1e-13);
  const RegionPolynomial region(c1, c2, [&](std::int64_t x1, std::int64_t x2) {
    return pv[static_cast<std::size_t>(x1) * w2 + static_cast<std::size_t>(x2)] <= threshold;
  });
  const auto [p, pi] = region.maximise();
  return {fisher_stat, p, pi};
}

}  // namespace

UnconditionalResult barnard_exact(const TwoByTwo& t, Alternative alternative, bool pooled) {
  check_table(t);
  const std::int64_t c1 = t.a + t.c;
  const std::int64_t c2 = t.b + t.d;
  if (c1 == 0 || c2 == 0) return {std::numeric_limits<double>::quiet_NaN(), 1.0, 0.5};
  const auto w2 = static_cast<std::size_t>(c2 + 1);
  const std::vector<double> wald = wald_statistics(c1, c2, pooled);
  const double observed = wald[static_cast<std::size_t>(t.a) * w2 + static_cast<std::size_t>(t.b)];
  const RegionPolynomial region(c1, c2, [&](std::int64_t x1, std::int64_t x2) {
    const double w = wald[static_cast<std::size_t>(x1) * w2 + static_cast<std::size_t>(x2)];
    switch (alternative) {
      case Alternative::kTwoSided:
        return std::abs(w) >= std::abs(observed);
      case Alternative::kLess:
        return w <= observed;
      case Alternative::kGreater:
        return w >= observed;
    }
    return false;
  });
  const auto [p, pi] = region.maximise();
  return {observed, p, pi};
}

UnconditionalResult boschloo_exact(const TwoByTwo& t, Alternative alternative) {
  check_table(t);
  if (t.a + t.c == 0 || t.b + t.d == 0) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan, nan};
  }
  switch (alternative) {
    case Alternative::kLess:
      return boschloo_one_sided(t, true);
    case Alternative::kGreater:
      return boschloo_one_sided(t, false);
    case Alternative::kTwoSided: {
      const auto less = boschloo_one_sided(t, true);
      const auto greater = boschloo_one_sided(t, false);
      const auto& best = less.p_value < greater.p_value ? less : greater;
      return {best.statistic, std::clamp(2.0 * best.p_value, 0.0, 1.0), best.nuisance};
    }
  }
  return {};
}

double barnard_power(std::int64_t n1, std::int64_t n2, double p1, double p2, double alpha,
                     Alternative alternative, bool pooled) {
  if (n1 <= 0 || n2 <= 0) throw std::invalid_argument("Barnard power: need n1, n2 >= 1");
  if (!(alpha > 0.0 && alpha < 1.0)) throw std::invalid_argument("Barnard power: alpha in (0, 1)");
  if (!(p1 >= 0.0 && p1 <= 1.0 && p2 >= 0.0 && p2 <= 1.0)) {
    throw std::invalid_argument("Barnard power: rates must be in [0, 1]");
  }
  const auto w2 = static_cast<std::size_t>(n2 + 1);
  const std::vector<double> wald = wald_statistics(n1, n2, pooled);
  // Extremeness: larger is more extreme for the chosen alternative.
  std::vector<double> extreme(wald.size());
  for (std::size_t i = 0; i < wald.size(); ++i) {
    switch (alternative) {
      case Alternative::kTwoSided:
        extreme[i] = std::abs(wald[i]);
        break;
      case Alternative::kLess:
        extreme[i] = -wald[i];
        break;
      case Alternative::kGreater:
        extreme[i] = wald[i];
        break;
    }
  }
  std::vector<double> levels = extreme;
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  auto p_value_at = [&](double t) {
    const RegionPolynomial region(n1, n2, [&](std::int64_t x1, std::int64_t x2) {
      return extreme[static_cast<std::size_t>(x1) * w2 + static_cast<std::size_t>(x2)] >= t;
    });
    return region.maximise().first;
  };
  // Smallest level whose p-value is <= alpha (p-values fall as the level rises).
  std::size_t lo = 0;
  std::size_t hi = levels.size();  // hi: known to reject (levels.size(): none known)
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (p_value_at(levels[mid]) <= alpha) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (hi == levels.size()) return 0.0;
  const double critical = levels[hi];
  const boost::math::binomial_distribution<double> b1(static_cast<double>(n1), p1);
  const boost::math::binomial_distribution<double> b2(static_cast<double>(n2), p2);
  std::vector<double> pmf2(w2);
  for (std::size_t x2 = 0; x2 < w2; ++x2) pmf2[x2] = boost::math::pdf(b2, static_cast<double>(x2));
  double power = 0.0;
  for (std::int64_t x1 = 0; x1 <= n1; ++x1) {
    const double q1 = boost::math::pdf(b1, static_cast<double>(x1));
    double row = 0.0;
    for (std::size_t x2 = 0; x2 < w2; ++x2) {
      if (extreme[static_cast<std::size_t>(x1) * w2 + x2] >= critical) row += pmf2[x2];
    }
    power += q1 * row;
  }
  return std::min(power, 1.0);
}

}  // namespace gauntlet::metrics
