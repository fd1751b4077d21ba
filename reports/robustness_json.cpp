// report.json's "robustness" array: the robustness model as JSON, NaN as null.
#include "reports/robustness_sections.hpp"

#include <cmath>

namespace gauntlet::reports {
namespace {

using nlohmann::json;

json number(double v) {
  return std::isnan(v) ? json(nullptr) : json(v);
}
json interval(const metrics::Interval& ci) {
  return json::array({number(ci.lo), number(ci.hi)});
}

json rate(const Rate& r) {
  return json{{"trials", r.trials},
              {"successes", r.successes},
              {"success_rate", r.rate},
              {"ci95", {r.ci95.lo, r.ci95.hi}}};
}

json drop(const PairedDrop& d) {
  return json{{"perturbation", d.perturbation_id},
              {"success", rate(d.success)},
              {"pairs", d.pairs},
              {"nominal_rate", number(d.pairs > 0 ? d.nominal_rate : std::nan(""))},
              {"perturbed_rate", number(d.pairs > 0 ? d.perturbed_rate : std::nan(""))},
              {"drop", number(d.drop)},
              {"drop_ci95", interval(d.drop_ci)},
              {"mcnemar_p", number(d.pairs > 0 ? d.mcnemar_p : std::nan(""))},
              {"lost", d.lost},
              {"gained", d.gained}};
}

}  // namespace

json robustness_json(const std::vector<PolicyRobustness>& robustness) {
  json out = json::array();
  for (const auto& r : robustness) {
    json dims = json::array();
    for (const auto& d : r.dimensions) {
      json levels = json::array();
      for (const auto& l : d.levels) {
        json j = drop(l.drop);
        j["level"] = l.level;
        levels.push_back(std::move(j));
      }
      dims.push_back({{"dimension", d.dimension},
                      {"levels", levels},
                      {"half_level", d.half_level ? json(*d.half_level) : json(nullptr)},
                      {"mean_drop", number(d.mean_drop)},
                      {"max_level_drop", number(d.max_level_drop)}});
    }
    json interactions = json::array();
    for (const auto& x : r.interactions) {
      interactions.push_back({{"perturbation", x.perturbation_id},
                              {"observed", drop(x.observed)},
                              {"singles", x.singles},
                              {"complete", x.complete},
                              {"episodes", x.episodes},
                              {"sum_of_single_drops", number(x.sum_of_single_drops)},
                              {"interaction", number(x.interaction)},
                              {"interaction_ci95", interval(x.interaction_ci)}});
    }
    out.push_back(
        {{"policy", r.policy},
         {"nominal", rate(r.nominal)},
         {"dimensions", dims},
         {"most_damaging", r.most_damaging.empty() ? json(nullptr) : json(r.most_damaging)},
         {"interactions", interactions},
         {"variant_aggregation",
          r.aggregate ? json{{"variants", r.aggregate->variants},
                             {"episodes", r.aggregate->episodes},
                             {"success_rate", number(r.aggregate->rate)},
                             {"ci95", interval(r.aggregate->ci)},
                             {"method",
                              "SimplerEnv's variant aggregation: task-averaged success averaged "
                              "over the variants (nominal included, equal weights) on the "
                              "episodes every variant holds with the same seed; 95% stratified "
                              "bootstrap over those episodes (10000 resamples)"}}
                      : json(nullptr)},
         {"notes", r.notes},
         {"method",
          "paired: perturbed episodes share their nominal twin's seed; drop = nominal - "
          "perturbed task-averaged success over the pairs; 95% paired stratified bootstrap "
          "(10000 resamples); exact McNemar p"}});
  }
  return out;
}

}  // namespace gauntlet::reports
