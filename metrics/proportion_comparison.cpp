#include "metrics/proportion_comparison.hpp"

#include <stdexcept>
#include <string>

#include "metrics/effect_size.hpp"
#include "metrics/fisher_exact.hpp"
#include "metrics/two_by_two.hpp"
#include "metrics/unconditional_exact.hpp"

namespace gauntlet::metrics {

UnpairedTest parse_unpaired_test(std::string_view name) {
  if (name == "fisher") return UnpairedTest::kFisher;
  if (name == "barnard") return UnpairedTest::kBarnard;
  if (name == "boschloo") return UnpairedTest::kBoschloo;
  throw std::invalid_argument("unknown test '" + std::string(name) +
                              "'; expected one of: fisher, barnard, boschloo");
}

std::string_view to_string(UnpairedTest test) {
  switch (test) {
    case UnpairedTest::kFisher:
      return "fisher";
    case UnpairedTest::kBarnard:
      return "barnard";
    case UnpairedTest::kBoschloo:
      return "boschloo";
  }
  return "?";
}

ProportionComparison compare_proportions(std::int64_t ka, std::int64_t na, std::int64_t kb,
                                         std::int64_t nb, UnpairedTest test,
                                         Alternative alternative, double level) {
  if (na < 1 || nb < 1) {
    throw std::invalid_argument("compare proportions: both policies need at least one episode");
  }
  const auto table = TwoByTwo::from_proportions(kb, nb, ka, na);
  ProportionComparison out;
  out.test = test;
  out.alternative = alternative;
  out.rate_a = static_cast<double>(ka) / static_cast<double>(na);
  out.rate_b = static_cast<double>(kb) / static_cast<double>(nb);
  switch (test) {
    case UnpairedTest::kFisher: {
      const auto r = fisher_exact(table, alternative);
      out.statistic = r.statistic;
      out.p_value = r.p_value;
      break;
    }
    case UnpairedTest::kBarnard: {
      const auto r = barnard_exact(table, alternative);
      out.statistic = r.statistic;
      out.p_value = r.p_value;
      break;
    }
    case UnpairedTest::kBoschloo: {
      const auto r = boschloo_exact(table, alternative);
      out.statistic = r.statistic;
      out.p_value = r.p_value;
      break;
    }
  }
  const auto rd = risk_difference(kb, nb, ka, na, level);
  out.difference = rd.difference;
  out.difference_interval = rd.interval;
  out.cohens_h = rd.cohens_h;
  return out;
}

}  // namespace gauntlet::metrics
