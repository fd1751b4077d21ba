// A scene checked against the object library: every entity has a model, and
// every predicate argument is resolved to a place (table region, support
// surface, container) or an articulation. Shared read-only by the task, its
// predicates and its scripted expert.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "suites/libero/objects/model.hpp"
#include "suites/libero/scene_spec.hpp"

namespace gauntlet::suites::libero {

struct Entity {
  std::string name;
  const ObjectModel* model = nullptr;
  bool is_table() const { return model->table; }
  bool is_fixture() const { return model->fixture; }
};

// Where something rests or goes.
struct Place {
  enum class Kind {
    kTableRegion,  // rectangles on the table (`region`); no region: anywhere on it
    kSupport,      // a support surface of entity `owner`
    kContainer,    // a container volume of entity `owner`
  };
  Kind kind = Kind::kTableRegion;
  int owner = -1;
  const SpecRegion* region = nullptr;
  const SupportSpec* support = nullptr;
  const ContainerSpec* container = nullptr;
};

// One resolved predicate.
struct Condition {
  PredicateKind kind = PredicateKind::kOn;
  int subject = -1;       // On/In: the thing placed; otherwise the articulated entity
  Place place;            // On/In
  int articulation = -1;  // Open/Close/TurnOn/TurnOff: index into the model's articulations
  std::string text;       // "(On bowl_1 plate_1)"
  std::string where;

  bool is_placement() const { return kind == PredicateKind::kOn || kind == PredicateKind::kIn; }
};

struct ResolvedScene {
  SceneSpec spec;
  std::vector<Entity> entities;
  int table = -1;  // the table entity; -1 when the scene declares none
  std::vector<Condition> init;
  std::vector<Condition> goal;

  int find(const std::string& name) const;  // -1 when absent
  const ArticulationSpec& articulation(const Condition& c) const {
    return entities[static_cast<std::size_t>(c.subject)]
        .model->articulations[static_cast<std::size_t>(c.articulation)];
  }
};

// Checks a scene against the object library. InputError "FILE:LINE: ..." for
// an unknown category (listing the supported ones), an unknown name, a
// predicate applied to something it cannot apply to, a missing placement.
std::shared_ptr<const ResolvedScene> resolve_scene(SceneSpec spec);

}  // namespace gauntlet::suites::libero
