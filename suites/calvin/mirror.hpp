// The MuJoCo "visual mirror" of the Bullet play table: one mocap body per
// Bullet body with the same primitives and colours, the desk's material and
// the static and gripper cameras, as MJCF text for the shared renderer.
#pragma once

#include <string>

#include "robots/robot_description.hpp"
#include "scenarios/bullet/play_table.hpp"
#include "suites/calvin/calvin_suite.hpp"

namespace gauntlet::suites::calvin {

// The mirror's geom of distractor slot `slot` in shape `type` (box, cylinder,
// sphere): hidden (geom group 4) until an episode with distractors shows it.
std::string distractor_geom_name(int slot, bullet::VisualGeom::Type type);

// `offscreen`: the framebuffer size (pixels, both sides).
std::string build_mirror(const bullet::PlayTable& table, const robots::RobotDescription& robot,
                         const DeskLook& look, int offscreen);

}  // namespace gauntlet::suites::calvin
