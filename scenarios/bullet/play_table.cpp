#include "scenarios/bullet/play_table.hpp"

#include <BulletDynamics/Featherstone/btMultiBody.h>
#include <BulletDynamics/Featherstone/btMultiBodyConstraintSolver.h>
#include <BulletDynamics/Featherstone/btMultiBodyDynamicsWorld.h>
#include <BulletDynamics/Featherstone/btMultiBodyJointLimitConstraint.h>
#include <BulletDynamics/Featherstone/btMultiBodyJointMotor.h>
#include <BulletDynamics/Featherstone/btMultiBodyLinkCollider.h>
#include <btBulletDynamicsCommon.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "harness/errors.hpp"
#include "harness/geometry.hpp"
#include "scenarios/bullet/arm_kinematics.hpp"

namespace gauntlet::bullet {

using namespace geo;

namespace {

// Collision groups: the kinematic arm touches only what can move.
constexpr int kStatic = 1;
constexpr int kBlock = 2;
constexpr int kArm = 4;
constexpr int kDesk = 8;
constexpr int kFinger = 16;

constexpr double kDt = 1.0 / PlayTable::kPhysicsHz;
constexpr double kControlDt = kDt * PlayTable::kSubsteps;
constexpr double kFingerSpeed = 0.25;  // m/s per finger
constexpr double kBlockMass = 0.1;

btVector3 bt(const Vec3& v) {
  return {static_cast<btScalar>(v[0]), static_cast<btScalar>(v[1]), static_cast<btScalar>(v[2])};
}
btQuaternion bt(const Quat& q) {
  return {static_cast<btScalar>(q[1]), static_cast<btScalar>(q[2]), static_cast<btScalar>(q[3]),
          static_cast<btScalar>(q[0])};
}
btTransform bt(const Pose& p) {
  return btTransform(bt(p.quat), bt(p.pos));
}
Pose from_bt(const btTransform& t) {
  Pose p;
  const btVector3& o = t.getOrigin();
  const btQuaternion q = t.getRotation();
  p.pos = {o.x(), o.y(), o.z()};
  p.quat = geo::quat_normalize({q.w(), q.x(), q.y(), q.z()});
  return p;
}
Pose at(const Vec3& pos, const Quat& quat = {1, 0, 0, 0}) {
  Pose p;
  p.pos = pos;
  p.quat = quat;
  return p;
}
// The rotation taking z onto the unit vector d.
Quat z_to(const Vec3& d) {
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
constexpr std::array<std::array<float, 4>, kBlocks> kBlockRgba{
    {{0.85f, 0.1f, 0.1f, 1.0f}, {0.1f, 0.25f, 0.85f, 1.0f}, {0.95f, 0.45f, 0.7f, 1.0f}}};
// Block half sizes: a cube, a long bar (grasped across its width), a flat one.
constexpr std::array<std::array<double, 3>, kBlocks> kBlockHalf{
    {{0.025, 0.025, 0.025}, {0.04, 0.024, 0.024}, {0.025, 0.025, 0.018}}};

}  // namespace

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
  std::vector<std::unique_ptr<btMultiBodyConstraint>> constraints;

  // Visual body -> what moves it.
  struct BodyRef {
    btCollisionObject* object = nullptr;  // null: the world
  };
  std::vector<BodyRef> bodies;

  // Indices into bodies.
  int slider_body = 0, drawer_body = 0, button_body = 0, switch_body = 0;
  std::array<int, kBlocks> block_body{};
  std::vector<int> link_body;  // per arm joint
  int hand_body = 0, left_body = 0, right_body = 0;
  std::array<btRigidBody*, kBlocks> blocks{};
  std::vector<btRigidBody*> links;
  btRigidBody* hand = nullptr;
  btRigidBody* left = nullptr;
  btRigidBody* right = nullptr;

  // Arm state.
  Pose base = at({-0.1, 0.0, 0.0});
  std::vector<double> q;  // commanded joints (the kinematic arm is exactly there)
  Vec3 target_pos{};
  Quat target_quat{1, 0, 0, 0};
  double left_gap = 0.04, right_gap = 0.04;  // each finger's pad from the TCP plane
  double command = -1.0;
  bool led = false;
  bool button_latched = false;
  PlayInit episode_init;  // of the current episode (restore() rebuilds from it)
  PhysicsScales scales;   // of the current episode

  // Forward kinematics runs every physics step, IK every control step.
  ArmKinematics kinematics;
  std::vector<Frame> frames_buffer;  // place_arm's, reused every physics step

  Impl(const robots::RobotDescription& r, const DeskLayout& l)
      : robot(r), layout(l), kinematics(r, base) {}
  ~Impl() { teardown(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // The world first: its destructor still reads the bodies it holds.
  void teardown() {
    world.reset();
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
    bodies.push_back(BodyRef{obj});
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
  void place_arm(double dt_fraction);
  Pose tcp() const;
  void solve_ik(const Vec3& pos, const Quat& quat, int iterations);
  void substep(const std::vector<double>& q_from, const std::vector<double>& q_to, int i);
  double finger_penetration(const btRigidBody* finger) const;
  void update_lights();
  void apply_scales();
  PlayState state() const;
};

void PlayTable::Impl::build(const PlayInit& init) {
  if (&init != &episode_init) episode_init = init;
  teardown();
  geoms.clear();
  bodies.clear();
  config = std::make_unique<btDefaultCollisionConfiguration>();
  dispatcher = std::make_unique<btCollisionDispatcher>(config.get());
  broadphase = std::make_unique<btDbvtBroadphase>();
  solver = std::make_unique<btMultiBodyConstraintSolver>();
  world = std::make_unique<btMultiBodyDynamicsWorld>(dispatcher.get(), broadphase.get(),
                                                     solver.get(), config.get());
  world->setGravity(btVector3(0, 0, -9.81f));
  world->getSolverInfo().m_numIterations = 30;
  new_body(nullptr);  // 0: the world
  build_static();
  build_desk(init);
  build_blocks(init);
  build_arm();
  led = init.led;
  button_latched = false;
  nbodies = static_cast<int>(bodies.size());
  if (!scales.nominal()) apply_scales();
}

// Nominal episodes never come here, so their simulation is exactly the unperturbed one.
void PlayTable::Impl::apply_scales() {
  // Bullet multiplies the two bodies' frictions: each body's by the square root
  // scales every contact's by `friction`.
  const auto f = static_cast<btScalar>(std::sqrt(scales.friction));
  for (auto& r : rigid) r->setFriction(r->getFriction() * f);
  for (auto& c : colliders) c->setFriction(c->getFriction() * f);
  for (btRigidBody* b : blocks) {
    const double mass = kBlockMass * scales.mass;
    btVector3 inertia;
    b->getCollisionShape()->calculateLocalInertia(static_cast<btScalar>(mass), inertia);
    b->setMassProps(static_cast<btScalar>(mass), inertia);
    b->updateInertiaTensor();
  }
  for (auto& c : constraints) {
    auto* motor = dynamic_cast<btMultiBodyJointMotor*>(c.get());
    if (motor && motor->getLinkA() != 2) {  // the button's spring is not a resistance
      motor->setMaxAppliedImpulse(motor->getMaxAppliedImpulse() *
                                  static_cast<btScalar>(scales.damping));
    }
  }
}

void PlayTable::Impl::build_static() {
  btCompoundShape* c = compound();
  const std::array<float, 4> desk_rgba = Colors::kDesk;
  add_box(c, 0, "table", {0.3, 0.6, 0.02}, at({0.6, 0.0, -0.02}), desk_rgba);
  // Table legs (visual only) and the cabinet behind the door.
  for (const double x : {0.32, 0.88}) {
    for (const double y : {-0.58, 0.58}) {
      add_box(c, 0, "leg", {0.02, 0.02, 0.3}, at({x, y, -0.34}), desk_rgba, false);
    }
  }
  const double sx = layout.slider_x;
  const double cy = layout.cabinet_y;
  const double depth = desk::kCabinetDepth;
  const double half_w = desk::kCabinetHalfWidth;
  const double h = desk::kCabinetHeight + 0.1;
  add_box(c, 0, "cabinet_back", {0.01, half_w + 0.01, h / 2}, at({sx + depth + 0.01, cy, h / 2}),
          desk_rgba);
  for (const double s : {-1.0, 1.0}) {
    add_box(c, 0, "cabinet_side", {depth / 2 + 0.01, 0.01, h / 2},
            at({sx + depth / 2, cy + s * (half_w + 0.01), h / 2}), desk_rgba);
  }
  add_box(c, 0, "cabinet_roof", {depth / 2 + 0.03, half_w + 0.02, 0.01},
          at({sx + depth / 2 - 0.02, cy, h + 0.01}), desk_rgba);
  // Button base and LED, switch rail and bulb.
  const auto& b = layout.button;
  geom("button_base", 0, VisualGeom::Type::kCylinder, {0.035, 0.01, 0}, at({b[0], b[1], 0.01}),
       Colors::kDark);
  geom("led", 0, VisualGeom::Type::kSphere, {0.012, 0, 0}, at({b[0] + 0.06, b[1], 0.01}),
       {0.3f, 0.3f, 0.3f, 1.0f});
  const auto& s = layout.switch_xy;
  add_box(c, 0, "switch_rail", {0.02, 0.06, 0.01}, at({s[0], s[1] + 0.03, 0.01}), Colors::kDark,
          false);
  add_box(c, 0, "bulb_post", {0.008, 0.008, 0.1}, at({s[0] + 0.06, s[1] + 0.03, 0.1}),
          Colors::kDark, false);
  geom("bulb", 0, VisualGeom::Type::kSphere, {0.03, 0, 0}, at({s[0] + 0.06, s[1] + 0.03, 0.22}),
       {0.3f, 0.3f, 0.3f, 1.0f});
  // Robot pedestal (visual) under the base.
  geom("pedestal", 0, VisualGeom::Type::kCylinder, {0.11, 0.3, 0}, at(base.pos + Vec3{0, 0, -0.3}),
       Colors::kDark);
  add_rigid(c, 0.0, at({0, 0, 0}), kStatic, kBlock, 0.6, false);
}

void PlayTable::Impl::build_desk(const PlayInit& init) {
  using desk::kButtonTop;
  using desk::kButtonTravel;
  const double sx = layout.slider_x;
  const double cy = layout.cabinet_y;
  desk = std::make_unique<btMultiBody>(4, 0.0f, btVector3(0, 0, 0), true, false);
  desk->setBaseWorldTransform(btTransform::getIdentity());
  desk->setHasSelfCollision(false);
  desk->setLinearDamping(0.0f);
  desk->setAngularDamping(0.0f);
  struct Link {
    Vec3 rest;
    Vec3 axis;
    double mass;
    btCompoundShape* shape;
    int body;
  };
  std::array<Link, 4> parts{};
  // 0: the sliding door, along +y (its value > half the travel: door on the left).
  parts[0] = {{sx - 0.01, cy - 0.15, 0.105}, {0, 1, 0}, 1.0, compound(), 0};
  // 1: the drawer under the table, opening towards the robot (-x).
  parts[1] = {{0.45, layout.drawer_y, desk::kDrawerFloor}, {-1, 0, 0}, 1.0, compound(), 0};
  // 2: the button, pressed down (-z).
  parts[2] = {
      {layout.button[0], layout.button[1], kButtonTop - 0.0125}, {0, 0, -1}, 0.05, compound(), 0};
  // 3: the switch knob, slid towards +y turns the bulb on.
  parts[3] = {{layout.switch_xy[0], layout.switch_xy[1], desk::kSwitchBase},
              {0, 1, 0},
              0.05,
              compound(),
              0};
  for (auto& l : parts) l.body = -1;
  // Shapes and visuals (bodies created below, once their colliders exist).
  const int first_body = static_cast<int>(bodies.size());
  for (int i = 0; i < 4; ++i) new_body(nullptr);
  slider_body = first_body;
  drawer_body = first_body + 1;
  button_body = first_body + 2;
  switch_body = first_body + 3;
  const std::array<float, 4> panel{0.62f, 0.5f, 0.36f, 1.0f};
  add_box(parts[0].shape, slider_body, "door", {0.01, 0.15, 0.095}, at({0, 0, 0}), panel);
  add_box(parts[0].shape, slider_body, "door_knob", {0.02, 0.015, 0.03}, at({-0.03, 0, 0.0}),
          Colors::kDark);
  const double hx = desk::kDrawerHalf[0], hy = desk::kDrawerHalf[1];
  const double wall_h = (-0.045 - desk::kDrawerFloor) / 2;
  add_box(parts[1].shape, drawer_body, "drawer_floor", {hx + 0.01, hy + 0.01, 0.005},
          at({0, 0, -0.005}), panel);
  add_box(parts[1].shape, drawer_body, "drawer_front", {0.005, hy + 0.01, wall_h},
          at({-hx - 0.005, 0, wall_h}), panel);
  add_box(parts[1].shape, drawer_body, "drawer_back", {0.005, hy + 0.01, wall_h},
          at({hx + 0.005, 0, wall_h}), panel);
  for (const double s : {-1.0, 1.0}) {
    add_box(parts[1].shape, drawer_body, "drawer_side", {hx, 0.005, wall_h},
            at({0, s * (hy + 0.005), wall_h}), panel);
    add_box(parts[1].shape, drawer_body, "drawer_handle_post", {0.025, 0.006, 0.006},
            at({-hx - 0.035, s * 0.05, wall_h + 0.02}), Colors::kDark);
  }
  add_box(parts[1].shape, drawer_body, "drawer_handle", {0.008, 0.07, 0.008},
          at({-hx - 0.068, 0, wall_h + 0.02}), Colors::kDark);
  parts[2].shape->addChildShape(btTransform::getIdentity(),
                                keep(new btCylinderShapeZ(btVector3(0.025f, 0.025f, 0.0125f))));
  geom("button", button_body, VisualGeom::Type::kCylinder, {0.025, 0.0125, 0}, at({0, 0, 0}),
       {0.9f, 0.9f, 0.9f, 1.0f});
  add_box(parts[3].shape, switch_body, "switch_knob", {0.015, 0.015, 0.03}, at({0, 0, 0}),
          {0.9f, 0.9f, 0.9f, 1.0f});

  for (int i = 0; i < 4; ++i) {
    btVector3 inertia;
    parts[static_cast<std::size_t>(i)].shape->calculateLocalInertia(
        static_cast<btScalar>(parts[static_cast<std::size_t>(i)].mass), inertia);
    const Link& l = parts[static_cast<std::size_t>(i)];
    desk->setupPrismatic(i, static_cast<btScalar>(l.mass), inertia, -1, btQuaternion::getIdentity(),
                         bt(l.axis), bt(l.rest), btVector3(0, 0, 0), true);
  }
  desk->finalizeMultiDof();
  world->addMultiBody(desk.get());
  for (int i = 0; i < 4; ++i) {
    auto col = std::make_unique<btMultiBodyLinkCollider>(desk.get(), i);
    col->setCollisionShape(parts[static_cast<std::size_t>(i)].shape);
    col->setFriction(0.8f);
    world->addCollisionObject(col.get(), kDesk, kBlock | kArm | kFinger);
    desk->getLink(i).m_collider = col.get();
    bodies[static_cast<std::size_t>(first_body + i)].object = col.get();
    colliders.push_back(std::move(col));
  }
  const std::array<double, 4> lo{0, 0, 0, 0};
  const std::array<double, 4> hi{desk::kSliderTravel, desk::kDrawerTravel, kButtonTravel,
                                 desk::kSwitchTravel};
  const std::array<double, 4> friction{6.0, 6.0, 0.0, 3.0};  // N
  for (int i = 0; i < 4; ++i) {
    const auto k = static_cast<std::size_t>(i);
    constraints.push_back(std::make_unique<btMultiBodyJointLimitConstraint>(
        desk.get(), i, static_cast<btScalar>(lo[k]), static_cast<btScalar>(hi[k])));
    if (i == 2) {
      // The button springs back up.
      auto motor = std::make_unique<btMultiBodyJointMotor>(desk.get(), i, 0, 0.0f,
                                                           static_cast<btScalar>(4.0 * kDt));
      motor->setPositionTarget(0.0f, 0.3f);
      motor->setVelocityTarget(0.0f, 1.0f);
      constraints.push_back(std::move(motor));
    } else {
      constraints.push_back(std::make_unique<btMultiBodyJointMotor>(
          desk.get(), i, 0, 0.0f, static_cast<btScalar>(friction[k] * kDt)));
    }
  }
  for (auto& c : constraints) world->addMultiBodyConstraint(c.get());
  desk->setJointPos(0, static_cast<btScalar>(std::clamp(init.slider, 0.0, desk::kSliderTravel)));
  desk->setJointPos(1, static_cast<btScalar>(std::clamp(init.drawer, 0.0, desk::kDrawerTravel)));
  desk->setJointPos(2, 0.0f);
  desk->setJointPos(3,
                    static_cast<btScalar>(std::clamp(init.switch_pos, 0.0, desk::kSwitchTravel)));
  btAlignedObjectArray<btQuaternion> sq;
  btAlignedObjectArray<btVector3> sv;
  desk->forwardKinematics(sq, sv);
  desk->updateCollisionObjectWorldTransforms(sq, sv);
}

void PlayTable::Impl::build_blocks(const PlayInit& init) {
  for (int i = 0; i < kBlocks; ++i) {
    const auto k = static_cast<std::size_t>(i);
    btCompoundShape* c = compound();
    const int body = new_body(nullptr);
    block_body[k] = body;
    add_box(c, body, std::string("block_") + kBlockNames[k], kBlockHalf[k], at({0, 0, 0}),
            kBlockRgba[k]);
    const auto& b = init.blocks[k];
    btRigidBody* rb = add_rigid(c, kBlockMass, at({b[0], b[1], b[2]}, geo::quat_from_yaw(b[3])),
                                kBlock, kStatic | kBlock | kArm | kDesk | kFinger, 1.0, false);
    bodies[static_cast<std::size_t>(body)].object = rb;
    blocks[k] = rb;
  }
}

void PlayTable::Impl::build_arm() {
  for (const auto& cap : robot.base_capsules) {
    robots::Capsule c = cap;
    c.from = base.pos + c.from;
    c.to = base.pos + c.to;
    add_capsule(nullptr, 0, c, Colors::kRobot);
  }
  links.clear();
  link_body.clear();
  for (const auto& j : robot.joints) {
    btCompoundShape* c = compound();
    const int body = new_body(nullptr);
    for (const auto& cap : j.capsules) add_capsule(c, body, cap, Colors::kRobot);
    btRigidBody* rb = add_rigid(c, 0.0, base, kArm, kBlock | kDesk, 0.8, true);
    bodies[static_cast<std::size_t>(body)].object = rb;
    links.push_back(rb);
    link_body.push_back(body);
  }
  const auto& g = robot.gripper;
  {
    btCompoundShape* c = compound();
    hand_body = new_body(nullptr);
    add_box(c, hand_body, "palm", g.palm_half_size, at({0, 0, g.palm_height}), Colors::kRobot);
    hand = add_rigid(c, 0.0, base, kArm, kBlock | kDesk, 0.8, true);
    bodies[static_cast<std::size_t>(hand_body)].object = hand;
  }
  for (const int side : {1, -1}) {
    btCompoundShape* c = compound();
    const int body = new_body(nullptr);
    add_box(c, body, side > 0 ? "finger_left" : "finger_right", g.pad_half_size,
            at({0, 0, g.pad_half_size[2]}), Colors::kDark);
    btRigidBody* rb = add_rigid(c, 0.0, base, kFinger, kBlock | kDesk, 2.0, true);
    bodies[static_cast<std::size_t>(body)].object = rb;
    (side > 0 ? left : right) = rb;
    (side > 0 ? left_body : right_body) = body;
  }
  // Start: from the home configuration to the TCP pointing down above the table.
  q = robot.home;
  solve_ik(Vec3{0.3, 0.0, 0.25} + episode_init.tcp_offset, episode_init.tcp_turn, 200);
  for (std::size_t j = 0; j < q.size() && j < episode_init.joint_offsets.size(); ++j) {
    q[j] = std::clamp(q[j] + episode_init.joint_offsets[j], robot.joints[j].lower,
                      robot.joints[j].upper);
  }
  target_pos = tcp().pos;
  target_quat = tcp().quat;
  left_gap = right_gap = g.stroke / 2 * (1.0 - std::clamp(episode_init.closed, 0.0, 1.0));
  command = -1.0 + 2.0 * std::clamp(episode_init.closed, 0.0, 1.0);
  place_arm(1.0);
  for (btRigidBody* b : links) b->setInterpolationWorldTransform(b->getWorldTransform());
  for (btRigidBody* b : {hand, left, right})
    b->setInterpolationWorldTransform(b->getWorldTransform());
}

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
