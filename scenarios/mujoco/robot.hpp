// The robot in a MuJoCo scene: the names every robot shares (the TCP body
// "gripper" and its two fingers), where it starts an episode, and its
// controllers. A floating gripper follows a mocap target; an arm (built from
// a robots/ description) follows the same end-effector targets through a
// damped-least-squares controller on MuJoCo's Jacobian, or joint targets.
#pragma once

#include <mujoco/mujoco.h>

#include <algorithm>
#include <array>
#include <memory>
#include <span>
#include <vector>

#include "harness/geometry.hpp"
#include "harness/observation.hpp"
#include "robots/robot_description.hpp"

namespace gauntlet::mj {

namespace robot {
inline constexpr const char* kBody = "gripper";  // the TCP frame: z towards the wrist
inline constexpr const char* kTarget =
    "gripper_target";  // floating: mocap body the gripper is welded to
inline constexpr const char* kLeftFinger = "finger_left";
inline constexpr const char* kRightFinger = "finger_right";
inline constexpr const char* kWristCamera = "wrist";
inline constexpr const char* kTcpSite = "tcp";
// A closed command aims this far past touching, so the grip squeezes even thin objects.
inline constexpr double kFingerSqueeze = 0.012;
inline constexpr double kMaxLeash = 0.06;  // m between target and tool centre point
// An arm lags its goal more than the welded floating gripper: a longer leash
// keeps 5 cm steps whole while the arm is still finishing the previous one.
inline constexpr double kArmLeash = 0.12;
// Like an arm's wrist limits: the fingers stay within this angle of pointing down.
inline constexpr double kMaxTilt = 1.0;   // rad
inline constexpr double kMaxRamp = 0.05;  // s: an arm command is interpolated over at most this
}  // namespace robot

// Limits on where the tool centre point may be sent, in world coordinates.
struct Workspace {
  geo::Vec3 lo{-0.45, -0.55, 0.005};
  geo::Vec3 hi{0.45, 0.55, 0.45};
};

// Where the robot starts an episode: tool centre point pose and gripper
// command; an arm solves its joints for that pose from its home configuration,
// then adds `joint_offsets` (rad, one per joint; empty: none).
struct GripperStart {
  geo::Vec3 pos{};
  geo::Quat quat{1, 0, 0, 0};
  double command = -1.0;  // -1 open .. +1 closed
  std::vector<double> joint_offsets;
};

// Finger position target for a gripper command in [-1 open, +1 closed].
double finger_target(double gripper_command, double finger_travel);

// How a robot moves: what an action means, and the state it reports.
class RobotController {
 public:
  virtual ~RobotController() = default;
  // Puts the robot at `start`. Call after mj_resetData (and the task's
  // initialize), before mj_forward.
  virtual void place(const mjModel* model, mjData* data, const GripperStart& start) = 0;
  // One control step's action, already clipped: 7-D ee_delta (dx dy dz, world
  // frame rotation vector, gripper) or, with joint control, DoF joint targets + gripper.
  virtual void apply(const mjModel* model, mjData* data, std::span<const float> action) = 0;
  // Between mj_step1 and mj_step2 of every physics step: the servo loop.
  virtual void servo(const mjModel* model, mjData* data) = 0;
  virtual Pose tcp_pose(const mjData* data) const = 0;
  double opening(const mjData* data) const;  // distance between finger pads, m
  // LIBERO's 8 numbers (eef pos, axis-angle, finger positions), then the
  // arm's joint positions and velocities.
  virtual void proprio(const mjData* data, std::vector<float>& out) const;
  virtual int dof() const { return 0; }
  // Physics steps per control period (the servo may spread a command over them).
  virtual void set_substeps(int substeps) { (void)substeps; }
  // Joint control (actions are DoF joint positions + gripper) instead of ee_delta.
  void set_joint_control(bool on) { joint_control_ = on; }

 protected:
  RobotController(const mjModel* model, double finger_travel);
  void set_fingers(mjData* data, double command) const;

  double finger_travel_ = 0.045;
  bool joint_control_ = false;
  int body_ = -1;
  int left_qpos_ = -1;
  int right_qpos_ = -1;
  int left_act_ = -1;
  int right_act_ = -1;
};

// The floating gripper: a mocap target welded to the gripper body.
class GripperController : public RobotController {
 public:
  GripperController(const mjModel* model, Workspace workspace, double finger_travel);
  void place(const mjModel* model, mjData* data, const GripperStart& start) override;
  void apply(const mjModel* model, mjData* data, std::span<const float> action) override;
  void servo(const mjModel* /*model*/, mjData* /*data*/) override {}
  Pose tcp_pose(const mjData* data) const override;

 private:
  // Cancels gravity on the gripper's bodies (a real arm's controller would).
  void compensate_gravity(const mjModel* model, mjData* data) const;

  Workspace workspace_;
  int mocap_ = -1;
  int left_body_ = -1;
  int right_body_ = -1;
  int free_qpos_ = -1;
  int free_qvel_ = -1;
};

// Gains of the arm's end-effector controller (documented in docs/robots.md).
struct ArmGains {
  double max_step = 0.03;      // m of TCP error one servo target may correct
  double max_turn_step = 0.3;  // rad of TCP orientation error likewise
  double damping = 0.02;       // DLS damping lambda (m, rad)
  double nullspace = 0.5;      // 1/s: pull towards the start posture in the Jacobian's null space
  double max_lead = 0.08;      // rad: how far the servo target may lead the joint
  double limit_margin = 0.01;  // rad kept from every joint limit
};

// An arm from a robots/ description, joints named "robot_<joint>".
class ArmController : public RobotController {
 public:
  ArmController(const mjModel* model, const robots::RobotDescription& robot, Workspace workspace,
                ArmGains gains = {});
  void place(const mjModel* model, mjData* data, const GripperStart& start) override;
  void apply(const mjModel* model, mjData* data, std::span<const float> action) override;
  void servo(const mjModel* model, mjData* data) override;
  Pose tcp_pose(const mjData* data) const override;
  void proprio(const mjData* data, std::vector<float>& out) const override;
  int dof() const override { return static_cast<int>(joints_.size()); }
  // The TCP reference moves from the previous target to the new one linearly
  // (slerp for the orientation) over the control period, as a trajectory
  // interpolator would: the arm then tracks a path, not a step.
  void set_substeps(int substeps) override { ramp_steps_ = std::max(1, substeps); }

  // Joint positions putting the TCP at `pose` (world frame), solved by
  // iterated damped least squares from `seed` on `data`'s kinematics (only the
  // arm's qpos is changed). False when the pose is not reached within `tolerance`.
  bool solve_ik(const mjModel* model, mjData* data, const Pose& pose, std::vector<double>& q,
                double tolerance = 1e-4, int iterations = 300) const;
  const Pose& target() const { return target_; }
  const std::vector<double>& lower() const { return lower_; }
  const std::vector<double>& upper() const { return upper_; }

 private:
  // dq = J^T (J J^T + lambda^2 I)^-1 err (+ null-space pull), from `data`'s kinematics.
  // With `twist`, also twist_dq = DLS(twist) from the same Jacobian and factorisation.
  void dls_step(const mjModel* model, const mjData* data, const std::array<double, 6>& err,
                double null_gain, std::vector<double>& dq,
                const std::array<double, 6>* twist = nullptr,
                std::vector<double>* twist_dq = nullptr) const;
  std::array<double, 6> pose_error(const mjData* data, const Pose& goal) const;

  Workspace workspace_;
  ArmGains gains_;
  bool delta_from_measured_ = false;  // ee_delta moves the measured TCP pose, not the target
  std::vector<int> joints_;
  std::vector<int> qpos_;
  std::vector<int> dofs_;
  std::vector<int> acts_;
  std::vector<double> lower_;
  std::vector<double> upper_;
  std::vector<double> velocity_;
  std::vector<double> effort_;
  std::vector<double> home_;
  int site_ = -1;
  Pose target_;
  std::vector<double> posture_;  // the episode's start joints: the null-space goal
  std::vector<double> q_cmd_;    // servo targets
  std::vector<double> q_goal_;   // joint control: the commanded joints
  Pose from_;                    // the reference at the start of this control period
  int ramp_ = 0;                 // physics steps of this control period so far
  int ramp_steps_ = 1;           // physics steps per control period
  int ramp_len_ = 1;             // physics steps over which this command is interpolated
  std::vector<double> ff_;       // velocity feed-forward torques of this physics step
  // The nominal start is the same every episode: its IK solution is kept.
  Pose cached_start_{};
  std::vector<double> cached_q_;
  mutable std::vector<double> jac_;  // 6 x nv scratch
};

std::unique_ptr<RobotController> make_controller(const mjModel* model,
                                                 const robots::RobotDescription& robot,
                                                 Workspace workspace);

}  // namespace gauntlet::mj
