#include "cli/trial_import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "harness/sha256.hpp"
#include "harness/version.hpp"
#include "reports/html_page.hpp"

namespace gauntlet::cli {
namespace {

// Limits that keep a damaged or hostile file from taking the machine: a trial log is small.
constexpr std::size_t kMaxFileBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxFieldBytes = std::size_t{64} << 10;
constexpr std::size_t kMaxFields = 64;

struct Field {
  std::string text;
  int line = 0;
  int column = 0;
};

struct Record {
  std::vector<Field> fields;
  int line = 0;
};

std::string shown(const std::string& s) {
  std::string t = printable(s.size() > 40 ? s.substr(0, 40) + "..." : s);
  return "'" + t + "'";
}

// RFC 4180 records with the line and column (1-based, bytes) where each field starts. A UTF-8
// byte order mark is skipped (spreadsheets write one); UTF-16 is refused.
class CsvReader {
 public:
  CsvReader(const std::string& text, const std::string& source) : s_(text), src_(source) {
    if (s_.size() >= 2 &&
        ((static_cast<unsigned char>(s_[0]) == 0xFF && static_cast<unsigned char>(s_[1]) == 0xFE) ||
         (static_cast<unsigned char>(s_[0]) == 0xFE &&
          static_cast<unsigned char>(s_[1]) == 0xFF))) {
      fail(1, 1, "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8");
    }
    if (s_.rfind("\xEF\xBB\xBF", 0) == 0) i_ = 3;
  }

  [[noreturn]] void fail(int line, int column, const std::string& what) const {
    throw InputError(src_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                     what);
  }

  // The next record, or false at the end. Blank lines are skipped.
  bool next(Record& rec) {
    while (i_ < s_.size() && (s_[i_] == '\n' || (s_[i_] == '\r' && peek(1) == '\n'))) eol();
    if (i_ >= s_.size()) return false;
    rec.fields.clear();
    rec.line = line_;
    while (true) {
      if (rec.fields.size() >= kMaxFields) {
        fail(line_, col(), "more than " + std::to_string(kMaxFields) + " fields in one record");
      }
      rec.fields.push_back(field());
      if (i_ >= s_.size()) return true;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      eol();  // field() stops only at ',', end of line or end of file
      return true;
    }
  }

 private:
  char peek(std::size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  int col() const { return static_cast<int>(i_ - line_start_) + 1; }
  void eol() {
    if (s_[i_] == '\r') ++i_;
    ++i_;
    ++line_;
    line_start_ = i_;
  }
  void grow(Field& f, char c) {
    if (c == '\0') fail(line_, col(), "a NUL byte (is this a binary file?)");
    if (f.text.size() >= kMaxFieldBytes) {
      fail(f.line, f.column,
           "a field longer than " + std::to_string(kMaxFieldBytes) + " bytes (a damaged file?)");
    }
    f.text += c;
  }

  Field field() {
    Field f{{}, line_, col()};
    if (i_ < s_.size() && s_[i_] == '"') {
      ++i_;
      while (true) {
        if (i_ >= s_.size()) {
          fail(f.line, f.column,
               "bad quoting: the '\"' that opens this field is never closed (a field that "
               "holds a '\"' must double it: \"\")");
        }
        const char c = s_[i_];
        if (c == '"') {
          if (peek(1) == '"') {
            grow(f, '"');
            i_ += 2;
            continue;
          }
          ++i_;
          break;
        }
        grow(f, c);
        ++i_;
        if (c == '\n') {
          ++line_;
          line_start_ = i_;
        }
      }
      if (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '\n' &&
          !(s_[i_] == '\r' && peek(1) == '\n')) {
        fail(line_, col(),
             "bad quoting: expected ',' or the end of the line after the closing '\"', got " +
                 shown(std::string(1, s_[i_])));
      }
      return f;
    }
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ',' || c == '\n' || (c == '\r' && peek(1) == '\n')) break;
      if (c == '"') {
        fail(line_, col(),
             "bad quoting: a '\"' inside an unquoted field (quote the whole field and double the "
             "'\"' inside it)");
      }
      if (c == '\r') fail(line_, col(), "a carriage return that does not end a line");
      grow(f, c);
      ++i_;
    }
    return f;
  }

  const std::string& s_;
  const std::string& src_;
  std::size_t i_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

const std::vector<std::string> kRequired = {"policy", "task", "episode", "success"};
const std::vector<std::string> kOptional = {"progress", "seed", "operator", "timestamp", "notes"};

// One parsed trial, before grouping by policy.
struct Trial {
  std::string policy;
  EpisodeResult episode;
  std::string op;
  std::string timestamp;
};

bool iso8601(const std::string& s) {
  static const std::regex re(
      R"(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)");
  return std::regex_match(s, re);
}

// Everything a results header needs that the trials do not say.
std::vector<RunResults> build_runs(const std::vector<Trial>& trials,
                                   const std::vector<std::string>& policies,
                                   const std::vector<std::string>& tasks, const std::string& source,
                                   const ImportOptions& o) {
  if (o.backend != "real" && o.backend != "sim") {
    throw InputError("--backend: '" + o.backend + "' is not a backend; expected real or sim");
  }
  if (trials.empty()) throw InputError(source + ": no trials (only a header?)");
  const std::string suite = o.suite.empty() ? o.backend + "-trials" : o.suite;
  std::vector<std::string> sorted_tasks = tasks;
  std::sort(sorted_tasks.begin(), sorted_tasks.end());
  std::string suite_text = "gauntlet-import-v1\n" + suite + "\n";
  for (const auto& t : sorted_tasks) suite_text += t + "\n";
  int episodes = 0;
  for (const auto& t : trials) episodes = std::max(episodes, t.episode.episode_index + 1);

  std::vector<RunResults> runs(policies.size());
  std::vector<std::set<std::string>> operators(policies.size());
  std::vector<std::string> first(policies.size()), last(policies.size());
  std::map<std::string, std::size_t> index;
  for (std::size_t p = 0; p < policies.size(); ++p) index[policies[p]] = p;
  for (const auto& t : trials) {
    const std::size_t p = index.at(t.policy);
    runs[p].episodes.push_back(t.episode);
    if (!t.op.empty()) operators[p].insert(t.op);
    if (!t.timestamp.empty()) {
      if (first[p].empty() || t.timestamp < first[p]) first[p] = t.timestamp;
      if (last[p].empty() || t.timestamp > last[p]) last[p] = t.timestamp;
    }
  }
  const std::string now = utc_now_iso8601();
  for (std::size_t p = 0; p < policies.size(); ++p) {
    RunHeader& h = runs[p].header;
    h.harness_version = kHarnessVersion;
    h.git_sha = kGitSha;
    h.suite_name = suite;
    h.suite_version = "import";
    h.suite_hash = sha256_hex(suite_text);
    h.suite_source = source;
    h.suite_seed = 0;
    h.policy_spec = "import:" + policies[p];
    h.policy_name = policies[p];
    h.policy_identity = sha256_hex("gauntlet-import-v1\n" + o.backend + "\n" + policies[p]);
    h.episodes_per_task = episodes;
    h.perturbations = {"nominal"};
    for (const auto& t : tasks) h.tasks.push_back(TaskInfo{t, "", 0, o.backend + "-trial"});
    h.robot = o.robot;
    h.action_convention = "unknown";
    h.backend = o.backend;
    // Operators play the part of hosts (who produced the rows); trial times bound the run.
    std::string ops;
    for (const auto& x : operators[p]) ops += (ops.empty() ? "" : ",") + x;
    h.hosts = ops.empty() ? host_name() : ops;
    h.started_at = first[p].empty() ? now : first[p];
    h.updated_at = last[p].empty() ? now : last[p];
    h.command = o.command_line;
    std::sort(runs[p].episodes.begin(), runs[p].episodes.end(),
              [](const EpisodeResult& a, const EpisodeResult& b) { return a.key() < b.key(); });
  }
  return runs;
}

EpisodeResult trial_episode(const std::string& task, int index, bool success, double progress,
                            std::uint64_t seed) {
  EpisodeResult e;
  e.task_id = task;
  e.perturbation_id = "nominal";
  e.episode_index = index;
  e.seed = seed;
  e.success = success;
  e.progress = progress;
  // A real failure ran out its attempt: the harness's word for that is a timeout.
  e.termination = success ? Termination::kSuccess : Termination::kTimeout;
  return e;
}

void check_name(const std::string& v, const std::string& what, const std::string& at) {
  if (v.empty()) throw InputError(at + what + " is empty, expected a name");
  for (const char c : v) {
    if (static_cast<unsigned char>(c) < 0x20) {
      throw InputError(at + what + " " + shown(v) + " holds a control character");
    }
  }
}

}  // namespace

std::vector<RunResults> import_trials_csv(const std::string& text, const std::string& source,
                                          const ImportOptions& o) {
  CsvReader reader(text, source);
  Record rec;
  if (!reader.next(rec)) throw InputError(source + ": empty file, expected a header row");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rec.fields.size(); ++i) {
    std::string name = trim(rec.fields[i].text);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const Field& f = rec.fields[i];
    if (std::find(kRequired.begin(), kRequired.end(), name) == kRequired.end() &&
        std::find(kOptional.begin(), kOptional.end(), name) == kOptional.end()) {
      reader.fail(f.line, f.column,
                  "unknown column " + shown(f.text) +
                      " in the header row; expected policy, task, episode, success and "
                      "optionally progress, seed, operator, timestamp, notes");
    }
    if (!col.emplace(name, i).second) {
      reader.fail(f.line, f.column, "column '" + name + "' appears twice in the header row");
    }
  }
  for (const auto& name : kRequired) {
    if (!col.count(name)) {
      reader.fail(rec.line, 1,
                  "the header row lacks the column '" + name +
                      "' (required: policy, task, episode, success)");
    }
  }
  const std::size_t ncols = rec.fields.size();
  std::vector<Trial> trials;
  std::vector<std::string> policies, tasks;
  std::set<std::string> policy_set, task_set;
  std::map<std::tuple<std::string, std::string, int>, int> seen;
  while (reader.next(rec)) {
    if (rec.fields.size() != ncols) {
      const Field& f = rec.fields.size() > ncols ? rec.fields[ncols] : rec.fields.back();
      reader.fail(f.line, f.column,
                  "this row has " + std::to_string(rec.fields.size()) + " fields, the header row " +
                      std::to_string(ncols) +
                      (rec.fields.size() > ncols ? " (an unquoted ',' in a field?)"
                                                 : " (a missing field?)"));
    }
    const auto get = [&](const std::string& name) -> const Field* {
      const auto it = col.find(name);
      return it == col.end() ? nullptr : &rec.fields[it->second];
    };
    const auto bad = [&](const Field& f, const std::string& name, const std::string& expected) {
      reader.fail(f.line, f.column,
                  "column '" + name + "' is " + shown(f.text) + ", expected " + expected);
    };
    Trial t;
    const Field& pf = *get("policy");
    const Field& tf = *get("task");
    t.policy = trim(pf.text);
    const std::string task = trim(tf.text);
    const auto at = [&](const Field& f) {
      return source + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": ";
    };
    check_name(t.policy, "column 'policy'", at(pf));
    check_name(task, "column 'task'", at(tf));
    const Field& ef = *get("episode");
    const std::string ep = trim(ef.text);
    int index = -1;
    const auto [eptr, eerr] = std::from_chars(ep.data(), ep.data() + ep.size(), index);
    if (ep.empty() || eerr != std::errc() || eptr != ep.data() + ep.size() || index < 0 ||
        index >= 100'000'000) {
      bad(ef, "episode", "an integer episode number 0..99999999");
    }
    const Field& sf = *get("success");
    const std::string s = trim(sf.text);
    if (s != "0" && s != "1") bad(sf, "success", "0 or 1");
    const bool success = s == "1";
    double progress = success ? 1.0 : 0.0;
    if (const Field* f = get("progress"); f && !trim(f->text).empty()) {
      const std::string v = trim(f->text);
      double x = 0.0;
      const auto [ptr, err] = std::from_chars(v.data(), v.data() + v.size(), x);
      if (err != std::errc() || ptr != v.data() + v.size() || !(x >= 0.0 && x <= 1.0)) {
        bad(*f, "progress", "a number in [0, 1] (or empty)");
      }
      progress = x;
    }
    std::uint64_t seed = 0;
    if (const Field* f = get("seed"); f && !trim(f->text).empty()) {
      const std::string v = trim(f->text);
      const auto [ptr, err] = std::from_chars(v.data(), v.data() + v.size(), seed);
      if (err != std::errc() || ptr != v.data() + v.size()) {
        bad(*f, "seed", "an unsigned 64-bit integer (or empty)");
      }
    }
    if (const Field* f = get("timestamp"); f && !trim(f->text).empty()) {
      t.timestamp = trim(f->text);
      if (!iso8601(t.timestamp)) {
        bad(*f, "timestamp", "ISO 8601, e.g. 2024-05-01T14:03:00Z (or empty)");
      }
    }
    if (const Field* f = get("operator")) t.op = printable(trim(f->text));
    const auto key = std::tuple{t.policy, task, index};
    const auto [it, fresh] = seen.emplace(key, ef.line);
    if (!fresh) {
      reader.fail(ef.line, ef.column,
                  "duplicate episode: policy " + shown(t.policy) + ", task " + shown(task) +
                      ", episode " + std::to_string(index) + " is already on line " +
                      std::to_string(it->second));
    }
    if (policy_set.insert(t.policy).second) policies.push_back(t.policy);
    if (task_set.insert(task).second) tasks.push_back(task);
    t.episode = trial_episode(task, index, success, progress, seed);
    trials.push_back(std::move(t));
  }
  return build_runs(trials, policies, tasks, source, o);
}

namespace {

std::vector<RunResults> import_lerobot(const std::string& text, const std::string& source,
                                       const ImportOptions& o) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (o.policy.empty()) {
    throw InputError(source +
                     ": LeRobot's eval_info.json does not name the policy; pass "
                     "--policy NAME");
  }
  const auto fail = [&](const std::string& path, const std::string& what) {
    throw InputError(source + ": " + path + ": " + what);
  };
  if (!j.is_object()) fail("(top level)", "expected a JSON object (LeRobot's eval_info.json)");
  std::vector<Trial> trials;
  std::vector<std::string> tasks;
  const auto success_of = [&](const nlohmann::json& v, const std::string& path) {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_integer() && (v.get<long long>() == 0 || v.get<long long>() == 1)) {
      return v.get<long long>() == 1;
    }
    fail(path, "is " + v.dump() + ", expected true or false");
    return false;
  };
  const auto add = [&](const std::string& task, int index, bool success, std::uint64_t seed,
                       double ret) {
    Trial t;
    t.policy = o.policy;
    t.episode = trial_episode(task, index, success, success ? 1.0 : 0.0, seed);
    if (std::isfinite(ret)) t.episode.episode_return = ret;
    trials.push_back(std::move(t));
  };
  if (j.contains("per_episode")) {
    // lerobot/scripts/eval.py (single task): {"per_episode": [{"episode_ix", "sum_reward",
    // "max_reward", "success", "seed"}], "aggregated": {...}}.
    if (o.task.empty()) {
      fail("per_episode", "the file does not name its task; pass --task ID (the sim's task id)");
    }
    const auto& list = j["per_episode"];
    if (!list.is_array()) fail("per_episode", "expected a list of episodes");
    std::set<int> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = "per_episode[" + std::to_string(i) + "]";
      const auto& e = list[i];
      if (!e.is_object()) fail(path, "expected an object");
      int index = static_cast<int>(i);
      if (e.contains("episode_ix")) {
        const auto& v = e["episode_ix"];
        if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() >= 100'000'000) {
          fail(path + ".episode_ix", "is " + v.dump() + ", expected an integer 0..99999999");
        }
        index = static_cast<int>(v.get<long long>());
      }
      if (!seen.insert(index).second) {
        fail(path + ".episode_ix", "episode " + std::to_string(index) + " appears twice");
      }
      if (!e.contains("success")) fail(path, "has no 'success'");
      const bool success = success_of(e["success"], path + ".success");
      std::uint64_t seed = 0;
      if (e.contains("seed") && !e["seed"].is_null()) {
        if (!e["seed"].is_number_unsigned() &&
            !(e["seed"].is_number_integer() && e["seed"].get<long long>() >= 0)) {
          fail(path + ".seed", "is " + e["seed"].dump() + ", expected an integer >= 0 or null");
        }
        seed = e["seed"].get<std::uint64_t>();
      }
      double ret = std::nan("");
      if (e.contains("sum_reward") && e["sum_reward"].is_number()) {
        ret = e["sum_reward"].get<double>();
      }
      add(o.task, index, success, seed, ret);
    }
    tasks.push_back(o.task);
  } else if (j.contains("per_task")) {
    // Newer lerobot-eval (several tasks): {"per_task": [{"task_group", "task_id", "metrics":
    // {"successes": [...], "sum_rewards": [...]}}], "per_group": ..., "overall": ...}.
    if (!o.task.empty()) {
      fail("per_task", "names its tasks (TASKGROUP_TASKID); --task applies to a per_episode file");
    }
    const auto& list = j["per_task"];
    if (!list.is_array()) fail("per_task", "expected a list of tasks");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = "per_task[" + std::to_string(i) + "]";
      const auto& t = list[i];
      if (!t.is_object() || !t.contains("metrics") || !t["metrics"].is_object()) {
        fail(path, "expected an object with 'metrics'");
      }
      std::string task;
      if (t.contains("task_group")) {
        task = t["task_group"].is_string() ? t["task_group"].get<std::string>()
                                           : t["task_group"].dump();
      }
      if (t.contains("task_id")) {
        const std::string id =
            t["task_id"].is_string() ? t["task_id"].get<std::string>() : t["task_id"].dump();
        task += (task.empty() ? "" : "_") + id;
      }
      if (task.empty()) fail(path, "has neither 'task_group' nor 'task_id'");
      if (!seen.insert(task).second) fail(path, "task '" + task + "' appears twice");
      const auto& m = t["metrics"];
      if (!m.contains("successes") || !m["successes"].is_array()) {
        fail(path + ".metrics.successes", "expected a list of true/false");
      }
      const auto& succ = m["successes"];
      const bool rewards = m.contains("sum_rewards") && m["sum_rewards"].is_array() &&
                           m["sum_rewards"].size() == succ.size();
      for (std::size_t k = 0; k < succ.size(); ++k) {
        const bool s = success_of(succ[k], path + ".metrics.successes[" + std::to_string(k) + "]");
        double ret = std::nan("");
        if (rewards && m["sum_rewards"][k].is_number()) ret = m["sum_rewards"][k].get<double>();
        add(task, static_cast<int>(k), s, 0, ret);
      }
      tasks.push_back(task);
    }
  } else {
    fail("(top level)",
         "has neither 'per_episode' nor 'per_task' (is this LeRobot's "
         "eval_info.json?)");
  }
  return build_runs(trials, {o.policy}, tasks, source, o);
}

}  // namespace

std::vector<RunResults> import_trials(const std::filesystem::path& path, const ImportOptions& o) {
  const std::string source = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError(source + ": no such file (or not a regular file)");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxFileBytes) {
    throw InputError(source + ": larger than " + std::to_string(kMaxFileBytes >> 20) +
                     " MiB; a trial log is expected to be far smaller");
  }
  const std::string text = reports::read_binary_file(path);
  if (path.extension() == ".json") return import_lerobot(text, source, o);
  if (!o.policy.empty() || !o.task.empty()) {
    throw InputError(
        "--policy/--task: only for LeRobot's eval_info.json; a CSV names them in "
        "its columns");
  }
  return import_trials_csv(text, source, o);
}

}  // namespace gauntlet::cli
