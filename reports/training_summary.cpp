#include "reports/training_summary.hpp"

#include <nlohmann/json.hpp>

namespace gauntlet::reports {
namespace {

nlohmann::json run_json(const TrainingRun& r) {
  return {{"out", r.out},
          {"episodes", r.episodes},
          {"steps", r.steps},
          {"resumed_from", r.resumed_from},
          {"final_loss", r.final_loss},
          {"weights_digest", r.weights_digest},
          {"sha256", r.sha256}};
}

}  // namespace

std::string world_model_training_json(const TrainingRun& run) {
  return run_json(run).dump() + "\n";
}

std::string judge_training_json(const JudgeTrainingRun& r) {
  nlohmann::json j = run_json(r.run);
  j["positives"] = r.positives;
  j["negatives"] = r.negatives;
  j["calibration_episodes"] = r.calibration_episodes;
  j["threshold"] = r.threshold;
  j["calibration_balanced_accuracy"] = r.calibration_balanced_accuracy;
  return j.dump() + "\n";
}

}  // namespace gauntlet::reports
