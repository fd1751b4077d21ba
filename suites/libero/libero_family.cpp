// The `libero_scene` task family: a LIBERO scene written in a suite's YAML
// with the same vocabulary as a BDDL file (fixtures, objects, regions, init
// and goal predicates), built by the generic SceneTask.

#include <cmath>
#include <sstream>

#include "harness/errors.hpp"
#include "suites/libero/families.hpp"
#include "suites/libero/objects/catalog.hpp"
#include "suites/libero/scene_task.hpp"

namespace gauntlet::suites::libero {
namespace {

std::string where(const YamlFields& f, const YAML::Node& n) {
  const int line = n.Mark().line + 1;
  return f.file() + ":" + std::to_string(line > 0 ? line : f.line());
}

std::vector<SpecEntity> entities(const YamlFields& t, const std::string& key, bool fixtures) {
  std::vector<SpecEntity> out;
  if (!t.has(key)) return out;
  const YAML::Node n = t.node()[key];
  if (!n.IsMap()) t.fail_at(n, key, "expected a mapping NAME: CATEGORY");
  for (const auto& kv : n) {
    if (!kv.second.IsScalar()) t.fail_at(kv.second, key, "expected NAME: CATEGORY");
    out.push_back(SpecEntity{kv.first.Scalar(), kv.second.Scalar(), fixtures, where(t, kv.first)});
  }
  return out;
}

std::vector<SpecPredicate> predicates(const YamlFields& t, const std::string& key) {
  std::vector<SpecPredicate> out;
  if (!t.has(key)) return out;
  const YAML::Node n = t.node()[key];
  if (!n.IsSequence())
    t.fail_at(n, key, "expected a list of predicates such as \"On bowl_1 plate_1\"");
  for (const auto& item : n) {
    if (!item.IsScalar())
      t.fail_at(item, key, "expected a predicate string such as \"On bowl_1 plate_1\"");
    std::string text = item.Scalar();
    for (char& ch : text) {
      if (ch == '(' || ch == ')') ch = ' ';
    }
    std::istringstream words(text);
    std::string name;
    words >> name;
    const auto kind = parse_predicate(name);
    if (!kind) {
      t.fail_at(item, key,
                "unknown predicate '" + name + "'; supported: " + join_names(predicate_names()));
    }
    SpecPredicate p;
    p.kind = *kind;
    p.where = where(t, item);
    for (std::string arg; words >> arg;) p.args.push_back(arg);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<SpecRegion> regions(const YamlFields& t) {
  std::vector<SpecRegion> out;
  if (!t.has("regions")) return out;
  for (const YamlFields& r : t.list("regions")) {
    r.only_keys({"name", "target", "ranges", "yaw"});
    SpecRegion region;
    region.name = r.string("name");
    region.target = r.string("target");
    region.where = r.file() + ":" + std::to_string(r.line());
    const auto rects = [&](const char* key, std::size_t width) {
      std::vector<std::vector<double>> rows;
      if (!r.has(key)) return rows;
      const YAML::Node n = r.node()[key];
      if (!n.IsSequence()) r.fail_at(n, key, "expected a list of lists of numbers");
      for (const auto& row : n) {
        if (!row.IsSequence() || row.size() != width) {
          r.fail_at(row, key, "expected lists of " + std::to_string(width) + " numbers");
        }
        std::vector<double> values;
        for (const auto& v : row) {
          try {
            values.push_back(v.as<double>());
          } catch (const YAML::Exception&) {
            r.fail_at(v, key, "expected a number");
          }
        }
        rows.push_back(values);
      }
      return rows;
    };
    for (const auto& v : rects("ranges", 4)) region.ranges.push_back({v[0], v[1], v[2], v[3]});
    for (const auto& v : rects("yaw", 2)) {
      if (v[0] > v[1]) r.fail("yaw ranges are [lo, hi] with lo <= hi");
      region.yaws.push_back(Range{v[0], v[1]});
    }
    out.push_back(std::move(region));
  }
  return out;
}

}  // namespace

TaskFamily libero_scene_family() {
  TaskFamily f;
  f.name = "libero_scene";
  f.code_version = std::string(kSceneTaskVersion) + "+" + kCatalogVersion;
  f.make = [](const YamlFields& t, TaskInfo info) -> std::shared_ptr<const mj::MjTask> {
    t.only_keys({"id", "family", "instruction", "max_steps", "fixtures", "objects", "regions",
                 "init", "goal"});
    SceneSpec spec;
    spec.source = t.file() + ":" + std::to_string(t.line());
    spec.language = info.instruction;
    spec.entities = entities(t, "fixtures", true);
    for (auto& e : entities(t, "objects", false)) spec.entities.push_back(std::move(e));
    spec.regions = regions(t);
    spec.init = predicates(t, "init");
    spec.goal = predicates(t, "goal");
    if (spec.goal.empty()) t.fail("a libero_scene task needs a non-empty goal");
    return std::make_shared<SceneTask>(std::move(info), resolve_scene(std::move(spec)));
  };
  return f;
}

}  // namespace gauntlet::suites::libero
