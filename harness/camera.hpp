// Camera calibrations that both the simulator and camera-reading policies rely
// on: one constant, so a scene and a policy's pinhole model cannot drift apart.
#pragma once

#include "harness/geometry.hpp"

namespace gauntlet {

// A pinhole camera looking from `pos` at `target` with vertical field of view `fovy_deg`.
struct CameraCalibration {
  geo::Vec3 pos;
  geo::Vec3 target;
  double fovy_deg;
};

// The standard tabletop's `agentview` camera (scenarios/mujoco/scene.hpp),
// which the built-in vision policy assumes; a camera perturbation moves it.
inline constexpr CameraCalibration kTabletopAgentview{{0.62, 0.0, 0.52}, {-0.06, 0.0, 0.0}, 52.0};

}  // namespace gauntlet
