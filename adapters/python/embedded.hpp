// The embedded interpreter shared by the Python adapters (policies, world
// models, judges): start-up, sys.path additions, virtualenvs, tracebacks.
// Includes pybind11: only for sources inside adapters/python/.
#pragma once

#include <pybind11/pybind11.h>

#include <filesystem>
#include <string>

#include "harness/policy_spec.hpp"

namespace gauntlet::adapters {

namespace py = pybind11;

// Starts Debian's python3.11 once per process (never finalised): no Python
// signal handlers, sys.stdout to stderr, the working directory and
// $GAUNTLET_PYTHONPATH first on sys.path. Returns with the GIL released.
void ensure_interpreter();

// A Python traceback as text (the exception of `e`, or type/value/trace).
std::string format_exception(const py::error_already_set& e);
std::string format_exception(const py::handle& type, const py::handle& value,
                             const py::handle& trace);
// The last line of a traceback ("ValueError: ...") for one-line messages.
std::string last_line(const std::string& text);

// Puts the folders of `paths` (os.pathsep-separated) first on sys.path. GIL held.
void add_paths(const std::string& paths);
// Adds a virtualenv's site-packages (with its .pth files) ahead of Debian's;
// InputError naming `spec` when the venv is not usable. GIL held.
void add_venv(const PolicySpec& spec, const std::filesystem::path& venv);

}  // namespace gauntlet::adapters
