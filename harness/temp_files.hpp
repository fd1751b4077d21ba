// Temp files of an atomic write (FILE.tmp.PID, FILE.tmp) left behind by a
// process killed mid-write: the next run of the same command removes them.
#pragma once

#include <filesystem>

namespace gauntlet {

// Removes `target.tmp` and every `target.tmp.PID` whose process no longer
// exists (a live writer's temp file is left alone). Never throws; returns how
// many files it removed.
int remove_stale_temp_files(const std::filesystem::path& target);

}  // namespace gauntlet
