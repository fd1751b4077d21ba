#include "harness/results_store.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>

#include "harness/errors.hpp"

namespace gauntlet {
namespace {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Hid {
 public:
  Hid() = default;
  Hid(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  Hid(Hid&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Hid& operator=(Hid&& o) noexcept {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
    return *this;
  }
  ~Hid() { reset(); }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

void check(herr_t status, const std::string& what) {
  if (status < 0) throw RuntimeFailure("HDF5: " + what + " failed");
}
Hid checked(hid_t id, herr_t (*close)(hid_t), const std::string& what) {
  if (id < 0) throw RuntimeFailure("HDF5: " + what + " failed");
  return Hid(id, close);
}

void quiet_hdf5() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

Hid vlen_string_type() {
  Hid t = checked(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "string size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "string charset");
  return t;
}

Hid termination_type() {
  Hid t = checked(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose, "enum type");
  for (const Termination term : kAllTerminations) {
    const auto v = static_cast<std::int8_t>(term);
    check(H5Tenum_insert(t.get(), std::string(to_string(term)).c_str(), &v), "enum insert");
  }
  return t;
}

void write_attr(hid_t obj, const char* name, const std::string& value) {
  Hid type = vlen_string_type();
  Hid space = checked(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Hid attr = checked(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                     H5Aclose, std::string("attribute ") + name);
  const char* p = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &p), std::string("write attribute ") + name);
}

template <typename T>
void write_attr_num(hid_t obj, const char* name, T value, hid_t type) {
  Hid space = checked(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Hid attr = checked(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     std::string("attribute ") + name);
  check(H5Awrite(attr.get(), type, &value), std::string("write attribute ") + name);
}

bool has_attr(hid_t obj, const char* name) { return H5Aexists(obj, name) > 0; }

std::string read_attr(hid_t obj, const char* name, const std::string& file) {
  if (!has_attr(obj, name)) {
    throw InputError(file + ": not a gauntlet results file (attribute '" + name + "' missing)");
  }
  Hid attr = checked(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open ") + name);
  Hid type = vlen_string_type();
  char* p = nullptr;
  check(H5Aread(attr.get(), type.get(), &p), std::string("read attribute ") + name);
  std::string out = p ? p : "";
  H5free_memory(p);
  return out;
}

template <typename T>
T read_attr_num(hid_t obj, const char* name, hid_t type, const std::string& file) {
  if (!has_attr(obj, name)) {
    throw InputError(file + ": not a gauntlet results file (attribute '" + name + "' missing)");
  }
  Hid attr = checked(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open ") + name);
  T value{};
  check(H5Aread(attr.get(), type, &value), std::string("read attribute ") + name);
  return value;
}

// In-memory layout of one row of the `episodes` table.
struct EpisodeRow {
  char* task;
  char* perturbation;
  std::int32_t episode;
  std::uint64_t seed;
  std::uint8_t success;
  double progress;
  double episode_return;
  std::int32_t steps;
  std::int8_t termination;
  double wall_time_s;
  std::int32_t policy_calls;
  double latency_p50_ms;
  double latency_p95_ms;
  double latency_p99_ms;
  char* error;
};

Hid episode_row_type() {
  Hid str = vlen_string_type();
  Hid term = termination_type();
  Hid t = checked(H5Tcreate(H5T_COMPOUND, sizeof(EpisodeRow)), H5Tclose, "compound type");
#define GAUNTLET_FIELD(name, type) \
  check(H5Tinsert(t.get(), #name, HOFFSET(EpisodeRow, name), type), "insert " #name)
  GAUNTLET_FIELD(task, str.get());
  GAUNTLET_FIELD(perturbation, str.get());
  GAUNTLET_FIELD(episode, H5T_NATIVE_INT32);
  GAUNTLET_FIELD(seed, H5T_NATIVE_UINT64);
  GAUNTLET_FIELD(success, H5T_NATIVE_UINT8);
  GAUNTLET_FIELD(progress, H5T_NATIVE_DOUBLE);
  GAUNTLET_FIELD(episode_return, H5T_NATIVE_DOUBLE);
  GAUNTLET_FIELD(steps, H5T_NATIVE_INT32);
  GAUNTLET_FIELD(termination, term.get());
  GAUNTLET_FIELD(wall_time_s, H5T_NATIVE_DOUBLE);
  GAUNTLET_FIELD(policy_calls, H5T_NATIVE_INT32);
  GAUNTLET_FIELD(latency_p50_ms, H5T_NATIVE_DOUBLE);
  GAUNTLET_FIELD(latency_p95_ms, H5T_NATIVE_DOUBLE);
  GAUNTLET_FIELD(latency_p99_ms, H5T_NATIVE_DOUBLE);
  GAUNTLET_FIELD(error, str.get());
#undef GAUNTLET_FIELD
  return t;
}

struct TaskRow {
  char* id;
  char* instruction;
  char* family;
  std::int32_t max_steps;
};

Hid task_row_type() {
  Hid str = vlen_string_type();
  Hid t = checked(H5Tcreate(H5T_COMPOUND, sizeof(TaskRow)), H5Tclose, "compound type");
  check(H5Tinsert(t.get(), "id", HOFFSET(TaskRow, id), str.get()), "insert id");
  check(H5Tinsert(t.get(), "instruction", HOFFSET(TaskRow, instruction), str.get()), "insert");
  check(H5Tinsert(t.get(), "family", HOFFSET(TaskRow, family), str.get()), "insert family");
  check(H5Tinsert(t.get(), "max_steps", HOFFSET(TaskRow, max_steps), H5T_NATIVE_INT32), "insert");
  return t;
}

// A 1-D chunked, extendible dataset of `n` rows of `type`, written from `rows`.
void write_table(hid_t file, const char* name, hid_t type, const void* rows, hsize_t n) {
  hsize_t dims[1] = {n};
  hsize_t maxdims[1] = {H5S_UNLIMITED};
  Hid space = checked(H5Screate_simple(1, dims, maxdims), H5Sclose, "dataspace");
  Hid dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "dcpl");
  hsize_t chunk[1] = {256};
  check(H5Pset_chunk(dcpl.get(), 1, chunk), "chunking");
  Hid ds = checked(H5Dcreate2(file, name, type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                   H5Dclose, std::string("create dataset ") + name);
  if (n > 0) {
    check(H5Dwrite(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows),
          std::string("write dataset ") + name);
  }
}

char* cstr(const std::string& s) { return const_cast<char*>(s.c_str()); }

void fsync_path(const std::filesystem::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void write_file(const std::filesystem::path& path, const RunResults& results) {
  quiet_hdf5();
  Hid fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "fapl");
  Hid file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  if (!file.valid()) {
    throw InputError("cannot write results file '" + path.string() +
                     "': check that the directory exists and is writable");
  }
  const RunHeader& h = results.header;
  const hid_t f = file.get();
  write_attr_num<std::int64_t>(f, "schema_version", h.schema_version, H5T_NATIVE_INT64);
  write_attr(f, "format", "gauntlet-results");
  write_attr(f, "harness_version", h.harness_version);
  write_attr(f, "git_sha", h.git_sha);
  write_attr(f, "suite", h.suite_name);
  write_attr(f, "suite_version", h.suite_version);
  write_attr(f, "suite_hash", h.suite_hash);
  write_attr(f, "suite_source", h.suite_source);
  write_attr_num<std::uint64_t>(f, "seed", h.suite_seed, H5T_NATIVE_UINT64);
  write_attr(f, "policy_spec", h.policy_spec);
  write_attr(f, "policy_name", h.policy_name);
  write_attr(f, "policy_identity", h.policy_identity);
  write_attr_num<std::int64_t>(f, "episodes_per_task", h.episodes_per_task, H5T_NATIVE_INT64);
  write_attr(f, "cameras", h.cameras);
  write_attr_num<std::int64_t>(f, "image_width", h.image_width, H5T_NATIVE_INT64);
  write_attr_num<std::int64_t>(f, "image_height", h.image_height, H5T_NATIVE_INT64);
  write_attr_num<std::int64_t>(f, "replan_every", h.replan_every, H5T_NATIVE_INT64);
  write_attr(f, "shard", h.shard);
  write_attr(f, "hosts", h.hosts);
  write_attr(f, "started_at", h.started_at);
  write_attr(f, "updated_at", h.updated_at);
  write_attr(f, "command", h.command);

  std::vector<EpisodeRow> rows;
  rows.reserve(results.episodes.size());
  for (const auto& e : results.episodes) {
    rows.push_back(EpisodeRow{cstr(e.task_id), cstr(e.perturbation_id), e.episode_index, e.seed,
                              static_cast<std::uint8_t>(e.success ? 1 : 0), e.progress,
                              e.episode_return, e.steps, static_cast<std::int8_t>(e.termination),
                              e.wall_time_s, e.policy_calls, e.latency_p50_ms, e.latency_p95_ms,
                              e.latency_p99_ms, cstr(e.error)});
  }
  Hid ep_type = episode_row_type();
  write_table(f, "episodes", ep_type.get(), rows.data(), rows.size());

  std::vector<TaskRow> task_rows;
  for (const auto& t : h.tasks) {
    task_rows.push_back(TaskRow{cstr(t.id), cstr(t.instruction), cstr(t.family), t.max_steps});
  }
  Hid task_type = task_row_type();
  write_table(f, "tasks", task_type.get(), task_rows.data(), task_rows.size());

  std::vector<char*> pert;
  for (const auto& p : h.perturbations) pert.push_back(cstr(p));
  Hid str = vlen_string_type();
  write_table(f, "perturbations", str.get(), pert.data(), pert.size());
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
}

template <typename Row>
std::vector<Row> read_table(hid_t file, const char* name, hid_t type, const std::string& where) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
    throw InputError(where + ": not a gauntlet results file (dataset '" + name + "' missing)");
  }
  Hid ds = checked(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose, std::string("open ") + name);
  Hid space = checked(H5Dget_space(ds.get()), H5Sclose, "dataspace");
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<Row> rows(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
  if (n > 0) {
    if (H5Dread(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0) {
      throw InputError(where + ": dataset '" + name + "' does not have the expected columns");
    }
  }
  return rows;
}

template <typename Row>
void reclaim(hid_t type, std::vector<Row>& rows) {
  if (rows.empty()) return;
  hsize_t dims[1] = {rows.size()};
  Hid space = checked(H5Screate_simple(1, dims, nullptr), H5Sclose, "dataspace");
  H5Dvlen_reclaim(type, space.get(), H5P_DEFAULT, rows.data());
}

void sort_episodes(std::vector<EpisodeResult>& episodes) {
  std::sort(episodes.begin(), episodes.end(),
            [](const EpisodeResult& a, const EpisodeResult& b) { return a.key() < b.key(); });
}

std::string merge_hosts(const std::string& a, const std::string& b) {
  std::set<std::string> hosts;
  for (const auto* s : {&a, &b}) {
    std::size_t start = 0;
    while (start < s->size()) {
      const std::size_t comma = std::min(s->find(',', start), s->size());
      if (comma > start) hosts.insert(s->substr(start, comma - start));
      start = comma + 1;
    }
  }
  std::string out;
  for (const auto& h : hosts) out += (out.empty() ? "" : ",") + h;
  return out;
}

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

void check_same_experiment(const RunHeader& a, const std::string& a_name, const RunHeader& b,
                           const std::string& b_name) {
  auto differ = [&](const std::string& what, const std::string& va, const std::string& vb) {
    if (va != vb) {
      throw InputError(b_name + " and " + a_name + " hold different experiments: " + what +
                       " is '" + vb + "' vs '" + va + "'; refusing to mix them (nothing was written)");
    }
  };
  differ("suite", a.suite_name, b.suite_name);
  differ("suite hash", a.suite_hash, b.suite_hash);
  differ("seed", std::to_string(a.suite_seed), std::to_string(b.suite_seed));
  differ("policy identity (spec " + a.policy_spec + ")", a.policy_identity, b.policy_identity);
  differ("cameras", a.cameras, b.cameras);
  differ("image size", std::to_string(a.image_width) + "x" + std::to_string(a.image_height),
         std::to_string(b.image_width) + "x" + std::to_string(b.image_height));
  differ("replan_every", std::to_string(a.replan_every), std::to_string(b.replan_every));
}

ResultsStore::ResultsStore(std::filesystem::path path, int lock_fd)
    : path_(std::move(path)), lock_fd_(lock_fd) {}

ResultsStore::~ResultsStore() {
  if (lock_fd_ >= 0) {
    ::flock(lock_fd_, LOCK_UN);
    ::close(lock_fd_);
    std::error_code ec;
    std::filesystem::remove(path_.string() + ".lock", ec);
  }
}

std::unique_ptr<ResultsStore> ResultsStore::open_for_run(const std::filesystem::path& path,
                                                         RunHeader header) {
  const std::filesystem::path parent =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  const std::string lock_path = path.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw InputError("results file '" + path.string() + "': cannot create files in '" + parent.string() +
                     "' (" + std::strerror(errno) + ")");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw InputError("results file '" + path.string() +
                     "': another gauntlet process is writing this file");
  }
  std::unique_ptr<ResultsStore> store(new ResultsStore(path, fd));
  // Temp files of an earlier process killed mid-write are garbage.
  for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(path.filename().string() + ".tmp.", 0) == 0) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
  if (std::filesystem::exists(path)) {
    RunResults existing = read(path);
    check_same_experiment(existing.header, path.string(), header, "this run");
    header.started_at = existing.header.started_at;
    header.hosts = merge_hosts(existing.header.hosts, header.hosts);
    header.episodes_per_task = std::max(header.episodes_per_task,
                                        existing.header.episodes_per_task);
    for (const auto& p : existing.header.perturbations) {
      if (std::find(header.perturbations.begin(), header.perturbations.end(), p) ==
          header.perturbations.end()) {
        header.perturbations.push_back(p);
      }
    }
    for (const auto& t : existing.header.tasks) {
      if (std::none_of(header.tasks.begin(), header.tasks.end(),
                       [&](const TaskInfo& x) { return x.id == t.id; })) {
        header.tasks.push_back(t);
      }
    }
    store->results_.episodes = std::move(existing.episodes);
    for (const auto& e : store->results_.episodes) store->keys_.insert(e.key());
  }
  header.updated_at = utc_now_iso8601();
  store->results_.header = std::move(header);
  write(path, store->results_);
  return store;
}

void ResultsStore::append(std::span<const EpisodeResult> episodes) {
  bool changed = false;
  for (const auto& e : episodes) {
    if (keys_.insert(e.key()).second) {
      results_.episodes.push_back(e);
      changed = true;
    }
  }
  if (!changed) return;
  sort_episodes(results_.episodes);
  results_.header.updated_at = utc_now_iso8601();
  write(path_, results_);
}

void ResultsStore::write(const std::filesystem::path& path, const RunResults& results) {
  const std::filesystem::path tmp =
      path.string() + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  try {
    write_file(tmp, results);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  fsync_path(tmp, O_RDONLY);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InputError("cannot write results file '" + path.string() + "': " + ec.message());
  }
  fsync_path(path.has_parent_path() ? path.parent_path() : ".", O_RDONLY | O_DIRECTORY);
}

RunResults ResultsStore::read(const std::filesystem::path& path) {
  quiet_hdf5();
  const std::string where = path.string();
  if (!std::filesystem::exists(path)) throw InputError(where + ": no such results file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(where + ": not an HDF5 file");
  Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) throw InputError(where + ": cannot open as HDF5");
  const hid_t f = file.get();
  RunResults out;
  RunHeader& h = out.header;
  if (!has_attr(f, "format") || read_attr(f, "format", where) != "gauntlet-results") {
    throw InputError(where + ": not a gauntlet results file (no format=gauntlet-results)");
  }
  h.schema_version =
      static_cast<int>(read_attr_num<std::int64_t>(f, "schema_version", H5T_NATIVE_INT64, where));
  if (h.schema_version > kResultsSchemaVersion) {
    throw InputError(where + ": results schema version " + std::to_string(h.schema_version) +
                     " is newer than this gauntlet understands (" +
                     std::to_string(kResultsSchemaVersion) + ")");
  }
  h.harness_version = read_attr(f, "harness_version", where);
  h.git_sha = read_attr(f, "git_sha", where);
  h.suite_name = read_attr(f, "suite", where);
  h.suite_version = read_attr(f, "suite_version", where);
  h.suite_hash = read_attr(f, "suite_hash", where);
  h.suite_source = read_attr(f, "suite_source", where);
  h.suite_seed = read_attr_num<std::uint64_t>(f, "seed", H5T_NATIVE_UINT64, where);
  h.policy_spec = read_attr(f, "policy_spec", where);
  h.policy_name = read_attr(f, "policy_name", where);
  h.policy_identity = read_attr(f, "policy_identity", where);
  h.episodes_per_task = static_cast<int>(
      read_attr_num<std::int64_t>(f, "episodes_per_task", H5T_NATIVE_INT64, where));
  h.cameras = read_attr(f, "cameras", where);
  h.image_width =
      static_cast<int>(read_attr_num<std::int64_t>(f, "image_width", H5T_NATIVE_INT64, where));
  h.image_height =
      static_cast<int>(read_attr_num<std::int64_t>(f, "image_height", H5T_NATIVE_INT64, where));
  h.replan_every =
      static_cast<int>(read_attr_num<std::int64_t>(f, "replan_every", H5T_NATIVE_INT64, where));
  h.shard = read_attr(f, "shard", where);
  h.hosts = read_attr(f, "hosts", where);
  h.started_at = read_attr(f, "started_at", where);
  h.updated_at = read_attr(f, "updated_at", where);
  h.command = read_attr(f, "command", where);

  Hid ep_type = episode_row_type();
  auto rows = read_table<EpisodeRow>(f, "episodes", ep_type.get(), where);
  out.episodes.reserve(rows.size());
  for (const auto& r : rows) {
    EpisodeResult e;
    e.task_id = r.task ? r.task : "";
    e.perturbation_id = r.perturbation ? r.perturbation : "";
    e.episode_index = r.episode;
    e.seed = r.seed;
    e.success = r.success != 0;
    e.progress = r.progress;
    e.episode_return = r.episode_return;
    e.steps = r.steps;
    e.termination = static_cast<Termination>(r.termination);
    e.wall_time_s = r.wall_time_s;
    e.policy_calls = r.policy_calls;
    e.latency_p50_ms = r.latency_p50_ms;
    e.latency_p95_ms = r.latency_p95_ms;
    e.latency_p99_ms = r.latency_p99_ms;
    e.error = r.error ? r.error : "";
    out.episodes.push_back(std::move(e));
  }
  reclaim(ep_type.get(), rows);

  Hid task_type = task_row_type();
  auto tasks = read_table<TaskRow>(f, "tasks", task_type.get(), where);
  for (const auto& t : tasks) {
    h.tasks.push_back(TaskInfo{t.id ? t.id : "", t.instruction ? t.instruction : "", t.max_steps,
                               t.family ? t.family : ""});
  }
  reclaim(task_type.get(), tasks);

  Hid str = vlen_string_type();
  auto pert = read_table<char*>(f, "perturbations", str.get(), where);
  for (char* p : pert) h.perturbations.emplace_back(p ? p : "");
  reclaim(str.get(), pert);
  sort_episodes(out.episodes);
  return out;
}

RunResults merge_results(const std::vector<std::filesystem::path>& inputs) {
  if (inputs.empty()) throw InputError("merge: no input files given");
  RunResults merged = ResultsStore::read(inputs.front());
  std::map<EpisodeKey, std::size_t> index;
  for (std::size_t i = 0; i < merged.episodes.size(); ++i) index[merged.episodes[i].key()] = i;
  for (std::size_t k = 1; k < inputs.size(); ++k) {
    RunResults next = ResultsStore::read(inputs[k]);
    check_same_experiment(merged.header, inputs.front().string(), next.header, inputs[k].string());
    if (next.header.episodes_per_task != merged.header.episodes_per_task ||
        next.header.perturbations != merged.header.perturbations) {
      throw InputError(inputs[k].string() + " was planned with a different --episodes or " +
                       "--perturb than " + inputs.front().string() + "; refusing to merge");
    }
    for (auto& e : next.episodes) {
      const auto it = index.find(e.key());
      if (it == index.end()) {
        index[e.key()] = merged.episodes.size();
        merged.episodes.push_back(std::move(e));
        continue;
      }
      const EpisodeResult& have = merged.episodes[it->second];
      if (have.seed != e.seed || have.success != e.success || have.steps != e.steps ||
          have.termination != e.termination) {
        throw InputError(inputs[k].string() + ": episode " + e.task_id + "/" + e.perturbation_id +
                         "/" + std::to_string(e.episode_index) +
                         " conflicts with the same episode in an earlier input");
      }
    }
    merged.header.hosts = merge_hosts(merged.header.hosts, next.header.hosts);
    merged.header.started_at = std::min(merged.header.started_at, next.header.started_at);
    merged.header.updated_at = std::max(merged.header.updated_at, next.header.updated_at);
  }
  sort_episodes(merged.episodes);
  merged.header.shard = inputs.size() == 1 ? merged.header.shard
                                           : "merged:" + std::to_string(inputs.size());
  return merged;
}

}  // namespace gauntlet
