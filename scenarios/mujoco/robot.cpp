#include "scenarios/mujoco/robot.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>

#include "harness/env.hpp"
#include "harness/errors.hpp"

namespace gauntlet::mj {

using namespace geo;  // Vec3 arithmetic
namespace {

int require_id(const mjModel* m, mjtObj type, const std::string& name) {
  const int id = mj_name2id(m, type, name.c_str());
  if (id < 0) throw RuntimeFailure("scene has no robot part '" + name + "'");
  return id;
}

// Swing-twist split about the gripper's z axis; the swing (tilt away from
// fingers-down) is clamped to robot::kMaxTilt, the twist (yaw) is free.
Quat limit_tilt(const Quat& q) {
  Quat twist = quat_normalize({q[0], 0, 0, q[3]});
  const Quat swing = quat_mul(q, quat_conj(twist));
  Vec3 r = rotvec_from_quat(swing);
  const double angle = norm(r);
  if (angle <= robot::kMaxTilt) return q;
  r = (robot::kMaxTilt / angle) * r;
  return quat_normalize(quat_mul(quat_from_rotvec(r), twist));
}

Vec3 clamp_to(const Vec3& v, const Workspace& w) {
  Vec3 out;
  for (std::size_t i = 0; i < 3; ++i) out[i] = std::clamp(v[i], w.lo[i], w.hi[i]);
  return out;
}

// The next TCP target for an ee_delta action: moved, kept in the workspace and
// on a leash to the actual TCP (a blocked robot must not wind up force).
Pose next_target(const Pose& target, const Pose& tcp, std::span<const float> a,
                 const Workspace& workspace, double leash) {
  Pose next;
  next.pos = clamp_to(target.pos + Vec3{a[0], a[1], a[2]}, workspace);
  const Vec3 lag = next.pos - tcp.pos;
  const double lag_norm = norm(lag);
  if (lag_norm > leash) next.pos = tcp.pos + (leash / lag_norm) * lag;
  next.quat =
      limit_tilt(quat_normalize(quat_mul(quat_from_rotvec({a[3], a[4], a[5]}), target.quat)));
  return next;
}

Vec3 clamp_norm(const Vec3& v, double limit) {
  const double n = norm(v);
  return n > limit ? (limit / n) * v : v;
}

}  // namespace

double finger_target(double command, double finger_travel) {
  const double closed_fraction = (std::clamp(command, -1.0, 1.0) + 1.0) / 2.0;
  return finger_travel - closed_fraction * (finger_travel + robot::kFingerSqueeze);
}

// ---- RobotController ------------------------------------------------------

RobotController::RobotController(const mjModel* m, double finger_travel)
    : finger_travel_(finger_travel) {
  body_ = require_id(m, mjOBJ_BODY, robot::kBody);
  left_qpos_ = m->jnt_qposadr[require_id(m, mjOBJ_JOINT, robot::kLeftFinger)];
  right_qpos_ = m->jnt_qposadr[require_id(m, mjOBJ_JOINT, robot::kRightFinger)];
  left_act_ = require_id(m, mjOBJ_ACTUATOR, robot::kLeftFinger);
  right_act_ = require_id(m, mjOBJ_ACTUATOR, robot::kRightFinger);
}

void RobotController::set_fingers(mjData* d, double command) const {
  const double finger = finger_target(command, finger_travel_);
  d->ctrl[left_act_] = finger;
  d->ctrl[right_act_] = finger;
}

double RobotController::opening(const mjData* d) const {
  return d->qpos[left_qpos_] + d->qpos[right_qpos_];
}

void RobotController::proprio(const mjData* d, std::vector<float>& out) const {
  const Pose p = tcp_pose(d);
  const Vec3 aa = rotvec_from_quat(p.quat);
  out.resize(8);
  for (std::size_t i = 0; i < 3; ++i) out[i] = static_cast<float>(p.pos[i]);
  for (std::size_t i = 0; i < 3; ++i) out[3 + i] = static_cast<float>(aa[i]);
  out[6] = static_cast<float>(d->qpos[left_qpos_]);
  out[7] = static_cast<float>(-d->qpos[right_qpos_]);
}

// ---- GripperController (floating) ------------------------------------------

GripperController::GripperController(const mjModel* m, Workspace workspace, double finger_travel)
    : RobotController(m, finger_travel), workspace_(workspace) {
  mocap_ = m->body_mocapid[require_id(m, mjOBJ_BODY, robot::kTarget)];
  left_body_ = require_id(m, mjOBJ_BODY, robot::kLeftFinger);
  right_body_ = require_id(m, mjOBJ_BODY, robot::kRightFinger);
  const int root = require_id(m, mjOBJ_JOINT, "gripper_root");
  free_qpos_ = m->jnt_qposadr[root];
  free_qvel_ = m->jnt_dofadr[root];
}

void GripperController::place(const mjModel* m, mjData* d, const GripperStart& start) {
  for (int i = 0; i < 3; ++i) {
    d->qpos[free_qpos_ + i] = start.pos[static_cast<std::size_t>(i)];
    d->mocap_pos[3 * mocap_ + i] = start.pos[static_cast<std::size_t>(i)];
  }
  for (int i = 0; i < 4; ++i) {
    d->qpos[free_qpos_ + 3 + i] = start.quat[static_cast<std::size_t>(i)];
    d->mocap_quat[4 * mocap_ + i] = start.quat[static_cast<std::size_t>(i)];
  }
  for (int i = 0; i < 6; ++i) d->qvel[free_qvel_ + i] = 0.0;
  const double finger = finger_target(start.command, finger_travel_);
  d->qpos[left_qpos_] = std::max(0.0, finger);
  d->qpos[right_qpos_] = std::max(0.0, finger);
  set_fingers(d, start.command);
  compensate_gravity(m, d);
}

void GripperController::apply(const mjModel* /*m*/, mjData* d, std::span<const float> a) {
  Pose target;
  for (std::size_t i = 0; i < 3; ++i)
    target.pos[i] = d->mocap_pos[3 * mocap_ + static_cast<int>(i)];
  for (std::size_t i = 0; i < 4; ++i) {
    target.quat[i] = d->mocap_quat[4 * mocap_ + static_cast<int>(i)];
  }
  const Pose next = next_target(target, tcp_pose(d), a, workspace_, robot::kMaxLeash);
  for (int i = 0; i < 3; ++i) d->mocap_pos[3 * mocap_ + i] = next.pos[static_cast<std::size_t>(i)];
  for (int i = 0; i < 4; ++i) {
    d->mocap_quat[4 * mocap_ + i] = next.quat[static_cast<std::size_t>(i)];
  }
  set_fingers(d, a[6]);
}

void GripperController::compensate_gravity(const mjModel* m, mjData* d) const {
  for (const int b : {body_, left_body_, right_body_}) {
    const double weight = m->body_mass[b] * -m->opt.gravity[2];
    mjtNum* xfrc = d->xfrc_applied + 6 * b;
    // xfrc_applied acts at the body's centre of mass: no torque needed.
    for (int i = 0; i < 6; ++i) xfrc[i] = 0.0;
    xfrc[2] = weight;
  }
}

Pose GripperController::tcp_pose(const mjData* d) const {
  Pose p;
  for (int i = 0; i < 3; ++i) p.pos[static_cast<std::size_t>(i)] = d->xpos[3 * body_ + i];
  for (int i = 0; i < 4; ++i) p.quat[static_cast<std::size_t>(i)] = d->xquat[4 * body_ + i];
  return p;
}

// ---- ArmController ----------------------------------------------------------

ArmController::ArmController(const mjModel* m, const robots::RobotDescription& robot,
                             Workspace workspace, ArmGains gains)
    : RobotController(m, robot.gripper.stroke / 2.0),
      workspace_(workspace),
      gains_(gains),
      delta_from_measured_(robot.delta_from_measured) {
  for (const auto& j : robot.joints) {
    const int id = require_id(m, mjOBJ_JOINT, "robot_" + j.name);
    joints_.push_back(id);
    qpos_.push_back(m->jnt_qposadr[id]);
    dofs_.push_back(m->jnt_dofadr[id]);
    acts_.push_back(require_id(m, mjOBJ_ACTUATOR, "robot_" + j.name));
    lower_.push_back(j.lower + gains_.limit_margin);
    upper_.push_back(j.upper - gains_.limit_margin);
    velocity_.push_back(j.velocity);
    effort_.push_back(j.effort);
  }
  home_ = robot.home;
  for (std::size_t i = 0; i < home_.size(); ++i)
    home_[i] = std::clamp(home_[i], lower_[i], upper_[i]);
  posture_ = home_;
  q_cmd_ = home_;
  q_goal_ = home_;
  jac_.resize(static_cast<std::size_t>(6 * m->nv));
}

Pose ArmController::tcp_pose(const mjData* d) const {
  Pose p;
  for (int i = 0; i < 3; ++i) p.pos[static_cast<std::size_t>(i)] = d->xpos[3 * body_ + i];
  for (int i = 0; i < 4; ++i) p.quat[static_cast<std::size_t>(i)] = d->xquat[4 * body_ + i];
  return p;
}

std::array<double, 6> ArmController::pose_error(const mjData* d, const Pose& goal) const {
  const Pose now = tcp_pose(d);
  const Vec3 dp = goal.pos - now.pos;
  const Vec3 dr = rotvec_from_quat(quat_normalize(quat_mul(goal.quat, quat_conj(now.quat))));
  return {dp[0], dp[1], dp[2], dr[0], dr[1], dr[2]};
}

void ArmController::dls_step(const mjModel* m, const mjData* d, const std::array<double, 6>& err,
                             double null_gain, std::vector<double>& dq,
                             const std::array<double, 6>* twist,
                             std::vector<double>* twist_dq) const {
  const int nv = m->nv;
  mj_jacBody(m, d, jac_.data(), jac_.data() + 3 * nv, body_);
  const auto n = static_cast<Eigen::Index>(dofs_.size());
  Eigen::Matrix<double, 6, Eigen::Dynamic> J(6, n);
  for (int r = 0; r < 6; ++r) {
    for (Eigen::Index c = 0; c < n; ++c) {
      J(r, c) = jac_[static_cast<std::size_t>(r * nv + dofs_[static_cast<std::size_t>(c)])];
    }
  }
  Eigen::Matrix<double, 6, 6> A = J * J.transpose();
  A.diagonal().array() += gains_.damping * gains_.damping;
  const Eigen::LDLT<Eigen::Matrix<double, 6, 6>> solver(A);
  Eigen::Matrix<double, 6, 1> e;
  for (int i = 0; i < 6; ++i) e(i) = err[static_cast<std::size_t>(i)];
  Eigen::VectorXd step = J.transpose() * solver.solve(e);
  if (null_gain > 0.0) {
    Eigen::VectorXd pull(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      pull(i) = null_gain * (posture_[k] - d->qpos[qpos_[k]]);
    }
    step += pull - J.transpose() * solver.solve(J * pull);
  }
  dq.resize(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) dq[static_cast<std::size_t>(i)] = step(i);
  if (twist != nullptr && twist_dq != nullptr) {
    for (int i = 0; i < 6; ++i) e(i) = (*twist)[static_cast<std::size_t>(i)];
    const Eigen::VectorXd t = J.transpose() * solver.solve(e);
    twist_dq->resize(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) (*twist_dq)[static_cast<std::size_t>(i)] = t(i);
  }
}

bool ArmController::solve_ik(const mjModel* m, mjData* d, const Pose& pose, std::vector<double>& q,
                             double tolerance, int iterations) const {
  std::vector<double> dq;
  for (int it = 0; it < iterations; ++it) {
    for (std::size_t i = 0; i < q.size(); ++i) d->qpos[qpos_[i]] = q[i];
    mj_kinematics(m, d);
    mj_comPos(m, d);
    const std::array<double, 6> e = pose_error(d, pose);
    double worst = 0.0;
    for (const double v : e) worst = std::max(worst, std::abs(v));
    if (worst < tolerance) return true;
    dls_step(m, d, e, 0.0, dq);
    for (std::size_t i = 0; i < q.size(); ++i) {
      q[i] = std::clamp(q[i] + std::clamp(dq[i], -0.2, 0.2), lower_[i], upper_[i]);
    }
  }
  for (std::size_t i = 0; i < q.size(); ++i) d->qpos[qpos_[i]] = q[i];
  mj_kinematics(m, d);
  mj_comPos(m, d);
  const std::array<double, 6> e = pose_error(d, pose);
  double worst = 0.0;
  for (const double v : e) worst = std::max(worst, std::abs(v));
  return worst < tolerance;
}

void ArmController::place(const mjModel* m, mjData* d, const GripperStart& start) {
  Pose goal{start.pos, start.quat};
  std::vector<double> q;
  if (!cached_q_.empty() && cached_start_.pos == goal.pos && cached_start_.quat == goal.quat) {
    q = cached_q_;
  } else {
    q = home_;
    if (!solve_ik(m, d, goal, q, 1e-5, 500)) {
      const Pose got = tcp_pose(d);
      throw SimulationError("robot cannot reach its start pose (" + std::to_string(goal.pos[0]) +
                            ", " + std::to_string(goal.pos[1]) + ", " +
                            std::to_string(goal.pos[2]) + "): the closest is " +
                            std::to_string(norm(got.pos - goal.pos)) + " m away");
    }
    cached_start_ = goal;
    cached_q_ = q;
  }
  for (std::size_t i = 0; i < q.size() && i < start.joint_offsets.size(); ++i) {
    q[i] = std::clamp(q[i] + start.joint_offsets[i], lower_[i], upper_[i]);
  }
  for (std::size_t i = 0; i < q.size(); ++i) {
    d->qpos[qpos_[i]] = q[i];
    d->qvel[dofs_[i]] = 0.0;
    d->ctrl[acts_[i]] = q[i];
  }
  posture_ = q;
  q_cmd_ = q;
  q_goal_ = q;
  const double finger = finger_target(start.command, finger_travel_);
  d->qpos[left_qpos_] = std::max(0.0, finger);
  d->qpos[right_qpos_] = std::max(0.0, finger);
  set_fingers(d, start.command);
  mj_kinematics(m, d);
  target_ = tcp_pose(d);
  from_ = target_;
  ramp_ = ramp_len_;
}

void ArmController::apply(const mjModel* m, mjData* d, std::span<const float> a) {
  if (joint_control_) {
    for (std::size_t i = 0; i < q_goal_.size(); ++i) {
      q_goal_[i] = std::clamp(static_cast<double>(a[i]), lower_[i], upper_[i]);
    }
    set_fingers(d, a[q_goal_.size()]);
    return;
  }
  // The robot's own semantics (robots/*.yaml `delta_from`): the delta moves
  // the previous goal (the floating gripper's mocap target; SimplerEnv's
  // controllers), so a step the arm has not finished is not lost, or the
  // measured TCP pose (robosuite's OSC_POSE), so a lagging arm is not sent
  // past where the policy saw it. Either way on a leash to the actual TCP.
  from_ = target_;
  ramp_ = 0;
  // The reference reaches the goal within kMaxRamp (one 20 Hz period) and
  // then holds: at 3-5 Hz control (SimplerEnv) the arm arrives early, as it
  // would under a robot's own trajectory generator, instead of crawling.
  ramp_len_ =
      std::clamp(static_cast<int>(std::lround(robot::kMaxRamp / m->opt.timestep)), 1, ramp_steps_);
  const Pose tcp = tcp_pose(d);
  target_ = next_target(delta_from_measured_ ? tcp : target_, tcp, a, workspace_, robot::kArmLeash);
  set_fingers(d, a[6]);
}

void ArmController::servo(const mjModel* m, mjData* d) {
  const double dt = m->opt.timestep;
  const std::size_t n = q_cmd_.size();
  if (joint_control_) {
    for (std::size_t i = 0; i < n; ++i) {
      const double step = velocity_[i] * dt;
      q_cmd_[i] += std::clamp(q_goal_[i] - q_cmd_[i], -step, step);
    }
  } else {
    // Differential IK each physics step: the servo target is the current
    // joint position plus the DLS step that removes the whole pose error
    // (bounded per step), plus a pull towards the start posture in the null space.
    Pose reference = target_;
    ff_.assign(n, 0.0);
    const bool moving = ramp_ < ramp_len_;
    std::array<double, 6> twist{};
    if (moving) {
      ++ramp_;
      const double s = static_cast<double>(ramp_) / ramp_len_;
      const Vec3 turn =
          rotvec_from_quat(quat_normalize(quat_mul(target_.quat, quat_conj(from_.quat))));
      reference.pos = from_.pos + s * (target_.pos - from_.pos);
      reference.quat = quat_normalize(quat_mul(quat_from_rotvec(s * turn), from_.quat));
      // The reference's velocity, for the feed-forward below.
      const double period = ramp_len_ * dt;
      const Vec3 v = (1.0 / period) * (target_.pos - from_.pos);
      const Vec3 w = (1.0 / period) * turn;
      twist = {v[0], v[1], v[2], w[0], w[1], w[2]};
    }
    std::array<double, 6> e = pose_error(d, reference);
    const Vec3 dp = clamp_norm({e[0], e[1], e[2]}, gains_.max_step);
    const Vec3 dr = clamp_norm({e[3], e[4], e[5]}, gains_.max_turn_step);
    std::vector<double> dq;
    dls_step(m, d, {dp[0], dp[1], dp[2], dr[0], dr[1], dr[2]}, gains_.nullspace * dt, dq,
             moving ? &twist : nullptr, &ff_);
    if (moving) {
      // Velocity feed-forward: the joint damping the reference's motion will
      // meet is paid in advance, so the arm does not lag (and drift sideways,
      // joints lagging unequally) while it follows the path. Near a
      // singularity DLS(v) can ask for more than a joint can do: at most its
      // rated velocity and effort.
      for (std::size_t i = 0; i < n; ++i) {
        ff_[i] =
            std::clamp(m->dof_damping[dofs_[i]] * std::clamp(ff_[i], -velocity_[i], velocity_[i]),
                       -effort_[i], effort_[i]);
      }
    }
    for (std::size_t i = 0; i < n; ++i) q_cmd_[i] = d->qpos[qpos_[i]] + dq[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double q = d->qpos[qpos_[i]];
    q_cmd_[i] = std::clamp(q_cmd_[i], q - gains_.max_lead, q + gains_.max_lead);
    q_cmd_[i] = std::clamp(q_cmd_[i], lower_[i], upper_[i]);
    d->ctrl[acts_[i]] = q_cmd_[i];
    // Gravity and Coriolis compensation, as the Panda's own controller does.
    d->qfrc_applied[dofs_[i]] = d->qfrc_bias[dofs_[i]] + (joint_control_ ? 0.0 : ff_[i]);
  }
}

void ArmController::proprio(const mjData* d, std::vector<float>& out) const {
  RobotController::proprio(d, out);
  for (const int a : qpos_) out.push_back(static_cast<float>(d->qpos[a]));
  for (const int v : dofs_) out.push_back(static_cast<float>(d->qvel[v]));
}

std::unique_ptr<RobotController> make_controller(const mjModel* model,
                                                 const robots::RobotDescription& robot,
                                                 Workspace workspace) {
  if (robot.floating) {
    return std::make_unique<GripperController>(model, workspace, robot.gripper.stroke / 2.0);
  }
  return std::make_unique<ArmController>(model, robot, workspace);
}

}  // namespace gauntlet::mj
