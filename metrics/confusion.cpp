#include "metrics/confusion.hpp"

#include <limits>
#include <stdexcept>

namespace gauntlet::metrics {
namespace {

double ratio(std::int64_t k, std::int64_t n) {
  return n == 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(k) / static_cast<double>(n);
}

}  // namespace

ConfusionMatrix confusion_matrix(std::span<const bool> reference, std::span<const bool> predicted) {
  if (reference.size() != predicted.size()) {
    throw std::invalid_argument("confusion_matrix: " + std::to_string(reference.size()) + " reference outcomes but " +
                                std::to_string(predicted.size()) + " predictions");
  }
  ConfusionMatrix m;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    if (reference[i]) {
      (predicted[i] ? m.true_positive : m.false_negative) += 1;
    } else {
      (predicted[i] ? m.false_positive : m.true_negative) += 1;
    }
  }
  return m;
}

BinaryAgreement binary_agreement(const ConfusionMatrix& c, double level) {
  BinaryAgreement a;
  a.counts = c;
  a.level = level;
  const std::int64_t n = c.total();
  const std::int64_t pos = c.true_positive + c.false_negative;
  const std::int64_t neg = c.true_negative + c.false_positive;
  a.accuracy = ratio(c.true_positive + c.true_negative, n);
  a.sensitivity = ratio(c.true_positive, pos);
  a.specificity = ratio(c.true_negative, neg);
  a.balanced_accuracy = 0.5 * (a.sensitivity + a.specificity);
  a.self_correction = ratio(c.false_positive, neg);
  a.sensitivity_ci = wilson_interval(c.true_positive, pos, level);
  a.specificity_ci = wilson_interval(c.true_negative, neg, level);
  a.self_correction_ci = wilson_interval(c.false_positive, neg, level);
  if (n == 0) {
    a.cohen_kappa = std::numeric_limits<double>::quiet_NaN();
  } else {
    const double po = a.accuracy;
    const double ref_yes = static_cast<double>(pos) / static_cast<double>(n);
    const double pred_yes = static_cast<double>(c.true_positive + c.false_positive) / static_cast<double>(n);
    const double pe = ref_yes * pred_yes + (1 - ref_yes) * (1 - pred_yes);
    a.cohen_kappa = pe >= 1.0 ? std::numeric_limits<double>::quiet_NaN() : (po - pe) / (1 - pe);
  }
  return a;
}

}  // namespace gauntlet::metrics
