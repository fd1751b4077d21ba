#include "cli/training_progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "cli/progress.hpp"

namespace gauntlet::cli {

TrainingProgressBar::TrainingProgressBar(std::string label, long total, long start)
    : label_(std::move(label)),
      total_(total),
      start_step_(start),
      step_(start),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (start > 0) std::fprintf(stderr, "%s: resuming at step %ld of %ld\n", label_.c_str(), start, total);
}

void TrainingProgressBar::update(long step, double loss) {
  if (step == start_step_) return;  // the start, before any loss
  step_ = step;
  loss_ = loss;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since > 0.2) || (!tty_ && since > 10.0)) {
    last_draw_ = now;
    draw(false);
  }
}

void TrainingProgressBar::finish() { draw(true); }

void TrainingProgressBar::draw(bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(step_ - start_step_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - step_) / rate : 0.0;
  const std::string time = duration_text(final_line ? elapsed : eta);
  if (tty_) {
    std::fprintf(stderr, "\r%s [%s] %ld/%ld  loss %.5f  %.2f steps/s  %s %s   ", label_.c_str(),
                 bar_text(step_, total_).c_str(), step_, total_, loss_, rate, final_line ? "elapsed" : "ETA", time.c_str());
    if (final_line) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "%s: step %ld/%ld, loss %.5f, %.2f steps/s, %s %s\n", label_.c_str(), step_, total_, loss_,
                 rate, final_line ? "elapsed" : "ETA", time.c_str());
  }
  std::fflush(stderr);
}

}  // namespace gauntlet::cli
