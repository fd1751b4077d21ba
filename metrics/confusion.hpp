// Per-episode agreement of a binary evaluator (a world model's judge) with a
// reference (the simulator): the confusion matrix, sensitivity, specificity,
// balanced accuracy, Cohen's kappa and the "self-correction" rate.
#pragma once

#include <cstdint>
#include <span>

#include "metrics/proportion_interval.hpp"

namespace gauntlet::metrics {

// Counts over paired episodes; "positive" means success. The reference is the
// truth (simulator), the prediction the evaluator under test.
struct ConfusionMatrix {
  std::int64_t true_positive = 0;   // both succeed
  std::int64_t false_positive = 0;  // reference fails, evaluator says success
  std::int64_t false_negative = 0;  // reference succeeds, evaluator says failure
  std::int64_t true_negative = 0;   // both fail
  std::int64_t total() const { return true_positive + false_positive + false_negative + true_negative; }
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

}  // namespace gauntlet::metrics
