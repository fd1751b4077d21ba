// The progress line's layout (cli/progress.hpp) at the widths users have:
// never longer than the terminal, the count and the errors always visible.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/progress.hpp"

using gauntlet::cli::format_progress_line;
using gauntlet::cli::ProgressLine;

namespace {

ProgressLine line(std::string label, long done, long total, int errors) {
  ProgressLine p;
  p.label = std::move(label);
  p.done = done;
  p.total = total;
  p.unit = "episodes";
  p.detail = "success 33.3%, errors " + std::to_string(errors);
  p.rate = "0.52 ep/s";
  p.time = "ETA 1m17s";
  return p;
}

const std::string kShort = "scripted on tabletop-smoke";
const std::string kLong =
    "python:my_lab.policies.diffusion:DiffusionPolicy,path=/home/me/checkpoints/run-0042,"
    "replan_every=8 on libero-object";

}  // namespace

TEST_CASE("A progress line never reaches the terminal's last column, at any width",
          "[cli][progress]") {
  for (const long columns : {1L, 2L, 10L, 20L, 40L, 79L, 80L, 81L, 120L, 200L, 1000L}) {
    for (const auto& label : {std::string(), kShort, kLong}) {
      for (const long done : {0L, 1L, 7L, 500L, 1000L}) {
        const std::string s = format_progress_line(line(label, done, 1000, 12345), columns);
        INFO("columns " << columns << ": '" << s << "'");
        CHECK(static_cast<long>(s.size()) <= std::max(1L, columns - 1));
        CHECK(s.find_first_of("\r\n\033") == std::string::npos);
      }
    }
  }
}

TEST_CASE("At 40, 80 and 200 columns the count and errors so far stay visible", "[cli][progress]") {
  for (const long columns : {40L, 80L, 200L}) {
    for (const auto& label : {kShort, kLong}) {
      const std::string s = format_progress_line(line(label, 3, 12, 1), columns);
      INFO("columns " << columns << ": '" << s << "'");
      CHECK(static_cast<long>(s.size()) <= columns - 1);
      CHECK_THAT(s, Catch::Contains("3/12 episodes") && Catch::Contains("errors 1"));
    }
  }
  // 80 columns: a short label is kept whole; a long one is cut, never dropped.
  const std::string s80 = format_progress_line(line(kShort, 3, 12, 1), 80);
  CHECK(s80.rfind(kShort + " ", 0) == 0);
  CHECK_THAT(s80, Catch::Contains("ETA 1m17s"));
  const std::string long80 = format_progress_line(line(kLong, 3, 12, 1), 80);
  CHECK(long80.rfind(kLong.substr(0, 12), 0) == 0);
  CHECK(long80.size() == 79);  // the label takes the room that is left
}

TEST_CASE("At 200 columns the line has the bar, the rate and the ETA", "[cli][progress]") {
  const std::string s = format_progress_line(line(kShort, 3, 12, 2), 200);
  CHECK(s == kShort +
                 " [#######.....................] 3/12 episodes, success 33.3%, errors 2, "
                 "0.52 ep/s, ETA 1m17s");
  const std::string done = format_progress_line(line(kShort, 12, 12, 0), 200);
  CHECK_THAT(done, Catch::Contains("[############################]"));
}

TEST_CASE("At 40 columns the label gives way to the count, success and errors", "[cli][progress]") {
  const std::string s = format_progress_line(line(kLong, 3, 12, 1), 40);
  CHECK(s == "3/12 episodes, success 33.3%, errors 1");
  // Narrower than even that: cut, not wrapped.
  CHECK(format_progress_line(line(kLong, 3, 12, 1), 12) == "3/12 episod");
}

TEST_CASE("The episode detail counts errors so far", "[cli][progress]") {
  CHECK(gauntlet::cli::episode_detail({4, 1, 2}) == "success 25.0%, errors 2");
  CHECK(gauntlet::cli::episode_detail({0, 0, 0}) == "success 0.0%, errors 0");
}

TEST_CASE("Without a terminal on stderr the width comes from COLUMNS, else 80", "[cli][progress]") {
  // stderr on /dev/null: TIOCGWINSZ fails there as in a pipe or a CI log.
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  const int null = open("/dev/null", O_WRONLY);
  REQUIRE(saved >= 0);
  REQUIRE(null >= 0);
  dup2(null, STDERR_FILENO);
  setenv("COLUMNS", "123", 1);
  const long from_env = gauntlet::cli::terminal_columns();
  setenv("COLUMNS", "wide", 1);
  const long bad_env = gauntlet::cli::terminal_columns();
  unsetenv("COLUMNS");
  const long fallback = gauntlet::cli::terminal_columns();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(null);
  CHECK(from_env == 123);
  CHECK(bad_env == 80);
  CHECK(fallback == 80);
}
