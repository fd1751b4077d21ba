#include "metrics/evaluation_table.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>

namespace gauntlet::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Parser {
  std::string_view source;
  std::size_t line = 0;

  [[noreturn]] void fail(const std::string& expected, const std::string& got) const {
    throw std::invalid_argument(std::string(source) + ":" + std::to_string(line) + ": expected " +
                                expected + ", got " + shown(got));
  }

  // What the file held, as an error message may echo it: at most 80 bytes,
  // control characters as \xNN (a 10 MB field is not repeated whole).
  static std::string shown(const std::string& got) {
    std::string out;
    for (std::size_t i = 0; i < got.size() && i < 80; ++i) {
      const auto u = static_cast<unsigned char>(got[i]);
      if (u < 0x20 || u == 0x7f) {
        static const char* hex = "0123456789abcdef";
        out += "\\x";
        out += hex[u >> 4];
        out += hex[u & 15];
      } else {
        out += got[i];
      }
    }
    if (got.size() > 80) out += "... (" + std::to_string(got.size()) + " bytes)";
    return out;
  }

  std::vector<std::string> fields(std::string_view text) const {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false;
    bool was_quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
        was_quoted = true;
      } else if (c == ',') {
        out.push_back(was_quoted ? field : trim(field));
        field.clear();
        was_quoted = false;
      } else {
        field += c;
      }
    }
    if (quoted) fail("a closing double quote", "end of line");
    out.push_back(was_quoted ? field : trim(field));
    return out;
  }

  static std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
  }

  double unit_number(const std::string& s, const char* what) const {
    double v = 0.0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
      fail(std::string(what) + " as a number in [0, 1]", "'" + s + "'");
    }
    if (v < 0.0 || v > 1.0) fail(std::string(what) + " in [0, 1]", s);
    return v;
  }

  long long episode_index(const std::string& s) const {
    long long v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 0) {
      fail("episode as a nonnegative integer", "'" + s + "'");
    }
    return v;
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t intern(std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  names.push_back(name);
  return names.size() - 1;
}

}  // namespace

std::size_t EvaluationTable::policy_index(std::string_view name) const {
  const auto it = std::find(policies.begin(), policies.end(), name);
  return static_cast<std::size_t>(it - policies.begin());
}

std::vector<double> EvaluationTable::policy_scores() const {
  // Tasks that some policy has must be present for every policy, or the averages differ in
  // what they average.
  std::vector<double> out(policies.size(), 0.0);
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    for (std::size_t p = 0; p < policies.size(); ++p) {
      if (std::isnan(rate[p][t])) {
        throw std::invalid_argument("policy '" + policies[p] + "' has no result for task '" +
                                    tasks[t] + "', which other policies have");
      }
    }
  }
  for (std::size_t p = 0; p < policies.size(); ++p) {
    double s = 0.0;
    for (std::size_t t = 0; t < tasks.size(); ++t) s += rate[p][t];
    out[p] = s / static_cast<double>(tasks.size());
  }
  return out;
}

EvaluationTable parse_evaluation_csv(std::string_view text, std::string_view source) {
  Parser parser{source, 0};
  EvaluationTable table;
  int kind = 0;  // 3 or 4 fields, fixed by the first data row
  std::size_t kind_line = 0;
  std::map<std::pair<std::size_t, std::size_t>, double> rates;
  std::map<std::tuple<std::size_t, std::size_t, long long>, double> episodes;
  bool first = true;
  // A UTF-8 byte order mark (Excel's "CSV UTF-8") is not part of the header.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++parser.line;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string content = Parser::trim(std::string(raw));
    if (content.empty() || content.front() == '#') continue;
    const auto f = parser.fields(content);
    if (first) {
      first = false;
      std::vector<std::string> names;
      for (const auto& x : f) names.push_back(lower(x));
      if (names == std::vector<std::string>{"policy", "task", "success_rate"} ||
          names == std::vector<std::string>{"policy", "task", "episode", "success"}) {
        kind = static_cast<int>(f.size());
        kind_line = parser.line;
        continue;
      }
    }
    if (f.size() != 3 && f.size() != 4) {
      parser.fail("3 fields (policy,task,success_rate) or 4 (policy,task,episode,success)",
                  std::to_string(f.size()) + " fields");
    }
    if (kind == 0) {
      kind = static_cast<int>(f.size());
      kind_line = parser.line;
    } else if (static_cast<int>(f.size()) != kind) {
      parser.fail(
          std::to_string(kind) + " fields like line " + std::to_string(kind_line) +
              (kind == 3 ? " (policy,task,success_rate)" : " (policy,task,episode,success)"),
          std::to_string(f.size()) + " fields");
    }
    if (f[0].empty()) parser.fail("a policy name", "an empty field");
    if (f[1].empty()) parser.fail("a task name", "an empty field");
    const std::size_t p = intern(table.policies, f[0]);
    const std::size_t t = intern(table.tasks, f[1]);
    if (kind == 3) {
      const double v = parser.unit_number(f[2], "success_rate");
      if (!rates.emplace(std::pair{p, t}, v).second) {
        parser.fail("one row per (policy, task)",
                    "a second row for ('" + f[0] + "', '" + f[1] + "')");
      }
    } else {
      const long long e = parser.episode_index(f[2]);
      const double v = parser.unit_number(f[3], "success");
      // One episode succeeds or not: 0.5 is a rate, not an episode's outcome.
      if (v != 0.0 && v != 1.0) parser.fail("success 0 or 1 for one episode", f[3]);
      if (!episodes.emplace(std::tuple{p, t, e}, v).second) {
        parser.fail("one row per (policy, task, episode)",
                    "a second row for ('" + f[0] + "', '" + f[1] + "', " + f[2] + ")");
      }
    }
  }
  if (table.policies.empty()) {
    parser.fail("at least one data row (policy,task,success_rate or policy,task,episode,success)",
                "none");
  }
  table.per_episode = kind == 4;
  table.rate.assign(table.policies.size(), std::vector<double>(table.tasks.size(), kNaN));
  if (!table.per_episode) {
    for (const auto& [key, v] : rates) table.rate[key.first][key.second] = v;
    return table;
  }
  table.episodes.resize(table.policies.size());
  table.episode_tasks.resize(table.policies.size());
  // std::map orders by (policy, task index, episode): tasks in first-seen order, episodes sorted.
  std::vector<double> scores;
  auto flush = [&](std::size_t p, std::size_t t) {
    if (scores.empty()) return;
    table.episodes[p].add_task(scores);
    table.episode_tasks[p].push_back(t);
    double s = 0.0;
    for (double v : scores) s += v;
    table.rate[p][t] = s / static_cast<double>(scores.size());
    scores.clear();
  };
  std::size_t cur_p = 0;
  std::size_t cur_t = 0;
  bool any = false;
  for (const auto& [key, v] : episodes) {
    const auto& [p, t, e] = key;
    if (any && (p != cur_p || t != cur_t)) flush(cur_p, cur_t);
    cur_p = p;
    cur_t = t;
    any = true;
    scores.push_back(v);
  }
  if (any) flush(cur_p, cur_t);
  return table;
}

EvaluationTable per_episode_table(std::vector<std::string> policies, std::vector<std::string> tasks,
                                  const std::vector<std::vector<std::vector<double>>>& scores) {
  if (scores.size() != policies.size()) {
    throw std::invalid_argument("per_episode_table: scores for " + std::to_string(scores.size()) +
                                " policies, " + std::to_string(policies.size()) + " named");
  }
  EvaluationTable t;
  t.policies = std::move(policies);
  t.tasks = std::move(tasks);
  t.per_episode = true;
  for (const auto& per_task : scores) {
    if (per_task.size() != t.tasks.size()) {
      throw std::invalid_argument("per_episode_table: scores for " +
                                  std::to_string(per_task.size()) + " tasks, " +
                                  std::to_string(t.tasks.size()) + " named");
    }
    t.rate.emplace_back(t.tasks.size(), kNaN);
    TaskScores block;
    std::vector<std::size_t> included;
    for (std::size_t k = 0; k < per_task.size(); ++k) {
      const auto& values = per_task[k];
      if (values.empty()) continue;
      double sum = 0.0;
      for (const double v : values) sum += v;
      t.rate.back()[k] = sum / static_cast<double>(values.size());
      block.add_task(values);
      included.push_back(k);
    }
    t.episodes.push_back(std::move(block));
    t.episode_tasks.push_back(std::move(included));
  }
  return t;
}

}  // namespace gauntlet::metrics
