#include "harness/plan_coverage.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "harness/errors.hpp"

namespace gauntlet {
namespace {

bool parse_int(const std::string& text, int& out) {
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string join(const std::vector<std::string>& parts, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < parts.size() && i < shown; ++i) out += (i ? ", " : "") + parts[i];
  if (parts.size() > shown) out += ", ... (" + std::to_string(parts.size()) + " in all)";
  return out;
}

}  // namespace

std::string ShardSet::to_string() const {
  if (!known()) return "merged:unknown/" + std::to_string(count);
  if (indices.size() == 1) return std::to_string(indices.front()) + "/" + std::to_string(count);
  std::string out = "merged:";
  for (std::size_t i = 0; i < indices.size(); ++i) {
    out += (i ? "," : "") + std::to_string(indices[i]);
  }
  return out + "/" + std::to_string(count);
}

std::vector<std::string> ShardSet::missing() const {
  std::vector<std::string> out;
  if (!known()) return out;
  std::size_t at = 0;
  for (int i = 0; i < count; ++i) {
    if (at < indices.size() && indices[at] == i) {
      ++at;
      continue;
    }
    out.push_back(std::to_string(i) + "/" + std::to_string(count));
    if (out.size() > 64) break;  // enough to name them; never a billion strings
  }
  return out;
}

ShardSet ShardSet::parse(const std::string& text, const std::string& where) {
  const auto bad = [&] {
    return InputError(where + ": shard '" + text +
                      "': expected I/N, merged:I,J,.../N or merged:K (0 <= I < N)");
  };
  ShardSet s;
  const bool merged = text.rfind("merged:", 0) == 0;
  const std::string body = merged ? text.substr(7) : text;
  const std::size_t slash = body.find('/');
  if (slash == std::string::npos) {
    // Legacy "merged:K": K files, shards unknown.
    int k = 0;
    if (!merged || !parse_int(body, k) || k < 1) throw bad();
    s.count = k;
    s.indices.clear();
    return s;
  }
  if (!parse_int(body.substr(slash + 1), s.count) || s.count < 1) throw bad();
  s.indices.clear();
  std::size_t start = 0;
  const std::string list = body.substr(0, slash);
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    int i = 0;
    if (!parse_int(list.substr(start, comma - start), i) || i < 0 || i >= s.count) throw bad();
    s.indices.push_back(i);
    start = comma + 1;
  }
  std::sort(s.indices.begin(), s.indices.end());
  if (std::adjacent_find(s.indices.begin(), s.indices.end()) != s.indices.end()) throw bad();
  if (!merged && s.indices.size() != 1) throw bad();
  return s;
}

std::size_t shard_planned_episodes(std::size_t total, int index, int count) {
  const auto n = static_cast<std::size_t>(count);
  const auto i = static_cast<std::size_t>(index);
  return total / n + (i < total % n ? 1 : 0);
}

PlanCoverage plan_coverage(const RunResults& run) {
  const RunHeader& h = run.header;
  PlanCoverage c;
  try {
    c.shards = ShardSet::parse(h.shard, "results file");
  } catch (const InputError&) {
    c.shards.indices.clear();  // unreadable shard text: judge by the rows alone
  }
  // Canonical positions (plan_episodes' order: task, perturbation, episode):
  // task t's block starts at start[t] and holds perturbations x its count.
  const std::size_t perts = h.perturbations.size();
  std::vector<std::size_t> count(h.tasks.size()), start(h.tasks.size() + 1, 0);
  for (std::size_t i = 0; i < h.tasks.size(); ++i) {
    count[i] = static_cast<std::size_t>(std::max(h.episodes_of(h.tasks[i]), 0));
    start[i + 1] = start[i] + perts * count[i];
  }
  c.planned = start.back();
  std::map<std::string, std::size_t> task_pos, pert_pos;
  for (std::size_t i = 0; i < h.tasks.size(); ++i) task_pos.emplace(h.tasks[i].id, i);
  for (std::size_t i = 0; i < perts; ++i) pert_pos.emplace(h.perturbations[i], i);
  std::set<std::size_t> have;
  for (const auto& e : run.episodes) {
    const auto t = task_pos.find(e.task_id);
    const auto p = pert_pos.find(e.perturbation_id);
    if (t == task_pos.end() || p == pert_pos.end() || e.episode_index < 0 ||
        static_cast<std::size_t>(e.episode_index) >= count[t->second]) {
      continue;
    }
    have.insert(start[t->second] + p->second * count[t->second] +
                static_cast<std::size_t>(e.episode_index));
  }
  c.finished = have.size();
  const auto held = [&](std::size_t pos) {
    if (!c.shards.known()) return true;
    return std::binary_search(c.shards.indices.begin(), c.shards.indices.end(),
                              static_cast<int>(pos % static_cast<std::size_t>(c.shards.count)));
  };
  if (c.shards.known()) {
    for (const int i : c.shards.indices) {
      c.shard_planned += shard_planned_episodes(c.planned, i, c.shards.count);
    }
  } else {
    c.shard_planned = c.planned;
  }
  // The first few missing episodes of the held shards. Every visited position is
  // either a row or a miss, so this loop is bounded by the rows (and a cap).
  std::size_t visited = 0;
  for (std::size_t pos = 0;
       pos < c.planned && c.missing_examples.size() < 3 && visited < 10'000'000; ++pos, ++visited) {
    if (!held(pos) || have.count(pos)) continue;
    const std::size_t t = static_cast<std::size_t>(
        std::upper_bound(start.begin(), start.end(), pos) - start.begin() - 1);
    const std::size_t in_task = pos - start[t];
    c.missing_examples.push_back(h.tasks[t].id + "/" + h.perturbations[in_task / count[t]] + "/" +
                                 std::to_string(in_task % count[t]));
  }
  return c;
}

std::string PlanCoverage::summary() const {
  return std::to_string(finished) + " of " + std::to_string(planned) + " planned episodes";
}

std::string PlanCoverage::missing() const {
  std::vector<std::string> parts;
  const auto absent = shards.missing();
  if (!absent.empty()) {
    parts.push_back((absent.size() == 1 ? "shard " : "shards ") + join(absent, 8) +
                    (absent.size() == 1 ? " is" : " are") + " not in this file");
  }
  if (finished < shard_planned) {
    parts.push_back(
        std::to_string(shard_planned - finished) +
        (shards.known() && !shards.all() ? " episodes of its own shards" : " episodes") +
        " not finished (e.g. " + join(missing_examples, 3) + ")");
  }
  if (parts.empty() && !complete()) parts.push_back("the plan is empty");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

void require_complete(const RunResults& run, const std::string& file, const std::string& command) {
  const PlanCoverage c = plan_coverage(run);
  if (c.complete()) return;
  throw InputError(command + ": " + file + ": incomplete run: " + c.summary() + " (" + c.missing() +
                   "); merge the missing shards or finish the run, or pass --allow-incomplete");
}

}  // namespace gauntlet
