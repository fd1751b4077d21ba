// An episode's initial state from a scene's :init conditions, drawn from the
// episode's initial-state stream: fixtures on their table regions, drawers,
// doors and knobs set, then objects on regions, supports and in containers,
// rejecting draws that overlap what is already placed.
#pragma once

#include "harness/rng.hpp"
#include "scenarios/mujoco/sim.hpp"
#include "suites/libero/predicates.hpp"
#include "suites/libero/resolved_scene.hpp"

namespace gauntlet::suites::libero {

// Writes the initial state into the worker's model copy (fixture poses) and
// data (free bodies, joints); calls mj_kinematics on the way. The caller runs
// mj_forward afterwards.
void place_initial_state(const ResolvedScene& scene, const SceneIds& ids, const mj::MjSim& sim,
                         Rng& rng);

}  // namespace gauntlet::suites::libero
