// The "robustness" array of report.json (docs/report-json.md): every number of
// the robustness model, NaN written as null.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "reports/robustness.hpp"

namespace gauntlet::reports {

nlohmann::json robustness_json(const std::vector<PolicyRobustness>& robustness);

}  // namespace gauntlet::reports
