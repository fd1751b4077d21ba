// The play table's internals, shared by play_table.cpp (stepping, state,
// save and restore) and play_table_build.cpp (building the Bullet world):
// the Impl and its small helpers. Private to scenarios/bullet (Bullet headers).
#pragma once

#include <BulletDynamics/Featherstone/btMultiBody.h>
#include <BulletDynamics/Featherstone/btMultiBodyConstraintSolver.h>
#include <BulletDynamics/Featherstone/btMultiBodyDynamicsWorld.h>
#include <BulletDynamics/Featherstone/btMultiBodyGearConstraint.h>
#include <BulletDynamics/Featherstone/btMultiBodyJointLimitConstraint.h>
#include <BulletDynamics/Featherstone/btMultiBodyJointMotor.h>
#include <BulletDynamics/Featherstone/btMultiBodyLinkCollider.h>
#include <btBulletDynamicsCommon.h>

#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/geometry.hpp"
#include "scenarios/bullet/arm_kinematics.hpp"
#include "scenarios/bullet/play_table.hpp"

namespace gauntlet::bullet {

using namespace geo;

// Collision groups (the arm's links and fingers collide with everything but each other).
inline constexpr int kStatic = 1;
inline constexpr int kBlock = 2;
inline constexpr int kArm = 4;
inline constexpr int kDesk = 8;
inline constexpr int kFinger = 16;

inline constexpr double kDt = 1.0 / PlayTable::kPhysicsHz;
inline constexpr double kControlDt = kDt * PlayTable::kSubsteps;
inline constexpr double kFingerSpeed = 0.25;  // m/s per finger
inline constexpr double kBlockMass = 0.1;

inline btVector3 bt(const Vec3& v) {
  return {static_cast<btScalar>(v[0]), static_cast<btScalar>(v[1]), static_cast<btScalar>(v[2])};
}
inline btQuaternion bt(const Quat& q) {
  return {static_cast<btScalar>(q[1]), static_cast<btScalar>(q[2]), static_cast<btScalar>(q[3]),
          static_cast<btScalar>(q[0])};
}
inline btTransform bt(const Pose& p) {
  return btTransform(bt(p.quat), bt(p.pos));
}
inline Pose from_bt(const btTransform& t) {
  Pose p;
  const btVector3& o = t.getOrigin();
  const btQuaternion q = t.getRotation();
  p.pos = {o.x(), o.y(), o.z()};
  p.quat = geo::quat_normalize({q.w(), q.x(), q.y(), q.z()});
  return p;
}
inline Pose at(const Vec3& pos, const Quat& quat = {1, 0, 0, 0}) {
  Pose p;
  p.pos = pos;
  p.quat = quat;
  return p;
}
// The rotation taking z onto the unit vector d.
inline Quat z_to(const Vec3& d) {
  const Vec3 z{0, 0, 1};
  const Vec3 axis = geo::cross(z, d);
  const double s = geo::norm(axis);
  const double c = geo::dot(z, d);
  if (s < 1e-9) return c > 0 ? Quat{1, 0, 0, 0} : Quat{0, 1, 0, 0};
  return geo::quat_from_rotvec((std::atan2(s, c) / s) * axis);
}

struct Colors {
  static constexpr std::array<float, 4> kDesk{0.55f, 0.4f, 0.28f, 1.0f};
  static constexpr std::array<float, 4> kRobot{0.92f, 0.92f, 0.95f, 1.0f};
  static constexpr std::array<float, 4> kDark{0.2f, 0.2f, 0.22f, 1.0f};
};
inline constexpr std::array<std::array<float, 4>, kBlocks> kBlockRgba{
    {{0.85f, 0.1f, 0.1f, 1.0f}, {0.1f, 0.25f, 0.85f, 1.0f}, {0.95f, 0.45f, 0.7f, 1.0f}}};
// Block half sizes: a cube, a long bar (grasped across its width), a flat one.
inline constexpr std::array<std::array<double, 3>, kBlocks> kBlockHalf{
    {{0.025, 0.025, 0.025}, {0.04, 0.024, 0.024}, {0.025, 0.025, 0.018}}};

struct PlayTable::Impl {
  const robots::RobotDescription& robot;
  DeskLayout layout;
  std::vector<VisualGeom> geoms;
  int nbodies = 1;  // body 0: the world

  // Bullet objects (rebuilt at every reset, so that episodes never share solver state).
  std::unique_ptr<btDefaultCollisionConfiguration> config;
  std::unique_ptr<btCollisionDispatcher> dispatcher;
  std::unique_ptr<btDbvtBroadphase> broadphase;
  std::unique_ptr<btMultiBodyConstraintSolver> solver;
  std::unique_ptr<btMultiBodyDynamicsWorld> world;
  std::vector<std::unique_ptr<btCollisionShape>> shapes;
  std::vector<std::unique_ptr<btMotionState>> motion;
  std::vector<std::unique_ptr<btRigidBody>> rigid;
  std::unique_ptr<btMultiBody> desk;
  std::vector<std::unique_ptr<btMultiBodyLinkCollider>> colliders;
  std::vector<std::unique_ptr<btMultiBodyConstraint>> constraints;  // the desk's
  // The arm: one fixed-base btMultiBody (the joints, the hand, two fingers),
  // a motor per joint and finger, the fingers' travel limits.
  std::unique_ptr<btMultiBody> arm;
  std::vector<std::unique_ptr<btMultiBodyJointMotor>> arm_motors;
  std::vector<std::unique_ptr<btMultiBodyConstraint>> arm_limits;

  // Visual body -> what moves it.
  struct BodyRef {
    btCollisionObject* object = nullptr;  // null: fixed where `fixed` says (the world: origin)
    Pose fixed;
  };
  std::vector<BodyRef> bodies;

  // Indices into bodies.
  int slider_body = 0, drawer_body = 0, button_body = 0, switch_body = 0;
  std::array<int, kBlocks> block_body{};
  std::vector<int> link_body;  // per arm joint
  int hand_body = 0, left_body = 0, right_body = 0;
  std::array<btRigidBody*, kBlocks> blocks{};
  std::vector<btMultiBodyLinkCollider*> links;
  btMultiBodyLinkCollider* hand = nullptr;
  btMultiBodyLinkCollider* left = nullptr;
  btMultiBodyLinkCollider* right = nullptr;
  // Distractor slots: visual bodies (after the arm's), Bullet bodies of the
  // episode's distractors (in the blocks' collision group: everything pushes them).
  std::array<int, kMaxDistractors> distractor_slots{};
  std::vector<btRigidBody*> distractor_rigid;

  // Arm state.
  Pose base = at({-0.1, 0.0, 0.0});
  std::vector<double> q;       // the joints' goal (the IK's), which the motors track
  std::vector<double> q_meas;  // the joints' positions (state(), tcp()); updated every step
  Vec3 target_pos{};
  Quat target_quat{1, 0, 0, 0};
  double command = -1.0;
  bool led = false;
  bool button_latched = false;
  PlayInit episode_init;  // of the current episode (restore() rebuilds from it)
  PhysicsScales scales;   // of the current episode

  // Forward kinematics runs every physics step, IK every control step.
  ArmKinematics kinematics;

  Impl(const robots::RobotDescription& r, const DeskLayout& l)
      : robot(r), layout(l), kinematics(r, base) {}
  ~Impl() { teardown(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // The world first: its destructor still reads the bodies it holds.
  void teardown() {
    world.reset();
    arm_limits.clear();
    arm_motors.clear();
    arm.reset();
    constraints.clear();
    colliders.clear();
    desk.reset();
    rigid.clear();
    motion.clear();
    shapes.clear();
    solver.reset();
    broadphase.reset();
    dispatcher.reset();
    config.reset();
  }

  int new_body(btCollisionObject* obj) {
    bodies.push_back(BodyRef{obj, Pose{}});
    return static_cast<int>(bodies.size()) - 1;
  }
  void geom(const std::string& name, int body, VisualGeom::Type type, std::array<double, 3> size,
            const Pose& local, std::array<float, 4> rgba) {
    VisualGeom g;
    g.name = name;
    g.body = body;
    g.type = type;
    g.size = size;
    g.local = local;
    g.rgba = rgba;
    geoms.push_back(std::move(g));
  }

  btCollisionShape* keep(btCollisionShape* s) {
    shapes.emplace_back(s);
    return s;
  }
  btCompoundShape* compound() { return static_cast<btCompoundShape*>(keep(new btCompoundShape())); }
  void add_box(btCompoundShape* c, int body, const std::string& name, const Vec3& half,
               const Pose& local, std::array<float, 4> rgba, bool collide = true) {
    if (collide) c->addChildShape(bt(local), keep(new btBoxShape(bt(half))));
    geom(name, body, VisualGeom::Type::kBox, half, local, rgba);
  }
  void add_capsule(btCompoundShape* c, int body, const robots::Capsule& cap,
                   std::array<float, 4> rgba) {
    const Vec3 d = cap.to - cap.from;
    const double len = geo::norm(d);
    const Pose local =
        at(0.5 * (cap.from + cap.to), len > 1e-9 ? z_to((1.0 / len) * d) : Quat{1, 0, 0, 0});
    if (c) {
      c->addChildShape(bt(local), keep(new btCapsuleShapeZ(static_cast<btScalar>(cap.radius),
                                                           static_cast<btScalar>(len))));
    }
    geom("capsule", body, VisualGeom::Type::kCapsule, {cap.radius, 0.5 * len, 0}, local, rgba);
  }

  btRigidBody* add_rigid(btCollisionShape* shape, double mass, const Pose& pose, int group,
                         int mask, double friction, bool kinematic) {
    btVector3 inertia(0, 0, 0);
    if (mass > 0) shape->calculateLocalInertia(static_cast<btScalar>(mass), inertia);
    motion.push_back(std::make_unique<btDefaultMotionState>(bt(pose)));
    btRigidBody::btRigidBodyConstructionInfo info(static_cast<btScalar>(mass), motion.back().get(),
                                                  shape, inertia);
    info.m_friction = static_cast<btScalar>(friction);
    info.m_restitution = 0;
    info.m_linearDamping = 0.05f;
    info.m_angularDamping = 0.05f;
    auto body = std::make_unique<btRigidBody>(info);
    if (kinematic) {
      body->setCollisionFlags(body->getCollisionFlags() | btCollisionObject::CF_KINEMATIC_OBJECT);
    }
    body->setActivationState(DISABLE_DEACTIVATION);
    world->addRigidBody(body.get(), group, mask);
    rigid.push_back(std::move(body));
    return rigid.back().get();
  }

  void build(const PlayInit& init);
  void build_static();
  void build_desk(const PlayInit& init);
  void build_blocks(const PlayInit& init);
  void build_arm();
  void build_distractors(const PlayInit& init);
  // Sets the arm's joints to `joints` (and the fingers' gaps), at rest.
  void set_arm(std::span<const double> joints, double left_gap, double right_gap);
  void read_joints();
  void compensate_gravity();
  int dof() const { return static_cast<int>(robot.joints.size()); }
  double finger(int side) const { return arm->getJointPos(dof() + 1 + side); }
  Pose tcp() const;
  void solve_ik(const Vec3& pos, const Quat& quat, int iterations);
  void substep(const std::vector<double>& q_from, const std::vector<double>& q_to, int i);
  void update_lights();
  void apply_scales();
  PlayState state() const;
};

}  // namespace gauntlet::bullet
