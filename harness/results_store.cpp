#include "harness/results_store.hpp"

#include "harness/plan_coverage.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>

#include "harness/errors.hpp"
#include "harness/plan_coverage.hpp"
#include "harness/subtask_list.hpp"
#include "harness/temp_files.hpp"

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

bool has_attr(hid_t obj, const char* name) {
  return H5Aexists(obj, name) > 0;
}

// Reading: every failure is the file's (exit 2), named with the file and the
// attribute, dataset or row it was reading.
void check_read(herr_t status, const std::string& where, const std::string& what) {
  if (status < 0) throw InputError(where + ": " + what + " failed (a damaged or foreign file)");
}
Hid checked_read(hid_t id, herr_t (*close)(hid_t), const std::string& where,
                 const std::string& what) {
  if (id < 0) throw InputError(where + ": " + what + " failed (a damaged or foreign file)");
  return Hid(id, close);
}

// Whether dataset `table` exists as a compound with member `column`: optional
// columns newer files add (an older file reads without them).
bool has_column(hid_t file, const char* table, const char* column, const std::string& where) {
  if (H5Lexists(file, table, H5P_DEFAULT) <= 0) return false;
  const std::string what = std::string("dataset '") + table + "'";
  Hid ds = checked_read(H5Dopen2(file, table, H5P_DEFAULT), H5Dclose, where, "open " + what);
  Hid type = checked_read(H5Dget_type(ds.get()), H5Tclose, where, what + " type");
  return H5Tget_class(type.get()) == H5T_COMPOUND && H5Tget_member_index(type.get(), column) >= 0;
}

// Strings longer than this in a results file are damage, not data.
constexpr std::size_t kMaxStringBytes = std::size_t{16} << 20;

// Opens a scalar attribute of the expected type class.
Hid open_scalar_attr(hid_t obj, const char* name, H5T_class_t cls, const char* expected,
                     const std::string& where) {
  if (!has_attr(obj, name)) {
    throw InputError(where + ": not a gauntlet results file (attribute '" + name + "' missing)");
  }
  const std::string what = std::string("attribute '") + name + "'";
  Hid attr = checked_read(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, where, "open " + what);
  Hid space = checked_read(H5Aget_space(attr.get()), H5Sclose, where, what + " dataspace");
  Hid type = checked_read(H5Aget_type(attr.get()), H5Tclose, where, what + " type");
  if (H5Sget_simple_extent_type(space.get()) != H5S_SCALAR || H5Tget_class(type.get()) != cls) {
    throw InputError(where + ": " + what + " is not a scalar " + expected);
  }
  return attr;
}

std::string read_attr(hid_t obj, const char* name, const std::string& file) {
  Hid attr = open_scalar_attr(obj, name, H5T_STRING, "string", file);
  const std::string what = std::string("read attribute '") + name + "'";
  Hid ftype = checked_read(H5Aget_type(attr.get()), H5Tclose, file, what);
  const htri_t variable = H5Tis_variable_str(ftype.get());
  if (variable < 0) check_read(-1, file, what);
  if (variable == 0) {
    // A fixed-size string (h5py's numpy bytes): read its bytes as they are.
    const std::size_t size = H5Tget_size(ftype.get());
    if (size == 0 || size > kMaxStringBytes) throw InputError(file + ": " + what + ": bad size");
    Hid mtype = checked_read(H5Tcopy(H5T_C_S1), H5Tclose, file, what);
    check_read(H5Tset_size(mtype.get(), size), file, what);
    std::string buf(size, '\0');
    check_read(H5Aread(attr.get(), mtype.get(), buf.data()), file, what);
    buf.resize(std::strlen(buf.c_str()));
    return buf;
  }
  Hid type = vlen_string_type();
  char* p = nullptr;
  check_read(H5Aread(attr.get(), type.get(), &p), file, what);
  std::string out = p ? std::string(p, strnlen(p, kMaxStringBytes + 1)) : "";
  H5free_memory(p);
  if (out.size() > kMaxStringBytes) throw InputError(file + ": " + what + ": over 16 MiB");
  return out;
}

template <typename T>
T read_attr_num(hid_t obj, const char* name, hid_t type, const std::string& file) {
  Hid attr = open_scalar_attr(obj, name, H5T_INTEGER, "integer", file);
  T value{};
  check_read(H5Aread(attr.get(), type, &value), file, std::string("read attribute '") + name + "'");
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
  char* subtasks;  // chain suites: format_subtasks(); files from before chains lack the column
};

Hid episode_row_type(bool with_subtasks = true) {
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
  if (with_subtasks) GAUNTLET_FIELD(subtasks, str.get());
#undef GAUNTLET_FIELD
  return t;
}

struct TaskRow {
  char* id;
  char* instruction;
  char* family;
  std::int32_t max_steps;
  std::int32_t episodes;  // planned count; files from before per-task counts lack the column
};

Hid task_row_type(bool with_episodes = true) {
  Hid str = vlen_string_type();
  Hid t = checked(H5Tcreate(H5T_COMPOUND, sizeof(TaskRow)), H5Tclose, "compound type");
  check(H5Tinsert(t.get(), "id", HOFFSET(TaskRow, id), str.get()), "insert id");
  check(H5Tinsert(t.get(), "instruction", HOFFSET(TaskRow, instruction), str.get()), "insert");
  check(H5Tinsert(t.get(), "family", HOFFSET(TaskRow, family), str.get()), "insert family");
  check(H5Tinsert(t.get(), "max_steps", HOFFSET(TaskRow, max_steps), H5T_NATIVE_INT32), "insert");
  if (with_episodes) {
    check(H5Tinsert(t.get(), "episodes", HOFFSET(TaskRow, episodes), H5T_NATIVE_INT32), "insert");
  }
  return t;
}

// Schema 1 unless task counts differ (harness/results_store.hpp).
int schema_to_write(const RunHeader& h) {
  for (const auto& t : h.tasks) {
    if (h.episodes_of(t) != h.episodes_per_task) return 2;
  }
  return 1;
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

char* cstr(const std::string& s) {
  return const_cast<char*>(s.c_str());
}

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
  write_attr_num<std::int64_t>(f, "schema_version", schema_to_write(h), H5T_NATIVE_INT64);
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
  write_attr(f, "robot", h.robot);
  write_attr(f, "action_convention", h.action_convention);
  write_attr(f, "action_scale", h.action_scale);
  write_attr(f, "action_offset", h.action_offset);
  write_attr(f, "state_layout", h.state_layout);
  write_attr(f, "image_preprocessing", h.image_preprocessing);
  write_attr(f, "backend", h.backend);
  write_attr(f, "shard", h.shard);
  write_attr(f, "hosts", h.hosts);
  write_attr(f, "started_at", h.started_at);
  write_attr(f, "updated_at", h.updated_at);
  write_attr(f, "command", h.command);
  if (!h.judge_card.empty()) write_attr(f, "judge_card", h.judge_card);

  std::vector<EpisodeRow> rows;
  rows.reserve(results.episodes.size());
  std::vector<std::string> subtasks;
  subtasks.reserve(results.episodes.size());
  for (const auto& e : results.episodes) {
    subtasks.push_back(format_subtasks(e.subtasks));
    rows.push_back(EpisodeRow{cstr(e.task_id), cstr(e.perturbation_id), e.episode_index, e.seed,
                              static_cast<std::uint8_t>(e.success ? 1 : 0), e.progress,
                              e.episode_return, e.steps, static_cast<std::int8_t>(e.termination),
                              e.wall_time_s, e.policy_calls, e.latency_p50_ms, e.latency_p95_ms,
                              e.latency_p99_ms, cstr(e.error), cstr(subtasks.back())});
  }
  Hid ep_type = episode_row_type();
  write_table(f, "episodes", ep_type.get(), rows.data(), rows.size());

  std::vector<TaskRow> task_rows;
  for (const auto& t : h.tasks) {
    task_rows.push_back(
        TaskRow{cstr(t.id), cstr(t.instruction), cstr(t.family), t.max_steps, h.episodes_of(t)});
  }
  Hid task_type = task_row_type();
  write_table(f, "tasks", task_type.get(), task_rows.data(), task_rows.size());

  std::vector<char*> pert;
  for (const auto& p : h.perturbations) pert.push_back(cstr(p));
  Hid str = vlen_string_type();
  write_table(f, "perturbations", str.get(), pert.data(), pert.size());
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
}

struct Column {
  const char* name;
  H5T_class_t cls;
  const char* expected;
};

// The dataset's stored type must hold every column the reader converts, each
// of the right kind: HDF5 would silently leave a missing member unset and
// convert a float to an integer.
void check_columns(hid_t ds, const char* name, std::span<const Column> columns,
                   const std::string& where) {
  const std::string what = std::string("dataset '") + name + "'";
  Hid type = checked_read(H5Dget_type(ds), H5Tclose, where, what + " type");
  if (columns.size() == 1 && columns[0].name == nullptr) {
    if (H5Tget_class(type.get()) != columns[0].cls) {
      throw InputError(where + ": " + what + " is not a table of " + columns[0].expected);
    }
    return;
  }
  if (H5Tget_class(type.get()) != H5T_COMPOUND) {
    throw InputError(where + ": " + what + " is not a table (compound type)");
  }
  for (const Column& c : columns) {
    const int idx = H5Tget_member_index(type.get(), c.name);
    if (idx < 0) {
      throw InputError(where + ": " + what + " has no column '" + c.name + "' (expected " +
                       c.expected + ")");
    }
    if (H5Tget_member_class(type.get(), static_cast<unsigned>(idx)) != c.cls) {
      throw InputError(where + ": " + what + " column '" + c.name + "' is not stored as " +
                       c.expected);
    }
  }
}

template <typename Row>
std::vector<Row> read_table(hid_t file, const char* name, hid_t type,
                            std::span<const Column> columns, std::uintmax_t file_bytes,
                            const std::string& where) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
    throw InputError(where + ": not a gauntlet results file (dataset '" + name + "' missing)");
  }
  const std::string what = std::string("dataset '") + name + "'";
  Hid ds = checked_read(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose, where, "open " + what);
  check_columns(ds.get(), name, columns, where);
  Hid space = checked_read(H5Dget_space(ds.get()), H5Sclose, where, what + " dataspace");
  if (H5Sget_simple_extent_ndims(space.get()) != 1) {
    throw InputError(where + ": " + what + " is not one-dimensional");
  }
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  // Every stored row takes bytes in the file: a larger count is damage.
  if (n < 0 || static_cast<std::uintmax_t>(n) > file_bytes / 4) {
    throw InputError(where + ": " + what + " claims " + std::to_string(n) + " rows in a file of " +
                     std::to_string(file_bytes) + " bytes (a damaged file)");
  }
  std::vector<Row> rows(static_cast<std::size_t>(n));
  if (n > 0) {
    if (H5Dread(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0) {
      throw InputError(where + ": " + what + " cannot be read (damaged, or not the expected " +
                       "columns)");
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

// A C string from the file, bounded.
std::string bounded(const char* p, const std::string& where, const std::string& what) {
  if (!p) return {};
  const std::size_t n = strnlen(p, kMaxStringBytes + 1);
  if (n > kMaxStringBytes) throw InputError(where + ": " + what + " is over 16 MiB");
  return std::string(p, n);
}

bool finite(double x) {
  return std::isfinite(x);
}

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
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

int RunHeader::episodes_of(const std::string& task_id) const {
  for (const auto& t : tasks) {
    if (t.id == task_id) return episodes_of(t);
  }
  return 0;
}

std::string RunHeader::episodes_text() const {
  int lo = episodes_per_task;
  int hi = episodes_per_task;
  if (!tasks.empty()) {
    lo = hi = episodes_of(tasks.front());
    for (const auto& t : tasks) {
      lo = std::min(lo, episodes_of(t));
      hi = std::max(hi, episodes_of(t));
    }
  }
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

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
                       " is '" + vb + "' vs '" + va +
                       "'; refusing to mix them (nothing was written)");
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
  differ("robot", a.robot, b.robot);
  differ("action convention", a.action_convention, b.action_convention);
  differ("action_scale", a.action_scale, b.action_scale);
  differ("action_offset", a.action_offset, b.action_offset);
  differ("state layout", a.state_layout, b.state_layout);
  differ("image preprocessing", a.image_preprocessing, b.image_preprocessing);
  differ("backend", a.backend, b.backend);
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
    throw InputError("results file '" + path.string() + "': cannot create files in '" +
                     parent.string() + "' (" + std::strerror(errno) + ")");
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
    if (existing.header.shard != header.shard) {
      throw InputError("results file '" + path.string() + "' holds shard " + existing.header.shard +
                       ", this run is shard " + header.shard +
                       "; refusing to mix them (write each shard to its own file)");
    }
    header.started_at = existing.header.started_at;
    header.hosts = merge_hosts(existing.header.hosts, header.hosts);
    // A resumed plan keeps the larger count of every task (and of the file's
    // own tasks this run does not name).
    for (auto& t : header.tasks) {
      const int before = existing.header.episodes_of(t.id);
      t.episodes = std::max(header.episodes_of(t), before);
    }
    header.episodes_per_task =
        std::max(header.episodes_per_task, existing.header.episodes_per_task);
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
        header.tasks.back().episodes = existing.header.episodes_of(t);
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
  // A merge killed mid-write left its temp file: remove it now.
  remove_stale_temp_files(path);
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

namespace {

constexpr Column kEpisodeColumns[] = {
    {"task", H5T_STRING, "a string"},
    {"perturbation", H5T_STRING, "a string"},
    {"episode", H5T_INTEGER, "an integer"},
    {"seed", H5T_INTEGER, "an integer"},
    {"success", H5T_INTEGER, "an integer (0 or 1)"},
    {"progress", H5T_FLOAT, "a float"},
    {"episode_return", H5T_FLOAT, "a float"},
    {"steps", H5T_INTEGER, "an integer"},
    {"termination", H5T_ENUM,
     "an enum (success, timeout, policy_error, invalid_action, sim_error)"},
    {"wall_time_s", H5T_FLOAT, "a float"},
    {"policy_calls", H5T_INTEGER, "an integer"},
    {"latency_p50_ms", H5T_FLOAT, "a float"},
    {"latency_p95_ms", H5T_FLOAT, "a float"},
    {"latency_p99_ms", H5T_FLOAT, "a float"},
    {"error", H5T_STRING, "a string"},
    {"subtasks", H5T_STRING, "a string (name:success:steps;...)"},
};
// Files written before chain suites have every column but the last.
constexpr std::span<const Column> kEpisodeColumnsBeforeChains(kEpisodeColumns,
                                                              std::size(kEpisodeColumns) - 1);
constexpr Column kTaskColumns[] = {
    {"id", H5T_STRING, "a string"},          {"instruction", H5T_STRING, "a string"},
    {"family", H5T_STRING, "a string"},      {"max_steps", H5T_INTEGER, "an integer"},
    {"episodes", H5T_INTEGER, "an integer"},
};
// Files written before per-task counts have every column but the last.
constexpr std::span<const Column> kTaskColumnsBeforeCounts(kTaskColumns,
                                                           std::size(kTaskColumns) - 1);
constexpr Column kPerturbationColumns[] = {{nullptr, H5T_STRING, "strings"}};

// Reads and validates a results file with HDF5. Runs in a child process (see
// read): a damaged file may crash the HDF5 library itself.
RunResults read_in_process(const std::filesystem::path& path, std::uintmax_t file_bytes) {
  quiet_hdf5();
  const std::string where = path.string();
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(where + ": not an HDF5 file");
  Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) throw InputError(where + ": cannot open as HDF5 (a damaged file?)");
  const hid_t f = file.get();
  RunResults out;
  RunHeader& h = out.header;
  if (!has_attr(f, "format") || read_attr(f, "format", where) != "gauntlet-results") {
    throw InputError(where + ": not a gauntlet results file (no format=gauntlet-results)");
  }
  const auto schema = read_attr_num<std::int64_t>(f, "schema_version", H5T_NATIVE_INT64, where);
  if (schema > kResultsSchemaVersion) {
    throw InputError(where + ": results schema version " + std::to_string(schema) +
                     " is newer than this gauntlet understands (" +
                     std::to_string(kResultsSchemaVersion) + ")");
  }
  if (schema < 1) {
    throw InputError(where + ": attribute 'schema_version' is " + std::to_string(schema) +
                     ", expected 1.." + std::to_string(kResultsSchemaVersion));
  }
  h.schema_version = static_cast<int>(schema);
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
  const auto small_count = [&](const char* name) {
    const auto v = read_attr_num<std::int64_t>(f, name, H5T_NATIVE_INT64, where);
    if (v < 0 || v > 1'000'000'000) {
      throw InputError(where + ": attribute '" + name + "' is " + std::to_string(v) +
                       ", expected 0..1000000000");
    }
    return static_cast<int>(v);
  };
  h.episodes_per_task = small_count("episodes_per_task");
  h.cameras = read_attr(f, "cameras", where);
  h.image_width = small_count("image_width");
  h.image_height = small_count("image_height");
  h.replan_every = small_count("replan_every");
  if (has_attr(f, "robot")) h.robot = read_attr(f, "robot", where);
  if (has_attr(f, "action_convention"))
    h.action_convention = read_attr(f, "action_convention", where);
  if (has_attr(f, "action_scale")) h.action_scale = read_attr(f, "action_scale", where);
  if (has_attr(f, "action_offset")) h.action_offset = read_attr(f, "action_offset", where);
  if (has_attr(f, "state_layout")) h.state_layout = read_attr(f, "state_layout", where);
  if (has_attr(f, "image_preprocessing"))
    h.image_preprocessing = read_attr(f, "image_preprocessing", where);
  if (has_attr(f, "backend")) {
    h.backend = read_attr(f, "backend", where);
    if (h.backend != "sim" && h.backend != "real") {
      throw InputError(where + ": attribute 'backend' is '" + h.backend +
                       "', expected sim or real");
    }
  }
  h.shard = read_attr(f, "shard", where);
  h.hosts = read_attr(f, "hosts", where);
  h.started_at = read_attr(f, "started_at", where);
  h.updated_at = read_attr(f, "updated_at", where);
  h.command = read_attr(f, "command", where);
  if (has_attr(f, "judge_card")) h.judge_card = read_attr(f, "judge_card", where);

  // The episodes column is optional: absent in files from before per-task counts.
  const bool with_counts = has_column(f, "tasks", "episodes", where);
  Hid task_type = task_row_type(with_counts);
  auto tasks = read_table<TaskRow>(
      f, "tasks", task_type.get(),
      with_counts ? std::span<const Column>(kTaskColumns) : kTaskColumnsBeforeCounts, file_bytes,
      where);
  std::set<std::string> task_ids;
  try {
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const TaskRow& t = tasks[i];
      const std::string row = "tasks row " + std::to_string(i);
      TaskInfo info{bounded(t.id, where, row + " id"),
                    bounded(t.instruction, where, row + " instruction"), t.max_steps,
                    bounded(t.family, where, row + " family")};
      if (info.id.empty() || !task_ids.insert(info.id).second) {
        throw InputError(where + ": " + row + ": task id '" + info.id +
                         "' is empty or appears twice");
      }
      if (info.max_steps < 0) {
        throw InputError(where + ": " + row + " (" + info.id + "): max_steps " +
                         std::to_string(info.max_steps) + " is negative");
      }
      if (with_counts) {
        if (t.episodes < 1 || t.episodes > 1'000'000'000) {
          throw InputError(where + ": " + row + " (" + info.id + "): episodes " +
                           std::to_string(t.episodes) + ", expected 1..1000000000");
        }
        info.episodes = t.episodes;
      }
      h.tasks.push_back(std::move(info));
    }
  } catch (...) {
    reclaim(task_type.get(), tasks);
    throw;
  }
  reclaim(task_type.get(), tasks);

  Hid str = vlen_string_type();
  auto pert =
      read_table<char*>(f, "perturbations", str.get(), kPerturbationColumns, file_bytes, where);
  std::set<std::string> pert_ids;
  try {
    for (std::size_t i = 0; i < pert.size(); ++i) {
      std::string p = bounded(pert[i], where, "perturbations row " + std::to_string(i));
      if (p.empty() || !pert_ids.insert(p).second) {
        throw InputError(where + ": perturbations row " + std::to_string(i) + ": '" + p +
                         "' is empty or appears twice");
      }
      h.perturbations.push_back(std::move(p));
    }
  } catch (...) {
    reclaim(str.get(), pert);
    throw;
  }
  reclaim(str.get(), pert);

  // The subtasks column is optional: absent in files from before chain suites.
  const bool with_subtasks = has_column(f, "episodes", "subtasks", where);
  Hid ep_type = episode_row_type(with_subtasks);
  auto rows = read_table<EpisodeRow>(
      f, "episodes", ep_type.get(),
      with_subtasks ? std::span<const Column>(kEpisodeColumns) : kEpisodeColumnsBeforeChains,
      file_bytes, where);
  try {
    out.episodes.reserve(rows.size());
    std::map<EpisodeKey, std::size_t> seen;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const EpisodeRow& r = rows[i];
      const std::string row = "episodes row " + std::to_string(i);
      EpisodeResult e;
      e.task_id = bounded(r.task, where, row + " task");
      e.perturbation_id = bounded(r.perturbation, where, row + " perturbation");
      e.episode_index = r.episode;
      const std::string at = where + ": " + row + " (" + e.task_id + "/" + e.perturbation_id + "/" +
                             std::to_string(r.episode) + "): ";
      const auto bad = [&](const std::string& field, const std::string& value,
                           const std::string& expected) {
        throw InputError(at + "field '" + field + "' is " + value + ", expected " + expected);
      };
      if (!task_ids.count(e.task_id))
        bad("task", "'" + e.task_id + "'", "a task of the 'tasks' table");
      if (!pert_ids.count(e.perturbation_id)) {
        bad("perturbation", "'" + e.perturbation_id + "'", "one of the 'perturbations' table");
      }
      if (r.episode < 0) bad("episode", std::to_string(r.episode), ">= 0");
      if (r.success > 1) bad("success", std::to_string(r.success), "0 or 1");
      if (!(r.progress >= 0.0 && r.progress <= 1.0)) bad("progress", fmt(r.progress), "in [0, 1]");
      if (!finite(r.episode_return))
        bad("episode_return", fmt(r.episode_return), "a finite number");
      if (r.steps < 0) bad("steps", std::to_string(r.steps), ">= 0");
      if (r.policy_calls < 0) bad("policy_calls", std::to_string(r.policy_calls), ">= 0");
      if (!(r.wall_time_s >= 0.0) || std::isinf(r.wall_time_s)) {
        bad("wall_time_s", fmt(r.wall_time_s), "a finite number >= 0");
      }
      for (const auto& [name, v] : {std::pair{"latency_p50_ms", r.latency_p50_ms},
                                    std::pair{"latency_p95_ms", r.latency_p95_ms},
                                    std::pair{"latency_p99_ms", r.latency_p99_ms}}) {
        if (v < 0.0 || std::isinf(v)) bad(name, fmt(v), "a number >= 0");
      }
      const bool known =
          std::any_of(std::begin(kAllTerminations), std::end(kAllTerminations),
                      [&](Termination t) { return static_cast<std::int8_t>(t) == r.termination; });
      if (!known) {
        bad("termination", std::to_string(r.termination),
            "success, timeout, policy_error, invalid_action or sim_error");
      }
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
      e.error = bounded(r.error, where, row + " error");
      e.subtasks =
          parse_subtasks(bounded(r.subtasks, where, row + " subtasks"), at + "field 'subtasks'");
      const auto [it, fresh] = seen.emplace(e.key(), i);
      if (!fresh) {
        throw InputError(at + "the same episode as episodes row " + std::to_string(it->second) +
                         " (duplicated rows)");
      }
      out.episodes.push_back(std::move(e));
    }
  } catch (...) {
    reclaim(ep_type.get(), rows);
    throw;
  }
  reclaim(ep_type.get(), rows);
  sort_episodes(out.episodes);
  return out;
}

// The child-to-parent encoding of RunResults (same machine, same build).
struct Encoder {
  std::string out;
  template <typename T>
  void num(T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void str(const std::string& s) {
    num<std::uint64_t>(s.size());
    out += s;
  }
};

struct Decoder {
  const std::string& in;
  std::size_t at = 0;
  template <typename T>
  T num() {
    if (in.size() - at < sizeof(T)) throw std::runtime_error("truncated");
    T v;
    std::memcpy(&v, in.data() + at, sizeof v);
    at += sizeof v;
    return v;
  }
  std::string str() {
    const auto n = num<std::uint64_t>();
    if (in.size() - at < n) throw std::runtime_error("truncated");
    std::string s = in.substr(at, n);
    at += n;
    return s;
  }
};

std::string encode(const RunResults& r) {
  Encoder e;
  const RunHeader& h = r.header;
  e.num(h.schema_version);
  for (const auto* s : {&h.harness_version,     &h.git_sha,      &h.suite_name,    &h.suite_version,
                        &h.suite_hash,          &h.suite_source, &h.policy_spec,   &h.policy_name,
                        &h.policy_identity,     &h.cameras,      &h.shard,         &h.hosts,
                        &h.started_at,          &h.updated_at,   &h.command,       &h.robot,
                        &h.action_convention,   &h.action_scale, &h.action_offset, &h.state_layout,
                        &h.image_preprocessing, &h.judge_card}) {
    e.str(*s);
  }
  e.str(h.backend);
  e.num(h.suite_seed);
  for (const int v : {h.episodes_per_task, h.image_width, h.image_height, h.replan_every}) e.num(v);
  e.num<std::uint64_t>(h.perturbations.size());
  for (const auto& p : h.perturbations) e.str(p);
  e.num<std::uint64_t>(h.tasks.size());
  for (const auto& t : h.tasks) {
    e.str(t.id);
    e.str(t.instruction);
    e.str(t.family);
    e.num(t.max_steps);
    e.num(t.episodes);
  }
  e.num<std::uint64_t>(r.episodes.size());
  for (const auto& x : r.episodes) {
    e.str(x.task_id);
    e.str(x.perturbation_id);
    e.str(x.error);
    e.num(x.episode_index);
    e.num(x.seed);
    e.num(x.success);
    e.num(x.progress);
    e.num(x.episode_return);
    e.num(x.steps);
    e.num(x.termination);
    e.num(x.wall_time_s);
    e.num(x.policy_calls);
    e.num(x.latency_p50_ms);
    e.num(x.latency_p95_ms);
    e.num(x.latency_p99_ms);
    e.num<std::uint64_t>(x.subtasks.size());
    for (const auto& st : x.subtasks) {
      e.str(st.name);
      e.num(st.success);
      e.num(st.steps);
    }
  }
  return std::move(e.out);
}

RunResults decode(const std::string& bytes) {
  Decoder d{bytes};
  RunResults r;
  RunHeader& h = r.header;
  h.schema_version = d.num<int>();
  for (auto* s : {&h.harness_version,     &h.git_sha,      &h.suite_name,    &h.suite_version,
                  &h.suite_hash,          &h.suite_source, &h.policy_spec,   &h.policy_name,
                  &h.policy_identity,     &h.cameras,      &h.shard,         &h.hosts,
                  &h.started_at,          &h.updated_at,   &h.command,       &h.robot,
                  &h.action_convention,   &h.action_scale, &h.action_offset, &h.state_layout,
                  &h.image_preprocessing, &h.judge_card}) {
    *s = d.str();
  }
  h.backend = d.str();
  h.suite_seed = d.num<std::uint64_t>();
  for (int* v : {&h.episodes_per_task, &h.image_width, &h.image_height, &h.replan_every}) {
    *v = d.num<int>();
  }
  h.perturbations.resize(d.num<std::uint64_t>());
  for (auto& p : h.perturbations) p = d.str();
  h.tasks.resize(d.num<std::uint64_t>());
  for (auto& t : h.tasks) {
    t.id = d.str();
    t.instruction = d.str();
    t.family = d.str();
    t.max_steps = d.num<int>();
    t.episodes = d.num<int>();
  }
  r.episodes.resize(d.num<std::uint64_t>());
  for (auto& x : r.episodes) {
    x.task_id = d.str();
    x.perturbation_id = d.str();
    x.error = d.str();
    x.episode_index = d.num<int>();
    x.seed = d.num<std::uint64_t>();
    x.success = d.num<bool>();
    x.progress = d.num<double>();
    x.episode_return = d.num<double>();
    x.steps = d.num<int>();
    x.termination = d.num<Termination>();
    x.wall_time_s = d.num<double>();
    x.policy_calls = d.num<int>();
    x.latency_p50_ms = d.num<double>();
    x.latency_p95_ms = d.num<double>();
    x.latency_p99_ms = d.num<double>();
    const auto subtasks = d.num<std::uint64_t>();
    if (subtasks > bytes.size()) throw std::runtime_error("bad subtask count");
    x.subtasks.resize(subtasks);
    for (auto& st : x.subtasks) {
      st.name = d.str();
      st.success = d.num<bool>();
      st.steps = d.num<int>();
    }
  }
  if (d.at != bytes.size()) throw std::runtime_error("trailing bytes");
  return r;
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// How long a read may take before the file is declared damaged (HDF5 can loop
// on a corrupted B-tree); GAUNTLET_READ_TIMEOUT_S overrides it.
int read_timeout_ms() {
  if (const char* env = std::getenv("GAUNTLET_READ_TIMEOUT_S")) {
    const int s = std::atoi(env);
    if (s > 0) return s * 1000;
  }
  return 60'000;
}

}  // namespace

RunResults ResultsStore::read(const std::filesystem::path& path) {
  const std::string where = path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw InputError(where + ": no such results file");
    throw InputError(where + ": cannot read (" + std::strerror(errno) + ")");
  }
  // A FIFO would block every reader forever; a device or directory is no file.
  if (!S_ISREG(st.st_mode)) {
    throw InputError(where + ": not a regular file (a FIFO, device, socket or directory); " +
                     "refusing to read it as a results file");
  }
  const auto file_bytes = static_cast<std::uintmax_t>(st.st_size);
  // HDF5 1.10 can crash (H5T__conv_vlen) or loop on a damaged file: read it in
  // a child process, so that damage becomes an error naming the file.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw RuntimeFailure(std::string("pipe: ") + std::strerror(errno));
  }
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw RuntimeFailure(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    // Die with the parent, and on our own after the timeout (a looping read).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::alarm(static_cast<unsigned>(read_timeout_ms() / 1000 + 1));
    std::string msg;
    try {
      msg = "O" + encode(read_in_process(path, file_bytes));
    } catch (const InputError& e) {
      msg = std::string("E") + e.what();
    } catch (const std::bad_alloc&) {
      msg = "E" + where + ": a damaged results file (reading it asked for too much memory)";
    } catch (const std::exception& e) {
      msg = "E" + where + ": a damaged results file (" + e.what() + ")";
    }
    write_all(fds[1], msg);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string reply;
  bool timed_out = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(read_timeout_ms());
  char buf[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    throw InputError(where + ": reading it did not finish in " +
                     std::to_string(read_timeout_ms() / 1000) + " s (a damaged results file)");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || reply.empty()) {
    const std::string how = WIFSIGNALED(status)
                                ? "signal " + std::to_string(WTERMSIG(status))
                                : "exit status " + std::to_string(WEXITSTATUS(status));
    throw InputError(where +
                     ": a damaged results file (the HDF5 library failed reading it: " + how + ")");
  }
  if (reply[0] == 'E') throw InputError(reply.substr(1));
  try {
    return decode(reply.substr(1));
  } catch (const std::exception& e) {
    throw RuntimeFailure(where + ": reading it failed (" + e.what() + ")");
  }
}

RunResults merge_results(const std::vector<std::filesystem::path>& inputs) {
  if (inputs.empty()) throw InputError("merge: no input files given");
  RunResults merged = ResultsStore::read(inputs.front());
  // Which shards each input holds: a merge takes each shard once, of one shard count.
  ShardSet shards = ShardSet::parse(merged.header.shard, inputs.front().string());
  std::map<int, std::string> shard_source;
  for (const int i : shards.indices) shard_source[i] = inputs.front().string();
  bool shards_known = shards.known();
  std::map<EpisodeKey, std::size_t> index;
  for (std::size_t i = 0; i < merged.episodes.size(); ++i) index[merged.episodes[i].key()] = i;
  for (std::size_t k = 1; k < inputs.size(); ++k) {
    RunResults next = ResultsStore::read(inputs[k]);
    check_same_experiment(merged.header, inputs.front().string(), next.header, inputs[k].string());
    bool same_counts = next.header.tasks.size() == merged.header.tasks.size();
    for (const auto& t : next.header.tasks) {
      same_counts = same_counts && merged.header.episodes_of(t.id) == next.header.episodes_of(t);
    }
    if (next.header.episodes_per_task != merged.header.episodes_per_task || !same_counts ||
        next.header.perturbations != merged.header.perturbations) {
      throw InputError(inputs[k].string() + " was planned with a different --episodes or " +
                       "--perturb than " + inputs.front().string() + "; refusing to merge");
    }
    const ShardSet next_shards = ShardSet::parse(next.header.shard, inputs[k].string());
    if (next_shards.count != shards.count) {
      throw InputError(inputs[k].string() + " holds shards of a " +
                       std::to_string(next_shards.count) + "-way split, " +
                       inputs.front().string() + " of a " + std::to_string(shards.count) +
                       "-way split; refusing to merge");
    }
    shards_known = shards_known && next_shards.known();
    for (const int i : next_shards.indices) {
      const auto [it, fresh] = shard_source.emplace(i, inputs[k].string());
      if (!fresh) {
        throw InputError("merge: shard " + std::to_string(i) + "/" + std::to_string(shards.count) +
                         " is in both " + it->second + " and " + inputs[k].string() +
                         " (the same shard given twice?); refusing to merge");
      }
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
          have.termination != e.termination || have.subtasks != e.subtasks) {
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
  if (inputs.size() > 1) {
    if (shards_known) {
      shards.indices.clear();
      for (const auto& [i, source] : shard_source) shards.indices.push_back(i);
      merged.header.shard = shards.to_string();
    } else {
      // An input from an older gauntlet does not say which shards it holds.
      merged.header.shard = "merged:" + std::to_string(inputs.size());
    }
  }
  return merged;
}

}  // namespace gauntlet
