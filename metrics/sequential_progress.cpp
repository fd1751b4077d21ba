#include "metrics/sequential_progress.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace gauntlet::metrics {
namespace {

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

double standard_normal(Xoshiro256& rng) {
  // Box-Muller, one of the pair (the simulations are not normal-bound).
  const double u = 1.0 - rng.uniform();  // (0, 1]
  const double v = rng.uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
}

// Marsaglia and Tsang (2000); shape < 1 by Gamma(a) = Gamma(a + 1) U^(1 / a).
double gamma_variate(double shape, Xoshiro256& rng) {
  if (shape < 1.0) {
    const double u = 1.0 - rng.uniform();
    return gamma_variate(shape + 1.0, rng) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double z = 0.0, v = 0.0;
    do {
      z = standard_normal(rng);
      v = 1.0 + c * z;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = 1.0 - rng.uniform();
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
  }
}

constexpr std::int64_t kUncappedLimit = 100000;

}  // namespace

void validate(const ProgressTestOptions& o) {
  if (!(o.alpha > 0.0 && o.alpha < 1.0))
    throw std::invalid_argument("progress test: alpha must be in (0, 1), got " + fmt(o.alpha));
  if (o.alternative == Alternative::kTwoSided)
    throw std::invalid_argument("progress test: one-sided only (greater or less)");
  if (!(o.design_delta > 0.0 && o.design_delta < 1.0))
    throw std::invalid_argument("progress test: design delta must be in (0, 1), got " +
                                fmt(o.design_delta));
  if (!(o.design_sd > 0.0 && o.design_sd <= 1.0))
    throw std::invalid_argument("progress test: design sd must be in (0, 1], got " +
                                fmt(o.design_sd));
  if (!(o.prior_weight > 0.0))
    throw std::invalid_argument("progress test: prior weight must be > 0");
  if (!(o.max_bet > 0.0 && o.max_bet <= 1.0))
    throw std::invalid_argument("progress test: max bet must be in (0, 1]");
  if (!(o.futility_log_e <= 0.0))
    throw std::invalid_argument("progress test: futility log E must be <= 0");
  if (o.max_pairs < 0) throw std::invalid_argument("progress test: max pairs must be >= 0");
}

SequentialProgressTest::SequentialProgressTest(ProgressTestOptions options) : options_(options) {
  validate(options_);
}

SequentialDecision SequentialProgressTest::update(double a_score, double b_score) {
  if (!(a_score >= 0.0 && a_score <= 1.0 && b_score >= 0.0 && b_score <= 1.0)) {
    throw std::invalid_argument("progress test: scores must be in [0, 1], got " + fmt(a_score) +
                                " and " + fmt(b_score));
  }
  return update_difference(b_score - a_score);
}

SequentialDecision SequentialProgressTest::update_difference(double d) {
  if (!(d >= -1.0 && d <= 1.0))
    throw std::invalid_argument("progress test: difference must be in [-1, 1], got " + fmt(d));
  ++pairs_;
  if (finished()) return decision_;
  const double x = options_.alternative == Alternative::kLess ? -d : d;
  const double delta = options_.design_delta;
  const double sd = options_.design_sd;
  const double w = options_.prior_weight;
  const double t = static_cast<double>(counted_);  // pairs before this one
  const double variance = (w * sd * sd + sum_sq_) / (w + t);
  const double bet = std::clamp(delta / (variance + delta * delta), 0.0, options_.max_bet);
  last_bet_ = bet;
  log_e_ += std::log1p(bet * x);
  max_log_e_ = std::max(max_log_e_, log_e_);
  // Welford: the variance estimate of the next bet.
  ++counted_;
  const double previous_mean = mean_x_;
  mean_x_ += (x - previous_mean) / static_cast<double>(counted_);
  sum_sq_ += (x - previous_mean) * (x - mean_x_);
  sum_d_ += d;

  if (log_e_ >= -std::log(options_.alpha)) {
    decision_ = options_.alternative == Alternative::kLess ? SequentialDecision::kBWorse
                                                           : SequentialDecision::kBBetter;
    stop_ = SequentialStop::kDecided;
  } else if (log_e_ <= options_.futility_log_e) {
    stop_ = SequentialStop::kFutility;
  } else if (options_.max_pairs > 0 && counted_ >= options_.max_pairs) {
    stop_ = SequentialStop::kBudget;
  }
  if (finished()) stopped_at_ = pairs_;
  return decision_;
}

double SequentialProgressTest::e_value() const {
  return std::exp(log_e_);
}
double SequentialProgressTest::max_e_value() const {
  return std::exp(max_log_e_);
}
double SequentialProgressTest::mean_difference() const {
  return counted_ == 0 ? 0.0 : sum_d_ / static_cast<double>(counted_);
}
double SequentialProgressTest::p_value() const {
  return std::min(1.0, std::exp(-max_log_e_));
}

DifferenceSampler scaled_beta_difference(double mean, double sd) {
  if (!(std::abs(mean) < 1.0 && sd > 0.0 && sd * sd < 1.0 - mean * mean)) {
    throw std::invalid_argument(
        "score model: need |mean| < 1 and 0 < sd^2 < 1 - mean^2, got mean " + fmt(mean) + ", sd " +
        fmt(sd));
  }
  const double m = (1.0 + mean) / 2.0;
  const double k = m * (1.0 - m) / (sd * sd / 4.0) - 1.0;
  const double a = m * k;
  const double b = (1.0 - m) * k;
  return [a, b](Xoshiro256& rng) {
    const double ga = gamma_variate(a, rng);
    const double gb = gamma_variate(b, rng);
    const double y = ga + gb > 0.0 ? ga / (ga + gb) : 0.5;
    return std::clamp(2.0 * y - 1.0, -1.0, 1.0);
  };
}

ProgressSimulation simulate_progress_test(const ProgressTestOptions& options,
                                          const DifferenceSampler& draw, std::int64_t simulations,
                                          std::uint64_t seed) {
  validate(options);
  if (simulations < 1) throw std::invalid_argument("progress simulation: simulations >= 1");
  ProgressSimulation out;
  out.simulations = simulations;
  double pairs = 0.0;
  std::int64_t decided = 0, futile = 0, capped = 0;
  for (std::int64_t r = 0; r < simulations; ++r) {
    Xoshiro256 rng(stream_seed(seed, static_cast<std::uint64_t>(r)));
    SequentialProgressTest test(options);
    while (!test.finished() && test.pairs() < kUncappedLimit) test.update_difference(draw(rng));
    pairs += static_cast<double>(test.pairs());
    if (test.decision() != SequentialDecision::kUndecided)
      ++decided;
    else if (test.stop() == SequentialStop::kFutility)
      ++futile;
    else
      ++capped;
  }
  const double n = static_cast<double>(simulations);
  out.mean_pairs = pairs / n;
  out.p_decided = static_cast<double>(decided) / n;
  out.p_futility = static_cast<double>(futile) / n;
  out.p_cap = static_cast<double>(capped) / n;
  return out;
}

std::int64_t progress_fixed_n(double delta, double sd, double alpha, double power) {
  const boost::math::normal_distribution<double> normal;
  const double z =
      boost::math::quantile(normal, 1.0 - alpha) + boost::math::quantile(normal, power);
  return static_cast<std::int64_t>(std::ceil(z * z * sd * sd / (delta * delta)));
}

double ProgressDesign::saving(double pairs) const {
  return fixed_n > 0 ? 1.0 - pairs / static_cast<double>(fixed_n) : 0.0;
}

ProgressDesign design_progress_test(const ProgressDesignRequest& r) {
  if (!(r.delta > 0.0 && r.delta < 1.0))
    throw std::invalid_argument("progress design: delta must be in (0, 1), got " + fmt(r.delta));
  if (!(r.sd > 0.0 && r.sd * r.sd < 1.0 - r.delta * r.delta)) {
    throw std::invalid_argument("progress design: the sd of the paired difference must be in (0, " +
                                fmt(std::sqrt(1.0 - r.delta * r.delta)) + ") for delta " +
                                fmt(r.delta) + ", got " + fmt(r.sd));
  }
  if (!(r.alpha > 0.0 && r.alpha < 1.0 && r.power > 0.0 && r.power < 1.0))
    throw std::invalid_argument("progress design: alpha and power must be in (0, 1)");
  if (r.alternative == Alternative::kTwoSided)
    throw std::invalid_argument("progress design: one-sided only (greater or less)");
  if (r.simulations < 100 || !(r.max_factor >= 1.0))
    throw std::invalid_argument("progress design: need simulations >= 100 and max_factor >= 1");

  ProgressDesign design;
  design.fixed_n = progress_fixed_n(r.delta, r.sd, r.alpha, r.power);
  design.simulations = r.simulations;
  design.seed = r.seed;
  ProgressTestOptions o;
  o.alpha = r.alpha;
  o.alternative = r.alternative;
  o.design_delta = r.delta;
  o.design_sd = r.sd;
  o.max_bet = r.max_bet;
  // Samplers of the difference b - a: the alternative points in the test's direction.
  const double sign = r.alternative == Alternative::kLess ? -1.0 : 1.0;
  const DifferenceSampler alt = scaled_beta_difference(sign * r.delta, r.sd);
  const DifferenceSampler null = scaled_beta_difference(0.0, r.sd);

  // Training paths (stream 1): the first crossing time tau and, for each futility level, the
  // first time log E fell to it before tau.
  const std::vector<double> levels = {-0.25, -0.5, -0.75, -1.0, -1.25, -1.5,
                                      -1.75, -2.0, -2.5,  -3.0, -4.0,  -6.0};
  const auto cap =
      static_cast<std::int64_t>(std::ceil(r.max_factor * static_cast<double>(design.fixed_n)));
  const std::int64_t never = cap + 1;
  const auto paths = static_cast<std::size_t>(r.simulations);
  std::vector<std::int64_t> tau(paths, never);
  std::vector<std::vector<std::int64_t>> futile(levels.size(),
                                                std::vector<std::int64_t>(paths, never));
  for (std::size_t p = 0; p < paths; ++p) {
    Xoshiro256 rng(stream_seed(r.seed, 1, p));
    SequentialProgressTest test(o);
    std::size_t next_level = 0;
    double low = 0.0;
    while (!test.finished() && test.pairs() < cap) {
      test.update_difference(alt(rng));
      low = std::min(low, test.log_e_value());
      while (next_level < levels.size() && low <= levels[next_level]) {
        futile[next_level++][p] = test.pairs();
      }
    }
    if (test.decision() != SequentialDecision::kUndecided) tau[p] = test.pairs();
  }
  // Train at one Monte-Carlo standard error above the target, so that fresh paths reach it.
  const double target =
      std::min(1.0, r.power + std::sqrt(r.power * (1.0 - r.power) / static_cast<double>(paths)));
  const auto needed = static_cast<std::size_t>(std::ceil(target * static_cast<double>(paths)));
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j <= levels.size(); ++j) {  // j == size: no futility stop
    std::vector<std::int64_t> ok(paths);
    for (std::size_t p = 0; p < paths; ++p) {
      const std::int64_t f = j < levels.size() ? futile[j][p] : never;
      ok[p] = tau[p] < f ? tau[p] : never;
    }
    std::vector<std::int64_t> sorted = ok;
    std::sort(sorted.begin(), sorted.end());
    if (needed == 0 || sorted[needed - 1] >= never) continue;
    const std::int64_t n_max = sorted[needed - 1];
    double sum = 0.0;
    for (std::size_t p = 0; p < paths; ++p) {
      const std::int64_t f = j < levels.size() ? futile[j][p] : never;
      sum += static_cast<double>(std::min({tau[p], f, n_max}));
    }
    const double mean = sum / static_cast<double>(paths);
    if (mean < best) {
      best = mean;
      o.max_pairs = n_max;
      o.futility_log_e = j < levels.size() ? levels[j] : -std::numeric_limits<double>::infinity();
    }
  }
  if (!std::isfinite(best)) {
    throw std::invalid_argument("progress design: power " + fmt(r.power) +
                                " not reachable within " + std::to_string(cap) +
                                " pairs (raise max_factor)");
  }
  design.options = o;
  // Fresh paths (streams 2 and 3) measure the chosen design.
  const auto at_design = simulate_progress_test(o, alt, r.simulations, stream_seed(r.seed, 2));
  const auto at_null = simulate_progress_test(o, null, r.simulations, stream_seed(r.seed, 3));
  design.power = at_design.p_decided;
  design.expected_pairs = at_design.mean_pairs;
  design.false_positive_rate = at_null.p_decided;
  design.expected_pairs_null = at_null.mean_pairs;
  return design;
}

}  // namespace gauntlet::metrics
