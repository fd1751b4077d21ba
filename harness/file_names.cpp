#include "harness/file_names.hpp"

#include <algorithm>
#include <cstdio>

#include "harness/sha256.hpp"

namespace gauntlet {

std::string safe_file_name(std::string_view name, std::size_t max_bytes) {
  max_bytes = std::max<std::size_t>(max_bytes, 24);
  std::string out;
  out.reserve(std::min(name.size(), max_bytes));
  bool changed = false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                    c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
    changed = changed || !ok;
  }
  // No hidden files, no "." or "..".
  if (out.empty() || out[0] == '.') {
    out.insert(out.begin(), '_');
    changed = true;
  }
  const std::string hash = "-" + sha256_hex(std::string(name)).substr(0, 12);
  if (out.size() > max_bytes) {
    out.resize(max_bytes - hash.size());
    changed = true;
  }
  if (changed) out += hash;
  return out;
}

std::filesystem::path file_inside(const std::filesystem::path& dir, std::string_view name,
                                  std::string_view suffix) {
  return dir / (safe_file_name(name) + std::string(suffix));
}

std::string printable(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace gauntlet
