#include "cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "harness/file_names.hpp"

namespace gauntlet::cli {

std::string duration_text(double seconds) {
  char buf[32];
  const int s = static_cast<int>(seconds + 0.5);
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, (s % 3600) / 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ds", s);
  return buf;
}

std::string bar_text(long done, long total) {
  const long width = 28;
  const long filled = total > 0 ? std::clamp(width * done / total, 0L, width) : width;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(static_cast<std::size_t>(width), '.');
  return bar;
}

Progress::Progress(std::string label, int total, int already_done, int already_succeeded)
    : label_(printable(label)),
      total_(total),
      base_done_(already_done),
      base_succeeded_(already_succeeded),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (!tty_) {
    if (base_done_ > 0) {
      std::fprintf(stderr, "%s: %d episodes to run (%d already in the results file)\n", label_.c_str(),
                   total_ - base_done_, base_done_);
    } else {
      std::fprintf(stderr, "%s: %d episodes to run\n", label_.c_str(), total_);
    }
  }
}

void Progress::update(int done_now, int succeeded_now) {
  done_ = done_now;
  succeeded_ = succeeded_now;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since > 0.1) || (!tty_ && since > 10.0)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() { draw(true); }

void Progress::draw(bool final_line) {
  const int done = base_done_ + done_;
  const int succeeded = base_succeeded_ + succeeded_;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  const double eta = rate > 0 ? (total_ - done) / rate : 0.0;
  const double success = done > 0 ? 100.0 * succeeded / done : 0.0;
  if (tty_) {
    std::fprintf(stderr, "\r%s [%s] %d/%d  success %.1f%%  %.2f ep/s  ETA %s   ", label_.c_str(),
                 bar_text(done, total_).c_str(), done, total_, success, rate, duration_text(eta).c_str());
    if (final_line) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "%s: %d/%d episodes, success %.1f%%, %.2f ep/s, %s %s\n", label_.c_str(),
                 done, total_, success, rate, final_line ? "elapsed" : "ETA",
                 duration_text(final_line ? elapsed : eta).c_str());
  }
  std::fflush(stderr);
}

}  // namespace gauntlet::cli
