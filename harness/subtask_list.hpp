// The text form of a chain episode's subtask outcomes ("open_drawer:1:118;turn_on_led:0:360"),
// as the results store's `subtasks` column and demo files keep it. Empty for non-chain episodes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/episode.hpp"

namespace gauntlet {

// "NAME:SUCCESS:STEPS" per subtask, in order, joined by ';' (SUCCESS is 0 or 1). Throws
// RuntimeFailure when a name is not a valid subtask name (see parse_subtasks): the suite's bug,
// caught before it writes a file no reader accepts.
std::string format_subtasks(const std::vector<SubtaskOutcome>& subtasks);

// Inverse of format_subtasks. Throws InputError prefixed by `where` (the file, row and field)
// saying what was expected when an entry is malformed: a name other than letters, digits, '_',
// '-', '.'; success other than 0/1; steps not an integer in 0..1000000000; more than 1000
// entries; or a success after a failure (a chain stops at its first failure).
std::vector<SubtaskOutcome> parse_subtasks(std::string_view text, const std::string& where);

}  // namespace gauntlet
