// Error types that map to the CLI's exit codes: InputError is the user's to fix
// (exit 2), RuntimeFailure is the harness's or the machine's (exit 3).
#pragma once

#include <stdexcept>
#include <string>

namespace gauntlet {

// Bad input: unknown names, malformed files, incompatible results files. The
// message names the file, line or argument and what was expected.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Something failed while running that the user's input did not cause.
class RuntimeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitRegression = 1;
inline constexpr int kExitInputError = 2;
inline constexpr int kExitRuntimeFailure = 3;
inline constexpr int kExitUndecided = 4;

// "a, b, c" for error messages that list the valid choices.
template <typename Range>
std::string join_names(const Range& names, const char* sep = ", ") {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += sep;
    out += n;
  }
  return out;
}

}  // namespace gauntlet
