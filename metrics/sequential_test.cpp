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

double log_beta(double a, double b) {
  return boost::math::lgamma(a) + boost::math::lgamma(b) - boost::math::lgamma(a + b);
}

}  // namespace

std::string_view to_string(SequentialDecision decision) {
  switch (decision) {
    case SequentialDecision::kUndecided: return "undecided";
    case SequentialDecision::kBBetter: return "b-better";
    case SequentialDecision::kBWorse: return "b-worse";
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
}

double log_e_b_better(std::int64_t b_wins, std::int64_t a_wins, double c) {
  // E+ = 2^(w+l) * 2 * B(w + c, l + c) / B(c, c) * P(Beta(w + c, l + c) > 1/2): the prior
  // Beta(c, c) has half its mass above 1/2, hence the factor 2.
  const double w = static_cast<double>(b_wins);
  const double l = static_cast<double>(a_wins);
  const double tail = boost::math::ibetac(w + c, l + c, 0.5);
  if (tail <= 0.0) return -std::numeric_limits<double>::infinity();
  return (w + l + 1.0) * std::numbers::ln2 + log_beta(w + c, l + c) - log_beta(c, c) +
         std::log(tail);
}

SequentialPairedTest::SequentialPairedTest(SequentialOptions options) : options_(options) {
  validate(options_);
}

bool SequentialPairedTest::budget_exhausted() const {
  return options_.budget > 0 && pairs_ >= options_.budget;
}

bool SequentialPairedTest::finished() const {
  return decision_ != SequentialDecision::kUndecided || budget_exhausted();
}

SequentialDecision SequentialPairedTest::update(bool a_success, bool b_success) {
  if (finished()) {
    if (decision_ != SequentialDecision::kUndecided) ++pairs_;
    return decision_;
  }
  ++pairs_;
  if (a_success == b_success) return decision_;
  (b_success ? b_wins_ : a_wins_) += 1;
  const double up = log_e_b_better(b_wins_, a_wins_, options_.prior_concentration);
  const double down = log_e_b_better(a_wins_, b_wins_, options_.prior_concentration);
  max_log_e_ = std::max({max_log_e_, up, down});
  const double log_threshold = std::log(threshold());
  if (up >= log_threshold) {
    decision_ = SequentialDecision::kBBetter;
    decided_at_ = pairs_;
  } else if (down >= log_threshold) {
    decision_ = SequentialDecision::kBWorse;
    decided_at_ = pairs_;
  }
  return decision_;
}

double SequentialPairedTest::e_value_b_better() const {
  return std::exp(log_e_b_better(b_wins_, a_wins_, options_.prior_concentration));
}

double SequentialPairedTest::e_value_b_worse() const {
  return std::exp(log_e_b_better(a_wins_, b_wins_, options_.prior_concentration));
}

double SequentialPairedTest::p_value() const {
  return std::min(1.0, 2.0 * std::exp(-max_log_e_));
}

SequentialBoundary sequential_boundary(std::int64_t max_discordant,
                                       const SequentialOptions& options) {
  validate(options);
  if (max_discordant < 0) throw std::invalid_argument("sequential boundary: negative size");
  const double log_threshold = std::log(2.0 / options.alpha);
  const double c = options.prior_concentration;
  SequentialBoundary out;
  out.upper.resize(static_cast<std::size_t>(max_discordant + 1));
  out.lower.resize(out.upper.size());
  // E+(w, m) increases with w, and the smallest rejecting w moves by 0 or 1 per extra
  // discordant pair: (w, m) rejecting implies (w + 1, m + 1) rejecting, and (w, m + 1) rejecting
  // implies (w, m) rejecting.
  std::int64_t u = 0;
  for (std::int64_t m = 0; m <= max_discordant; ++m) {
    u = std::max<std::int64_t>(u, 0);
    while (u <= m && log_e_b_better(u, m - u, c) < log_threshold) ++u;
    out.upper[static_cast<std::size_t>(m)] = u;  // m + 1: not reachable
    out.lower[static_cast<std::size_t>(m)] = m - u;  // by symmetry: A's wins >= u
  }
  return out;
}

}  // namespace gauntlet::metrics
