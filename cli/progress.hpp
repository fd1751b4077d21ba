// Progress on stderr: a live bar (episodes, success so far, rate, ETA) on a
// terminal, plain periodic lines otherwise (CI logs, files).
#pragma once

#include <chrono>
#include <string>

namespace gauntlet::cli {

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
