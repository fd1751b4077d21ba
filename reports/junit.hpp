// JUnit XML for CI systems: the report's one test case per task per policy,
// and compare's one test case per task plus the overall gate.
#pragma once

#include <string>
#include <vector>

namespace gauntlet::reports {

struct JUnitCase {
  std::string classname;
  std::string name;
  double time_s = 0.0;
  std::string failure;  // non-empty: the case failed with this message
  std::string error;    // non-empty: the case errored (harness or policy errors)
  std::string output;   // system-out
  std::vector<std::pair<std::string, std::string>> properties;
};

struct JUnitSuite {
  std::string name;
  std::vector<JUnitCase> cases;
};

std::string junit_xml(const std::vector<JUnitSuite>& suites);

}  // namespace gauntlet::reports
