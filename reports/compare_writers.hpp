// The CI gate's outputs, each formatting one CompareResult (reports/compare.hpp):
// compare.md (also printed), the JUnit XML for CI systems and `compare --json`.
#pragma once

#include <string>

#include "reports/compare.hpp"

namespace gauntlet::reports {

std::string compare_markdown(const CompareResult& result);
std::string compare_junit(const CompareResult& result);
// One JSON document on one line, newline-terminated.
std::string compare_json(const CompareResult& result);

}  // namespace gauntlet::reports
