#include "metrics/confusion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {
namespace {

double ratio(std::int64_t k, std::int64_t n) {
  return n == 0 ? std::numeric_limits<double>::quiet_NaN()
                : static_cast<double>(k) / static_cast<double>(n);
}

double mean(const std::vector<double>& v) {
  return v.empty() ? std::numeric_limits<double>::quiet_NaN()
                   : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace

ConfusionMatrix confusion_matrix(std::span<const bool> reference, std::span<const bool> predicted) {
  if (reference.size() != predicted.size()) {
    throw std::invalid_argument("confusion_matrix: " + std::to_string(reference.size()) +
                                " reference outcomes but " + std::to_string(predicted.size()) +
                                " predictions");
  }
  ConfusionMatrix m;
  for (std::size_t i = 0; i < reference.size(); ++i) m.add(reference[i], predicted[i]);
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
    const double pred_yes =
        static_cast<double>(c.true_positive + c.false_positive) / static_cast<double>(n);
    const double pe = ref_yes * pred_yes + (1 - ref_yes) * (1 - pred_yes);
    a.cohen_kappa = pe >= 1.0 ? std::numeric_limits<double>::quiet_NaN() : (po - pe) / (1 - pe);
  }
  return a;
}

bool majority_vote(std::int64_t yes, std::int64_t members) {
  return 2 * yes >= members;
}

double vote_disagreement(std::int64_t yes, std::int64_t members) {
  if (members <= 0) return 0.0;
  const double m = static_cast<double>(yes) / static_cast<double>(members);
  return m * (1 - m);
}

std::vector<SelectiveAccuracy> selective_accuracy(std::span<const JudgedEpisode> episodes,
                                                  std::span<const double> discard_fractions) {
  std::vector<std::size_t> order(episodes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Most uncertain first; ties keep the input order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const JudgedEpisode& x = episodes[a];
    const JudgedEpisode& y = episodes[b];
    return x.uncertainty != y.uncertainty ? x.uncertainty > y.uncertainty : x.tiebreak > y.tiebreak;
  });
  std::map<std::size_t, std::size_t> cell_sizes;
  for (const JudgedEpisode& e : episodes) ++cell_sizes[e.cell];
  std::vector<SelectiveAccuracy> rows;
  for (const double q : discard_fractions) {
    const auto drop =
        static_cast<std::size_t>(std::llround(q * static_cast<double>(episodes.size())));
    SelectiveAccuracy row;
    row.discard_fraction = q;
    row.kept_mask.assign(episodes.size(), true);
    std::map<std::size_t, std::size_t> left = cell_sizes;
    std::vector<double> kept, dropped;
    for (const std::size_t i : order) {
      std::size_t& cell = left[episodes[i].cell];
      const double correct = episodes[i].correct ? 1.0 : 0.0;
      if (dropped.size() < drop && cell > 1) {
        --cell;
        row.kept_mask[i] = false;
        dropped.push_back(correct);
      } else {
        kept.push_back(correct);
      }
    }
    row.kept = static_cast<std::int64_t>(kept.size());
    row.accuracy_kept = mean(kept);
    row.accuracy_discarded = mean(dropped);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace gauntlet::metrics
