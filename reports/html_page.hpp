// The shell every gauntlet HTML page shares (report, leaderboard): a
// Content-Security-Policy that forbids any network access, the stylesheet, and
// the small table-sorting script; plus base64 for embedded media.
#pragma once

#include <filesystem>
#include <string>

namespace gauntlet::reports {

// A complete HTML document around `body` (already escaped by the caller).
std::string html_page(const std::string& title, const std::string& body);

std::string base64_encode(const std::string& bytes);
std::string read_binary_file(const std::filesystem::path& path);

}  // namespace gauntlet::reports
