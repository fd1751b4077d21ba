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

bool tests_up(const SequentialOptions& o) {
  return o.alternative != Alternative::kLess;
}

bool tests_down(const SequentialOptions& o) {
  return o.alternative != Alternative::kGreater;
}

double side_alpha(const SequentialOptions& o) {
  return o.alternative == Alternative::kTwoSided ? o.alpha / 2.0 : o.alpha;
}

// log of the futility threshold on E; -inf: no futility stop.
double log_futility(const SequentialOptions& o) {
  if (!has_design(o)) return kNegInf;
  if (!std::isnan(o.futility_threshold)) return std::log(o.futility_threshold);
  if (o.futility_beta <= 0.0) return kNegInf;
  return std::log(o.futility_beta / (1.0 - side_alpha(o)));
}

bool futile(std::int64_t w, std::int64_t l, double f, const SequentialOptions& o) {
  if (f == kNegInf) return false;
  return (!tests_up(o) || log_evidence(w, l, o) <= f) &&
         (!tests_down(o) || log_evidence(l, w, o) <= f);
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

// The table of the test with decision threshold log_threshold and futility threshold log_fut
// (-inf: none) over max discordant pairs.
SequentialBoundary build_boundary(std::int64_t max, double log_threshold, double log_fut,
                                  const SequentialOptions& o) {
  SequentialBoundary out;
  out.log_threshold = log_threshold;
  const auto sym = upper_boundary(max, log_threshold, o);
  const auto size = sym.size();
  out.upper.resize(size);
  out.lower.resize(size);
  out.futile_lo.assign(size, 1);
  out.futile_hi.assign(size, 0);
  for (std::size_t m = 0; m < size; ++m) {
    const auto mm = static_cast<std::int64_t>(m);
    out.upper[m] = tests_up(o) ? sym[m] : mm + 1;
    // by symmetry: "B worse" once A's wins >= sym[m]
    out.lower[m] = tests_down(o) ? mm - sym[m] : -1;
    // Futile states form an interval around m / 2: with a = log 2q1 > 0 > b = log 2(1 - q1),
    // E+ <= f iff w <= (f - m b) / (a - b) and E- <= f iff w >= (m a - f) / (a - b). The
    // closed form is nudged so that it agrees exactly with the class's comparisons.
    if (log_fut == kNegInf) continue;
    const double a = std::log(2.0 * o.design_win_share);
    const double b = std::log(2.0 * (1.0 - o.design_win_share));
    const double f = log_fut;
    const double m_d = static_cast<double>(mm);
    std::int64_t lo = out.lower[m] + 1;
    std::int64_t hi = out.upper[m] - 1;
    if (tests_down(o)) {
      lo = std::max(lo, static_cast<std::int64_t>(std::ceil((m_d * a - f) / (a - b))));
    }
    if (tests_up(o)) {
      hi = std::min(hi, static_cast<std::int64_t>(std::floor((f - m_d * b) / (a - b))));
    }
    while (lo - 1 > out.lower[m] && futile(lo - 1, mm - lo + 1, f, o)) --lo;
    while (lo <= hi && !futile(lo, mm - lo, f, o)) ++lo;
    while (hi + 1 < out.upper[m] && futile(hi + 1, mm - hi - 1, f, o)) ++hi;
    while (hi >= lo && !futile(hi, mm - hi, f, o)) --hi;
    if (lo <= hi) {
      out.futile_lo[m] = lo;
      out.futile_hi[m] = hi;
    }
  }
  return out;
}

// The horizon in discordant pairs over which a threshold is calibrated (0: none).
std::int64_t horizon(const SequentialOptions& o) {
  std::int64_t h = o.max_discordant;
  if (o.calibrate && o.budget > 0 && (h == 0 || o.budget < h)) h = o.budget;
  return h;
}

// Futility used when calibrating and in the p-value: a designed (explicit) futility threshold
// is binding; Wald's futility_beta is not (the calibration ignores it).
double calibration_futility(const SequentialOptions& o) {
  return std::isnan(o.futility_threshold) ? kNegInf : log_futility(o);
}

// Chance under q = 1/2 of any decision within the horizon with this threshold.
double null_decision_chance(double log_threshold, const SequentialOptions& o) {
  const auto c = sequential_crossing(
      build_boundary(horizon(o), log_threshold, calibration_futility(o), o), 0.5);
  return c.p_b_better + c.p_b_worse;
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
  if (!std::isnan(o.threshold) && !(o.threshold >= 1.0 && std::isfinite(o.threshold))) {
    throw std::invalid_argument("sequential test: threshold must be >= 1");
  }
  if (!std::isnan(o.futility_threshold) &&
      !(has_design(o) && o.futility_threshold > 0.0 && o.futility_threshold < 1.0)) {
    throw std::invalid_argument(
        "sequential test: futility_threshold must be in (0, 1) and needs a design win share");
  }
  if (o.max_discordant < 0) {
    throw std::invalid_argument("sequential test: max_discordant must be >= 0");
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
  if (!std::isnan(o.threshold)) return o.threshold;
  const double ville = std::log(1.0 / side_alpha(o));
  if (horizon(o) == 0 || !o.calibrate) return std::exp(ville);
  // Smallest threshold whose chance of any decision within the horizon is <= alpha under
  // q = 1/2, by bisection on log tau in [0, log(1 / alpha_side)] (the chance falls as tau
  // rises; at Ville's value it is <= alpha by Ville's inequality).
  double lo = 0.0;
  double hi = ville;
  if (null_decision_chance(lo, o) <= o.alpha) return 1.0;
  for (int i = 0; i < 34; ++i) {
    const double mid = (lo + hi) / 2.0;
    (null_decision_chance(mid, o) <= o.alpha ? hi : lo) = mid;
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
    const double up = tests_up(options_) ? log_evidence(b_wins_, a_wins_, options_) : kNegInf;
    const double down = tests_down(options_) ? log_evidence(a_wins_, b_wins_, options_) : kNegInf;
    max_log_e_ = std::max({max_log_e_, up, down});
    if (up >= log_threshold_) {
      decision_ = SequentialDecision::kBBetter;
      stop_ = SequentialStop::kDecided;
    } else if (down >= log_threshold_) {
      decision_ = SequentialDecision::kBWorse;
      stop_ = SequentialStop::kDecided;
    } else if (futile(b_wins_, a_wins_, log_futility(options_), options_)) {
      stop_ = SequentialStop::kFutility;
    }
  }
  if (stop_ == SequentialStop::kRunning && options_.budget > 0 && counted_ >= options_.budget) {
    stop_ = SequentialStop::kBudget;
  }
  if (stop_ == SequentialStop::kRunning && options_.max_discordant > 0 &&
      a_wins_ + b_wins_ >= options_.max_discordant) {
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
  const double k = options_.alternative == Alternative::kTwoSided ? 2.0 : 1.0;
  return std::min(1.0, k * std::exp(-max_log_e_));
}

double SequentialPairedTest::exact_p_value() const {
  if (max_log_e_ <= 0.0) return 1.0;
  const bool exact = horizon(options_) > 0 && (!std::isnan(options_.threshold) ||
                                               (options_.calibrate && options_.budget > 0));
  if (!exact) {
    const double k = options_.alternative == Alternative::kTwoSided ? 2.0 : 1.0;
    return std::min(1.0, k * std::exp(-max_log_e_));
  }
  return std::min(1.0, null_decision_chance(max_log_e_, options_));
}

SequentialBoundary sequential_boundary(std::int64_t max_discordant,
                                       const SequentialOptions& options) {
  if (max_discordant < 0) throw std::invalid_argument("sequential boundary: negative size");
  return build_boundary(max_discordant, std::log(decision_threshold(options)),
                        log_futility(options), options);
}

SequentialCrossing sequential_crossing(const SequentialBoundary& b, double q) {
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("sequential crossing: q in [0, 1]");
  SequentialCrossing out;
  if (b.upper.empty()) return out;
  const auto max = static_cast<std::int64_t>(b.upper.size()) - 1;
  std::vector<double> p{1.0};  // p[w]: chance of w B wins, still running
  p.resize(static_cast<std::size_t>(max + 2), 0.0);
  std::int64_t lo = 0;  // running states lie in [lo, hi]
  std::int64_t hi = 0;
  auto at = [&](std::int64_t w) -> double& { return p[static_cast<std::size_t>(w)]; };
  for (std::int64_t m = 1; m <= max && lo <= hi; ++m) {
    at(hi + 1) = at(hi) * q;
    for (std::int64_t w = hi; w > lo; --w) at(w) = at(w) * (1.0 - q) + at(w - 1) * q;
    at(lo) *= 1.0 - q;
    ++hi;
    const auto mu = static_cast<std::size_t>(m);
    const double md = static_cast<double>(m);
    // In the class's order: "B better", then "B worse", then futility.
    for (std::int64_t w = std::max(lo, b.upper[mu]); w <= hi; ++w) {
      out.p_b_better += at(w);
      out.expected_discordant += md * at(w);
      at(w) = 0.0;
    }
    for (std::int64_t w = lo; w <= std::min(hi, b.lower[mu]); ++w) {
      out.p_b_worse += at(w);
      out.expected_discordant += md * at(w);
      at(w) = 0.0;
    }
    for (std::int64_t w = std::max(lo, b.futile_lo[mu]); w <= std::min(hi, b.futile_hi[mu]); ++w) {
      out.p_futility += at(w);
      out.expected_discordant += md * at(w);
      at(w) = 0.0;
    }
    lo = std::max(lo, b.lower[mu] + 1);
    hi = std::min(hi, b.upper[mu] - 1);
  }
  for (std::int64_t w = lo; w <= hi; ++w) out.p_truncated += at(w);
  out.expected_discordant += static_cast<double>(max) * out.p_truncated;
  return out;
}

}  // namespace gauntlet::metrics
