#include "metrics/sequential_bounded.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {
namespace {

constexpr int kGrid = 401;

}  // namespace

SequentialBoundedTest::SequentialBoundedTest(SequentialOptions options) : options_(options) {
  validate(options_);
  grid_.resize(kGrid);
  for (int i = 0; i < kGrid; ++i)
    grid_[static_cast<std::size_t>(i)] = static_cast<double>(i) / (kGrid - 1);
  log_k_up_.assign(kGrid, 0.0);
  log_k_down_.assign(kGrid, 0.0);
  excluded_.assign(kGrid, 0);
}

bool SequentialBoundedTest::finished() const {
  return decision_ != SequentialDecision::kUndecided ||
         (options_.budget > 0 && pairs_ >= options_.budget);
}

SequentialDecision SequentialBoundedTest::update(double a_score, double b_score) {
  if (!(a_score >= 0.0 && a_score <= 1.0 && b_score >= 0.0 && b_score <= 1.0)) {
    throw std::invalid_argument("sequential bounded test: scores must be in [0, 1], got " +
                                std::to_string(a_score) + " and " + std::to_string(b_score));
  }
  const double x = (b_score - a_score + 1.0) / 2.0;
  const double t = static_cast<double>(pairs_);  // observations before this one
  // Running estimates from the past only (predictable), regularised as in WSR:
  // mu = (1/2 + sum x) / (t + 1), sigma^2 = (1/4 + sum (x - mu)^2) / (t + 1).
  const double mu = (0.5 + sum_) / (t + 1.0);
  const double var = (0.25 + sum_sq_dev_) / (t + 1.0);

  if (!finished()) {
    // aGRAPA bets for the test at m0 = 1/2.
    const double gap = mu - 0.5;
    const double kelly = gap / (var + gap * gap);
    const double up_bet = std::clamp(kelly, 0.0, 1.0);
    const double down_bet = std::clamp(-kelly, 0.0, 1.0);
    log_up_ += std::log1p(up_bet * (x - 0.5));
    log_down_ += std::log1p(-down_bet * (x - 0.5));
  }

  // Confidence sequence: predictable plug-in bet, hedged over both directions (WSR eq. 27).
  const double n = t + 1.0;
  const double alpha = options_.alpha;
  const double lambda = std::sqrt(2.0 * std::log(2.0 / alpha) / (var * n * std::log(n + 1.0)));
  const double log_threshold = std::log(1.0 / alpha);
  for (std::size_t i = 0; i < grid_.size(); ++i) {
    const double m = grid_[i];
    const double lu = std::min(lambda, m > 0.0 ? 0.5 / m : lambda);
    const double ld = std::min(lambda, m < 1.0 ? 0.5 / (1.0 - m) : lambda);
    log_k_up_[i] += std::log1p(lu * (x - m));
    log_k_down_[i] += std::log1p(-ld * (x - m));
    // Hedged capital max(K+/2, K-/2) >= 1/alpha excludes m.
    const double hedged = std::max(log_k_up_[i], log_k_down_[i]) - std::log(2.0);
    if (hedged >= log_threshold) excluded_[i] = 1;
  }

  sum_sq_dev_ += (x - mu) * (x - mu);
  sum_ += x;
  ++pairs_;
  if (decision_ == SequentialDecision::kUndecided &&
      !(options_.budget > 0 && pairs_ > options_.budget)) {
    const double log_decide = std::log(2.0 / alpha);
    if (log_up_ >= log_decide) {
      decision_ = SequentialDecision::kBBetter;
      decided_at_ = pairs_;
    } else if (log_down_ >= log_decide) {
      decision_ = SequentialDecision::kBWorse;
      decided_at_ = pairs_;
    }
  }
  return decision_;
}

double SequentialBoundedTest::mean_difference() const {
  return pairs_ == 0 ? 0.0 : 2.0 * sum_ / static_cast<double>(pairs_) - 1.0;
}

double SequentialBoundedTest::e_value_b_better() const {
  return std::exp(log_up_);
}
double SequentialBoundedTest::e_value_b_worse() const {
  return std::exp(log_down_);
}

Interval SequentialBoundedTest::difference_interval() const {
  // The grid is fine but discrete: widen to the neighbouring excluded points so that the
  // reported interval contains every m that is not excluded.
  std::size_t lo = grid_.size();
  std::size_t hi = 0;
  for (std::size_t i = 0; i < grid_.size(); ++i) {
    if (!excluded_[i]) {
      lo = std::min(lo, i);
      hi = std::max(hi, i);
    }
  }
  if (lo == grid_.size()) {  // everything excluded: can only happen with a vanishing chance
    const double d = mean_difference();
    return {d, d};
  }
  const double m_lo = lo > 0 ? grid_[lo - 1] : 0.0;
  const double m_hi = hi + 1 < grid_.size() ? grid_[hi + 1] : 1.0;
  return {2.0 * m_lo - 1.0, 2.0 * m_hi - 1.0};
}

}  // namespace gauntlet::metrics
