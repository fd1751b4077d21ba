#include "harness/demo_reader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <charconv>

#include "harness/demo_file.hpp"
#include "harness/errors.hpp"

namespace gauntlet {
namespace {

// Closes an HDF5 handle on scope exit.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

bool has_link(hid_t loc, const std::string& path) {
  // Checks every component, as H5Lexists requires.
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = path.find('/', pos);
    const std::string prefix = path.substr(0, slash);
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

std::string string_attr(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) return {};
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(),
                H5Tget_cset(type.get()));  // HDF5 does not convert between ASCII and UTF-8
    char* p = nullptr;
    if (H5Aread(attr.get(), mem.get(), &p) < 0) return {};
    std::string out = p ? p : "";
    H5free_memory(p);
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string out(size, '\0');
  if (H5Aread(attr.get(), type.get(), out.data()) < 0) return {};
  out.resize(std::min(out.size(), out.find('\0')));
  return out;
}

long long int_attr(hid_t obj, const char* name, long long fallback) {
  if (H5Aexists(obj, name) <= 0) return fallback;
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  long long v = fallback;
  if (!attr.ok() || H5Aread(attr.get(), H5T_NATIVE_LLONG, &v) < 0) return fallback;
  return v;
}

// Reads a whole dataset converted to `mem_type`; returns its dimensions.
template <typename T>
std::vector<hsize_t> read_dataset(hid_t loc, const std::string& path, hid_t mem_type,
                                  std::vector<T>& out, const std::string& where) {
  Handle ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) throw InputError(where + ": cannot open dataset '" + path + "'");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  hsize_t n = 1;
  for (const hsize_t d : dims) n *= d;
  out.resize(static_cast<std::size_t>(n));
  if (n > 0 && H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    throw InputError(where + ": cannot read dataset '" + path + "'");
  }
  return dims;
}

// A 1-D dataset of fixed-length strings (write_names in demo_file.cpp).
std::vector<std::string> read_names(hid_t loc, const std::string& path, const std::string& where) {
  Handle ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) throw InputError(where + ": cannot open dataset '" + path + "'");
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0 ||
      H5Sget_simple_extent_ndims(space.get()) != 1) {
    throw InputError(where + ": '" + path + "' must be a 1-D dataset of fixed-length strings");
  }
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  const std::size_t width = H5Tget_size(type.get());
  std::vector<char> packed(static_cast<std::size_t>(n) * width);
  if (n > 0 && H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()) < 0) {
    throw InputError(where + ": cannot read dataset '" + path + "'");
  }
  std::vector<std::string> out;
  for (hsize_t i = 0; i < n; ++i) {
    std::string s(packed.data() + i * width, width);
    s.resize(std::min(s.size(), s.find('\0')));
    out.push_back(std::move(s));
  }
  return out;
}

// data/demo_K/subtasks of a chain demo (empty when the group is absent): rows
// of equal length, each subtask's actions [start, end) within the demo's
// `steps`, subtasks back to back, and no success after a failure.
std::vector<DemoSubtask> read_subtasks(hid_t demo, int steps, const std::string& where) {
  if (!has_link(demo, "subtasks")) return {};
  const std::string at = where + ": subtasks";
  const std::vector<std::string> names = read_names(demo, "subtasks/name", at);
  const std::vector<std::string> annotations = read_names(demo, "subtasks/annotation", at);
  std::vector<long long> start, end;
  std::vector<std::uint8_t> success;
  read_dataset(demo, "subtasks/start", H5T_NATIVE_LLONG, start, at);
  read_dataset(demo, "subtasks/end", H5T_NATIVE_LLONG, end, at);
  read_dataset(demo, "subtasks/success", H5T_NATIVE_UINT8, success, at);
  const std::size_t n = names.size();
  if (annotations.size() != n || start.size() != n || end.size() != n || success.size() != n) {
    throw InputError(at +
                     ": name, annotation, start, end and success must have one row per "
                     "subtask (" +
                     std::to_string(n) + ")");
  }
  std::vector<DemoSubtask> out;
  long long expected = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string row = at + " row " + std::to_string(i);
    if (start[i] != expected || end[i] < start[i] || end[i] > steps) {
      throw InputError(row + ": expected start " + std::to_string(expected) +
                       " (the previous subtask's end) and start <= end <= " +
                       std::to_string(steps) + " (the demo's actions); got [" +
                       std::to_string(start[i]) + ", " + std::to_string(end[i]) + ")");
    }
    if (success[i] > 1 || (i > 0 && success[i] == 1 && success[i - 1] == 0)) {
      throw InputError(row + ": success must be 0 or 1, and a chain stops at its first failure");
    }
    expected = end[i];
    out.push_back(DemoSubtask{names[i], annotations[i], static_cast<int>(start[i]),
                              static_cast<int>(end[i]), success[i] == 1});
  }
  return out;
}

herr_t collect_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

int demo_number(const std::string& name) {
  int k = -1;
  if (name.rfind("demo_", 0) != 0) return -1;
  const char* b = name.data() + 5;
  const char* e = name.data() + name.size();
  const auto [ptr, ec] = std::from_chars(b, e, k);
  return ec == std::errc() && ptr == e ? k : -1;
}

std::vector<std::string> demo_names(hid_t data) {
  std::vector<std::string> names;
  H5Literate(data, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_name, &names);
  names.erase(std::remove_if(names.begin(), names.end(),
                             [](const std::string& n) { return demo_number(n) < 0; }),
              names.end());
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return demo_number(a) < demo_number(b);
  });
  return names;
}

// A demonstration file opened for reading, with its /data group; throws
// InputError naming the file when it is missing, not HDF5 or has no /data.
class DemoFile {
 public:
  explicit DemoFile(const std::filesystem::path& path)
      : file_(open_file(path), H5Fclose), data_(open_data(file_.get(), path), H5Gclose) {}
  hid_t data() const { return data_.get(); }

 private:
  static hid_t open_file(const std::filesystem::path& path) {
    const std::string file = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      throw InputError("demonstration file '" + file + "' does not exist");
    }
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) throw InputError("'" + file + "' is not an HDF5 file");
    return id;
  }
  static hid_t open_data(hid_t file_id, const std::filesystem::path& path) {
    if (!has_link(file_id, "data")) {
      throw InputError(
          "'" + path.string() +
          "' is not a demonstration file (no /data group; write one with gauntlet record)");
    }
    return H5Gopen2(file_id, "data", H5P_DEFAULT);
  }

  Handle file_;
  Handle data_;
};

}  // namespace

DemoTraceSet read_demo_traces(const std::filesystem::path& path, const std::string& demo) {
  DemoTraceSet set;
  set.path = path;
  const std::string file = path.string();
  const DemoFile demo_file(path);
  const hid_t data = demo_file.data();
  set.env_args = string_attr(data, "env_args");
  std::vector<std::string> names = demo_names(data);
  if (!demo.empty()) {
    if (std::find(names.begin(), names.end(), demo) == names.end()) {
      std::string list;
      for (std::size_t i = 0; i < names.size() && i < 10; ++i) list += (i ? ", " : "") + names[i];
      if (names.size() > 10) list += ", ...";
      throw InputError("--demo '" + demo + "': '" + file + "' has no such demo; it has " +
                       std::to_string(names.size()) + " (" + list + ")");
    }
    names = {demo};
  }
  for (const auto& name : names) {
    const std::string where = file + ": " + name;
    Handle g(H5Gopen2(data, name.c_str(), H5P_DEFAULT), H5Gclose);
    DemoTrace t;
    t.name = name;
    t.task = string_attr(g.get(), "task");
    t.perturbation = string_attr(g.get(), "perturbation");
    t.episode = static_cast<int>(int_attr(g.get(), "episode", -1));
    t.success = int_attr(g.get(), "success", 0) != 0;
    t.model_file = string_attr(g.get(), "model_file");
    t.state_layout = string_attr(g.get(), "state_layout");
    const std::string seed = string_attr(g.get(), "seed");
    const auto [ptr, err] = std::from_chars(seed.data(), seed.data() + seed.size(), t.seed);
    if (seed.empty() || err != std::errc() || ptr != seed.data() + seed.size() || t.task.empty() ||
        t.episode < 0) {
      throw InputError(where +
                       ": attributes task, episode and seed (a decimal string) are "
                       "required to replay it");
    }
    if (!has_link(g.get(), "states")) {
      throw InputError(where +
                       ": no 'states' dataset (recorded by a backend that cannot save "
                       "its simulator state, or by an older gauntlet); record it again");
    }
    const auto adims = read_dataset(g.get(), "actions", H5T_NATIVE_FLOAT, t.actions, where);
    if (adims.size() != 2 || adims[0] == 0)
      throw InputError(where + ": actions must be a non-empty T x D array");
    t.steps = static_cast<int>(adims[0]);
    t.action_dim = static_cast<int>(adims[1]);
    const auto sdims = read_dataset(g.get(), "states", H5T_NATIVE_DOUBLE, t.states, where);
    if (sdims.size() != 2 || sdims[0] != adims[0] || sdims[1] == 0) {
      throw InputError(where + ": states must be T x S with T = " + std::to_string(t.steps) +
                       " (one state before each action)");
    }
    t.state_size = static_cast<int>(sdims[1]);
    if (has_link(g.get(), "final_state")) {
      const auto fdims =
          read_dataset(g.get(), "final_state", H5T_NATIVE_DOUBLE, t.final_state, where);
      if (t.final_state.size() != sdims[1] || fdims.empty())
        throw InputError(where + ": final_state must hold one state of " +
                         std::to_string(t.state_size) + " numbers");
    }
    if (has_link(g.get(), "next_obs/proprio")) {
      const auto pdims =
          read_dataset(g.get(), "next_obs/proprio", H5T_NATIVE_FLOAT, t.next_proprio, where);
      if (pdims.size() != 2 || pdims[0] != adims[0])
        throw InputError(where + ": next_obs/proprio must be T x P");
      t.proprio_dim = static_cast<int>(pdims[1]);
    }
    t.subtasks = read_subtasks(g.get(), t.steps, where);
    set.demos.push_back(std::move(t));
  }
  if (set.demos.empty())
    throw InputError("'" + file + "' holds no demonstrations (data/demo_K groups)");
  return set;
}

DemoSet read_demo_file(const std::filesystem::path& path, const std::string& camera) {
  DemoSet set;
  set.path = path;
  set.camera = camera;
  const std::string file = path.string();
  const DemoFile demo_file(path);
  const hid_t data = demo_file.data();
  set.policy_spec = string_attr(data, "policy_spec");
  set.env_args = string_attr(data, "env_args");
  const std::vector<std::string> names = demo_names(data);
  const std::string key = demo_camera_key(camera);
  for (const auto& name : names) {
    const std::string where = file + ": " + name;
    Handle g(H5Gopen2(data, name.c_str(), H5P_DEFAULT), H5Gclose);
    DemoEpisode e;
    e.name = name;
    e.task = string_attr(g.get(), "task");
    e.instruction = string_attr(g.get(), "language_instruction");
    e.perturbation = string_attr(g.get(), "perturbation");
    e.seed = string_attr(g.get(), "seed");
    e.episode = static_cast<int>(int_attr(g.get(), "episode", -1));
    e.success = int_attr(g.get(), "success", 0) != 0;
    if (!has_link(g.get(), "obs/" + key)) {
      throw InputError(where + ": no obs/" + key + " (camera '" + camera +
                       "'); record with --camera " + camera);
    }
    const auto adims = read_dataset(g.get(), "actions", H5T_NATIVE_FLOAT, e.actions, where);
    if (adims.size() != 2 || adims[0] == 0)
      throw InputError(where + ": actions must be a non-empty T x D array");
    e.steps = static_cast<int>(adims[0]);
    e.action_dim = static_cast<int>(adims[1]);
    const auto fdims = read_dataset(g.get(), "obs/" + key, H5T_NATIVE_UINT8, e.frames, where);
    if (fdims.size() != 4 || fdims[3] != 3 || fdims[0] != adims[0]) {
      throw InputError(where + ": obs/" + key + " must be T x H x W x 3 with T = " +
                       std::to_string(e.steps) + " (one frame per action)");
    }
    e.height = static_cast<int>(fdims[1]);
    e.width = static_cast<int>(fdims[2]);
    if (has_link(g.get(), "obs/proprio")) {
      const auto pdims = read_dataset(g.get(), "obs/proprio", H5T_NATIVE_FLOAT, e.proprio, where);
      if (pdims.size() != 2 || pdims[0] != adims[0])
        throw InputError(where + ": obs/proprio must be T x P");
      e.proprio_dim = static_cast<int>(pdims[1]);
    }
    if (has_link(g.get(), "progress")) {
      read_dataset(g.get(), "progress", H5T_NATIVE_FLOAT, e.progress, where);
      if (e.progress.size() != static_cast<std::size_t>(e.steps)) e.progress.clear();
    }
    e.subtasks = read_subtasks(g.get(), e.steps, where);
    if (has_link(g.get(), "final_obs/" + key)) {
      std::vector<std::uint8_t> last;
      const auto ldims = read_dataset(g.get(), "final_obs/" + key, H5T_NATIVE_UINT8, last, where);
      if (ldims.size() == 4 && ldims[0] == 1 && ldims[1] == fdims[1] && ldims[2] == fdims[2] &&
          ldims[3] == 3) {
        std::vector<float> last_proprio;
        bool proprio_ok = e.proprio_dim == 0;
        if (e.proprio_dim > 0 && has_link(g.get(), "final_obs/proprio")) {
          read_dataset(g.get(), "final_obs/proprio", H5T_NATIVE_FLOAT, last_proprio, where);
          proprio_ok = last_proprio.size() == static_cast<std::size_t>(e.proprio_dim);
        }
        if (proprio_ok) {
          e.frames.insert(e.frames.end(), last.begin(), last.end());
          e.proprio.insert(e.proprio.end(), last_proprio.begin(), last_proprio.end());
          e.has_final = true;
        }
      }
    }
    set.episodes.push_back(std::move(e));
  }
  if (set.episodes.empty())
    throw InputError("'" + file + "' holds no demonstrations (data/demo_K groups)");
  return set;
}

}  // namespace gauntlet
