// Anytime-valid sequential comparison of two policies on paired binary outcomes: look after
// every episode pair, stop as soon as the evidence suffices, type-I error <= alpha regardless.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "metrics/alternative.hpp"

namespace gauntlet::metrics {

enum class SequentialDecision { kUndecided, kBBetter, kBWorse };
std::string_view to_string(SequentialDecision decision);

// Why a test stopped asking for pairs.
enum class SequentialStop { kRunning, kDecided, kFutility, kBudget };
std::string_view to_string(SequentialStop stop);

struct SequentialOptions {
  double alpha = 0.05;  // total type-I error; two-sided: each direction gets alpha / 2
  // Which decisions the test can reach: kTwoSided ("B better" and "B worse", alpha / 2 each),
  // kGreater ("B better" only, at alpha) or kLess ("B worse" only, at alpha).
  Alternative alternative = Alternative::kTwoSided;
  std::int64_t budget = 0;  // most episode pairs before stopping undecided; 0 = no budget
  // The smallest effect worth detecting, as q1 = P(B wins | discordant pair) > 1/2 (see
  // design_win_share). Set: the e-processes are the likelihood ratios of q1 (and 1 - q1)
  // against 1/2 and the futility rule is on. NaN: a mixture over q with prior Beta(c, c) on
  // each half, for when no effect size is known.
  double design_win_share = std::numeric_limits<double>::quiet_NaN();
  double prior_concentration = 1.0;  // c of the mixture (c = 1: uniform)
  // Design only: stop undecided ("no effect of the design size") once both likelihood ratios
  // fall to futility_beta / (1 - alpha / 2) (Wald's lower boundary). 0 disables. Stopping for
  // futility never raises the type-I error, and the threshold below ignores it (non-binding).
  double futility_beta = 0.2;
  // With a budget: lower the decision threshold from Ville's 2 / alpha to the exact value at
  // which the chance of ever crossing within `budget` discordant pairs is alpha / 2 under
  // q = 1/2 (computed by dynamic programming; the worst case over every discordance rate).
  bool calibrate = true;
  // Set by design_sequential_test (NaN / 0: unset). `threshold` replaces the calibrated or
  // Ville threshold on E; `futility_threshold` replaces futility_beta / (1 - alpha_side): stop
  // undecided once every tested direction's E is <= it. A designed threshold accounts for the
  // futility stop (binding: the type-I error is exact for a runner that stops when told).
  // `max_discordant`: stop undecided ("budget") after this many discordant pairs.
  double threshold = std::numeric_limits<double>::quiet_NaN();
  double futility_threshold = std::numeric_limits<double>::quiet_NaN();
  std::int64_t max_discordant = 0;
};

// Throws std::invalid_argument when alpha is not in (0, 1), budget < 0, the concentration is
// not positive, a design share is not in (1/2, 1) or futility_beta is not in [0, 1).
void validate(const SequentialOptions& options);

// q1 = P(B wins | discordant) for success rates p_a < p_b and a discordance rate
// D = P(exactly one succeeds) (NaN: independent policies): q1 = (D + p_b - p_a) / (2 D).
double design_win_share(double p_a, double p_b,
                        double discordance = std::numeric_limits<double>::quiet_NaN());

// The evidence after w wins of B and l wins of A on discordant pairs, as log E+ ("B better");
// log E- is log_evidence(l, w, options). Without a design:
//     E+ = integral over q in (1/2, 1] of (2q)^w (2(1 - q))^l prior(dq);
// with a design q1: E+ = (2 q1)^w (2 (1 - q1))^l. Under H0 (q <= 1/2 for every discordant pair
// given the past) E+ is a nonnegative supermartingale with E+_0 = 1.
double log_evidence(std::int64_t b_wins, std::int64_t a_wins, const SequentialOptions& options);

// The decision threshold on E+ and E-: 2 / alpha (Ville's inequality), or the calibrated value
// for the budget (never larger).
double decision_threshold(const SequentialOptions& options);

// Only discordant pairs (exactly one policy succeeds) carry information. The test declares
// "B better" at the first pair where E+ reaches the threshold, "B worse" where E- does; by
// Ville's inequality (or the exact calibration) the chance of any false declaration is at most
// alpha whenever the runner stops, as long as it does not go past the budget.
class SequentialPairedTest {
 public:
  explicit SequentialPairedTest(SequentialOptions options = {});

  // Records one episode pair and returns the decision, final once reached. After the test has
  // stopped (decided, futile or out of budget) further pairs are counted but change nothing.
  SequentialDecision update(bool a_success, bool b_success);

  SequentialDecision decision() const { return decision_; }
  SequentialStop stop() const { return stop_; }
  bool finished() const { return stop_ != SequentialStop::kRunning; }

  std::int64_t pairs() const { return pairs_; }
  std::int64_t a_wins() const { return a_wins_; }          // A succeeded, B failed
  std::int64_t b_wins() const { return b_wins_; }          // B succeeded, A failed
  std::int64_t stopped_at() const { return stopped_at_; }  // pairs when it stopped, else 0

  double e_value_b_better() const;  // E+ now
  double e_value_b_worse() const;   // E- now
  // Ville's bound min(1, k / largest E seen), k = 2 two-sided, 1 one-sided: anytime-valid for
  // any stopping time, but a calibrated or designed test decides below 2 / alpha, so it can
  // exceed alpha when the test has decided. Print exact_p_value() next to a decision.
  double p_value() const;
  // Anytime-valid p-value, consistent with the decision: p <= alpha exactly when the test has
  // decided. With a horizon (a designed test's max_discordant, or a calibrated budget) it is
  // the exact chance under q = 1/2 that the test, its threshold raised to the largest evidence
  // seen so far, decides within the horizon (both directions for two-sided; the same futility
  // rule: the designed one, none for a calibrated budget); computed by dynamic programming,
  // O(horizon^1.5). Without a horizon it is Ville's bound min(1, k / largest E), k = 2
  // two-sided, 1 one-sided. Valid for any stopping time within the horizon.
  double exact_p_value() const;
  double threshold() const { return std::exp(log_threshold_); }
  const SequentialOptions& options() const { return options_; }

 private:
  SequentialOptions options_;
  double log_threshold_ = 0.0;
  std::int64_t pairs_ = 0;
  std::int64_t counted_ = 0;  // pairs that went into the evidence
  std::int64_t a_wins_ = 0;
  std::int64_t b_wins_ = 0;
  std::int64_t stopped_at_ = 0;
  double max_log_e_ = 0.0;
  SequentialDecision decision_ = SequentialDecision::kUndecided;
  SequentialStop stop_ = SequentialStop::kRunning;
};

// The test as a table over m discordant pairs: "B better" once b_wins >= upper[m], "B worse"
// once b_wins <= lower[m] (upper > m or lower < 0 where impossible), futile while
// futile_lo[m] <= b_wins <= futile_hi[m] (empty when futile_lo > futile_hi). Equivalent to the
// class, used by the simulations.
struct SequentialBoundary {
  double log_threshold = 0.0;
  std::vector<std::int64_t> upper;
  std::vector<std::int64_t> lower;
  std::vector<std::int64_t> futile_lo;
  std::vector<std::int64_t> futile_hi;
};
SequentialBoundary sequential_boundary(std::int64_t max_discordant,
                                       const SequentialOptions& options);

// Exact operating characteristics of a boundary table when every discordant pair is a B win
// with probability q, independently: the chance of each way of stopping within the table's
// max_discordant pairs (truncated: reached the end undecided) and the expected discordant
// pairs used. Dynamic programming over (pairs, B wins), O(max_discordant x width of the
// continuation region). Under q = 1/2 this is the type-I error for every discordance rate.
struct SequentialCrossing {
  double p_b_better = 0.0;
  double p_b_worse = 0.0;
  double p_futility = 0.0;
  double p_truncated = 0.0;
  double expected_discordant = 0.0;
};
SequentialCrossing sequential_crossing(const SequentialBoundary& boundary, double q);

}  // namespace gauntlet::metrics
