// Names from user input (suite names, policy names, task ids, perturbation
// ids) turned into file names and terminal text that cannot escape or break
// their folder or the terminal.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace gauntlet {

// A single path component made from `name`: only [A-Za-z0-9._-], never "",
// "." or ".." or a leading '.', at most `max_bytes` bytes (>= 24). When the
// name had to change (a replaced character, or cut to length), a hash of the
// whole name is appended ("-" + 12 hex digits), so two different names never
// share a file. Names that are already safe and short are kept as they are.
std::string safe_file_name(std::string_view name, std::size_t max_bytes = 120);

// `dir / (safe_file_name(name) + suffix)`, which lies inside `dir` whatever
// `name` holds; `suffix` is the caller's constant (e.g. ".h5"), not user input.
std::filesystem::path file_inside(const std::filesystem::path& dir, std::string_view name,
                                  std::string_view suffix = "");

// `text` with control characters (CR, ESC, BEL, ...) shown as \xNN, so that
// names cannot move the cursor or recolour a terminal; tabs kept, newlines
// kept when `keep_newlines` (error messages, tracebacks).
std::string printable(std::string_view text, bool keep_newlines = false);

}  // namespace gauntlet
