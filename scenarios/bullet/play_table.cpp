#include "scenarios/bullet/play_table.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "harness/errors.hpp"
#include "scenarios/bullet/play_table_impl.hpp"

namespace gauntlet::bullet {

Pose PlayTable::Impl::tcp() const {
  return ArmKinematics::to_pose(kinematics.forward(q_meas, nullptr));
}

void PlayTable::Impl::read_joints() {
  q_meas.resize(q.size());
  for (int j = 0; j < dof(); ++j) q_meas[static_cast<std::size_t>(j)] = arm->getJointPos(j);
}

// The arm's controller compensates gravity, as Franka's does: each joint gets
// the torque that holds the links beyond it against their weight (from the
// links' centres of mass, which are their frames' origins), so the motors'
// effort caps act on top of it.
void PlayTable::Impl::compensate_gravity() {
  const int links_n = arm->getNumLinks();
  const btVector3 gravity = world->getGravity();
  for (int j = 0; j < dof(); ++j) {
    const btMultiBodyLinkCollider* cj = arm->getLink(j).m_collider;
    const btTransform& tj = cj->getWorldTransform();
    const btVector3 axis = tj.getBasis() * arm->getLink(j).getAxisTop(0);
    btScalar torque = 0;
    for (int k = j; k < links_n; ++k) {
      const btVector3 r =
          arm->getLink(k).m_collider->getWorldTransform().getOrigin() - tj.getOrigin();
      torque += axis.dot(r.cross(arm->getLinkMass(k) * gravity));
    }
    arm->addJointTorque(j, -torque);
  }
}

void PlayTable::Impl::solve_ik(const Vec3& pos, const Quat& quat, int iterations) {
  kinematics.solve(q, {pos[0], pos[1], pos[2]}, ArmKinematics::to_matrix(quat), iterations);
}

void PlayTable::Impl::update_lights() {
  const double pressed = desk->getJointPos(2);
  if (!button_latched && pressed > 0.7 * desk::kButtonTravel) {
    button_latched = true;
    led = !led;
  } else if (button_latched && pressed < 0.3 * desk::kButtonTravel) {
    button_latched = false;
  }
}

void PlayTable::Impl::substep(const std::vector<double>& q_from, const std::vector<double>& q_to,
                              int i) {
  // Each joint's motor aims at the goal interpolated to the end of this
  // physics step (a deadbeat position target, its speed clamped at twice the
  // joint's limit, its impulse at the joint's effort): the arm lags only where
  // contact or its effort stops it.
  const double a = static_cast<double>(i + 1) / PlayTable::kSubsteps;
  const std::size_t n = q.size();
  for (std::size_t j = 0; j < n; ++j) {
    btMultiBodyJointMotor* motor = arm_motors[j].get();
    motor->setPositionTarget(static_cast<btScalar>(q_from[j] + a * (q_to[j] - q_from[j])), 1.0f);
    motor->setVelocityTarget(0.0f, 1.0f);
  }
  // Fingers: each a velocity motor towards the command's opening at up to
  // kFingerSpeed, its force capped at half the hand's; a grasped block is
  // squeezed and held by friction.
  const double goal = robot.gripper.stroke / 2 * (1.0 - command) / 2;
  for (int side = 0; side < 2; ++side) {
    const double v = std::clamp((goal - finger(side)) / kDt, -kFingerSpeed, kFingerSpeed);
    btMultiBodyJointMotor* motor = arm_motors[n + static_cast<std::size_t>(side)].get();
    motor->setPositionTarget(0.0f, 0.0f);
    motor->setVelocityTarget(static_cast<btScalar>(v), 1.0f);
  }
  compensate_gravity();
  world->stepSimulation(static_cast<btScalar>(kDt), 0);
  update_lights();
}

PlayState PlayTable::Impl::state() const {
  PlayState s;
  s.slider = desk->getJointPos(0);
  s.drawer = desk->getJointPos(1);
  s.button = desk->getJointPos(2);
  s.switch_pos = desk->getJointPos(3);
  s.led = led;
  s.bulb = s.switch_pos > desk::kSwitchTravel / 2;
  for (std::size_t k = 0; k < kBlocks; ++k) {
    s.blocks[k].pose = from_bt(blocks[k]->getWorldTransform());
    s.blocks[k].half = kBlockHalf[k];
  }
  const int n = dispatcher->getNumManifolds();
  for (int i = 0; i < n; ++i) {
    const btPersistentManifold* m = dispatcher->getManifoldByIndexInternal(i);
    bool touching = false;
    for (int c = 0; c < m->getNumContacts(); ++c) {
      if (m->getContactPoint(c).getDistance() < 0.002f) touching = true;
    }
    if (!touching) continue;
    for (const auto& [a, b] :
         {std::pair{m->getBody0(), m->getBody1()}, std::pair{m->getBody1(), m->getBody0()}}) {
      const auto it = std::find(blocks.begin(), blocks.end(), a);
      if (it == blocks.end()) continue;
      BlockState& bs = s.blocks[static_cast<std::size_t>(it - blocks.begin())];
      if (b == left) {
        bs.touch_left = true;
      } else if (b == right) {
        bs.touch_right = true;
      } else {
        bs.touch_other = true;
      }
    }
  }
  s.tcp = tcp();
  s.opening = finger(0) + finger(1);
  s.joints = q_meas;
  return s;
}

PlayTable::PlayTable(const robots::RobotDescription& robot, const DeskLayout& layout)
    : impl_(std::make_unique<Impl>(robot, layout)) {
  impl_->build(PlayInit{});
}

PlayTable::~PlayTable() = default;

void PlayTable::reset(const PlayInit& init) {
  if (init.distractors.size() > static_cast<std::size_t>(kMaxDistractors)) {
    throw InputError("play table: " + std::to_string(init.distractors.size()) +
                     " distractors, expected at most " + std::to_string(kMaxDistractors));
  }
  impl_->build(init);
  // Let the blocks settle onto their supports with the arm still.
  std::vector<float> noop(7, 0.0f);
  noop[6] = static_cast<float>(impl_->command);  // open, or as far closed as robot_init says
  for (int i = 0; i < 4; ++i) control_step(noop);
}

void PlayTable::control_step(std::span<const float> action) {
  Impl& m = *impl_;
  if (action.size() >= 7) {
    // The delta moves the measured TCP (the description's `delta_from:
    // measured`, robosuite's OSC): a target accumulated from the previous
    // target winds up while the dynamic arm lags or is blocked, and the arm
    // then overshoots.
    const Vec3 d{action[0], action[1], action[2]};
    const Pose now = m.tcp();
    m.target_pos = now.pos + geo::clamp_norm_inf(d, 0.08);
    m.target_pos[2] = std::max(m.target_pos[2], desk::kDrawerFloor + 0.005);
    const Vec3 r{action[3], action[4], action[5]};
    m.target_quat = geo::quat_normalize(geo::quat_mul(geo::quat_from_rotvec(r), now.quat));
    m.command = std::clamp(static_cast<double>(action[6]), -1.0, 1.0);
  }
  const std::vector<double> from = m.q;
  m.solve_ik(m.target_pos, m.target_quat, 3);
  std::vector<double> to = m.q;
  for (std::size_t j = 0; j < to.size(); ++j) {
    const double lim = m.robot.joints[j].velocity * kControlDt;
    to[j] = from[j] + std::clamp(to[j] - from[j], -lim, lim);
  }
  m.q = to;
  for (int i = 0; i < kSubsteps; ++i) m.substep(from, to, i);
  m.read_joints();
}

void PlayTable::physics_steps() {
  for (int i = 0; i < kSubsteps; ++i) impl_->world->stepSimulation(static_cast<btScalar>(kDt), 0);
  impl_->read_joints();
}

PlayState PlayTable::state() const {
  return impl_->state();
}

std::vector<double> PlayTable::joint_goal() const {
  return impl_->q;
}

void PlayTable::set_physics(const PhysicsScales& scales) {
  impl_->scales = scales;
}

PhysicsReadout PlayTable::physics() const {
  const Impl& m = *impl_;
  PhysicsReadout r;
  for (std::size_t k = 0; k < kBlocks; ++k) {
    r.block_mass[k] = 1.0 / m.blocks[k]->getInvMass();
    r.block_friction[k] = m.blocks[k]->getFriction();
  }
  r.table_friction = m.rigid.front()->getFriction();  // the static table and cabinet
  std::size_t i = 0;
  for (const auto& c : m.constraints) {
    const auto* motor = dynamic_cast<const btMultiBodyJointMotor*>(c.get());
    if (motor && motor->getLinkA() != 2 && i < r.joint_resistance.size())
      r.joint_resistance[i++] = motor->getMaxAppliedImpulse() / kDt;
  }
  return r;
}

namespace {

// A rigid body's pose and velocities: position, quaternion (x y z w), linear, angular.
void push_body(const btRigidBody& b, std::vector<double>& s) {
  const btTransform& t = b.getWorldTransform();
  const btQuaternion q = t.getRotation();
  for (int k = 0; k < 3; ++k) s.push_back(t.getOrigin()[k]);
  for (const btScalar v : {q.x(), q.y(), q.z(), q.w()}) s.push_back(v);
  for (int k = 0; k < 3; ++k) s.push_back(b.getLinearVelocity()[k]);
  for (int k = 0; k < 3; ++k) s.push_back(b.getAngularVelocity()[k]);
}

template <typename Next>
void set_body(btRigidBody& b, Next& next) {
  const auto f = [&] { return static_cast<btScalar>(next()); };
  const btScalar px = f(), py = f(), pz = f();
  const btScalar qx = f(), qy = f(), qz = f(), qw = f();
  const btTransform t(btQuaternion(qx, qy, qz, qw), btVector3(px, py, pz));
  b.setWorldTransform(t);
  b.getMotionState()->setWorldTransform(t);
  b.setInterpolationWorldTransform(t);
  const btScalar vx = f(), vy = f(), vz = f();
  b.setLinearVelocity(btVector3(vx, vy, vz));
  const btScalar wx = f(), wy = f(), wz = f();
  b.setAngularVelocity(btVector3(wx, wy, wz));
}

}  // namespace

// Layout of save(): what restore() needs to continue an episode exactly as
// far as Bullet allows (contact caches are not part of it).
std::string PlayTable::state_layout(int dof) {
  const int n = dof;
  return "desk_q:4,desk_qd:4,led:1,button_latched:1,blocks(pos,quat_xyzw,linvel,angvel):39,"
         "arm_goal:" +
         std::to_string(n) + ",arm_q:" + std::to_string(n) + ",arm_qd:" + std::to_string(n) +
         ",target_pos:3,target_quat_wxyz:4,fingers_q:2,fingers_qd:2,command:1,"
         "then per distractor (pos,quat_xyzw,linvel,angvel):13";
}

std::vector<double> PlayTable::save() const {
  const Impl& m = *impl_;
  std::vector<double> s;
  for (int i = 0; i < 4; ++i) s.push_back(m.desk->getJointPos(i));
  for (int i = 0; i < 4; ++i) s.push_back(m.desk->getJointVel(i));
  s.push_back(m.led ? 1.0 : 0.0);
  s.push_back(m.button_latched ? 1.0 : 0.0);
  for (const btRigidBody* b : m.blocks) push_body(*b, s);
  s.insert(s.end(), m.q.begin(), m.q.end());
  const int n = m.dof();
  for (int j = 0; j < n; ++j) s.push_back(m.arm->getJointPos(j));
  for (int j = 0; j < n; ++j) s.push_back(m.arm->getJointVel(j));
  s.insert(s.end(), m.target_pos.begin(), m.target_pos.end());
  s.insert(s.end(), m.target_quat.begin(), m.target_quat.end());
  for (int j = n + 1; j < n + 3; ++j) s.push_back(m.arm->getJointPos(j));
  for (int j = n + 1; j < n + 3; ++j) s.push_back(m.arm->getJointVel(j));
  s.push_back(m.command);
  for (const btRigidBody* b : m.distractor_rigid) push_body(*b, s);
  return s;
}

void PlayTable::restore(std::span<const double> s) {
  Impl& m = *impl_;
  const std::size_t want =
      state_size(static_cast<int>(m.q.size()), m.episode_init.distractors.size());
  if (s.size() != want) {
    throw InputError("play table state: expected " + std::to_string(want) + " numbers (" +
                     state_layout(static_cast<int>(m.q.size())) + "), got " +
                     std::to_string(s.size()));
  }
  const PlayInit init = m.episode_init;
  m.build(init);  // a fresh world: no contact history
  std::size_t i = 0;
  const auto next = [&] { return s[i++]; };
  for (int j = 0; j < 4; ++j) m.desk->setJointPos(j, static_cast<btScalar>(next()));
  for (int j = 0; j < 4; ++j) m.desk->setJointVel(j, static_cast<btScalar>(next()));
  btAlignedObjectArray<btQuaternion> sq;
  btAlignedObjectArray<btVector3> sv;
  m.desk->forwardKinematics(sq, sv);
  m.desk->updateCollisionObjectWorldTransforms(sq, sv);
  m.led = next() != 0.0;
  m.button_latched = next() != 0.0;
  for (btRigidBody* b : m.blocks) set_body(*b, next);
  for (double& q : m.q) q = next();
  const int n = m.dof();
  for (int j = 0; j < n; ++j) m.arm->setJointPos(j, static_cast<btScalar>(next()));
  for (int j = 0; j < n; ++j) m.arm->setJointVel(j, static_cast<btScalar>(next()));
  for (double& v : m.target_pos) v = next();
  for (double& v : m.target_quat) v = next();
  for (int j = n + 1; j < n + 3; ++j) m.arm->setJointPos(j, static_cast<btScalar>(next()));
  for (int j = n + 1; j < n + 3; ++j) m.arm->setJointVel(j, static_cast<btScalar>(next()));
  m.command = next();
  for (btRigidBody* b : m.distractor_rigid) set_body(*b, next);
  m.arm->forwardKinematics(sq, sv);
  m.arm->updateCollisionObjectWorldTransforms(sq, sv);
  m.read_joints();
}

void PlayTable::poses(std::vector<Pose>& out) const {
  const Impl& m = *impl_;
  out.resize(m.bodies.size());
  for (std::size_t i = 0; i < m.bodies.size(); ++i) {
    out[i] =
        m.bodies[i].object ? from_bt(m.bodies[i].object->getWorldTransform()) : m.bodies[i].fixed;
  }
}

const std::vector<Distractor>& PlayTable::distractors() const {
  return impl_->episode_init.distractors;
}
std::vector<Pose> PlayTable::distractor_poses() const {
  std::vector<Pose> out;
  for (const btRigidBody* b : impl_->distractor_rigid)
    out.push_back(from_bt(b->getWorldTransform()));
  return out;
}
int PlayTable::distractor_body(int slot) const {
  return impl_->distractor_slots.at(static_cast<std::size_t>(slot));
}

const std::vector<VisualGeom>& PlayTable::visual_geoms() const {
  return impl_->geoms;
}
int PlayTable::body_count() const {
  return impl_->nbodies;
}
int PlayTable::tcp_body() const {
  return impl_->hand_body;
}

bool PlayTable::finite() const {
  for (const btRigidBody* b : impl_->blocks) {
    const btVector3& o = b->getWorldTransform().getOrigin();
    if (!std::isfinite(o.x()) || !std::isfinite(o.y()) || !std::isfinite(o.z())) return false;
  }
  for (const btRigidBody* b : impl_->distractor_rigid) {
    const btVector3& o = b->getWorldTransform().getOrigin();
    if (!std::isfinite(o.x()) || !std::isfinite(o.y()) || !std::isfinite(o.z())) return false;
  }
  for (int i = 0; i < 4; ++i) {
    if (!std::isfinite(impl_->desk->getJointPos(i))) return false;
  }
  for (int i = 0; i < impl_->arm->getNumLinks(); ++i) {
    if (!std::isfinite(impl_->arm->getJointPos(i))) return false;
  }
  return true;
}

}  // namespace gauntlet::bullet
