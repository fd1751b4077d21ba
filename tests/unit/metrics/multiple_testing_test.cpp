#include <catch2/catch.hpp>
#include <sstream>

#include "metrics/multiple_testing.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;

TEST_CASE("Holm and Benjamini-Hochberg equal statsmodels multipletests",
          "[metrics][multitest][golden]") {
  const std::vector<std::vector<double>> families{{0.01, 0.04, 0.03, 0.005, 0.5},
                                                  {0.02, 0.02, 0.02, 0.9},
                                                  {0.0, 1.0, 0.3, 0.049, 0.051, 0.2, 0.2, 0.001},
                                                  {0.7},
                                                  {0.04, 0.03, 0.02, 0.01}};
  std::ostringstream in;
  in << "family,p\n";
  for (std::size_t f = 0; f < families.size(); ++f) {
    for (double p : families[f])
      in << f << "," << gauntlet::metrics::test::format_double(p) << "\n";
  }
  const auto golden = gauntlet::metrics::test::run_golden("multitest", in.str());
  if (!golden) return;
  for (std::size_t i = 0; i < golden->rows.size(); ++i) {
    const auto f = static_cast<std::size_t>(golden->number(i, "family"));
    const auto k = static_cast<std::size_t>(golden->number(i, "index"));
    INFO("family " << f << " index " << k);
    CHECK(holm_adjust(families[f])[k] == Approx(golden->number(i, "holm")).margin(1e-15));
    CHECK(benjamini_hochberg_adjust(families[f])[k] ==
          Approx(golden->number(i, "bh")).margin(1e-15));
  }
}

TEST_CASE("Adjusted p-values reject invalid input and parse method names", "[metrics][multitest]") {
  const std::vector<double> bad{0.1, 1.5};
  CHECK_THROWS_AS(holm_adjust(bad), std::invalid_argument);
  CHECK(parse_adjustment("holm") == Adjustment::kHolm);
  CHECK(parse_adjustment("fdr_bh") == Adjustment::kBenjaminiHochberg);
  CHECK_THROWS_WITH(parse_adjustment("bonferroni"), Catch::Contains("none, holm, bh"));
  CHECK(holm_adjust(std::vector<double>{}).empty());
}
