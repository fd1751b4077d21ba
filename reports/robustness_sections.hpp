// The robustness section in each report format, written from the robustness
// model (reports/robustness.hpp) that ReportModel holds; no statistics here.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "reports/robustness.hpp"

namespace gauntlet::reports {

// report.md's section ("" when no policy has perturbed episodes).
std::string markdown_robustness_section(const std::vector<PolicyRobustness>& robustness);

// The "robustness" array of report.json (docs/report-json.md): every number of
// the model, NaN written as null.
nlohmann::json robustness_json(const std::vector<PolicyRobustness>& robustness);

// report.html's <section> with a chart and paired-drop table per dimension;
// `previews` are (dimension, PNG bytes) strips of levels 0..5. "" when empty.
std::string html_robustness_section(
    const std::vector<PolicyRobustness>& robustness,
    const std::vector<std::pair<std::string, std::string>>& previews);

}  // namespace gauntlet::reports
