#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "harness/file_names.hpp"

namespace gauntlet::cli {

std::string duration_text(double seconds) {
  char buf[32];
  const int s = static_cast<int>(std::lround(seconds));
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ds", s);
  return buf;
}

std::string bar_text(long done, long total, long width) {
  width = std::max(0L, width);
  const long filled = total > 0 ? std::clamp(width * done / total, 0L, width) : width;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(static_cast<std::size_t>(width), '.');
  return bar;
}

namespace {

int terminal_columns() {
  winsize w{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  return 80;
}

}  // namespace

ProgressBar::ProgressBar(const std::string& label, std::string unit, std::string rate_unit,
                         long total, long already_done)
    : label_(printable(label)),
      unit_(std::move(unit)),
      rate_unit_(std::move(rate_unit)),
      total_(total),
      base_done_(already_done),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (tty_) {
    draw(false);  // something on screen before the first unit finishes
  } else if (base_done_ > 0) {
    std::fprintf(stderr, "%s: %ld %s to run (%ld already in the results file)\n", label_.c_str(),
                 total_ - base_done_, unit_.c_str(), base_done_);
  } else {
    std::fprintf(stderr, "%s: %ld %s to run\n", label_.c_str(), total_, unit_.c_str());
  }
}

void ProgressBar::update(long done_now, std::string detail) {
  done_ = done_now;
  detail_ = std::move(detail);
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since > 0.1) || (!tty_ && since > 10.0)) {
    last_draw_ = now;
    draw(false);
  }
}

void ProgressBar::finish() {
  draw(true);
}

void ProgressBar::draw(bool final_line) {
  const long done = base_done_ + done_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  const std::string time =
      (final_line ? "elapsed " : "ETA ") + duration_text(final_line ? elapsed : eta);
  char stats[256];
  std::snprintf(stats, sizeof stats, "%ld/%ld %s%s%s, %.2f %s, %s", done, total_, unit_.c_str(),
                detail_.empty() ? "" : ", ", detail_.c_str(), rate, rate_unit_.c_str(),
                time.c_str());
  if (tty_) {
    // Fit the line to the terminal: a line that wraps cannot be redrawn with
    // '\r'. The bar shrinks first, then the label is cut.
    const long columns = terminal_columns() - 1;
    std::string label = label_;
    const long fixed = static_cast<long>(std::string(stats).size()) + 4;  // " [" + "] "
    long bar_width = std::min(28L, columns - fixed - static_cast<long>(label.size()));
    if (bar_width < 5) {
      bar_width = 0;
      const long room = std::max(0L, columns - static_cast<long>(std::string(stats).size()) - 1);
      if (static_cast<long>(label.size()) > room)
        label = label.substr(0, static_cast<std::size_t>(room));
    }
    std::string line = label;
    line += bar_width > 0 ? " [" + bar_text(done, total_, bar_width) + "] " : " ";
    line += stats;
    if (static_cast<long>(line.size()) > columns)
      line.resize(static_cast<std::size_t>(std::max(0L, columns)));
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    if (final_line) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "%s: %s\n", label_.c_str(), stats);
  }
  std::fflush(stderr);
}

void EpisodeProgress::on_start(int planned, int already_done, int already_succeeded) {
  base_done_ = already_done;
  base_succeeded_ = already_succeeded;
  bar_ = std::make_unique<ProgressBar>(label_, "episodes", "ep/s", planned, already_done);
}

std::string EpisodeProgress::detail(int succeeded_now, int done_now) const {
  const int done = base_done_ + done_now;
  const int succeeded = base_succeeded_ + succeeded_now;
  char buf[64];
  std::snprintf(buf, sizeof buf, "success %.1f%%", done > 0 ? 100.0 * succeeded / done : 0.0);
  return buf;
}

void EpisodeProgress::on_episodes(int done, int succeeded) {
  if (bar_) bar_->update(done, detail(succeeded, done));
}

void EpisodeProgress::on_finish() {
  if (bar_) bar_->finish();
  bar_.reset();
}

}  // namespace gauntlet::cli
