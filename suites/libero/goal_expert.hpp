// The one scripted expert of every LIBERO-like task: it orders the goal's
// conditions into stages (knobs, openings, placements, closings; a drawer or
// door a placement needs is opened first) and runs the skill of the first
// stage that does not hold yet, re-checking after each skill (closed loop).
#pragma once

#include <memory>

#include "harness/policy.hpp"
#include "suites/libero/resolved_scene.hpp"

namespace gauntlet::suites::libero {

std::unique_ptr<Expert> make_goal_expert(std::shared_ptr<const ResolvedScene> scene);

}  // namespace gauntlet::suites::libero
