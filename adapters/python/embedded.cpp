#include "adapters/python/embedded.hpp"

#include <pybind11/embed.h>

#include <fstream>
#include <map>
#include <mutex>

#include "harness/errors.hpp"

namespace gauntlet::adapters {

// Starts the interpreter: no Python signal handlers (Ctrl-C belongs to
// gauntlet), sys.stdout redirected to stderr (stdout carries --json output),
// the working directory and $GAUNTLET_PYTHONPATH at the front of sys.path.
// Python is never finalised: extension modules such as numpy and torch do not
// support re-initialisation, and the process ends soon after anyway.
void ensure_interpreter() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (Py_IsInitialized()) return;  // embedded by someone else (e.g. a test)
    static const char* argv[] = {"gauntlet", nullptr};
    py::initialize_interpreter(/*init_signal_handlers=*/false, 1, argv,
                               /*add_program_dir_to_path=*/false);
    {
      py::exec(R"(
import os, sys
sys.stdout = sys.stderr
_extra = [p for p in os.environ.get("GAUNTLET_PYTHONPATH", "").split(os.pathsep) if p]
for _p in reversed([os.getcwd()] + _extra):
    if _p not in sys.path:
        sys.path.insert(0, _p)
del _extra
)");
    }
    PyEval_SaveThread();  // release the GIL; calls take it with gil_scoped_acquire
  });
}

std::string format_exception(const py::handle& type, const py::handle& value,
                             const py::handle& trace) {
  try {
    // A null handle (no traceback yet) cannot be passed to Python: use None.
    const auto arg = [](const py::handle& h) {
      return h ? py::reinterpret_borrow<py::object>(h) : py::none();
    };
    const py::list lines = py::module_::import("traceback")
                               .attr("format_exception")(arg(type), arg(value), arg(trace));
    std::string text;
    for (const auto& line : lines) text += line.cast<std::string>();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  } catch (const py::error_already_set&) {
    return "(a Python exception whose traceback could not be formatted)";
  }
}

std::string format_exception(const py::error_already_set& e) {
  return format_exception(e.type(), e.value(), e.trace());
}

// The last line of a traceback ("ValueError: ...") for one-line messages.
std::string last_line(const std::string& text) {
  const std::size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

// Adds a virtualenv's site-packages (with its .pth files) ahead of Debian's.
void add_venv(const PolicySpec& spec, const std::filesystem::path& venv) {
  const std::filesystem::path cfg = venv / "pyvenv.cfg";
  std::ifstream in(cfg);
  if (!in) {
    throw InputError(spec.quoted() + ": venv=" + venv.string() +
                     " has no pyvenv.cfg; create it with " +
                     "/usr/bin/python3 -m venv --system-site-packages " + venv.string());
  }
  std::map<std::string, std::string> kv;
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    kv[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  const std::string version = kv.count("version") ? kv["version"] : kv["version_info"];
  if (version.rfind("3.11", 0) != 0) {
    throw InputError(
        spec.quoted() + ": venv=" + venv.string() + " was made with Python " +
        (version.empty() ? "(unknown)" : version) +
        "; gauntlet embeds Debian's python3.11: recreate it with /usr/bin/python3 -m venv "
        "--system-site-packages");
  }
  if (kv["include-system-site-packages"] != "true") {
    throw InputError(spec.quoted() + ": venv=" + venv.string() +
                     " was not created with --system-site-packages; the embedded interpreter "
                     "always sees Debian's "
                     "packages, so the venv must be built on top of them");
  }
  const std::filesystem::path site = venv / "lib" / "python3.11" / "site-packages";
  py::exec(R"(
import site, sys
_before = list(sys.path)
site.addsitedir(SITE)
_added = [p for p in sys.path if p not in _before]
sys.path[:] = _added + _before
del _before, _added
)",
           py::dict(py::arg("SITE") = site.string()));
}

void add_paths(const std::string& paths) {
  py::exec(R"(
import os, sys
for _p in reversed([p for p in PATHS.split(os.pathsep) if p]):
    _p = os.path.abspath(_p)
    if _p not in sys.path:
        sys.path.insert(0, _p)
)",
           py::dict(py::arg("PATHS") = paths));
}

}  // namespace gauntlet::adapters
