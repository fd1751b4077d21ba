// Task families of the tabletop-smoke suite: pick-and-place onto a target,
// push into a marked region, and open a drawer.
#pragma once

#include "suites/common/suite_loader.hpp"

namespace gauntlet::suites::smoke {

TaskFamily pick_place_family();
TaskFamily push_to_region_family();
TaskFamily open_drawer_family();

}  // namespace gauntlet::suites::smoke
