// A LIBERO-style scene as written in a BDDL file or a suite's YAML: named
// fixtures and objects by category, placement regions, and the initial and
// goal conditions as predicates. Plain data; resolve_scene() checks it.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "suites/common/yaml_fields.hpp"

namespace gauntlet::suites::libero {

enum class PredicateKind { kOn, kIn, kOpen, kClose, kTurnOn, kTurnOff };

// "On", "In", "Open", "Close", "TurnOn", "TurnOff".
const char* predicate_name(PredicateKind kind);
// Case-insensitive, so LIBERO's "Turnon" is TurnOn.
std::optional<PredicateKind> parse_predicate(std::string_view name);
std::vector<std::string> predicate_names();

struct SpecPredicate {
  PredicateKind kind = PredicateKind::kOn;
  std::vector<std::string> args;
  std::string where;         // "FILE:LINE" for messages
  std::string text() const;  // "(On bowl_1 plate_1)"
};

struct SpecRegion {
  std::string name;    // as declared: "plate_region"
  std::string target;  // the entity it belongs to: "main_table"
  // Rectangles (x_min, y_min, x_max, y_max) in the table frame; empty means
  // the target model's own region of that name (a drawer, a cooking area).
  std::vector<std::array<double, 4>> ranges;
  std::vector<Range> yaws;  // yaw ranges (radians); empty: yaw 0
  std::string where;
  // How predicates refer to it: "main_table_plate_region".
  std::string full_name() const { return target + "_" + name; }
};

struct SpecEntity {
  std::string name;
  std::string category;
  bool declared_fixture = false;  // listed under :fixtures
  std::string where;
};

struct SceneSpec {
  std::string source;    // the file, for messages
  std::string language;  // the instruction the file gives (BDDL :language)
  std::vector<SpecEntity> entities;
  std::vector<SpecRegion> regions;
  std::vector<SpecPredicate> init;
  std::vector<SpecPredicate> goal;
};

}  // namespace gauntlet::suites::libero
