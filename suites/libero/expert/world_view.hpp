// What the scripted expert knows at one step: the scene description and the
// privileged state (poses, joints, the gripper). It never reads the simulator.
// Also the expert's geometric helpers: clearance heights along a path, free
// spots on a place, and a pose servo.
#pragma once

#include <span>
#include <vector>

#include "harness/observation.hpp"
#include "suites/libero/resolved_scene.hpp"
#include "suites/libero/scene_geometry.hpp"

namespace gauntlet::suites::libero {

// The gripper's geometry that matters for clearances (see scenarios/mujoco/scene.cpp).
inline constexpr double kFingerTip = 0.02;    // fingertips below the tool centre point
inline constexpr double kOpenHalf = 0.061;    // outer faces of open fingers from the centre
inline constexpr double kGripperHalf = 0.07;  // palm half length

class WorldView {
 public:
  WorldView(const ResolvedScene& scene, const PrivilegedState& state);

  const ResolvedScene& scene() const { return scene_; }
  const Pose& tcp() const { return state_.ee; }
  double opening() const { return state_.gripper_opening; }

  Frame frame(int entity, const std::string& part = {}) const;
  double joint(int entity, int articulation) const;
  const ObjectModel& model(int entity) const {
    return *scene_.entities[static_cast<std::size_t>(entity)].model;
  }

  // World centre of a place: its surface (support, table) or floor (container).
  geo::Vec3 place_center(const Place& p) const;
  // The rim height of a container's owner or a support's surface.
  double place_top(const Place& p) const;

  // The highest top of anything (but `skip`) whose footprint comes within
  // `inflate` of the segment from a to b (horizontally); the table otherwise.
  double highest_along(const geo::Vec3& a, const geo::Vec3& b, double inflate,
                       std::span<const int> skip) const;

  // Room along the segment a -> b (horizontal) for a disc of `radius` sliding
  // on the table: to other movable objects (but `skip`) and to fixtures.
  double room_along(const geo::Vec3& a, const geo::Vec3& b, double radius, int skip) const;

  // Approximate, slightly stricter versions of the goal predicates, from poses.
  bool placed(const Condition& c) const;

  // Where the arm stands: LIBERO's mount behind the table's edge (the
  // living room's shorter table brings it forward; see scene_task.cpp).
  geo::Vec3 arm_base() const;

 private:
  const ResolvedScene& scene_;
  const PrivilegedState& state_;
  std::vector<const Pose*> bodies_;  // per entity, root pose (nullptr for the table)
};

// Writes action[0..5]: moves the tool centre point towards `target` and turns
// it towards orientation `quat`, with bounded steps.
void servo_pose(const Pose& tcp, const geo::Vec3& target, const geo::Quat& quat,
                std::span<float> action, double max_step = 0.04);

// Gripper orientation: fingers down with the closing axis at `yaw`, tilted by
// `tilt` about the closing axis (positive: fingertips towards the gripper's -x).
geo::Quat gripper_quat(double yaw, double tilt = 0.0);

// Angle between two orientations, radians.
double angle_between(const geo::Quat& a, const geo::Quat& b);

}  // namespace gauntlet::suites::libero
