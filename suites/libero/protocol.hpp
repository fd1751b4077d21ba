// LIBERO's evaluation protocol and gauntlet's scene settings for LIBERO-like
// suites, shared by the built-in YAML suites and the BDDL importer.
#pragma once

#include <string_view>

#include "scenarios/mujoco/mujoco_suite.hpp"

namespace gauntlet::suites::libero {

// LIBERO's step limits by suite folder (libero_spatial 220, libero_object 280,
// libero_goal 300, libero_10 520, libero_90 400); 0 when unknown.
int libero_step_limit(std::string_view suite_folder);

// Workspace of LIBERO-like scenes: fixtures reach x = -0.53 (a stove at the
// back) and objects sit 30 cm high (on a cabinet), so the gripper may go
// further back and higher than on the default tabletop.
inline constexpr geo::Vec3 kLiberoWorkspaceLo{-0.5, -0.6, 0.005};
inline constexpr geo::Vec3 kLiberoWorkspaceHi{0.5, 0.6, 0.6};

// The agentview camera sits further back and higher than the default
// tabletop's, so that fixtures at the table's sides (a microwave, a cabinet
// at y = 0.3) stay in view.
inline constexpr geo::Vec3 kLiberoAgentviewPos{0.8, 0.0, 0.75};
inline constexpr geo::Vec3 kLiberoAgentviewTarget{-0.08, 0.0, 0.0};
inline constexpr double kLiberoAgentviewFovy = 58.0;

// Where LIBERO mounts its Panda: robosuite's MountedPanda stands 0.16 m
// behind the kitchen table's edge (base_xpos_offset "kitchen_table":
// -0.16 - 1.0 / 2), its base level with the table top. The arm then reaches
// the stove at the table's back (x = -0.41) fingers-down; a base 0.1 m closer
// folds the elbow against its limit there.
inline constexpr geo::Vec3 kLiberoRobotBase{-0.66, 0.0, 0.0};
// The living room's table is 0.70 m long: there the base stands at -0.51.
inline constexpr double kLivingRoomRobotBaseX = -0.51;

// The arm's base in a scene whose table is of `table_category`: `configured`
// (the suite's `scene.robot_base`), moved forward in the living room
// (OnTheGroundPanda's base_xpos_offset "living_room_table": -0.16 - 0.70 / 2).
inline geo::Vec3 libero_robot_base(std::string_view table_category, geo::Vec3 configured) {
  if (table_category == "living_room_table") configured[0] = kLivingRoomRobotBaseX;
  return configured;
}

// Applies the settings above to a suite configuration.
void apply_libero_scene(mj::MujocoSuiteConfig& config);

}  // namespace gauntlet::suites::libero
