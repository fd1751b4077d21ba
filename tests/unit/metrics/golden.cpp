#include "tests/unit/metrics/golden.hpp"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace gauntlet::metrics::test {
namespace {

const std::string kScript = std::string(GAUNTLET_SOURCE_DIR) + "/tests/unit/metrics/golden.py";

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) {
    if (!field.empty() && field.back() == '\r') field.pop_back();
    out.push_back(field);
  }
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

bool python_available() {
  static const bool available = [] {
    const std::string cmd = std::string("\"") + GAUNTLET_PYTHON + "\" \"" + kScript +
                            "\" check /dev/null > /dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }();
  return available;
}

}  // namespace

std::size_t GoldenTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  throw std::runtime_error("golden table has no column " + name);
}

double GoldenTable::number(std::size_t row, const std::string& name) const {
  const std::string& s = rows.at(row).at(column(name));
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  return std::stod(s);
}

const std::string& GoldenTable::text(std::size_t row, const std::string& name) const {
  return rows.at(row).at(column(name));
}

std::optional<GoldenTable> run_golden(const std::string& section, const std::string& input_csv) {
  if (!python_available()) {
    // A missing reference fails the test: a skipped golden check would pass unverified code.
    FAIL(GAUNTLET_PYTHON << " cannot import scipy and statsmodels (install python3-scipy and "
                            "python3-statsmodels); golden values for '"
                         << section << "' cannot be checked");
  }
  const auto dir = std::filesystem::path(GAUNTLET_TEST_TMP) / "metrics-golden";
  std::filesystem::create_directories(dir);
  // One file pair per test process and section, so parallel ctest runs do not collide.
  const std::string stem = section + "-" + std::to_string(::getpid());
  const auto out = dir / (stem + ".out.csv");
  const auto in = dir / (stem + ".in.csv");
  std::string cmd = std::string("\"") + GAUNTLET_PYTHON + "\" \"" + kScript + "\" " + section +
                    " \"" + out.string() + "\"";
  if (!input_csv.empty()) {
    std::ofstream(in) << input_csv;
    cmd += " \"" + in.string() + "\"";
  }
  const int rc = std::system(cmd.c_str());
  if (rc != 0) throw std::runtime_error("golden.py " + section + " failed: " + cmd);
  std::ifstream f(out);
  GoldenTable table;
  std::string line;
  if (std::getline(f, line)) table.header = split(line);
  while (std::getline(f, line)) {
    if (!line.empty()) table.rows.push_back(split(line));
  }
  std::filesystem::remove(out);
  if (!input_csv.empty()) std::filesystem::remove(in);
  return table;
}

std::string format_double(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace gauntlet::metrics::test
