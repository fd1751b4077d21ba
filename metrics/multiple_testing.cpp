#include "metrics/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace gauntlet::metrics {
namespace {

std::vector<std::size_t> ascending_order(std::span<const double> p) {
  for (double v : p) {
    if (!(v >= 0.0 && v <= 1.0)) {
      throw std::invalid_argument("p-value adjustment: every p-value must be in [0, 1], got " +
                                  std::to_string(v));
    }
  }
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return p[i] < p[j]; });
  return order;
}

}  // namespace

Adjustment parse_adjustment(std::string_view name) {
  if (name == "none") return Adjustment::kNone;
  if (name == "holm") return Adjustment::kHolm;
  if (name == "bh" || name == "fdr_bh" || name == "benjamini-hochberg") {
    return Adjustment::kBenjaminiHochberg;
  }
  throw std::invalid_argument("unknown p-value adjustment '" + std::string(name) +
                              "'; expected one of: none, holm, bh");
}

std::string_view to_string(Adjustment adjustment) {
  switch (adjustment) {
    case Adjustment::kNone:
      return "none";
    case Adjustment::kHolm:
      return "holm";
    case Adjustment::kBenjaminiHochberg:
      return "bh";
  }
  return "?";
}

std::vector<double> holm_adjust(std::span<const double> p) {
  const auto order = ascending_order(p);
  const std::size_t m = p.size();
  std::vector<double> out(m);
  double running = 0.0;
  for (std::size_t r = 0; r < m; ++r) {
    // Step-down: the r-th smallest p-value is multiplied by (m - r), then made monotone.
    running = std::max(running, p[order[r]] * static_cast<double>(m - r));
    out[order[r]] = std::min(1.0, running);
  }
  return out;
}

std::vector<double> benjamini_hochberg_adjust(std::span<const double> p) {
  const auto order = ascending_order(p);
  const std::size_t m = p.size();
  std::vector<double> out(m);
  double running = 1.0;
  for (std::size_t r = m; r-- > 0;) {
    // Step-up: p_(r) * m / r, made monotone from the largest down.
    const double raw = p[order[r]] * static_cast<double>(m) / static_cast<double>(r + 1);
    running = std::min(running, raw);
    out[order[r]] = std::min(1.0, running);
  }
  return out;
}

std::vector<double> adjust_p_values(std::span<const double> p, Adjustment adjustment) {
  switch (adjustment) {
    case Adjustment::kNone: {
      ascending_order(p);  // validates
      return {p.begin(), p.end()};
    }
    case Adjustment::kHolm:
      return holm_adjust(p);
    case Adjustment::kBenjaminiHochberg:
      return benjamini_hochberg_adjust(p);
  }
  return {};
}

}  // namespace gauntlet::metrics
