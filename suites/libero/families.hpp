// Task families of the LIBERO-like suites, registered in suites/builtin.cpp;
// their YAML vocabulary is documented in docs/suites.md.
#pragma once

#include "suites/common/suite_loader.hpp"

namespace gauntlet::suites::libero {

// `libero_scene`: fixtures, objects, regions, init and goal predicates.
TaskFamily libero_scene_family();

}  // namespace gauntlet::suites::libero
