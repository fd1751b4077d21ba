#include "scenarios/bullet/play_table.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "harness/errors.hpp"
#include "scenarios/bullet/play_table_impl.hpp"

namespace gauntlet::bullet {

Pose PlayTable::Impl::tcp() const {
  return ArmKinematics::to_pose(kinematics.forward(q, nullptr));
}

void PlayTable::Impl::solve_ik(const Vec3& pos, const Quat& quat, int iterations) {
  kinematics.solve(q, {pos[0], pos[1], pos[2]}, ArmKinematics::to_matrix(quat), iterations);
}

namespace {
btTransform bt(const Frame& f) {
  const Eigen::Matrix3d& r = f.rot;
  return btTransform(btMatrix3x3(static_cast<btScalar>(r(0, 0)), static_cast<btScalar>(r(0, 1)),
                                 static_cast<btScalar>(r(0, 2)), static_cast<btScalar>(r(1, 0)),
                                 static_cast<btScalar>(r(1, 1)), static_cast<btScalar>(r(1, 2)),
                                 static_cast<btScalar>(r(2, 0)), static_cast<btScalar>(r(2, 1)),
                                 static_cast<btScalar>(r(2, 2))),
                     btVector3(static_cast<btScalar>(f.pos.x()), static_cast<btScalar>(f.pos.y()),
                               static_cast<btScalar>(f.pos.z())));
}
void put(btRigidBody* body, const btTransform& t) {
  body->getMotionState()->setWorldTransform(t);
  body->setWorldTransform(t);
}
}  // namespace

void PlayTable::Impl::place_arm(double) {
  const Frame t = kinematics.forward(q, &frames_buffer);
  for (std::size_t j = 0; j < links.size(); ++j) put(links[j], bt(frames_buffer[j]));
  put(hand, bt(t));
  // The pads slide along the TCP frame's y.
  const double pad = robot.gripper.pad_half_size[1];
  Frame l = t, r = t;
  l.pos += (left_gap + pad) * t.rot.col(1);
  r.pos -= (right_gap + pad) * t.rot.col(1);
  put(left, bt(l));
  put(right, bt(r));
}

// Deepest penetration of `finger` into a block (negative: overlapping), +inf when apart.
double PlayTable::Impl::finger_penetration(const btRigidBody* finger) const {
  double deepest = 1e9;
  const int n = dispatcher->getNumManifolds();
  for (int i = 0; i < n; ++i) {
    const btPersistentManifold* m = dispatcher->getManifoldByIndexInternal(i);
    if (m->getBody0() != finger && m->getBody1() != finger) continue;
    const btCollisionObject* other = m->getBody0() == finger ? m->getBody1() : m->getBody0();
    if (std::find(blocks.begin(), blocks.end(), other) == blocks.end()) continue;
    for (int c = 0; c < m->getNumContacts(); ++c) {
      deepest = std::min(deepest, static_cast<double>(m->getContactPoint(c).getDistance()));
    }
  }
  return deepest;
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
  const double a = static_cast<double>(i + 1) / PlayTable::kSubsteps;
  for (std::size_t j = 0; j < q.size(); ++j) q[j] = q_from[j] + a * (q_to[j] - q_from[j]);
  // Fingers: coupled, as the Franka Hand's (one drive, mirrored), towards the
  // command. Closing on a block, the pad that touches first pushes it towards
  // the centre until both press in; they stop once both press 1.5 mm and back
  // off when either presses past 3 mm. (Independent pads let the first one
  // push the block up to half its width off the centre line and back the
  // other away, which lost blocks in transport.)
  const double goal = robot.gripper.stroke / 2 * (1.0 - command) / 2;
  const double step = kFingerSpeed * kDt;
  double gap = std::min(left_gap, right_gap);
  if (goal > gap) {
    gap = std::min(goal, gap + step);
  } else {
    const double pl = finger_penetration(left), pr = finger_penetration(right);
    if (std::min(pl, pr) < -0.003) {
      gap += 0.0005;
    } else if (std::max(pl, pr) > -0.0015) {
      gap = std::max(goal, gap - step);
    }
  }
  left_gap = right_gap = gap;
  place_arm(0);
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
  s.opening = left_gap + right_gap;
  s.joints = q;
  return s;
}

PlayTable::PlayTable(const robots::RobotDescription& robot, const DeskLayout& layout)
    : impl_(std::make_unique<Impl>(robot, layout)) {
  impl_->build(PlayInit{});
}

PlayTable::~PlayTable() = default;

void PlayTable::reset(const PlayInit& init) {
  impl_->build(init);
  // Let the blocks settle onto their supports with the arm still.
  std::vector<float> noop(7, 0.0f);
  noop[6] = static_cast<float>(impl_->command);  // open, or as far closed as robot_init says
  for (int i = 0; i < 4; ++i) control_step(noop);
}

void PlayTable::control_step(std::span<const float> action) {
  Impl& m = *impl_;
  if (action.size() >= 7) {
    Vec3 d{action[0], action[1], action[2]};
    m.target_pos = m.target_pos + d;
    // Keep the target within reach of the tool (no wind-up when blocked by limits).
    const Vec3 now = m.tcp().pos;
    const Vec3 off = geo::clamp_norm_inf(m.target_pos - now, 0.08);
    m.target_pos = now + off;
    m.target_pos[2] = std::max(m.target_pos[2], desk::kDrawerFloor + 0.005);
    const Vec3 r{action[3], action[4], action[5]};
    m.target_quat = geo::quat_normalize(geo::quat_mul(geo::quat_from_rotvec(r), m.target_quat));
    m.command = std::clamp(static_cast<double>(action[6]), -1.0, 1.0);
  }
  const std::vector<double> from = m.q;
  m.solve_ik(m.target_pos, m.target_quat, 3);
  std::vector<double> to = m.q;
  for (std::size_t j = 0; j < to.size(); ++j) {
    const double lim = m.robot.joints[j].velocity * kControlDt;
    to[j] = from[j] + std::clamp(to[j] - from[j], -lim, lim);
  }
  m.q = from;
  for (int i = 0; i < kSubsteps; ++i) m.substep(from, to, i);
}

void PlayTable::physics_steps() {
  for (int i = 0; i < kSubsteps; ++i) impl_->world->stepSimulation(static_cast<btScalar>(kDt), 0);
}

PlayState PlayTable::state() const {
  return impl_->state();
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

// Layout of save(): what restore() needs to continue an episode exactly as
// far as Bullet allows (contact caches are not part of it).
std::string PlayTable::state_layout(int dof) {
  const int n = dof;
  return "desk_q:4,desk_qd:4,led:1,button_latched:1,blocks(pos,quat_xyzw,linvel,angvel):39,"
         "arm_q:" +
         std::to_string(n) + ",target_pos:3,target_quat_wxyz:4,gaps:2,command:1";
}

std::vector<double> PlayTable::save() const {
  const Impl& m = *impl_;
  std::vector<double> s;
  for (int i = 0; i < 4; ++i) s.push_back(m.desk->getJointPos(i));
  for (int i = 0; i < 4; ++i) s.push_back(m.desk->getJointVel(i));
  s.push_back(m.led ? 1.0 : 0.0);
  s.push_back(m.button_latched ? 1.0 : 0.0);
  for (const btRigidBody* b : m.blocks) {
    const btTransform& t = b->getWorldTransform();
    const btQuaternion q = t.getRotation();
    for (int k = 0; k < 3; ++k) s.push_back(t.getOrigin()[k]);
    for (const btScalar v : {q.x(), q.y(), q.z(), q.w()}) s.push_back(v);
    for (int k = 0; k < 3; ++k) s.push_back(b->getLinearVelocity()[k]);
    for (int k = 0; k < 3; ++k) s.push_back(b->getAngularVelocity()[k]);
  }
  s.insert(s.end(), m.q.begin(), m.q.end());
  s.insert(s.end(), m.target_pos.begin(), m.target_pos.end());
  s.insert(s.end(), m.target_quat.begin(), m.target_quat.end());
  s.push_back(m.left_gap);
  s.push_back(m.right_gap);
  s.push_back(m.command);
  return s;
}

void PlayTable::restore(std::span<const double> s) {
  Impl& m = *impl_;
  const std::size_t want = state_size(static_cast<int>(m.q.size()));
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
  for (btRigidBody* b : m.blocks) {
    const double px = next(), py = next(), pz = next();
    const double qx = next(), qy = next(), qz = next(), qw = next();
    const btTransform t(
        btQuaternion(static_cast<btScalar>(qx), static_cast<btScalar>(qy),
                     static_cast<btScalar>(qz), static_cast<btScalar>(qw)),
        btVector3(static_cast<btScalar>(px), static_cast<btScalar>(py), static_cast<btScalar>(pz)));
    b->setWorldTransform(t);
    b->getMotionState()->setWorldTransform(t);
    b->setInterpolationWorldTransform(t);
    const double vx = next(), vy = next(), vz = next();
    const double wx = next(), wy = next(), wz = next();
    b->setLinearVelocity(
        btVector3(static_cast<btScalar>(vx), static_cast<btScalar>(vy), static_cast<btScalar>(vz)));
    b->setAngularVelocity(
        btVector3(static_cast<btScalar>(wx), static_cast<btScalar>(wy), static_cast<btScalar>(wz)));
  }
  for (double& q : m.q) q = next();
  for (double& v : m.target_pos) v = next();
  for (double& v : m.target_quat) v = next();
  m.left_gap = next();
  m.right_gap = next();
  m.command = next();
  m.place_arm(1.0);
  for (btRigidBody* b : m.links) b->setInterpolationWorldTransform(b->getWorldTransform());
  for (btRigidBody* b : {m.hand, m.left, m.right})
    b->setInterpolationWorldTransform(b->getWorldTransform());
}

void PlayTable::poses(std::vector<Pose>& out) const {
  const Impl& m = *impl_;
  out.resize(m.bodies.size());
  for (std::size_t i = 0; i < m.bodies.size(); ++i) {
    out[i] = m.bodies[i].object ? from_bt(m.bodies[i].object->getWorldTransform()) : Pose{};
  }
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
  for (int i = 0; i < 4; ++i) {
    if (!std::isfinite(impl_->desk->getJointPos(i))) return false;
  }
  return true;
}

}  // namespace gauntlet::bullet
