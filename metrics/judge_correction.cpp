#include "metrics/judge_correction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace gauntlet::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_level(double level) {
  if (!(level > 0.0 && level < 1.0)) {
    throw std::invalid_argument("judge correction: level must be in (0, 1)");
  }
}

void check_counts(const ConfusionMatrix& c) {
  if (c.true_positive < 0 || c.false_positive < 0 || c.false_negative < 0 || c.true_negative < 0) {
    throw std::invalid_argument("judge correction: negative counts in the card");
  }
}

// The box of sensitivity and specificity at judge_level(level).
struct JudgeBox {
  Interval se, sp;
};
JudgeBox judge_box(const ConfusionMatrix& card, double level) {
  check_counts(card);
  const double l = judge_level(level);
  const auto& c = card;
  return {proportion_interval(c.true_positive, c.true_positive + c.false_negative,
                              ProportionMethod::kClopperPearson, l),
          proportion_interval(c.true_negative, c.true_negative + c.false_positive,
                              ProportionMethod::kClopperPearson, l)};
}

double unclipped(double q, double se, double sp) {
  return (q + sp - 1.0) / (se + sp - 1.0);
}

}  // namespace

double rogan_gladen(double apparent, double sensitivity, double specificity) {
  const double j = sensitivity + specificity - 1.0;
  if (!(j > 0.0) || std::isnan(apparent)) return kNaN;
  return std::clamp(unclipped(apparent, sensitivity, specificity), 0.0, 1.0);
}

double apparent_level(double level) {
  return 1.0 - (1.0 - level) / 2.0;
}
double judge_level(double level) {
  return 1.0 - (1.0 - level) / 4.0;
}

JudgeErrorRates judge_error_rates(const ConfusionMatrix& card, double level) {
  check_level(level);
  check_counts(card);
  JudgeErrorRates r;
  r.counts = card;
  r.level = level;
  const std::int64_t pos = card.true_positive + card.false_negative;
  const std::int64_t neg = card.true_negative + card.false_positive;
  r.sensitivity = pos > 0 ? static_cast<double>(card.true_positive) / pos : kNaN;
  r.specificity = neg > 0 ? static_cast<double>(card.true_negative) / neg : kNaN;
  r.sensitivity_ci =
      proportion_interval(card.true_positive, pos, ProportionMethod::kClopperPearson, level);
  r.specificity_ci =
      proportion_interval(card.true_negative, neg, ProportionMethod::kClopperPearson, level);
  r.youden = r.sensitivity + r.specificity - 1.0;
  return r;
}

CorrectedInterval corrected_rate_interval(const Interval& apparent, const ConfusionMatrix& card,
                                          double level) {
  check_level(level);
  const JudgeBox box = judge_box(card, level);
  if (!(box.se.lo + box.sp.lo - 1.0 > 0.0)) return {{0.0, 1.0}, false};
  // Increasing in q; in sp when q < se, decreasing in se when q > 1 - sp: the
  // extremes over the box lie at its corners.
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const double q : {apparent.lo, apparent.hi}) {
    for (const double se : {box.se.lo, box.se.hi}) {
      for (const double sp : {box.sp.lo, box.sp.hi}) {
        const double p = unclipped(q, se, sp);
        lo = std::min(lo, p);
        hi = std::max(hi, p);
      }
    }
  }
  return {{std::clamp(lo, 0.0, 1.0), std::clamp(hi, 0.0, 1.0)}, true};
}

CorrectedRate corrected_rate(std::int64_t successes, std::int64_t trials,
                             const ConfusionMatrix& card, double level) {
  check_level(level);
  if (trials < 0 || successes < 0 || successes > trials) {
    throw std::invalid_argument("judge correction: need 0 <= successes <= trials");
  }
  CorrectedRate r;
  r.successes = successes;
  r.trials = trials;
  r.level = level;
  r.apparent = trials > 0 ? static_cast<double>(successes) / trials : 0.0;
  const Interval apparent = proportion_interval(
      successes, trials, ProportionMethod::kClopperPearson, apparent_level(level));
  const CorrectedInterval c = corrected_rate_interval(apparent, card, level);
  r.ci = c.interval;
  r.informative = c.informative;
  const JudgeErrorRates e = judge_error_rates(card, level);
  const double p = rogan_gladen(r.apparent, e.sensitivity, e.specificity);
  r.rate = std::isnan(p) ? r.apparent : p;
  if (!std::isnan(p)) r.rate = std::clamp(r.rate, r.ci.lo, r.ci.hi);
  return r;
}

double corrected_difference(double apparent_difference, const ConfusionMatrix& card) {
  const JudgeErrorRates e = judge_error_rates(card);
  if (!(e.youden > 0.0)) return kNaN;
  return std::clamp(apparent_difference / e.youden, -1.0, 1.0);
}

CorrectedInterval corrected_difference_interval(const Interval& apparent,
                                                const ConfusionMatrix& card, double level) {
  check_level(level);
  const JudgeBox box = judge_box(card, level);
  const double j_lo = box.se.lo + box.sp.lo - 1.0;
  const double j_hi = box.se.hi + box.sp.hi - 1.0;
  if (!(j_lo > 0.0)) return {{-1.0, 1.0}, false};
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const double d : {apparent.lo, apparent.hi}) {
    for (const double j : {j_lo, j_hi}) {
      lo = std::min(lo, d / j);
      hi = std::max(hi, d / j);
    }
  }
  return {{std::clamp(lo, -1.0, 1.0), std::clamp(hi, -1.0, 1.0)}, true};
}

}  // namespace gauntlet::metrics
