#include "suites/libero/resolved_scene.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "harness/errors.hpp"
#include "suites/libero/objects/catalog.hpp"

namespace gauntlet::suites::libero {
namespace {

constexpr PredicateKind kAllKinds[] = {PredicateKind::kOn,     PredicateKind::kIn,
                                       PredicateKind::kOpen,   PredicateKind::kClose,
                                       PredicateKind::kTurnOn, PredicateKind::kTurnOff};

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw InputError(where + ": " + message);
}

class Resolver {
 public:
  explicit Resolver(ResolvedScene& s) : s_(s) {}

  void entities() {
    std::set<std::string> seen;
    for (const SpecEntity& e : s_.spec.entities) {
      if (!seen.insert(e.name).second) fail(e.where, "'" + e.name + "' is declared twice");
      const ObjectModel* model = find_model(e.category);
      if (!model) {
        fail(e.where, "no model for category '" + e.category + "' (of '" + e.name +
                          "'); supported categories: " + join_names(model_categories()));
      }
      if (model->table) {
        if (s_.table >= 0) {
          fail(e.where, "a scene has one table; '" + e.name + "' is a second one after '" +
                            s_.entities[static_cast<std::size_t>(s_.table)].name + "'");
        }
        s_.table = static_cast<int>(s_.entities.size());
      }
      s_.entities.push_back(Entity{e.name, model});
    }
    for (const SpecRegion& r : s_.spec.regions) {
      for (const auto& range : r.ranges) {
        if (!(range[0] <= range[2] && range[1] <= range[3])) {
          fail(r.where, "region '" + r.name + "': ranges are (x_min y_min x_max y_max) with " +
                            "min <= max");
        }
        if (range[0] < -0.5 || range[2] > 0.5 || range[1] < -0.7 || range[3] > 0.7) {
          fail(r.where, "region '" + r.name + "' lies off the table (x within [-0.5, 0.5], " +
                            "y within [-0.7, 0.7])");
        }
      }
    }
  }

  Condition condition(const SpecPredicate& p, bool init) {
    Condition c;
    c.kind = p.kind;
    c.text = p.text();
    c.where = p.where;
    const std::size_t want = c.is_placement() ? 2 : 1;
    if (p.args.size() != want) {
      fail(p.where, std::string(predicate_name(p.kind)) + " takes " + std::to_string(want) +
                        " argument" + (want == 1 ? "" : "s") + ", got " +
                        std::to_string(p.args.size()) + " in " + c.text);
    }
    if (c.is_placement()) {
      c.subject = entity(p.args[0], p);
      const Entity& subject = s_.entities[static_cast<std::size_t>(c.subject)];
      if (subject.is_table()) fail(p.where, "the table '" + subject.name + "' cannot be placed");
      if (subject.is_fixture() && !init) {
        fail(p.where, "'" + subject.name + "' is a fixture; goals can only move objects");
      }
      c.place = place(p.args[1], p);
      if (c.place.owner == c.subject) fail(p.where, c.text + " places something on itself");
      if (subject.is_fixture() && c.place.kind != Place::Kind::kTableRegion) {
        fail(p.where, "fixture '" + subject.name + "' can only stand on a table region");
      }
    } else {
      articulation(p.args[0], p, c);
    }
    return c;
  }

 private:
  int entity(const std::string& name, const SpecPredicate& p) const {
    const int i = s_.find(name);
    if (i < 0) {
      std::vector<std::string> names;
      for (const auto& e : s_.entities) names.push_back(e.name);
      fail(p.where,
           "unknown name '" + name + "' in " + p.text() + "; declared: " + join_names(names));
    }
    return i;
  }

  // The entity a "<entity>_<region>" name starts with, longest match first.
  int prefix_entity(const std::string& name, std::string& rest) const {
    int best = -1;
    std::size_t best_len = 0;
    for (std::size_t i = 0; i < s_.entities.size(); ++i) {
      const std::string& n = s_.entities[i].name;
      if (name.size() > n.size() + 1 && name.compare(0, n.size(), n) == 0 &&
          name[n.size()] == '_' && n.size() > best_len) {
        best = static_cast<int>(i);
        best_len = n.size();
      }
    }
    if (best >= 0) rest = name.substr(best_len + 1);
    return best;
  }

  Place place(const std::string& name, const SpecPredicate& p) const {
    const bool into = p.kind == PredicateKind::kIn;
    Place out;
    // A declared region with ranges: rectangles on the table.
    for (const SpecRegion& r : s_.spec.regions) {
      if (r.full_name() != name || r.ranges.empty()) continue;
      const int owner = s_.find(r.target);
      if (owner < 0 || !s_.entities[static_cast<std::size_t>(owner)].is_table()) {
        fail(r.where, "region '" + r.name + "' has ranges, so its target must be the table; '" +
                          r.target + "' is not");
      }
      out.kind = Place::Kind::kTableRegion;
      out.owner = owner;
      out.region = &r;
      return out;
    }
    const int whole = s_.find(name);
    if (whole >= 0) {
      const Entity& e = s_.entities[static_cast<std::size_t>(whole)];
      out.owner = whole;
      if (e.is_table()) {
        out.kind = Place::Kind::kTableRegion;
        return out;
      }
      // The entity itself: its own surface for On, its only container for In,
      // falling back to the other when it has just one of them.
      const SupportSpec* own = e.model->support("");
      const ContainerSpec* only =
          e.model->containers.size() == 1 ? &e.model->containers.front() : nullptr;
      if (into ? only != nullptr : (own == nullptr && only != nullptr)) {
        out.kind = Place::Kind::kContainer;
        out.container = only;
        return out;
      }
      if (own) {
        out.kind = Place::Kind::kSupport;
        out.support = own;
        return out;
      }
      fail(p.where, "'" + name + "' (" + e.model->category + ") has nothing to put things " +
                        (into ? "in" : "on") +
                        "; name one of its regions: " + join_names(e.model->region_names()));
    }
    std::string region;
    const int owner = prefix_entity(name, region);
    if (owner < 0) {
      std::vector<std::string> names;
      for (const auto& r : s_.spec.regions) names.push_back(r.full_name());
      for (const auto& e : s_.entities) names.push_back(e.name);
      fail(p.where,
           "unknown place '" + name + "' in " + p.text() + "; known: " + join_names(names));
    }
    const Entity& e = s_.entities[static_cast<std::size_t>(owner)];
    out.owner = owner;
    const SupportSpec* s = e.model->support(region);
    const ContainerSpec* c = e.model->container(region);
    if (into ? (c != nullptr) : (s == nullptr && c != nullptr)) {
      out.kind = Place::Kind::kContainer;
      out.container = c;
      return out;
    }
    if (s) {
      out.kind = Place::Kind::kSupport;
      out.support = s;
      return out;
    }
    fail(p.where, "'" + e.name + "' (" + e.model->category + ") has no region '" + region +
                      "' to put things " + (into ? "in" : "on") +
                      "; its regions: " + join_names(e.model->region_names()));
  }

  void articulation(const std::string& name, const SpecPredicate& p, Condition& c) const {
    const bool knob = p.kind == PredicateKind::kTurnOn || p.kind == PredicateKind::kTurnOff;
    int owner = s_.find(name);
    std::string region;
    if (owner < 0) owner = prefix_entity(name, region);
    if (owner < 0) {
      std::vector<std::string> names;
      for (const auto& e : s_.entities) names.push_back(e.name);
      fail(p.where,
           "unknown name '" + name + "' in " + c.text + "; declared: " + join_names(names));
    }
    const ObjectModel& m = *s_.entities[static_cast<std::size_t>(owner)].model;
    int found = -1;
    for (std::size_t i = 0; i < m.articulations.size(); ++i) {
      const ArticulationSpec& a = m.articulations[i];
      const bool kind_ok = knob == (a.kind == ArticulationKind::kKnob);
      if (kind_ok && (a.region == region || (region.empty() && found < 0)))
        found = static_cast<int>(i);
      if (kind_ok && a.region == region) break;
    }
    if (found < 0 ||
        (!region.empty() && m.articulations[static_cast<std::size_t>(found)].region != region)) {
      std::vector<std::string> what;
      for (const auto& a : m.articulations) {
        if (knob == (a.kind == ArticulationKind::kKnob))
          what.push_back(a.region.empty() ? "(itself)" : a.region);
      }
      fail(p.where, std::string(predicate_name(p.kind)) + " needs " +
                        (knob ? "a knob" : "a drawer or door") + "; '" + name + "' (" + m.category +
                        ") has " + (what.empty() ? std::string("none") : join_names(what)));
    }
    c.subject = owner;
    c.articulation = found;
  }

  ResolvedScene& s_;
};

}  // namespace

const char* predicate_name(PredicateKind kind) {
  switch (kind) {
    case PredicateKind::kOn:
      return "On";
    case PredicateKind::kIn:
      return "In";
    case PredicateKind::kOpen:
      return "Open";
    case PredicateKind::kClose:
      return "Close";
    case PredicateKind::kTurnOn:
      return "TurnOn";
    case PredicateKind::kTurnOff:
      return "TurnOff";
  }
  return "?";
}

std::optional<PredicateKind> parse_predicate(std::string_view name) {
  for (const PredicateKind k : kAllKinds) {
    const std::string_view n = predicate_name(k);
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return k;
    }
  }
  return std::nullopt;
}

std::vector<std::string> predicate_names() {
  std::vector<std::string> out;
  for (const PredicateKind k : kAllKinds) out.emplace_back(predicate_name(k));
  return out;
}

std::string SpecPredicate::text() const {
  std::string out = std::string("(") + predicate_name(kind);
  for (const auto& a : args) out += " " + a;
  return out + ")";
}

int ResolvedScene::find(const std::string& name) const {
  for (std::size_t i = 0; i < entities.size(); ++i) {
    if (entities[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::shared_ptr<const ResolvedScene> resolve_scene(SceneSpec spec) {
  auto scene = std::make_shared<ResolvedScene>();
  scene->spec = std::move(spec);
  Resolver r(*scene);
  r.entities();
  for (const auto& p : scene->spec.init) scene->init.push_back(r.condition(p, true));
  for (const auto& p : scene->spec.goal) scene->goal.push_back(r.condition(p, false));
  const std::string& src = scene->spec.source;
  if (scene->goal.empty()) throw InputError(src + ": the goal has no conditions");
  if (scene->goal.size() > 8) throw InputError(src + ": at most 8 goal conditions are supported");
  // Every non-table entity needs a place to start; an object placed twice is ambiguous.
  std::vector<int> placed(scene->entities.size(), 0);
  for (const auto& c : scene->init) {
    if (c.is_placement()) ++placed[static_cast<std::size_t>(c.subject)];
  }
  for (std::size_t i = 0; i < scene->entities.size(); ++i) {
    const Entity& e = scene->entities[i];
    if (e.is_table()) continue;
    const SpecEntity& se = scene->spec.entities[i];
    if (placed[i] == 0) {
      throw InputError(se.where + ": '" + e.name + "' has no initial place; add (On " + e.name +
                       " REGION) or (In " + e.name + " REGION) to :init");
    }
    if (placed[i] > 1) {
      throw InputError(se.where + ": '" + e.name + "' is placed more than once in :init");
    }
  }
  // Placement on another object must not loop (a on b, b on a).
  for (const auto& c : scene->init) {
    int hops = 0;
    int at = c.place.owner;
    while (c.is_placement() && at >= 0 &&
           !scene->entities[static_cast<std::size_t>(at)].is_table()) {
      if (++hops > static_cast<int>(scene->entities.size())) {
        throw InputError(c.where + ": initial placements form a loop at " + c.text);
      }
      int next = -1;
      for (const auto& d : scene->init) {
        if (d.is_placement() && d.subject == at) next = d.place.owner;
      }
      at = next;
    }
  }
  return scene;
}

}  // namespace gauntlet::suites::libero
