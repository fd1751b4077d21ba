// Success rates judged by an imperfect judge, corrected with a validation
// card's error rates: Rogan-Gladen arithmetic and the exact interval
// construction against closed forms (Clopper-Pearson bounds from scipy), and a
// coverage simulation with known judge errors and known true rates.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "metrics/judge_correction.hpp"
#include "metrics/random.hpp"

using namespace gauntlet::metrics;

namespace {

ConfusionMatrix card(std::int64_t tp, std::int64_t fn, std::int64_t tn, std::int64_t fp) {
  ConfusionMatrix c;
  c.true_positive = tp;
  c.false_negative = fn;
  c.true_negative = tn;
  c.false_positive = fp;
  return c;
}

std::int64_t binomial(Xoshiro256& rng, std::int64_t n, double p) {
  std::int64_t k = 0;
  for (std::int64_t i = 0; i < n; ++i) k += rng.bernoulli(p) ? 1 : 0;
  return k;
}

}  // namespace

TEST_CASE("Rogan-Gladen inverts q = p se + (1 - p)(1 - sp) and clips to [0, 1]",
          "[metrics][judge_correction]") {
  CHECK(rogan_gladen(0.6, 0.9, 0.8) == Approx(0.4 / 0.7).epsilon(1e-12));
  // A judge reporting what it would report for p = 0.3 gives back 0.3.
  const double se = 0.867, sp = 0.708, p = 0.3;
  CHECK(rogan_gladen(p * se + (1 - p) * (1 - sp), se, sp) == Approx(p).epsilon(1e-12));
  CHECK(rogan_gladen(0.1, 0.9, 0.8) == 0.0);  // below the false-positive rate
  CHECK(rogan_gladen(0.95, 0.9, 0.8) == 1.0);
  CHECK(rogan_gladen(0.9, 0.9, 0.9) == Approx(1.0));
  CHECK(std::isnan(rogan_gladen(0.5, 0.5, 0.5)));  // uninformative: se + sp = 1
  CHECK(std::isnan(rogan_gladen(0.5, 0.3, 0.4)));
}

TEST_CASE("The judge's error rates come with Clopper-Pearson intervals (scipy's binomtest)",
          "[metrics][judge_correction]") {
  const JudgeErrorRates e = judge_error_rates(card(900, 100, 800, 200));
  CHECK(e.sensitivity == Approx(0.9));
  CHECK(e.specificity == Approx(0.8));
  CHECK(e.youden == Approx(0.7));
  // scipy.stats.binomtest(900, 1000).proportion_ci(0.95) (method='exact')
  CHECK(e.sensitivity_ci.lo == Approx(0.8797120634813074).epsilon(1e-9));
  CHECK(e.sensitivity_ci.hi == Approx(0.91789466564442).epsilon(1e-9));
  CHECK(e.specificity_ci.lo == Approx(0.7738406271786294).epsilon(1e-9));
  CHECK(e.specificity_ci.hi == Approx(0.8243794251691579).epsilon(1e-9));
  const JudgeErrorRates none = judge_error_rates(card(0, 0, 5, 1));
  CHECK(std::isnan(none.sensitivity));
  CHECK(none.sensitivity_ci.lo == 0.0);
  CHECK(none.sensitivity_ci.hi == 1.0);
}

TEST_CASE(
    "The corrected interval is the Rogan-Gladen range over the Bonferroni box of exact intervals",
    "[metrics][judge_correction]") {
  CHECK(apparent_level(0.95) == Approx(0.975));
  CHECK(judge_level(0.95) == Approx(0.9875));
  // Closed form (scipy): q in CP(60, 100, 0.975), se in CP(900, 1000, 0.9875), sp in
  // CP(800, 1000, 0.9875); min and max of (q + sp - 1) / (se + sp - 1) over the 8 corners.
  const CorrectedRate r = corrected_rate(60, 100, card(900, 100, 800, 200));
  CHECK(r.apparent == Approx(0.6));
  CHECK(r.rate == Approx(0.4 / 0.7).epsilon(1e-12));
  CHECK(r.informative);
  CHECK(r.ci.lo == Approx(0.36247876958943914).epsilon(1e-8));
  CHECK(r.ci.hi == Approx(0.7661601458092687).epsilon(1e-8));

  // The card of the wm-demo's size: the low corner falls below 0 and is clipped.
  const CorrectedRate small = corrected_rate(10, 25, card(52, 8, 46, 19));
  CHECK(small.rate == Approx(0.1875).epsilon(1e-12));
  CHECK(small.ci.lo == 0.0);
  CHECK(small.ci.hi == Approx(0.8533179779805706).epsilon(1e-8));

  // A perfect judge known exactly reduces to the Clopper-Pearson interval at 1 - a/2.
  const CorrectedRate perfect = corrected_rate(10, 25, card(1'000'000, 0, 1'000'000, 0));
  CHECK(perfect.rate == Approx(0.4));
  CHECK(perfect.ci.lo == Approx(0.19072313439894376).epsilon(1e-4));
  CHECK(perfect.ci.hi == Approx(0.6397264175207011).epsilon(1e-4));

  // A card that cannot exclude a coin-flip judge says nothing.
  const CorrectedRate coin = corrected_rate(10, 25, card(6, 4, 6, 4));
  CHECK_FALSE(coin.informative);
  CHECK(coin.ci.lo == 0.0);
  CHECK(coin.ci.hi == 1.0);
  CHECK(coin.rate == Approx(0.0));  // Rogan-Gladen at the point estimates, but flagged

  CHECK_THROWS_AS(corrected_rate(3, 2, card(1, 1, 1, 1)), std::invalid_argument);
  CHECK_THROWS_AS(corrected_rate(1, 2, card(-1, 1, 1, 1)), std::invalid_argument);
}

TEST_CASE("A difference judged by one judge is divided by se + sp - 1 over the J interval's ends",
          "[metrics][judge_correction]") {
  const ConfusionMatrix c = card(52, 8, 46, 19);
  CHECK(corrected_difference(0.2, c) == Approx(0.2 / (52.0 / 60 + 46.0 / 65 - 1)).epsilon(1e-12));
  // scipy: J in [se_lo + sp_lo - 1, se_hi + sp_hi - 1] at 0.9875 each; corners of d / J.
  const CorrectedInterval d = corrected_difference_interval({-0.3, 0.1}, c);
  CHECK(d.interval.lo == -1.0);  // -1.111 clipped
  CHECK(d.interval.hi == Approx(0.37044327146625006).epsilon(1e-8));
  const CorrectedInterval coin = corrected_difference_interval({0.1, 0.2}, card(6, 4, 6, 4));
  CHECK_FALSE(coin.informative);
  CHECK(coin.interval.lo == -1.0);
}

TEST_CASE(
    "Coverage: with known judge errors and true rates the corrected intervals cover at >= 95% "
    "where the judged (uncorrected) ones do not",
    "[metrics][judge_correction][simulation]") {
  // The wm-demo's judge: sensitivity 0.867, specificity 0.708, measured on a card of 60
  // simulator successes and 65 failures; each policy judged on 25 episodes.
  const double se = 0.867, sp = 0.708;
  const std::int64_t card_pos = 60, card_neg = 65, episodes = 25;
  const int reps = 1500;
  const double nominal = 0.95;
  const double mc_se = std::sqrt(nominal * (1 - nominal) / reps);  // about 0.0056
  Xoshiro256 rng(20261203);
  double worst_uncorrected = 1.0;
  for (const double p : {0.0, 0.04, 0.4, 0.8, 0.96}) {
    const double q = p * se + (1 - p) * (1 - sp);
    int covered = 0, covered_raw = 0;
    for (int i = 0; i < reps; ++i) {
      const std::int64_t tp = binomial(rng, card_pos, se);
      const std::int64_t tn = binomial(rng, card_neg, sp);
      const std::int64_t k = binomial(rng, episodes, q);
      const CorrectedRate r =
          corrected_rate(k, episodes, card(tp, card_pos - tp, tn, card_neg - tn));
      covered += (r.ci.lo <= p && p <= r.ci.hi) ? 1 : 0;
      const Interval raw = wilson_interval(k, episodes);
      covered_raw += (raw.lo <= p && p <= raw.hi) ? 1 : 0;
    }
    const double coverage = static_cast<double>(covered) / reps;
    const double coverage_raw = static_cast<double>(covered_raw) / reps;
    INFO("true rate " << p << ": corrected coverage " << coverage << ", uncorrected "
                      << coverage_raw);
    CHECK(coverage >= nominal - 3 * mc_se);
    worst_uncorrected = std::min(worst_uncorrected, coverage_raw);
  }
  // A weak policy's judged rate (0.04 true, 0.31 judged) is never covered uncorrected.
  CHECK(worst_uncorrected < nominal - 10 * mc_se);
}
