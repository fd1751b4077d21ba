// What `gauntlet wm train` and `wm train-judge` print with --json: the trained
// file, its data and optimisation, as plain models with one writer each.
#pragma once

#include <cstdint>
#include <string>

namespace gauntlet::reports {

// Shared by both trainers.
struct TrainingRun {
  std::string out;            // the TorchScript file written
  std::int64_t episodes = 0;  // demonstrations trained on
  long steps = 0;
  long resumed_from = 0;    // steps its checkpoint had done
  double final_loss = 0.0;  // of the last batch
  std::string weights_digest;
  std::string sha256;  // of the file
};

struct JudgeTrainingRun {
  TrainingRun run;
  long positives = 0, negatives = 0;  // frames after balancing
  long calibration_episodes = 0;      // held out to calibrate the threshold
  double threshold = 0.5;
  double calibration_balanced_accuracy = -1.0;  // < 0: not calibrated
};

// One JSON document on one line each, newline-terminated.
std::string world_model_training_json(const TrainingRun& run);
std::string judge_training_json(const JudgeTrainingRun& run);

}  // namespace gauntlet::reports
