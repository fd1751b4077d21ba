#include "harness/subtask_list.hpp"

#include <algorithm>
#include <charconv>

#include "harness/errors.hpp"

namespace gauntlet {
namespace {

constexpr std::size_t kMaxSubtasks = 1000;
constexpr int kMaxSteps = 1'000'000'000;

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 200 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

}  // namespace

std::string format_subtasks(const std::vector<SubtaskOutcome>& subtasks) {
  std::string out;
  for (const auto& s : subtasks) {
    if (!valid_name(s.name) || s.steps < 0) {
      throw RuntimeFailure("subtask '" + s.name + "' (" + std::to_string(s.steps) +
                           " steps) cannot be stored: a subtask name is 1-200 letters, digits, "
                           "'_', '-' or '.', and steps are >= 0");
    }
    if (!out.empty()) out += ';';
    out += s.name;
    out += s.success ? ":1:" : ":0:";
    out += std::to_string(s.steps);
  }
  return out;
}

std::vector<SubtaskOutcome> parse_subtasks(std::string_view text, const std::string& where) {
  std::vector<SubtaskOutcome> out;
  if (text.empty()) return out;
  bool failed = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string_view entry = text.substr(start, end - start);
    const std::string at = where + " entry " + std::to_string(out.size() + 1) + " '" +
                           std::string(entry.substr(0, 80)) + "': ";
    if (out.size() == kMaxSubtasks) {
      throw InputError(where + ": more than " + std::to_string(kMaxSubtasks) +
                       " subtasks (a damaged file)");
    }
    const std::size_t c1 = entry.find(':');
    const std::size_t c2 = c1 == std::string_view::npos ? c1 : entry.find(':', c1 + 1);
    if (c2 == std::string_view::npos || entry.find(':', c2 + 1) != std::string_view::npos) {
      throw InputError(at + "expected NAME:SUCCESS:STEPS (e.g. open_drawer:1:118)");
    }
    SubtaskOutcome s;
    s.name = std::string(entry.substr(0, c1));
    const std::string_view success = entry.substr(c1 + 1, c2 - c1 - 1);
    const std::string_view steps = entry.substr(c2 + 1);
    if (!valid_name(s.name)) {
      throw InputError(at + "expected a subtask name of 1-200 letters, digits, '_', '-' or '.'");
    }
    if (success != "0" && success != "1") throw InputError(at + "expected success 0 or 1");
    s.success = success == "1";
    const auto [ptr, ec] = std::from_chars(steps.data(), steps.data() + steps.size(), s.steps);
    if (steps.empty() || ec != std::errc() || ptr != steps.data() + steps.size() || s.steps < 0 ||
        s.steps > kMaxSteps) {
      throw InputError(at + "expected steps, an integer in 0..1000000000");
    }
    if (failed && s.success) {
      throw InputError(at +
                       "a success after a failed subtask (a chain stops at its first "
                       "failure)");
    }
    failed = failed || !s.success;
    out.push_back(std::move(s));
    start = end + 1;
  }
  return out;
}

}  // namespace gauntlet
