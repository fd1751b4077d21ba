// Test helper: runs golden.py with Debian's python (scipy, statsmodels) and reads its CSV answer.
// Returns nothing, after a WARN, when python3-scipy or python3-statsmodels is not installed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::metrics::test {

struct GoldenTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const;
  double number(std::size_t row, const std::string& name) const;
  const std::string& text(std::size_t row, const std::string& name) const;
};

// `input_csv` (may be empty) is written to a file that golden.py reads as its INPUT.csv. Fails the
// test (never skips) when python3 cannot import scipy and statsmodels.
std::optional<GoldenTable> run_golden(const std::string& section,
                                      const std::string& input_csv = "");

// Shortest round-trip text of a double, for input files.
std::string format_double(double v);

}  // namespace gauntlet::metrics::test
