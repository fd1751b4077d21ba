// Robots as data: a robot is described once (robots/*.yaml, embedded into the
// binary) and every physics backend builds its model from the same description:
// the kinematic tree from the manufacturer's published parameters, capsule
// link geometry close to the real link sizes, joint limits, the home
// configuration, the parallel-jaw gripper, the cameras it carries, and the
// action conventions it accepts. No physics engine here.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "harness/geometry.hpp"

namespace gauntlet::robots {

// A rigid transform given as URDF gives it: translation, then fixed-axis
// roll-pitch-yaw (R = Rz(yaw) Ry(pitch) Rx(roll)).
struct Origin {
  geo::Vec3 xyz{};
  geo::Vec3 rpy{};
  geo::Quat quat() const;
};

// A capsule between two points of a link's frame (radius in metres).
struct Capsule {
  geo::Vec3 from{};
  geo::Vec3 to{};
  double radius = 0.0;
};

struct Joint {
  std::string name;
  Origin origin;            // the joint's frame in its parent link's frame
  geo::Vec3 axis{0, 0, 1};  // revolute axis in the joint's frame
  double lower = 0.0;       // rad
  double upper = 0.0;
  double velocity = 0.0;  // rad/s, the manufacturer's limit
  double effort = 0.0;    // N m
  // Joint servo of the simulated arm: stiffness (N m/rad), damping (N m s/rad), armature (kg m^2).
  double kp = 0.0;
  double damping = 0.0;
  double armature = 0.0;
  // The child link: mass and collision/visual capsules in the joint's frame.
  double mass = 0.0;
  std::vector<Capsule> capsules;
};

// A parallel-jaw gripper whose tool centre point (TCP) frame has z pointing
// from the fingertips to the wrist, x across the palm and fingers closing along y.
struct Gripper {
  double stroke = 0.08;  // m, fully open distance between the pads
  double force = 70.0;   // N per finger, continuous
  geo::Vec3 palm_half_size{0.025, 0.07, 0.015};
  double palm_height = 0.085;  // palm centre above the TCP, m
  geo::Vec3 pad_half_size{0.012, 0.008, 0.045};
  double mass = 0.7;  // kg, hand and fingers
};

struct CameraMount {
  std::string name;    // e.g. "wrist"
  std::string parent;  // "tcp" or a joint name (the camera rides on that joint's link)
  geo::Vec3 pos{};
  geo::Vec3 look_at{};  // a point in the same frame the camera looks at
  geo::Vec3 up{0, 0, 1};
  double fovy_deg = 60.0;
};

struct RobotDescription {
  std::string name;
  std::string description;
  std::string source;                  // where the kinematic parameters come from
  std::string file;                    // the description's file (builtin:robots/NAME.yaml)
  bool floating = false;               // no arm: the gripper is driven directly (floating_gripper)
  double base_radius = 0.0;            // pedestal drawn under the base, m (0: none)
  std::vector<Capsule> base_capsules;  // geometry of the fixed base link
  std::vector<Joint> joints;           // from the base outward, one per DoF
  Origin flange;                       // the flange in the last joint's frame
  Origin tcp;                          // the TCP in the flange frame
  Gripper gripper;
  std::vector<double> home;  // joint positions, rad
  std::vector<CameraMount> cameras;
  std::vector<std::string> actions;  // accepted action conventions, default first
  // What an ee_delta action is added to: the previous target (false; the
  // ManiSkill2 controllers SimplerEnv uses, `use_target`) or the measured TCP
  // pose (true; robosuite's OSC_POSE, which LIBERO's demonstrations used).
  bool delta_from_measured = false;
  std::string content;  // the description's text: hashed into suites that use it

  int dof() const { return static_cast<int>(joints.size()); }
  // The proprioception layout: LIBERO's 8 numbers, then joint positions and velocities.
  std::vector<std::string> proprio_names() const;
};

// Parses a description; InputError "FILE:LINE: field: what was expected".
RobotDescription parse_robot(const std::string& text, const std::string& file);

// The built-in robots, parsed once.
const std::vector<std::shared_ptr<const RobotDescription>>& builtin_robots();
std::vector<std::string> robot_names();
// InputError naming the valid robots when `name` is unknown (`what` names the source, e.g.
// "--robot").
std::shared_ptr<const RobotDescription> find_robot(const std::string& name,
                                                   const std::string& what);

// Forward kinematics from the description alone (no engine): the TCP pose in
// the base frame at joint positions `q`; `frames` receives every joint frame.
struct Pose {
  geo::Vec3 pos{};
  geo::Quat quat{1, 0, 0, 0};
};
Pose forward_kinematics(const RobotDescription& robot, const std::vector<double>& q,
                        std::vector<Pose>* frames = nullptr);

}  // namespace gauntlet::robots
