// The floating parallel-jaw gripper: its names in the scene, and the controller
// that turns a 7-D ee_delta action into mocap targets and finger commands.
#pragma once

#include <mujoco/mujoco.h>

#include <span>

#include "harness/geometry.hpp"
#include "harness/observation.hpp"

namespace gauntlet::mj {

namespace robot {
inline constexpr const char* kBody = "gripper";
inline constexpr const char* kTarget = "gripper_target";  // mocap body the gripper is welded to
inline constexpr const char* kLeftFinger = "finger_left";
inline constexpr const char* kRightFinger = "finger_right";
inline constexpr const char* kWristCamera = "wrist";
inline constexpr double kFingerTravel = 0.045;  // m per finger
// A closed command aims this far past touching, so the grip squeezes even thin objects.
inline constexpr double kFingerSqueeze = 0.012;
inline constexpr double kMaxLeash = 0.06;  // m between target and tool centre point
// Like an arm's wrist limits: the fingers stay within this angle of pointing down.
inline constexpr double kMaxTilt = 1.0;  // rad
}  // namespace robot

// Limits on where the tool centre point may be sent, in world coordinates.
struct Workspace {
  geo::Vec3 lo{-0.45, -0.55, 0.005};
  geo::Vec3 hi{0.45, 0.55, 0.45};
};

// Finger position target for a gripper command in [-1 open, +1 closed].
double finger_target(double gripper_command);

class GripperController {
 public:
  GripperController(const mjModel* model, Workspace workspace);

  // Moves the gripper (and its mocap target) to `tcp` with orientation `quat`
  // and sets the fingers open. Call after mj_resetData, before mj_forward.
  void place(const mjModel* model, mjData* data, const geo::Vec3& tcp, const geo::Quat& quat,
             double gripper_command) const;
  // Applies one action (already clipped): dx dy dz droll dpitch dyaw gripper.
  void apply(const mjModel* model, mjData* data, std::span<const float> action) const;
  // Cancels gravity on the gripper's bodies (a real arm's controller would).
  void compensate_gravity(const mjModel* model, mjData* data) const;

  Pose tcp_pose(const mjData* data) const;
  double opening(const mjData* data) const;  // distance between finger pads, m
  // LIBERO's 8 numbers: eef pos (3), axis-angle (3), finger positions (2).
  void proprio(const mjData* data, std::vector<float>& out) const;

 private:
  Workspace workspace_;
  int body_ = -1;
  int mocap_ = -1;
  int left_body_ = -1;
  int right_body_ = -1;
  int left_qpos_ = -1;
  int right_qpos_ = -1;
  int left_act_ = -1;
  int right_act_ = -1;
  int free_qpos_ = -1;
  int free_qvel_ = -1;
};

}  // namespace gauntlet::mj
