#include "metrics/sequential_test.hpp"

#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_beta(double a, double b) {
  return boost::math::lgamma(a) + boost::math::lgamma(b) - boost::math::lgamma(a + b);
}

bool has_design(const SequentialOptions& o) {
  return !std::isnan(o.design_win_share);
}

double log_futility(const SequentialOptions& o) {
  return std::log(o.futility_beta / (1.0 - o.alpha / 2.0));
}

bool futile(std::int64_t w, std::int64_t l, const SequentialOptions& o) {
  if (!has_design(o) || o.futility_beta <= 0.0) return false;
  const double f = log_futility(o);
  return log_evidence(w, l, o) <= f && log_evidence(l, w, o) <= f;
}

// Smallest w with log_evidence(w, m - w) >= log_threshold, for m = 0..max (m + 1: never).
// E+ rises with w, and the boundary moves by 0 or 1 per extra discordant pair.
std::vector<std::int64_t> upper_boundary(std::int64_t max, double log_threshold,
                                         const SequentialOptions& o) {
  std::vector<std::int64_t> u(static_cast<std::size_t>(max + 1));
  std::int64_t w = 0;
  for (std::int64_t m = 0; m <= max; ++m) {
    while (w <= m && log_evidence(w, m - w, o) < log_threshold) ++w;
    u[static_cast<std::size_t>(m)] = w;
  }
  return u;
}

// P(the upper boundary is crossed before the lower one within `max` discordant pairs) when each
// is a B win with probability 1/2: a random walk with two absorbing boundaries.
double upper_crossing(const std::vector<std::int64_t>& u, std::int64_t max) {
  std::vector<double> p{1.0};  // p[w]: chance of w B wins, still undecided
  p.resize(static_cast<std::size_t>(max + 2), 0.0);
  std::int64_t lo = 0;  // live states are w in [lo, hi]
  std::int64_t hi = 0;
  double crossed = 0.0;
  for (std::int64_t m = 1; m <= max; ++m) {
    for (std::int64_t w = hi + 1; w-- > lo;) {  // from the top so each p[w] is read once
      const double half = p[static_cast<std::size_t>(w)] / 2.0;
      p[static_cast<std::size_t>(w + 1)] += half;
      p[static_cast<std::size_t>(w)] = half;
    }
    ++hi;
    const std::int64_t up = u[static_cast<std::size_t>(m)];
    const std::int64_t down = m - up;  // "B worse" once w <= m - up
    for (std::int64_t w = std::max(lo, up); w <= hi; ++w) {
      crossed += p[static_cast<std::size_t>(w)];
      p[static_cast<std::size_t>(w)] = 0.0;
    }
    for (std::int64_t w = lo; w <= std::min(hi, down); ++w) p[static_cast<std::size_t>(w)] = 0.0;
    lo = std::max(lo, down + 1);
    hi = std::min(hi, up - 1);
    if (lo > hi) break;
  }
  return crossed;
}

}  // namespace

std::string_view to_string(SequentialDecision decision) {
  switch (decision) {
    case SequentialDecision::kUndecided:
      return "undecided";
    case SequentialDecision::kBBetter:
      return "b-better";
    case SequentialDecision::kBWorse:
      return "b-worse";
  }
  return "?";
}

std::string_view to_string(SequentialStop stop) {
  switch (stop) {
    case SequentialStop::kRunning:
      return "running";
    case SequentialStop::kDecided:
      return "decided";
    case SequentialStop::kFutility:
      return "futility";
    case SequentialStop::kBudget:
      return "budget";
  }
  return "?";
}

void validate(const SequentialOptions& o) {
  if (!(o.alpha > 0.0 && o.alpha < 1.0)) {
    throw std::invalid_argument("sequential test: alpha must be in (0, 1), got " +
                                std::to_string(o.alpha));
  }
  if (o.budget < 0) throw std::invalid_argument("sequential test: budget must be >= 0");
  if (!(o.prior_concentration > 0.0 && std::isfinite(o.prior_concentration))) {
    throw std::invalid_argument("sequential test: prior concentration must be positive");
  }
  if (has_design(o) && !(o.design_win_share > 0.5 && o.design_win_share < 1.0)) {
    throw std::invalid_argument(
        "sequential test: the design win share q1 = P(B wins | discordant) must be in (0.5, 1), "
        "got " +
        std::to_string(o.design_win_share));
  }
  if (!(o.futility_beta >= 0.0 && o.futility_beta < 1.0)) {
    throw std::invalid_argument("sequential test: futility_beta must be in [0, 1)");
  }
}

double design_win_share(double p_a, double p_b, double discordance) {
  if (!(p_a >= 0.0 && p_a <= 1.0 && p_b >= 0.0 && p_b <= 1.0) || !(p_b > p_a)) {
    throw std::invalid_argument("design win share: need 0 <= p_a < p_b <= 1");
  }
  const double d = std::isnan(discordance) ? p_a * (1.0 - p_b) + p_b * (1.0 - p_a) : discordance;
  if (!(d >= p_b - p_a && d > 0.0 && d <= 1.0)) {
    throw std::invalid_argument("design win share: discordance must be in [p_b - p_a, 1]");
  }
  return std::min(0.999999, (d + p_b - p_a) / (2.0 * d));
}

double log_evidence(std::int64_t b_wins, std::int64_t a_wins, const SequentialOptions& o) {
  const double w = static_cast<double>(b_wins);
  const double l = static_cast<double>(a_wins);
  if (has_design(o)) {
    const double q = o.design_win_share;
    return w * std::log(2.0 * q) + l * std::log(2.0 * (1.0 - q));
  }
  // E+ = 2^(w+l) * 2 * B(w + c, l + c) / B(c, c) * P(Beta(w + c, l + c) > 1/2): the prior
  // Beta(c, c) has half its mass above 1/2, hence the factor 2.
  const double c = o.prior_concentration;
  const double tail = boost::math::ibetac(w + c, l + c, 0.5);
  if (tail <= 0.0) return kNegInf;
  return (w + l + 1.0) * std::numbers::ln2 + log_beta(w + c, l + c) - log_beta(c, c) +
         std::log(tail);
}

double decision_threshold(const SequentialOptions& o) {
  validate(o);
  const double ville = std::log(2.0 / o.alpha);
  if (o.budget == 0 || !o.calibrate) return 2.0 / o.alpha;
  // Smallest threshold whose crossing chance within the budget is <= alpha / 2, by bisection on
  // log tau in [0, log(2 / alpha)] (the crossing chance falls as tau rises).
  double lo = 0.0;
  double hi = ville;
  if (upper_crossing(upper_boundary(o.budget, lo, o), o.budget) <= o.alpha / 2.0) return 1.0;
  for (int i = 0; i < 30; ++i) {
    const double mid = (lo + hi) / 2.0;
    if (upper_crossing(upper_boundary(o.budget, mid, o), o.budget) <= o.alpha / 2.0) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return std::exp(hi);
}

SequentialPairedTest::SequentialPairedTest(SequentialOptions options)
    : options_(options), log_threshold_(std::log(decision_threshold(options))) {}

SequentialDecision SequentialPairedTest::update(bool a_success, bool b_success) {
  ++pairs_;
  if (finished()) return decision_;
  ++counted_;
  if (a_success != b_success) {
    (b_success ? b_wins_ : a_wins_) += 1;
    const double up = log_evidence(b_wins_, a_wins_, options_);
    const double down = log_evidence(a_wins_, b_wins_, options_);
    max_log_e_ = std::max({max_log_e_, up, down});
    if (up >= log_threshold_) {
      decision_ = SequentialDecision::kBBetter;
      stop_ = SequentialStop::kDecided;
    } else if (down >= log_threshold_) {
      decision_ = SequentialDecision::kBWorse;
      stop_ = SequentialStop::kDecided;
    } else if (futile(b_wins_, a_wins_, options_)) {
      stop_ = SequentialStop::kFutility;
    }
  }
  if (stop_ == SequentialStop::kRunning && options_.budget > 0 && counted_ >= options_.budget) {
    stop_ = SequentialStop::kBudget;
  }
  if (stop_ != SequentialStop::kRunning) stopped_at_ = pairs_;
  return decision_;
}

double SequentialPairedTest::e_value_b_better() const {
  return std::exp(log_evidence(b_wins_, a_wins_, options_));
}

double SequentialPairedTest::e_value_b_worse() const {
  return std::exp(log_evidence(a_wins_, b_wins_, options_));
}

double SequentialPairedTest::p_value() const {
  return std::min(1.0, 2.0 * std::exp(-max_log_e_));
}

SequentialBoundary sequential_boundary(std::int64_t max_discordant,
                                       const SequentialOptions& options) {
  if (max_discordant < 0) throw std::invalid_argument("sequential boundary: negative size");
  SequentialBoundary out;
  out.log_threshold = std::log(decision_threshold(options));
  out.upper = upper_boundary(max_discordant, out.log_threshold, options);
  const auto size = out.upper.size();
  out.lower.resize(size);
  out.futile_lo.assign(size, 1);
  out.futile_hi.assign(size, 0);
  for (std::size_t m = 0; m < size; ++m) {
    const auto mm = static_cast<std::int64_t>(m);
    out.lower[m] = mm - out.upper[m];  // by symmetry: "B worse" once A's wins >= upper[m]
    // Futile states form an interval around m / 2: with a = log 2q1 > 0 > b = log 2(1 - q1),
    // E+ <= f iff w <= (f - m b) / (a - b) and E- <= f iff w >= (m a - f) / (a - b). The
    // closed form is nudged so that it agrees exactly with the class's comparisons.
    if (!has_design(options) || options.futility_beta <= 0.0) continue;
    const double a = std::log(2.0 * options.design_win_share);
    const double b = std::log(2.0 * (1.0 - options.design_win_share));
    const double f = log_futility(options);
    const double m_d = static_cast<double>(mm);
    auto lo =
        std::max(out.lower[m] + 1, static_cast<std::int64_t>(std::ceil((m_d * a - f) / (a - b))));
    auto hi =
        std::min(out.upper[m] - 1, static_cast<std::int64_t>(std::floor((f - m_d * b) / (a - b))));
    while (lo - 1 > out.lower[m] && futile(lo - 1, mm - lo + 1, options)) --lo;
    while (lo <= hi && !futile(lo, mm - lo, options)) ++lo;
    while (hi + 1 < out.upper[m] && futile(hi + 1, mm - hi - 1, options)) ++hi;
    while (hi >= lo && !futile(hi, mm - hi, options)) --hi;
    if (lo <= hi) {
      out.futile_lo[m] = lo;
      out.futile_hi[m] = hi;
    }
  }
  return out;
}

}  // namespace gauntlet::metrics
