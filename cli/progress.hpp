// Progress on stderr: a live bar (episodes, success so far, rate, ETA) on a
// terminal, plain periodic lines otherwise (CI logs, files).
#pragma once

#include <chrono>
#include <string>

namespace gauntlet::cli {

// "42s", "3m07s", "1h05m": an elapsed time or ETA for progress lines.
std::string duration_text(double seconds);
// The 28-character bar of a live progress line: '#' for done, '.' for the rest.
std::string bar_text(long done, long total);

class Progress {
 public:
  Progress(std::string label, int total, int already_done, int already_succeeded);
  void update(int done_now, int succeeded_now);  // counts for this process's episodes
  void finish();

 private:
  void draw(bool final_line);

  std::string label_;
  int total_;
  int base_done_;
  int base_succeeded_;
  int done_ = 0;
  int succeeded_ = 0;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace gauntlet::cli
