// Text helpers every writer shares: atomic file writes, Markdown escaping and
// percentages, so that each format quotes user strings and rates the same way.
#pragma once

#include <filesystem>
#include <string>

namespace gauntlet::reports {

// Writes `text` to `path` atomically (temp file + rename).
void write_text_file(const std::filesystem::path& path, const std::string& text);
std::string escape_markdown(const std::string& text);
std::string format_percent(double rate, int decimals = 1);
// The same number without the percent sign (tables whose header says %).
std::string percent_number(double rate, int decimals = 1);

}  // namespace gauntlet::reports
