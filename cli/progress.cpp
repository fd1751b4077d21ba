#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

long terminal_columns() {
  winsize w{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  if (const char* env = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long c = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && c > 0 && c < 100000) return c;
  }
  return 80;
}

namespace {

// "3/12 episodes, success 33.3%, errors 1[, 0.52 ep/s][, ETA 17s]"
std::string stats_text(const ProgressLine& p, bool rate = true, bool time = true) {
  std::string s = std::to_string(p.done) + "/" + std::to_string(p.total) + " " + p.unit;
  if (!p.detail.empty()) s += ", " + p.detail;
  if (rate && !p.rate.empty()) s += ", " + p.rate;
  if (time && !p.time.empty()) s += ", " + p.time;
  return s;
}

}  // namespace

std::string format_progress_line(const ProgressLine& p, long columns) {
  const std::size_t room = static_cast<std::size_t>(std::max(1L, columns - 1));
  const std::string count = stats_text(p, false, false);
  auto join = [&](bool rate, bool time) { return stats_text(p, rate, time); };
  constexpr std::size_t kMinLabel = 12;  // a shorter stub of a label says nothing
  constexpr long kMaxBar = 28, kMinBar = 5;
  struct Variant {
    bool rate, time, cut_label;
  };
  for (const Variant v : {Variant{true, true, false}, Variant{false, true, false},
                          Variant{false, true, true}, Variant{false, false, true}}) {
    const std::string stats = join(v.rate, v.time);
    std::string label = p.label;
    if (label.size() + 1 + stats.size() > room) {
      if (!v.cut_label || stats.size() + 1 + kMinLabel > room) continue;
      label.resize(room - stats.size() - 1);
    }
    // " [" + bar + "] " replaces the one space between label and stats.
    const long spare = static_cast<long>(room - label.size() - 1 - stats.size());
    const long bar = std::min(kMaxBar, spare - 3);
    if (bar >= kMinBar) return label + " [" + bar_text(p.done, p.total, bar) + "] " + stats;
    return label + " " + stats;
  }
  // No room for any label: the count and detail, cut to the width at worst.
  std::string line = count;
  if (line.size() > room) line.resize(room);
  return line;
}

ProgressBar::ProgressBar(const std::string& label, std::string unit, std::string rate_unit,
                         long total, long already_done, std::string detail)
    : label_(printable(label)),
      unit_(std::move(unit)),
      rate_unit_(std::move(rate_unit)),
      total_(total),
      base_done_(already_done),
      detail_(std::move(detail)),
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
  char rate_text[64];
  std::snprintf(rate_text, sizeof rate_text, "%.2f %s", rate, rate_unit_.c_str());
  ProgressLine line;
  line.label = label_;
  line.done = done;
  line.total = total_;
  line.unit = unit_;
  line.detail = detail_;
  // Before the first unit finishes there is no rate to extrapolate from.
  line.rate = done_ > 0 || final_line ? rate_text : "";
  line.time = final_line  ? "elapsed " + duration_text(elapsed)
              : done_ > 0 ? "ETA " + duration_text(eta)
                          : "ETA --";
  if (tty_) {
    // '\r' + clear-to-end redraws the one line in place; it never reaches the
    // last column, so it never wraps.
    std::fprintf(stderr, "\r\033[K%s", format_progress_line(line, terminal_columns()).c_str());
    if (final_line) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "%s: %s\n", label_.c_str(), stats_text(line).c_str());
  }
  std::fflush(stderr);
}

std::string episode_detail(const EpisodeCounts& c) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "success %.1f%%, errors %d",
                c.done > 0 ? 100.0 * c.succeeded / c.done : 0.0, c.errors);
  return buf;
}

void EpisodeProgress::on_start(int planned, const EpisodeCounts& already) {
  base_ = already;
  bar_ = std::make_unique<ProgressBar>(label_, "episodes", "ep/s", planned, already.done,
                                       episode_detail(already));
}

void EpisodeProgress::on_episodes(const EpisodeCounts& now) {
  if (!bar_) return;
  bar_->update(now.done, episode_detail({base_.done + now.done, base_.succeeded + now.succeeded,
                                         base_.errors + now.errors}));
}

void EpisodeProgress::on_finish() {
  if (bar_) bar_->finish();
  bar_.reset();
}

}  // namespace gauntlet::cli
