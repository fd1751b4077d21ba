// Building the play table's Bullet world: the static table and cabinet, the
// desk's articulated btMultiBody, the blocks and the arm's kinematic bodies.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>

#include "scenarios/bullet/play_table_impl.hpp"

namespace gauntlet::bullet {

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
  build_distractors(init);
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
  // The roof 0.5 m up: the Panda's wrist, 0.13-0.2 m above the TCP and ahead of it,
  // passes under it when the hand works at the door or inside the cabinet.
  const double h = desk::kCabinetHeight + 0.3;
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
  add_rigid(c, 0.0, at({0, 0, 0}), kStatic, kBlock | kArm | kFinger, 0.6, false);
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

double Distractor::footprint() const {
  return type == VisualGeom::Type::kBox ? std::hypot(size[0], size[1]) : size[0];
}

// One visual body per slot, parked under the table (the mirror hides its
// geoms) unless the episode places a distractor there: then a dynamic Bullet
// body of its shape standing on the table top. Built after the arm, so the
// other bodies keep their indices, and nominal episodes add nothing to Bullet.
void PlayTable::Impl::build_distractors(const PlayInit& init) {
  constexpr double kDensity = 400.0;  // kg/m^3: light wood or plastic
  distractor_rigid.clear();
  for (int slot = 0; slot < kMaxDistractors; ++slot) {
    const auto k = static_cast<std::size_t>(slot);
    const int body = new_body(nullptr);
    distractor_slots[k] = body;
    bodies[static_cast<std::size_t>(body)].fixed = at({0.6, -0.4 + 0.2 * slot, -0.3});
    if (k >= init.distractors.size()) continue;
    const Distractor& d = init.distractors[k];
    btCollisionShape* shape = nullptr;
    double volume = 0.0;
    switch (d.type) {
      case VisualGeom::Type::kSphere:
        shape = keep(new btSphereShape(static_cast<btScalar>(d.size[0])));
        volume = 4.0 / 3.0 * std::numbers::pi * std::pow(d.size[0], 3);
        break;
      case VisualGeom::Type::kCylinder:
        shape = keep(new btCylinderShapeZ(bt(Vec3{d.size[0], d.size[0], d.size[1]})));
        volume = std::numbers::pi * d.size[0] * d.size[0] * 2 * d.size[1];
        break;
      default:
        shape = keep(new btBoxShape(bt(Vec3{d.size[0], d.size[1], d.size[2]})));
        volume = 8 * d.size[0] * d.size[1] * d.size[2];
        break;
    }
    btRigidBody* rb =
        add_rigid(shape, kDensity * volume, at({d.x, d.y, d.rest_height()}, quat_from_yaw(d.yaw)),
                  kBlock, kStatic | kBlock | kArm | kDesk | kFinger, 0.8, false);
    rb->setRollingFriction(0.01f);
    rb->setSpinningFriction(0.01f);
    bodies[static_cast<std::size_t>(body)].object = rb;
    distractor_rigid.push_back(rb);
  }
}

namespace {
btQuaternion bt_quat(const Eigen::Matrix3d& r) {
  const Eigen::Quaterniond q(r);
  return {static_cast<btScalar>(q.x()), static_cast<btScalar>(q.y()), static_cast<btScalar>(q.z()),
          static_cast<btScalar>(q.w())};
}
btVector3 bt_vec(const Eigen::Vector3d& v) {
  return {static_cast<btScalar>(v.x()), static_cast<btScalar>(v.y()), static_cast<btScalar>(v.z())};
}
// A link's inertia from its shape (Bullet's box approximation of the
// compound), never below that of a 5 cm ball of its mass.
btVector3 link_inertia(btCollisionShape* shape, double mass) {
  btVector3 inertia(0, 0, 0);
  shape->calculateLocalInertia(static_cast<btScalar>(mass), inertia);
  const auto floor = static_cast<btScalar>(0.4 * mass * 0.05 * 0.05);
  for (int k = 0; k < 3; ++k) inertia[k] = std::max(inertia[k], floor);
  return inertia;
}
}  // namespace

// The arm: one fixed-base btMultiBody from the description. Link j (a
// revolute joint) has its frame at joint j's frame after its rotation, where
// the description's capsules sit (its centre of mass there too); then the
// hand, fixed at the TCP frame (the palm), and two prismatic fingers sliding
// along the TCP frame's y (their joint position is the pad's gap from the
// TCP plane). A motor per joint (its impulse capped at the joint's effort)
// tracks the IK's goal; a velocity motor per finger, capped at half the
// hand's force, closes or opens it.
void PlayTable::Impl::build_arm() {
  for (const auto& cap : robot.base_capsules) {
    robots::Capsule c = cap;
    c.from = base.pos + c.from;
    c.to = base.pos + c.to;
    add_capsule(nullptr, 0, c, Colors::kRobot);
  }
  const int n = dof();
  const auto& g = robot.gripper;
  constexpr double kFingerMass = 0.1;
  arm = std::make_unique<btMultiBody>(n + 3, 0.0f, btVector3(0, 0, 0), true, false);
  arm->setBaseWorldTransform(bt(base));
  arm->setHasSelfCollision(false);
  arm->setLinearDamping(0.0f);
  arm->setAngularDamping(0.0f);
  std::vector<btCompoundShape*> link_shapes;
  links.clear();
  link_body.clear();
  for (int j = 0; j < n; ++j) {
    const auto& joint = robot.joints[static_cast<std::size_t>(j)];
    btCompoundShape* c = compound();
    const int body = new_body(nullptr);
    for (const auto& cap : joint.capsules) add_capsule(c, body, cap, Colors::kRobot);
    const double mass = std::max(joint.mass, 0.2);
    arm->setupRevolute(j, static_cast<btScalar>(mass), link_inertia(c, mass), j - 1,
                       bt_quat(ArmKinematics::to_matrix(joint.origin.quat()).transpose()),
                       bt(joint.axis), bt(joint.origin.xyz), btVector3(0, 0, 0), true);
    link_shapes.push_back(c);
    link_body.push_back(body);
  }
  {
    btCompoundShape* c = compound();
    hand_body = new_body(nullptr);
    add_box(c, hand_body, "palm", g.palm_half_size, at({0, 0, g.palm_height}), Colors::kRobot);
    const double mass = std::max(g.mass - 2 * kFingerMass, 0.1);
    arm->setupFixed(n, static_cast<btScalar>(mass), link_inertia(c, mass), n - 1,
                    bt_quat(kinematics.tcp_rot().transpose()), bt_vec(kinematics.tcp_pos()),
                    btVector3(0, 0, 0), true);
    link_shapes.push_back(c);
  }
  for (const int side : {1, -1}) {
    btCompoundShape* c = compound();
    const int body = new_body(nullptr);
    add_box(c, body, side > 0 ? "finger_left" : "finger_right", g.pad_half_size,
            at({0, 0, g.pad_half_size[2]}), Colors::kDark);
    const int link = side > 0 ? n + 1 : n + 2;
    const auto s = static_cast<btScalar>(side);
    arm->setupPrismatic(link, static_cast<btScalar>(kFingerMass), link_inertia(c, kFingerMass), n,
                        btQuaternion::getIdentity(), btVector3(0, s, 0),
                        btVector3(0, s * static_cast<btScalar>(g.pad_half_size[1]), 0),
                        btVector3(0, 0, 0), true);
    link_shapes.push_back(c);
    (side > 0 ? left_body : right_body) = body;
  }
  arm->finalizeMultiDof();
  world->addMultiBody(arm.get());
  for (int i = 0; i < n + 3; ++i) {
    auto col = std::make_unique<btMultiBodyLinkCollider>(arm.get(), i);
    col->setCollisionShape(link_shapes[static_cast<std::size_t>(i)]);
    const bool pad = i > n;
    col->setFriction(pad ? 2.0f : 0.8f);
    world->addCollisionObject(col.get(), pad ? kFinger : kArm, kStatic | kBlock | kDesk);
    arm->getLink(i).m_collider = col.get();
    btMultiBodyLinkCollider* raw = col.get();
    if (i < n) {
      links.push_back(raw);
      bodies[static_cast<std::size_t>(link_body[static_cast<std::size_t>(i)])].object = raw;
    } else if (i == n) {
      hand = raw;
      bodies[static_cast<std::size_t>(hand_body)].object = raw;
    } else {
      (i == n + 1 ? left : right) = raw;
      bodies[static_cast<std::size_t>(i == n + 1 ? left_body : right_body)].object = raw;
    }
    colliders.push_back(std::move(col));
  }
  for (int j = 0; j < n; ++j) {
    const auto& joint = robot.joints[static_cast<std::size_t>(j)];
    auto motor = std::make_unique<btMultiBodyJointMotor>(arm.get(), j, 0.0f,
                                                         static_cast<btScalar>(joint.effort * kDt));
    motor->setRhsClamp(static_cast<btScalar>(2.0 * joint.velocity));
    world->addMultiBodyConstraint(motor.get());
    arm_motors.push_back(std::move(motor));
  }
  for (int link : {n + 1, n + 2}) {
    auto motor = std::make_unique<btMultiBodyJointMotor>(arm.get(), link, 0.0f,
                                                         static_cast<btScalar>(g.force / 2 * kDt));
    world->addMultiBodyConstraint(motor.get());
    arm_motors.push_back(std::move(motor));
    auto limit = std::make_unique<btMultiBodyJointLimitConstraint>(
        arm.get(), link, 0.0f, static_cast<btScalar>(g.stroke / 2));
    world->addMultiBodyConstraint(limit.get());
    arm_limits.push_back(std::move(limit));
  }
  // The Franka Hand's fingers are coupled (one drive, mirrored): a gear keeps
  // their gaps equal, so a squeezed block cannot drift with both fingers
  // along the closing axis (without it, the pair slid 1.4 cm in 10 s).
  auto gear = std::make_unique<btMultiBodyGearConstraint>(
      arm.get(), n + 1, arm.get(), n + 2, btVector3(0, 0, 0), btVector3(0, 0, 0),
      btMatrix3x3::getIdentity(), btMatrix3x3::getIdentity());
  gear->setGearRatio(-1.0f);
  gear->setErp(0.2f);
  gear->setMaxAppliedImpulse(static_cast<btScalar>(2.0 * g.force * kDt));
  world->addMultiBodyConstraint(gear.get());
  arm_limits.push_back(std::move(gear));
  // Start: from the home configuration to the TCP pointing down above the table.
  q = robot.home;
  solve_ik(Vec3{0.3, 0.0, 0.25} + episode_init.tcp_offset, episode_init.tcp_turn, 200);
  for (std::size_t j = 0; j < q.size() && j < episode_init.joint_offsets.size(); ++j) {
    q[j] = std::clamp(q[j] + episode_init.joint_offsets[j], robot.joints[j].lower,
                      robot.joints[j].upper);
  }
  const double gap = g.stroke / 2 * (1.0 - std::clamp(episode_init.closed, 0.0, 1.0));
  set_arm(q, gap, gap);
  target_pos = tcp().pos;
  target_quat = tcp().quat;
  command = -1.0 + 2.0 * std::clamp(episode_init.closed, 0.0, 1.0);
}

void PlayTable::Impl::set_arm(std::span<const double> joints, double left_gap, double right_gap) {
  const int n = dof();
  for (int j = 0; j < n; ++j) {
    arm->setJointPos(j, static_cast<btScalar>(joints[static_cast<std::size_t>(j)]));
    arm->setJointVel(j, 0.0f);
  }
  arm->setJointPos(n + 1, static_cast<btScalar>(left_gap));
  arm->setJointPos(n + 2, static_cast<btScalar>(right_gap));
  arm->setJointVel(n + 1, 0.0f);
  arm->setJointVel(n + 2, 0.0f);
  btAlignedObjectArray<btQuaternion> sq;
  btAlignedObjectArray<btVector3> sv;
  arm->forwardKinematics(sq, sv);
  arm->updateCollisionObjectWorldTransforms(sq, sv);
  read_joints();
}

}  // namespace gauntlet::bullet
