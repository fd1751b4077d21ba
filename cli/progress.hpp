// Progress on stderr, for episodes and training steps alike: a live line
// redrawn in place and fitted to the terminal's width, plain periodic lines
// otherwise (CI logs, files).
#pragma once

#include <chrono>
#include <string>

#include "harness/evaluation_session.hpp"

namespace gauntlet::cli {

// "42s", "3m07s", "1h05m": an elapsed time or ETA for progress lines.
std::string duration_text(double seconds);
// A bar of `width` characters: '#' for done, '.' for the rest.
std::string bar_text(long done, long total, long width = 28);

class ProgressBar {
 public:
  // Counts `unit`s ("episodes", "steps"); `rate_unit` labels the rate ("ep/s").
  // `already_done` of `total` were done before (resumed).
  ProgressBar(const std::string& label, std::string unit, std::string rate_unit, long total,
              long already_done);
  // `done_now` counted since construction; `detail` follows the count
  // ("success 40.0%", "loss 0.01234").
  void update(long done_now, std::string detail);
  void finish();

 private:
  void draw(bool final_line);

  std::string label_, unit_, rate_unit_;
  long total_;
  long base_done_;
  long done_ = 0;
  std::string detail_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// Episode progress of an EvaluationSession run: count, success so far, rate, ETA.
class EpisodeProgress final : public SessionObserver {
 public:
  explicit EpisodeProgress(std::string label) : label_(std::move(label)) {}
  void on_start(int planned, int already_done, int already_succeeded) override;
  void on_episodes(int done, int succeeded) override;
  void on_finish() override;

 private:
  std::string detail(int succeeded_now, int done_now) const;
  std::string label_;
  std::unique_ptr<ProgressBar> bar_;
  int base_done_ = 0;
  int base_succeeded_ = 0;
};

}  // namespace gauntlet::cli
