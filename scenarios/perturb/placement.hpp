// Perturbations of where things are at the start of an episode (layout,
// robot_init) and of physical properties (dynamics), plus the body geometry
// helpers they and the distractor placement share.
#pragma once

#include <vector>

#include "harness/geometry.hpp"
#include "harness/rng.hpp"
#include "scenarios/mujoco/perturbation_hooks.hpp"
#include "scenarios/mujoco/sim.hpp"
#include "scenarios/mujoco/task.hpp"

namespace gauntlet::perturb {

// A task's bodies: its privileged bodies and everything attached to them.
std::vector<int> task_bodies(const mj::MjSim& sim, const mj::MjTask& task);
// Those of them that hang on the worldbody (objects with a free joint, fixtures): what layout
// moves.
std::vector<int> task_root_bodies(const mj::MjSim& sim, const mj::MjTask& task);
// Radius around the body's origin in the xy plane that holds every geom of its
// subtree (current state; needs mj_kinematics).
double footprint_radius(const mj::MjSim& sim, int body);

// Table area where object centres stay reachable by the gripper.
struct TableArea {
  double x_lo = -0.40, x_hi = 0.40, y_lo = -0.50, y_hi = 0.50;
  double edge_x = 0.48, edge_y = 0.68;  // footprints stay on the table
  bool contains(double x, double y, double radius) const {
    return x >= x_lo && x <= x_hi && y >= y_lo && y <= y_hi && std::abs(x) + radius <= edge_x &&
           std::abs(y) + radius <= edge_y;
  }
};

// Moves the task's root bodies (free objects and fixtures) in random directions
// without overlaps and turns the free objects; true when it edited the model
// (fixtures live there).
bool displace_layout(const mj::MjSim& sim, const mj::MjTask& task, int level, Rng& rng);
// Moves, turns, tilts and partly closes the gripper's start.
void perturb_gripper_start(mj::GripperStart& start, int level, Rng& rng);
// Friction of every geom, mass and inertia of the task's bodies, damping of
// every hinge and slide joint; then mj_setConst.
void perturb_dynamics(const mj::MjSim& sim, const mj::MjTask& task, int level, Rng& rng);

}  // namespace gauntlet::perturb
