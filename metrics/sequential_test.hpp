// Anytime-valid sequential comparison of two policies on paired binary outcomes: look after
// every episode pair, stop as soon as the evidence suffices, type-I error <= alpha regardless.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace gauntlet::metrics {

enum class SequentialDecision { kUndecided, kBBetter, kBWorse };
std::string_view to_string(SequentialDecision decision);

struct SequentialOptions {
  double alpha = 0.05;      // total type-I error; each direction gets alpha / 2
  std::int64_t budget = 0;  // most episode pairs before giving up undecided; 0 = no budget
  // The mixture prior over q = P(B wins | discordant pair) is Beta(c, c) restricted to each half
  // (q > 1/2 for "B better", q < 1/2 for "B worse"). c = 1 is uniform; larger c puts more weight
  // near 1/2 (small effects) at some cost for large ones. See docs/statistics.md for the choice.
  double prior_concentration = 1.0;
};

// Throws std::invalid_argument when alpha is not in (0, 1), budget < 0 or the concentration
// is not positive.
void validate(const SequentialOptions& options);

// Only discordant pairs (exactly one policy succeeds) carry information. Under H0 (B no better
// than A on every episode: q <= 1/2 for each discordant pair given the past) the mixture
// likelihood ratio
//     E+_n = integral over q in (1/2, 1] of (2q)^w (2(1 - q))^l  prior(dq)
// (w = B wins, l = A wins) is a nonnegative supermartingale with E+_0 = 1, so by Ville's
// inequality P(ever E+_n >= 2 / alpha) <= alpha / 2. E- mirrors it for "B worse". Deciding at the
// first crossing keeps the total type-I error at alpha under any optional stopping.
class SequentialPairedTest {
 public:
  explicit SequentialPairedTest(SequentialOptions options = {});

  // Records one episode pair and returns the decision, which is final once reached: further
  // pairs are counted but change nothing. Also kUndecided once the budget is spent (see
  // finished()).
  SequentialDecision update(bool a_success, bool b_success);

  SequentialDecision decision() const { return decision_; }
  // Decided, or out of budget (the runner should stop in both cases).
  bool finished() const;
  bool budget_exhausted() const;

  std::int64_t pairs() const { return pairs_; }
  std::int64_t a_wins() const { return a_wins_; }  // A succeeded, B failed
  std::int64_t b_wins() const { return b_wins_; }  // B succeeded, A failed
  std::int64_t decided_at() const { return decided_at_; }  // pairs when decided, else 0

  double e_value_b_better() const;  // E+ now
  double e_value_b_worse() const;   // E- now
  // Anytime-valid two-sided p-value: min(1, 2 / largest E seen so far).
  double p_value() const;
  double threshold() const { return 2.0 / options_.alpha; }
  const SequentialOptions& options() const { return options_; }

 private:
  SequentialOptions options_;
  std::int64_t pairs_ = 0;
  std::int64_t a_wins_ = 0;
  std::int64_t b_wins_ = 0;
  std::int64_t decided_at_ = 0;
  double max_log_e_ = 0.0;
  SequentialDecision decision_ = SequentialDecision::kUndecided;
};

// log E+ after w wins of B and l wins of A (E- is log_e_b_better(l, w, ...)).
double log_e_b_better(std::int64_t b_wins, std::int64_t a_wins, double prior_concentration);

// The test as a table: for m discordant pairs, B is declared better once b_wins >= upper[m]
// and worse once b_wins <= lower[m] (-1 / m + 1 where impossible). Equivalent to the class,
// used for fast simulation.
struct SequentialBoundary {
  std::vector<std::int64_t> upper;
  std::vector<std::int64_t> lower;
};
SequentialBoundary sequential_boundary(std::int64_t max_discordant,
                                       const SequentialOptions& options);

}  // namespace gauntlet::metrics
