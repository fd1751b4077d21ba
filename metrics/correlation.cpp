#include "metrics/correlation.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_pair(std::span<const double> x, std::span<const double> y, std::size_t min_n,
                const char* what) {
  if (x.size() != y.size()) {
    throw std::invalid_argument(std::string(what) + ": x has " + std::to_string(x.size()) +
                                " values but y has " + std::to_string(y.size()));
  }
  if (x.size() < min_n) {
    throw std::invalid_argument(std::string(what) + ": need at least " + std::to_string(min_n) +
                                " pairs, got " + std::to_string(x.size()));
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      throw std::invalid_argument(std::string(what) + ": values must be finite");
    }
  }
}

double mean_of(std::span<const double> v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// Pearson r as scipy computes it (centre, normalise, dot), NaN for constant input.
double pearson_r(std::span<const double> x, std::span<const double> y) {
  const double mx = mean_of(x);
  const double my = mean_of(y);
  double sxx = 0.0;
  double syy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  const double nx = std::sqrt(sxx);
  const double ny = std::sqrt(syy);
  if (nx == 0.0 || ny == 0.0) return kNaN;
  double r = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) r += ((x[i] - mx) / nx) * ((y[i] - my) / ny);
  return std::clamp(r, -1.0, 1.0);
}

double normal_two_sided(double z) {
  const boost::math::normal_distribution<double> normal;
  return 2.0 * boost::math::cdf(boost::math::complement(normal, std::abs(z)));
}

// scipy.stats._mstats_basic._kendall_p_exact, two-sided, for n without ties and c = the smaller
// of the discordant and concordant counts.
double kendall_p_exact(std::int64_t n, std::int64_t c) {
  const std::int64_t total = n * (n - 1) / 2;
  c = std::min(c, total - c);
  if (n == 1 || n == 2) return 1.0;
  const double log_fact = std::lgamma(static_cast<double>(n) + 1.0);
  if (c == 0) return n < 171 ? 2.0 * std::exp(-log_fact) : 0.0;
  if (c == 1) return n < 172 ? 2.0 * std::exp(-std::lgamma(static_cast<double>(n))) : 0.0;
  if (4 * c == n * (n - 1)) return 1.0;
  const auto size = static_cast<std::size_t>(c + 1);
  std::vector<double> v{1.0, 1.0};  // c >= 2 here, so size >= 3
  v.resize(size, 0.0);
  std::vector<double> old(size);
  const bool scaled = n >= 171;
  for (std::int64_t j = 3; j <= n; ++j) {
    std::partial_sum(v.begin(), v.end(), v.begin());
    if (scaled) {
      for (double& x : v) x /= static_cast<double>(j);
    }
    if (j <= c) {
      old = v;
      for (std::size_t k = static_cast<std::size_t>(j); k < size; ++k) {
        v[k] -= old[k - static_cast<std::size_t>(j)];
      }
    }
  }
  const double sum = std::accumulate(v.begin(), v.end(), 0.0);
  if (scaled) return sum;
  // Exact factorial as scipy's math.factorial (an integer) turned into a double.
  double factorial = 1.0;
  for (std::int64_t k = 2; k <= n; ++k) factorial *= static_cast<double>(k);
  return std::min(1.0, 2.0 * sum / factorial);
}

}  // namespace

PearsonResult pearson(std::span<const double> x, std::span<const double> y, double level) {
  check_pair(x, y, 2, "pearson");
  if (!(level > 0.0 && level < 1.0)) throw std::invalid_argument("pearson: level in (0, 1)");
  PearsonResult out;
  const auto n = static_cast<double>(x.size());
  out.r = pearson_r(x, y);
  if (std::isnan(out.r)) {
    out.p_value = kNaN;
    out.interval = {kNaN, kNaN};
    return out;
  }
  if (x.size() == 2) {
    out.r = out.r > 0 ? 1.0 : -1.0;
    out.p_value = 1.0;
  } else {
    const double ab = n / 2.0 - 1.0;
    out.p_value = 2.0 * boost::math::ibetac(ab, ab, (std::abs(out.r) + 1.0) / 2.0);
  }
  if (x.size() > 3) {
    const boost::math::normal_distribution<double> normal;
    const double h = boost::math::quantile(normal, 0.5 + level / 2.0) * std::sqrt(1.0 / (n - 3.0));
    const double zr = out.r == 1.0    ? std::numeric_limits<double>::infinity()
                      : out.r == -1.0 ? -std::numeric_limits<double>::infinity()
                                      : std::atanh(out.r);
    out.interval = {std::tanh(zr - h), std::tanh(zr + h)};
  } else {
    out.interval = {-1.0, 1.0};
  }
  return out;
}

std::vector<double> average_ranks(std::span<const double> x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return x[i] < x[j]; });
  std::vector<double> ranks(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

namespace {

// Pearson's r of two average-rank vectors, exactly: doubled average ranks are integers, so the
// centred sums of squares and products are exact integers and r = 1 (-1) exactly when the
// ranks agree (are reversed).
double rank_correlation(const std::vector<double>& rx, const std::vector<double>& ry) {
  __extension__ using Int = __int128;
  const auto n = static_cast<Int>(rx.size());
  Int sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (std::size_t i = 0; i < rx.size(); ++i) {
    const auto a = static_cast<Int>(std::llround(2.0 * rx[i]));
    const auto b = static_cast<Int>(std::llround(2.0 * ry[i]));
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  const Int num = n * sxy - sx * sy;
  const Int dx = n * sxx - sx * sx;
  const Int dy = n * syy - sy * sy;
  if (dx == 0 || dy == 0) return kNaN;
  if (dx == dy && (num == dx || num == -dx)) return num > 0 ? 1.0 : -1.0;
  const long double r = static_cast<long double>(num) /
                        std::sqrt(static_cast<long double>(dx) * static_cast<long double>(dy));
  return std::clamp(static_cast<double>(r), -1.0, 1.0);
}

}  // namespace

CorrelationResult spearman(std::span<const double> x, std::span<const double> y) {
  check_pair(x, y, 2, "spearman");
  const auto rx = average_ranks(x);
  const auto ry = average_ranks(y);
  CorrelationResult out;
  out.statistic = rank_correlation(rx, ry);
  if (std::isnan(out.statistic)) {
    out.p_value = kNaN;
    return out;
  }
  const double dof = static_cast<double>(x.size()) - 2.0;
  if (dof <= 0.0) {
    out.p_value = kNaN;
    return out;
  }
  const double r = out.statistic;
  const double ratio = std::max(0.0, dof / ((r + 1.0) * (1.0 - r)));
  const double t = r * std::sqrt(ratio);
  if (!std::isfinite(t)) {
    out.p_value = 0.0;
    return out;
  }
  const boost::math::students_t_distribution<double> student(dof);
  out.p_value = 2.0 * boost::math::cdf(boost::math::complement(student, std::abs(t)));
  return out;
}

CorrelationResult kendall_tau_b(std::span<const double> x, std::span<const double> y) {
  check_pair(x, y, 1, "kendall");
  const std::size_t n = x.size();
  std::int64_t con = 0;
  std::int64_t dis = 0;
  std::int64_t x_tie = 0;  // pairs tied in x (including joint ties)
  std::int64_t y_tie = 0;
  std::int64_t both_tie = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double dx = x[i] - x[j];
      const double dy = y[i] - y[j];
      if (dx == 0.0 && dy == 0.0) {
        ++x_tie;
        ++y_tie;
        ++both_tie;
      } else if (dx == 0.0) {
        ++x_tie;
      } else if (dy == 0.0) {
        ++y_tie;
      } else if ((dx > 0.0) == (dy > 0.0)) {
        ++con;
      } else {
        ++dis;
      }
    }
  }
  const auto total = static_cast<std::int64_t>(n * (n - 1) / 2);
  CorrelationResult out;
  if (x_tie == total || y_tie == total) return {kNaN, kNaN};
  const double con_minus_dis = static_cast<double>(con - dis);
  const double tau = con_minus_dis / std::sqrt(static_cast<double>(total - x_tie)) /
                     std::sqrt(static_cast<double>(total - y_tie));
  out.statistic = std::clamp(tau, -1.0, 1.0);
  if (x_tie == 0 && y_tie == 0 && (n <= 33 || std::min(dis, total - dis) <= 1)) {
    out.p_value = kendall_p_exact(static_cast<std::int64_t>(n), total - dis);
    return out;
  }
  // Tie-corrected variance of con - dis (scipy's [3]): sums over groups of tied values.
  auto tie_sums = [](std::span<const double> v) {
    std::vector<double> s(v.begin(), v.end());
    std::sort(s.begin(), s.end());
    double t1 = 0.0;  // sum t (t - 1) (t - 2)
    double t2 = 0.0;  // sum t (t - 1) (2 t + 5)
    for (std::size_t i = 0; i < s.size();) {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] == s[i]) ++j;
      const double t = static_cast<double>(j - i);
      if (t > 1) {
        t1 += t * (t - 1.0) * (t - 2.0);
        t2 += t * (t - 1.0) * (2.0 * t + 5.0);
      }
      i = j;
    }
    return std::pair{t1, t2};
  };
  const auto [x0, x1] = tie_sums(x);
  const auto [y0, y1] = tie_sums(y);
  const double size = static_cast<double>(n);
  const double m = size * (size - 1.0);
  const double var = (m * (2.0 * size + 5.0) - x1 - y1) / 18.0 +
                     (2.0 * static_cast<double>(x_tie) * static_cast<double>(y_tie)) / m +
                     x0 * y0 / (9.0 * m * (size - 2.0));
  out.p_value = normal_two_sided(con_minus_dis / std::sqrt(var));
  (void)both_tie;
  return out;
}

double mean_maximum_rank_violation(std::span<const double> sim, std::span<const double> real) {
  check_pair(sim, real, 1, "mmrv");
  double total = 0.0;
  for (std::size_t i = 0; i < sim.size(); ++i) {
    double worst = 0.0;
    for (std::size_t j = 0; j < sim.size(); ++j) {
      if ((sim[i] > sim[j]) != (real[i] > real[j]))
        worst = std::max(worst, std::abs(real[i] - real[j]));
    }
    total += worst;
  }
  return total / static_cast<double>(sim.size());
}

}  // namespace gauntlet::metrics
