// Building blocks for scripted experts: servoing the tool centre point to a
// target pose with bounded steps, and yaw choices for symmetric objects.
#pragma once

#include <span>

#include "harness/geometry.hpp"
#include "harness/observation.hpp"

namespace gauntlet::suites {

struct ServoGains {
  double position_gain = 0.9;  // fraction of the position error commanded per step
  double max_step = 0.04;      // m per control step (action bound is 0.05)
  double rotation_gain = 0.6;
  double max_rotation = 0.3;  // rad per control step
};

// Writes action[0..5] so the tool centre point moves toward `target` and turns
// to `target_yaw` with roll and pitch level (fingers down).
void servo_to(const Pose& tcp, const geo::Vec3& target, double target_yaw, std::span<float> action,
              const ServoGains& gains = {});

// The yaw among object_yaw + k * period closest to current_yaw: a box can be
// grasped across either pair of faces.
double closest_symmetric_yaw(double object_yaw, double current_yaw, double period);

double yaw_error(const Pose& tcp, double target_yaw);

// Position error of the tool centre point from `target`.
double position_error(const Pose& tcp, const geo::Vec3& target);

}  // namespace gauntlet::suites
