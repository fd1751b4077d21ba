// Per-episode agreement of a binary evaluator (a world model's judge) with a
// reference (the simulator): the confusion matrix, sensitivity, specificity,
// balanced accuracy, Cohen's kappa and the "self-correction" rate; ensemble
// votes and the accuracy left after discarding the most uncertain episodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

// Counts over paired episodes; "positive" means success. The reference is the
// truth (simulator), the prediction the evaluator under test.
struct ConfusionMatrix {
  std::int64_t true_positive = 0;   // both succeed
  std::int64_t false_positive = 0;  // reference fails, evaluator says success
  std::int64_t false_negative = 0;  // reference succeeds, evaluator says failure
  std::int64_t true_negative = 0;   // both fail
  std::int64_t total() const {
    return true_positive + false_positive + false_negative + true_negative;
  }
  // Counts one paired episode.
  void add(bool reference, bool predicted) {
    if (reference) {
      (predicted ? true_positive : false_negative) += 1;
    } else {
      (predicted ? false_positive : true_negative) += 1;
    }
  }
};

// Throws std::invalid_argument when the spans differ in length.
ConfusionMatrix confusion_matrix(std::span<const bool> reference, std::span<const bool> predicted);

struct BinaryAgreement {
  ConfusionMatrix counts;
  double accuracy = 0.0;
  double sensitivity = 0.0;        // TP / (TP + FN): reference successes the evaluator confirms
  double specificity = 0.0;        // TN / (TN + FP)
  double balanced_accuracy = 0.0;  // (sensitivity + specificity) / 2
  // FP / (FP + TN): a failed reference episode turned into a success, the
  // "self-correction" (or hallucinated success) of world-model evaluations.
  double self_correction = 0.0;
  double cohen_kappa = 0.0;
  // Wilson intervals at `level` for the three rates.
  Interval sensitivity_ci;
  Interval specificity_ci;
  Interval self_correction_ci;
  double level = 0.95;
};

// Rates with an empty denominator are NaN (their interval is [0, 1]);
// kappa is NaN when the expected agreement is 1.
BinaryAgreement binary_agreement(const ConfusionMatrix& counts, double level = 0.95);

// The verdict of an ensemble of binary evaluators of which `yes` of `members`
// say success: success when at least half do (a tie counts as success).
bool majority_vote(std::int64_t yes, std::int64_t members);

// How much the members disagree: m (1 - m) for the fraction m that say
// success; 0 when unanimous, 0.25 at an even split.
double vote_disagreement(std::int64_t yes, std::int64_t members);

// One episode as selective accuracy sees it: how uncertain the evaluator was
// about it, a tie-break (larger: more uncertain, e.g. the spread of the
// members' progress), whether the evaluator agreed with the reference, and
// the cell it belongs to (e.g. a (policy, task) index).
struct JudgedEpisode {
  double uncertainty = 0.0;
  double tiebreak = 0.0;
  bool correct = false;
  std::size_t cell = 0;
};

struct SelectiveAccuracy {
  double discard_fraction = 0.0;
  std::int64_t kept = 0;
  double accuracy_kept = 0.0;       // NaN when nothing is kept
  double accuracy_discarded = 0.0;  // NaN when nothing is discarded
  std::vector<bool> kept_mask;      // per input episode
};

// "Discard the most uncertain fraction q" for each q of `discard_fractions`:
// round(q n) episodes are dropped, most uncertain first (ties: larger
// tie-break first, then input order), except that the last episode of a cell
// is never dropped (the next most uncertain is), so every cell keeps a score.
// A useful uncertainty makes accuracy_kept rise with q.
std::vector<SelectiveAccuracy> selective_accuracy(std::span<const JudgedEpisode> episodes,
                                                  std::span<const double> discard_fractions);

}  // namespace gauntlet::metrics
