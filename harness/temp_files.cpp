#include "harness/temp_files.hpp"

#include <signal.h>

#include <cerrno>
#include <string>

namespace gauntlet {
namespace {

// True when `text` names a process id that no longer exists.
bool dead_pid(const std::string& text) {
  if (text.empty() || text.size() > 10) return false;
  long pid = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    pid = pid * 10 + (c - '0');
  }
  if (pid <= 0 || pid > 0x7fffffff) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

int remove_stale_temp_files(const std::filesystem::path& target) {
  const std::filesystem::path dir =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  const std::string prefix = target.filename().string() + ".tmp";
  int removed = 0;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return 0;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const bool stale = rest.empty() || (rest[0] == '.' && dead_pid(rest.substr(1)));
    std::error_code rm;
    if (stale && entry.is_regular_file(rm) && std::filesystem::remove(entry.path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace gauntlet
