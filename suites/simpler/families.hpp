// The SimplerEnv-like task family, registered in suites/builtin.cpp; its YAML
// vocabulary is documented in docs/simpler.md.
#pragma once

#include "suites/common/suite_loader.hpp"

namespace gauntlet::suites::simpler {

// `simpler`: pick, move_near, drawer, drawer_place and place_on tasks on
// tables of layouts, with optional visual-matching overlays.
TaskFamily simpler_family();

}  // namespace gauntlet::suites::simpler
