// Success rates measured by an imperfect judge (a world model's), corrected for
// the judge's error rates measured on a validation card: the Rogan-Gladen
// estimator and exact (conservative) intervals that carry both the episodes'
// sampling error and the card's uncertainty about the judge.
#pragma once

#include "metrics/confusion.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

// Rogan-Gladen (1978): the true rate p from the apparent rate q the judge
// reports, q = p se + (1 - p)(1 - sp), so p = (q + sp - 1) / (se + sp - 1),
// clipped to [0, 1]. NaN when the judge is uninformative (se + sp <= 1).
double rogan_gladen(double apparent, double sensitivity, double specificity);

// The judge's error rates from a card's paired episodes (positive: the
// simulator's success), with two-sided Clopper-Pearson intervals at `level`.
struct JudgeErrorRates {
  ConfusionMatrix counts;
  double sensitivity = 0.0;  // NaN without simulator successes
  double specificity = 0.0;  // NaN without simulator failures
  Interval sensitivity_ci;   // [0, 1] when undefined
  Interval specificity_ci;
  double youden = 0.0;  // se + sp - 1: the share of the true rate the judge passes on
  double level = 0.95;
};
JudgeErrorRates judge_error_rates(const ConfusionMatrix& card, double level = 0.95);

// The construction: at confidence `level` = 1 - a, the apparent rate's interval
// is taken at 1 - a/2 and each of sensitivity and specificity at 1 - a/4
// (Clopper-Pearson, exact), and the corrected interval is the range of the
// Rogan-Gladen map over that box (it is monotone in each argument, so the
// extremes are at its corners). By Bonferroni the box holds the truth with
// probability >= level, so the interval covers at >= level for any sample
// size; it is conservative. When the box reaches an uninformative judge
// (se + sp <= 1) nothing can be said: [0, 1].
double apparent_level(double level);  // 1 - (1 - level) / 2: the level of the apparent interval
double judge_level(double level);     // 1 - (1 - level) / 4: each of se and sp

// `apparent` is the interval of the judged rate at apparent_level(level).
struct CorrectedInterval {
  Interval interval;
  bool informative = true;  // false: the card cannot exclude se + sp <= 1 ([0, 1] or [-1, 1])
};
CorrectedInterval corrected_rate_interval(const Interval& apparent, const ConfusionMatrix& card,
                                          double level = 0.95);

struct CorrectedRate {
  std::int64_t successes = 0;  // judged successes
  std::int64_t trials = 0;
  double apparent = 0.0;  // successes / trials
  double rate = 0.0;  // Rogan-Gladen, clipped; the apparent rate when the judge is uninformative
  Interval ci;        // corrected, at `level`
  bool informative = true;
  double level = 0.95;
};
// From judged counts: the apparent interval is Clopper-Pearson at apparent_level(level).
CorrectedRate corrected_rate(std::int64_t successes, std::int64_t trials,
                             const ConfusionMatrix& card, double level = 0.95);

// A difference of two rates judged by the same judge: the true difference is
// the apparent one divided by se + sp - 1 (an affine map common to both, so a
// test of "no difference" is unchanged by the correction). `apparent` is the
// difference's interval at apparent_level(level); the result spans the
// corners of [apparent] x [se + sp - 1 at judge_level(level) each], clipped to
// [-1, 1].
double corrected_difference(double apparent_difference, const ConfusionMatrix& card);
CorrectedInterval corrected_difference_interval(const Interval& apparent,
                                                const ConfusionMatrix& card, double level = 0.95);

}  // namespace gauntlet::metrics
