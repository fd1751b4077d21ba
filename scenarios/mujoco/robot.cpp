#include "scenarios/mujoco/robot.hpp"

#include <algorithm>
#include <string>

#include "harness/errors.hpp"

namespace gauntlet::mj {

using namespace geo;  // Vec3 arithmetic
namespace {

int require_id(const mjModel* m, mjtObj type, const char* name) {
  const int id = mj_name2id(m, type, name);
  if (id < 0) throw RuntimeFailure(std::string("scene has no gripper part '") + name + "'");
  return id;
}

// Swing-twist split about the gripper's z axis; the swing (tilt away from
// fingers-down) is clamped to robot::kMaxTilt, the twist (yaw) is free.
geo::Quat limit_tilt(const geo::Quat& q) {
  geo::Quat twist = geo::quat_normalize({q[0], 0, 0, q[3]});
  const geo::Quat swing = geo::quat_mul(q, geo::quat_conj(twist));
  geo::Vec3 r = geo::rotvec_from_quat(swing);
  const double angle = geo::norm(r);
  if (angle <= robot::kMaxTilt) return q;
  r = (robot::kMaxTilt / angle) * r;
  return geo::quat_normalize(geo::quat_mul(geo::quat_from_rotvec(r), twist));
}

}  // namespace

double finger_target(double command) {
  const double closed_fraction = (std::clamp(command, -1.0, 1.0) + 1.0) / 2.0;
  return robot::kFingerTravel - closed_fraction * (robot::kFingerTravel + robot::kFingerSqueeze);
}

GripperController::GripperController(const mjModel* m, Workspace workspace)
    : workspace_(workspace) {
  body_ = require_id(m, mjOBJ_BODY, robot::kBody);
  mocap_ = m->body_mocapid[require_id(m, mjOBJ_BODY, robot::kTarget)];
  left_body_ = require_id(m, mjOBJ_BODY, robot::kLeftFinger);
  right_body_ = require_id(m, mjOBJ_BODY, robot::kRightFinger);
  left_qpos_ = m->jnt_qposadr[require_id(m, mjOBJ_JOINT, robot::kLeftFinger)];
  right_qpos_ = m->jnt_qposadr[require_id(m, mjOBJ_JOINT, robot::kRightFinger)];
  left_act_ = require_id(m, mjOBJ_ACTUATOR, robot::kLeftFinger);
  right_act_ = require_id(m, mjOBJ_ACTUATOR, robot::kRightFinger);
  const int root = require_id(m, mjOBJ_JOINT, "gripper_root");
  free_qpos_ = m->jnt_qposadr[root];
  free_qvel_ = m->jnt_dofadr[root];
}

void GripperController::place(const mjModel* /*m*/, mjData* d, const geo::Vec3& tcp,
                              const geo::Quat& quat, double gripper_command) const {
  for (int i = 0; i < 3; ++i) {
    d->qpos[free_qpos_ + i] = tcp[static_cast<std::size_t>(i)];
    d->mocap_pos[3 * mocap_ + i] = tcp[static_cast<std::size_t>(i)];
  }
  for (int i = 0; i < 4; ++i) {
    d->qpos[free_qpos_ + 3 + i] = quat[static_cast<std::size_t>(i)];
    d->mocap_quat[4 * mocap_ + i] = quat[static_cast<std::size_t>(i)];
  }
  for (int i = 0; i < 6; ++i) d->qvel[free_qvel_ + i] = 0.0;
  const double finger = finger_target(gripper_command);
  d->qpos[left_qpos_] = std::max(0.0, finger);
  d->qpos[right_qpos_] = std::max(0.0, finger);
  d->ctrl[left_act_] = finger;
  d->ctrl[right_act_] = finger;
}

void GripperController::apply(const mjModel* /*m*/, mjData* d, std::span<const float> a) const {
  const Pose tcp = tcp_pose(d);
  geo::Vec3 target{d->mocap_pos[3 * mocap_], d->mocap_pos[3 * mocap_ + 1],
                   d->mocap_pos[3 * mocap_ + 2]};
  target = target + geo::Vec3{a[0], a[1], a[2]};
  for (std::size_t i = 0; i < 3; ++i) {
    target[i] = std::clamp(target[i], workspace_.lo[i], workspace_.hi[i]);
  }
  // Keep the target on a leash: a blocked gripper must not wind up force.
  const geo::Vec3 lag = target - tcp.pos;
  const double lag_norm = geo::norm(lag);
  if (lag_norm > robot::kMaxLeash) target = tcp.pos + (robot::kMaxLeash / lag_norm) * lag;
  for (int i = 0; i < 3; ++i) d->mocap_pos[3 * mocap_ + i] = target[static_cast<std::size_t>(i)];

  const geo::Quat current{d->mocap_quat[4 * mocap_], d->mocap_quat[4 * mocap_ + 1],
                          d->mocap_quat[4 * mocap_ + 2], d->mocap_quat[4 * mocap_ + 3]};
  const geo::Quat q = limit_tilt(
      geo::quat_normalize(geo::quat_mul(geo::quat_from_rotvec({a[3], a[4], a[5]}), current)));
  for (int i = 0; i < 4; ++i) d->mocap_quat[4 * mocap_ + i] = q[static_cast<std::size_t>(i)];

  const double finger = finger_target(a[6]);
  d->ctrl[left_act_] = finger;
  d->ctrl[right_act_] = finger;
}

void GripperController::compensate_gravity(const mjModel* m, mjData* d) const {
  for (const int b : {body_, left_body_, right_body_}) {
    const double weight = m->body_mass[b] * -m->opt.gravity[2];
    mjtNum force[3] = {0, 0, weight};
    mjtNum torque[3] = {0, 0, 0};
    mjtNum* xfrc = d->xfrc_applied + 6 * b;
    // xfrc_applied acts at the body's centre of mass: no torque needed.
    for (int i = 0; i < 3; ++i) {
      xfrc[i] = force[i];
      xfrc[3 + i] = torque[i];
    }
  }
}

Pose GripperController::tcp_pose(const mjData* d) const {
  Pose p;
  for (int i = 0; i < 3; ++i) p.pos[static_cast<std::size_t>(i)] = d->xpos[3 * body_ + i];
  for (int i = 0; i < 4; ++i) p.quat[static_cast<std::size_t>(i)] = d->xquat[4 * body_ + i];
  return p;
}

double GripperController::opening(const mjData* d) const {
  return d->qpos[left_qpos_] + d->qpos[right_qpos_];
}

void GripperController::proprio(const mjData* d, std::vector<float>& out) const {
  const Pose p = tcp_pose(d);
  const geo::Vec3 aa = geo::rotvec_from_quat(p.quat);
  out.resize(8);
  for (std::size_t i = 0; i < 3; ++i) out[i] = static_cast<float>(p.pos[i]);
  for (std::size_t i = 0; i < 3; ++i) out[3 + i] = static_cast<float>(aa[i]);
  out[6] = static_cast<float>(d->qpos[left_qpos_]);
  out[7] = static_cast<float>(-d->qpos[right_qpos_]);
}

}  // namespace gauntlet::mj
