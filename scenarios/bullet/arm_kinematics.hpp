// Forward kinematics and damped-least-squares IK of a robots/ arm description,
// in rotation matrices precomputed once per table: the kinematic arm of the
// play table runs forward kinematics every physics step (240 Hz) and three IK
// iterations every control step, so this is on the hot path of every episode.
// Private to scenarios/bullet (it includes Eigen).
#pragma once

#include <Eigen/Dense>
#include <span>
#include <vector>

#include "harness/geometry.hpp"
#include "harness/observation.hpp"
#include "robots/robot_description.hpp"

namespace gauntlet::bullet {

// A rigid frame in the world: rotation (columns: the frame's axes) and origin.
struct Frame {
  Eigen::Matrix3d rot = Eigen::Matrix3d::Identity();
  Eigen::Vector3d pos = Eigen::Vector3d::Zero();
};

class ArmKinematics {
 public:
  // `base`: the arm's base frame in the world.
  ArmKinematics(const robots::RobotDescription& robot, const Pose& base);

  int dof() const { return static_cast<int>(joints_.size()); }
  // The TCP frame in the world at joint positions `q`; `frames` (when given)
  // receives every joint's frame after its rotation (where its link's shapes sit).
  Frame forward(std::span<const double> q, std::vector<Frame>* frames) const;
  // `iterations` damped-least-squares steps of `q` towards the TCP pose
  // (pos, rot), each clamped to the joint limits; stops early within 1e-6.
  void solve(std::vector<double>& q, const Eigen::Vector3d& pos, const Eigen::Matrix3d& rot,
             int iterations);

  // The TCP in the last joint's frame (the flange and the TCP offsets combined).
  const Eigen::Matrix3d& tcp_rot() const { return tcp_rot_; }
  const Eigen::Vector3d& tcp_pos() const { return tcp_pos_; }

  static Pose to_pose(const Frame& f);
  static Eigen::Matrix3d to_matrix(const geo::Quat& q);

 private:
  struct Link {
    Eigen::Matrix3d origin_rot;
    Eigen::Vector3d origin_pos;
    Eigen::Vector3d axis;
    bool axis_z = false;  // the common case: a rotation about the joint frame's z
    double lower = 0.0, upper = 0.0;
  };
  std::vector<Link> joints_;
  Frame base_;
  Eigen::Matrix3d tcp_rot_;  // the flange and the TCP in the last joint's frame, combined
  Eigen::Vector3d tcp_pos_;
  // solve()'s workspace, kept so that the control loop does not allocate.
  std::vector<Frame> frames_;
  Eigen::MatrixXd jac_;
};

}  // namespace gauntlet::bullet
