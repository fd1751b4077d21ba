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

// What one progress line says; format_progress_line lays it out.
struct ProgressLine {
  std::string label;  // "run scripted on tabletop-smoke"
  long done = 0;      // units done, resumed ones included
  long total = 0;
  std::string unit;    // "episodes"
  std::string detail;  // "success 40.0%, errors 2"
  std::string rate;    // "0.52 ep/s"
  std::string time;    // "ETA 1m05s", "elapsed 3m07s"
};

// The live line for a terminal `columns` wide: at most columns - 1 characters
// (a line that reaches the last column wraps on some terminals, and a wrapped
// line cannot be redrawn with '\r'). When room runs out the bar shrinks and
// goes, then the rate, then the label is cut, then the time; the count and the
// detail (success, errors) stay to the last.
std::string format_progress_line(const ProgressLine& line, long columns);

// The terminal's width: TIOCGWINSZ on stderr, else $COLUMNS, else 80.
long terminal_columns();

class ProgressBar {
 public:
  // Counts `unit`s ("episodes", "steps"); `rate_unit` labels the rate ("ep/s").
  // `already_done` of `total` were done before (resumed); `detail` is shown
  // until the first update. On a terminal the line appears at once.
  ProgressBar(const std::string& label, std::string unit, std::string rate_unit, long total,
              long already_done, std::string detail = "");
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

// "success 40.0%, errors 2": the detail of an episode progress line.
std::string episode_detail(const EpisodeCounts& counts);

// Episode progress of an EvaluationSession run: count, success and errors so
// far, rate, ETA.
class EpisodeProgress final : public SessionObserver {
 public:
  explicit EpisodeProgress(std::string label) : label_(std::move(label)) {}
  void on_start(int planned, const EpisodeCounts& already) override;
  void on_episodes(const EpisodeCounts& now) override;
  void on_finish() override;

 private:
  std::string label_;
  std::unique_ptr<ProgressBar> bar_;
  EpisodeCounts base_;
};

}  // namespace gauntlet::cli
