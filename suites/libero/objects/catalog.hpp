// The LIBERO category names gauntlet can build, each mapped to a primitive
// model (model.hpp describes what a model declares). Lookup by category.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "suites/libero/objects/model.hpp"

namespace gauntlet::suites::libero {

// nullptr when the category has no model.
const ObjectModel* find_model(std::string_view category);
// Sorted category names, for error messages and `docs/suites.md`.
std::vector<std::string> model_categories();
// Names the models' geometry; part of every LIBERO suite's content hash
// (2: the cabinets open their drawers along -y, as LIBERO's).
// (4: the flat stove as LIBERO's, knob at the origin, burner plate 0.15 m along +x).
inline constexpr const char* kCatalogVersion = "libero-catalog/4";

}  // namespace gauntlet::suites::libero
