// Progress of a training run on stderr: a live line (step, loss, steps/s,
// ETA) on a terminal, a plain line every 10 s otherwise.
#pragma once

#include <chrono>
#include <string>

namespace gauntlet::cli {

class TrainingProgressBar {
 public:
  TrainingProgressBar(std::string label, long total, long start);
  void update(long step, double loss);
  void finish();

 private:
  void draw(bool final_line);
  std::string label_;
  long total_;
  long start_step_;
  long step_ = 0;
  double loss_ = 0.0;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace gauntlet::cli
