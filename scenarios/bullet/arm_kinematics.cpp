#include "scenarios/bullet/arm_kinematics.hpp"

#include <algorithm>

namespace gauntlet::bullet {

namespace {

Eigen::Vector3d ev(const geo::Vec3& v) {
  return {v[0], v[1], v[2]};
}

}  // namespace

Eigen::Matrix3d ArmKinematics::to_matrix(const geo::Quat& q) {
  return Eigen::Quaterniond(q[0], q[1], q[2], q[3]).normalized().toRotationMatrix();
}

Pose ArmKinematics::to_pose(const Frame& f) {
  Pose p;
  p.pos = {f.pos.x(), f.pos.y(), f.pos.z()};
  const Eigen::Quaterniond q(f.rot);
  p.quat = geo::quat_normalize({q.w(), q.x(), q.y(), q.z()});
  return p;
}

ArmKinematics::ArmKinematics(const robots::RobotDescription& robot, const Pose& base) {
  for (const auto& j : robot.joints) {
    Link l;
    l.origin_rot = to_matrix(j.origin.quat());
    l.origin_pos = ev(j.origin.xyz);
    l.axis = ev(j.axis).normalized();
    l.axis_z = l.axis.isApprox(Eigen::Vector3d::UnitZ(), 1e-12);
    l.lower = j.lower;
    l.upper = j.upper;
    joints_.push_back(l);
  }
  base_.rot = to_matrix(base.quat);
  base_.pos = ev(base.pos);
  const Eigen::Matrix3d flange = to_matrix(robot.flange.quat());
  tcp_pos_ = ev(robot.flange.xyz) + flange * ev(robot.tcp.xyz);
  tcp_rot_ = flange * to_matrix(robot.tcp.quat());
  jac_.resize(6, dof());
}

Frame ArmKinematics::forward(std::span<const double> q, std::vector<Frame>* frames) const {
  Frame f = base_;
  if (frames) frames->resize(joints_.size());
  for (std::size_t i = 0; i < joints_.size(); ++i) {
    const Link& l = joints_[i];
    f.pos += f.rot * l.origin_pos;
    f.rot = f.rot * l.origin_rot;
    if (l.axis_z) {
      // R Rz(q): only the first two columns turn.
      const double c = std::cos(q[i]), s = std::sin(q[i]);
      const Eigen::Vector3d x = f.rot.col(0), y = f.rot.col(1);
      f.rot.col(0) = c * x + s * y;
      f.rot.col(1) = c * y - s * x;
    } else {
      f.rot = f.rot * Eigen::AngleAxisd(q[i], l.axis).toRotationMatrix();
    }
    if (frames) (*frames)[i] = f;
  }
  f.pos += f.rot * tcp_pos_;
  f.rot = f.rot * tcp_rot_;
  return f;
}

void ArmKinematics::solve(std::vector<double>& q, const Eigen::Vector3d& pos,
                          const Eigen::Matrix3d& rot, int iterations) {
  constexpr double kLambda = 0.03;
  const int n = dof();
  Eigen::Matrix<double, 6, 1> err;
  for (int it = 0; it < iterations; ++it) {
    // One forward pass gives the TCP and every joint's frame: the geometric
    // Jacobian of revolute joints, column j = (a_j x (tcp - p_j), a_j).
    const Frame cur = forward(q, &frames_);
    const Eigen::AngleAxisd turn(rot * cur.rot.transpose());
    err.head<3>() = pos - cur.pos;
    err.tail<3>() = turn.angle() * turn.axis();
    if (err.norm() < 1e-6) break;
    for (int j = 0; j < n; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      const Eigen::Vector3d a = frames_[uj].rot * joints_[uj].axis;
      jac_.col(j).head<3>() = a.cross(cur.pos - frames_[uj].pos);
      jac_.col(j).tail<3>() = a;
    }
    const Eigen::Matrix<double, 6, 6> jjt =
        jac_ * jac_.transpose() + kLambda * kLambda * Eigen::Matrix<double, 6, 6>::Identity();
    const Eigen::Matrix<double, 6, 1> w = jjt.ldlt().solve(err);
    for (int j = 0; j < n; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      q[uj] = std::clamp(q[uj] + jac_.col(j).dot(w), joints_[uj].lower, joints_[uj].upper);
    }
  }
}

}  // namespace gauntlet::bullet
