// Articulated kitchen fixtures: cabinets with three drawers on slide joints,
// a flat stove whose knob (a hinge) lights the burners, and a microwave with
// a hinged door. Static roots; moving parts exclude contacts with their root
// because MuJoCo only filters parent-child contacts between moving bodies.

#include <cmath>
#include <string>

#include "suites/libero/objects/families.hpp"
#include "suites/libero/objects/shapes.hpp"

namespace gauntlet::suites::libero {
namespace {

// Cabinet dimensions (root frame, origin at the bottom centre).
constexpr double kCabDepth = 0.1;    // half, along the drawers' axis
constexpr double kCabWidth = 0.125;  // half (LIBERO's cabinets are 0.25 m wide)
// LIBERO's wooden_cabinet.xml: drawer floors 0.07 m apart from 0.012 m up,
// top at 0.223 m (ours: 0.232 m with the 12 mm top panel).
constexpr double kCabBase = 0.01;
constexpr double kDrawerPitch = 0.07;
constexpr double kCabTop = kCabBase + 3 * kDrawerPitch + 0.012;
constexpr double kPanel = 0.012;
constexpr double kTravel = 0.16;
// Drawer body frame: origin at the slot's bottom centre. The drawer's inside.
constexpr double kDrawerFloorTop = 0.012;
constexpr double kDrawerInnerHalfX = 0.084;
constexpr double kDrawerInnerHalfY = 0.103;
constexpr double kDrawerWallHalf = 0.024;  // the inside is 48 mm deep
// The handle: a block sticking out of the front, gripped across its width.
constexpr double kHandleOut = 0.045;
constexpr double kHandleHalfWidth = 0.025;
constexpr double kHandleHalfHeight = 0.008;

// LIBERO's cabinets (wooden_cabinet.xml, white_cabinet.xml) open their
// drawers along the model's -y (slide joints on y, range [-0.16, 0.01]) and
// stand 0.25 m wide along x. Their BDDL yaws (pi for the wooden cabinet at
// the table's right, y < 0; 0 for the white one at its left) so turn the
// drawers towards the table's middle, across the robot's reach, not towards
// the agentview camera. The geometry below is written in (depth, width, z):
// depth grows towards the drawer fronts, which is the model's -y.
constexpr geo::Vec3 at(double depth, double width, double z) {
  return {width, -depth, z};
}
constexpr geo::Vec3 half(double depth, double width, double z) {
  return {width, depth, z};
}

ObjectModel cabinet(const char* category, const char* description, const mj::Rgba& body_rgba,
                    const mj::Rgba& drawer_rgba) {
  ObjectModel m;
  m.category = category;
  m.description = description;
  m.fixture = true;
  set_box_footprint(m, kCabWidth, kCabDepth, kCabTop);
  m.supports = {
      SupportSpec{"top_side", "", {0, 0, kCabTop}, kCabWidth - 0.01, kCabDepth - 0.01, false}};
  const geo::Vec3 out = at(1, 0, 0);
  const char* names[3] = {"bottom", "middle", "top"};
  for (int k = 0; k < 3; ++k) {
    const std::string part = std::string(names[k]) + "_drawer";
    const std::string region = std::string(names[k]) + "_region";
    m.parts.push_back(part);
    ContainerSpec c;
    c.region = region;
    c.part = part;
    const double cx = kCabDepth - kPanel - kDrawerInnerHalfX;
    c.center = at(cx, 0, kDrawerFloorTop + kDrawerWallHalf);
    c.half = half(kDrawerInnerHalfX, kDrawerInnerHalfY, kDrawerWallHalf);
    c.entry = Entry::kTop;
    c.needs_open = true;
    c.articulation = region;
    m.containers.push_back(c);
    ArticulationSpec a;
    a.region = region;
    a.kind = ArticulationKind::kDrawer;
    a.part = part;
    a.joint = part + "_slide";
    a.open_at = 0.08;
    a.closed_at = 0.015;
    a.init_open = {0.145, kTravel};
    a.init_closed = {0.0, 0.004};
    a.max = kTravel;
    a.handle = at(kCabDepth + kHandleOut / 2, 0, kDrawerPitch / 2);
    a.handle_half = half(kHandleOut / 2, kHandleHalfWidth, kHandleHalfHeight);
    a.out = out;
    m.articulations.push_back(a);
    m.obstacles.push_back(
        ObstacleBox{part, at(0.02, 0, kDrawerPitch / 2),
                    half(kCabDepth + 0.025, kCabWidth - 0.004, kDrawerPitch / 2)});
  }
  m.build = [=](ModelBuild& b) {
    mj::XmlElement& r = b.root;
    const double wall_h = (kCabTop - kCabBase - kPanel) / 2;
    const double wall_z = kCabBase + wall_h;
    solid_box(r, half(kCabDepth, kCabWidth, kCabBase / 2), at(0, 0, kCabBase / 2),
              shade(body_rgba, 0.8), 500);
    solid_box(r, half(kCabDepth, kCabWidth, kPanel / 2), at(0, 0, kCabTop - kPanel / 2), body_rgba,
              500);
    for (const double s : {-1.0, 1.0}) {
      solid_box(r, half(kCabDepth, kPanel / 2, wall_h), at(0, s * (kCabWidth - kPanel / 2), wall_z),
                body_rgba, 500);
    }
    solid_box(r, half(kPanel / 2, kCabWidth - kPanel, wall_h),
              at(-(kCabDepth - kPanel / 2), 0, wall_z), body_rgba, 500);
    for (int k = 0; k < 3; ++k) {
      const std::string part = std::string(names[k]) + "_drawer";
      mj::XmlElement& d = b.part(r, part, {0, 0, kCabBase + k * kDrawerPitch});
      b.scene.exclude_contact(b.name, part_name(b.name, part));
      d.add("joint")
          .set("name", part_name(b.name, part + "_slide"))
          .set("type", "slide")
          .set("axis", {out[0], out[1], out[2]})
          .set("range", {0, kTravel})
          .set("damping", 3.0)
          .set("frictionloss", 1.0)
          .set("armature", 0.02);
      // Front panel (2 mm gaps to the neighbours), floor, sides and back.
      solid_box(d, half(0.006, kCabWidth - kPanel - 0.003, kDrawerPitch / 2 - 0.002),
                at(kCabDepth - 0.006, 0, kDrawerPitch / 2), drawer_rgba, 400);
      const double cx = kCabDepth - kPanel - kDrawerInnerHalfX;
      solid_box(d, half(kDrawerInnerHalfX, kDrawerInnerHalfY + 0.008, 0.004), at(cx, 0, 0.008),
                shade(drawer_rgba, 0.85), 400);
      for (const double s : {-1.0, 1.0}) {
        solid_box(d, half(kDrawerInnerHalfX, 0.004, kDrawerWallHalf),
                  at(cx, s * (kDrawerInnerHalfY + 0.004), kDrawerFloorTop + kDrawerWallHalf),
                  shade(drawer_rgba, 0.85), 400);
      }
      solid_box(d, half(0.004, kDrawerInnerHalfY, kDrawerWallHalf),
                at(cx - (kDrawerInnerHalfX + 0.004), 0, kDrawerFloorTop + kDrawerWallHalf),
                shade(drawer_rgba, 0.85), 400);
      solid_box(d, half(kHandleOut / 2, kHandleHalfWidth, kHandleHalfHeight),
                at(kCabDepth + kHandleOut / 2, 0, kDrawerPitch / 2), {0.2, 0.2, 0.22, 1}, 800)
          .set("friction", {1.5, 0.02, 0.001});
    }
  };
  return m;
}

// LIBERO's flat_stove.xml: the knob at the model's origin and one square
// burner plate (0.19 m wide) centred 0.15 m along +x, its cook_region 0.15 m
// square. With the BDDL yaw of 0 the knob faces the robot and the plate lies
// 0.15 m further into the table (a stove at x = -0.41 cooks at x = -0.26).
constexpr double kStoveBurnerX = 0.15;
constexpr double kStoveHalf = 0.095;
constexpr double kStoveTop = 0.03;

ObjectModel flat_stove() {
  ObjectModel m;
  m.category = "flat_stove";
  m.description =
      "flat black stove: a square burner plate with the knob in front of it (as LIBERO's)";
  m.fixture = true;
  // The footprint box is centred on the origin: it spans the plate and, on
  // the knob's side, as far again.
  set_box_footprint(m, kStoveBurnerX + kStoveHalf, kStoveHalf, kStoveTop);
  m.obstacles = {
      ObstacleBox{"", {kStoveBurnerX, 0, kStoveTop / 2}, {kStoveHalf, kStoveHalf, kStoveTop / 2}},
      ObstacleBox{"", {0, 0, kStoveTop / 2}, {0.03, 0.03, kStoveTop / 2}}};
  m.supports = {SupportSpec{"cook_region", "", {kStoveBurnerX, 0, kStoveTop}, 0.075, 0.075, false}};
  m.parts = {"knob"};
  ArticulationSpec knob;
  knob.region = "";
  knob.kind = ArticulationKind::kKnob;
  knob.part = "knob";
  knob.joint = "knob_joint";
  knob.open_at = 0.5;
  knob.closed_at = 0.15;
  knob.init_open = {1.0, 1.3};
  knob.init_closed = {0.0, 0.0};
  knob.max = 1.6;
  knob.handle = {0, 0, 0.044};  // grasp point on the fin, knob frame
  m.articulations = {knob};
  m.obstacles.push_back(ObstacleBox{"knob", {0, 0, 0.023}, {0.02, 0.02, 0.023}});
  m.glow_geoms = {"burner_0"};
  m.build = [=](ModelBuild& b) {
    const mj::Rgba black{0.1, 0.1, 0.11, 1}, steel{0.62, 0.62, 0.65, 1};
    const double top = kStoveTop;
    solid_box(b.root, {kStoveHalf, kStoveHalf, top / 2}, {kStoveBurnerX, 0, top / 2}, black, 800);
    decal_box(b.root, {kStoveHalf + 0.0006, kStoveHalf + 0.0006, 0.0035},
              {kStoveBurnerX, 0, top - 0.0045}, steel);  // steel rim band
    decal_cylinder(b.root, 0.0625, 0.0008, {kStoveBurnerX, 0, top + 0.0004}, {0.12, 0.12, 0.13, 1},
                   b.geom_name("burner_0"));
    decal_cylinder(b.root, 0.035, 0.001, {kStoveBurnerX, 0, top + 0.0009}, {0.3, 0.3, 0.32, 1});
    decal_cylinder(b.root, 0.012, 0.0012, {kStoveBurnerX, 0, top + 0.0012}, {0.2, 0.2, 0.22, 1});
    // The knob's plinth.
    solid_box(b.root, {0.03, 0.03, top / 2}, {0, 0, top / 2}, steel, 800);
    mj::XmlElement& k = b.part(b.root, "knob", {0, 0, top});
    b.scene.exclude_contact(b.name, part_name(b.name, "knob"));
    k.add("joint")
        .set("name", part_name(b.name, "knob_joint"))
        .set("type", "hinge")
        .set("axis", {0, 0, 1})
        .set("range", {0, 1.6})
        .set("damping", 0.02)
        .set("frictionloss", 0.01)
        .set("armature", 0.001);
    solid_cylinder(k, 0.016, 0.01, {0, 0, 0.01}, steel, 600);
    solid_box(k, {0.018, 0.004, 0.013}, {0, 0, 0.033}, {0.9, 0.9, 0.92, 1}, 600)
        .set("friction", {1.5, 0.02, 0.001});
    decal_box(k, {0.006, 0.0045, 0.004}, {0.013, 0, 0.04}, {0.85, 0.1, 0.1, 1});  // pointer
  };
  return m;
}

// LIBERO's microwave.xml opens towards its model's -y (door hinged at -x,
// control panel at +x), so that a yaw of 0 at the table's left (y = +0.35,
// KITCHEN_SCENE6) turns the opening towards the table's middle. The geometry
// below is written in (front, side, z), front growing out of the opening,
// side towards the control panel: model (x, y) = (side, -front).
// (Ours stands 0.34 m tall against LIBERO's 0.19 m: the expert inserts
// fingers-down, which a 0.19 m cavity would not admit.)
ObjectModel microwave() {
  constexpr auto mw_at = [](double front, double side, double z) {
    return geo::Vec3{side, -front, z};
  };
  constexpr auto mw_half = [](double front, double side, double z) {
    return geo::Vec3{side, front, z};
  };
  ObjectModel m;
  m.category = "microwave";
  m.description = "white microwave, door hinged on its left, opening to its -y (as LIBERO's)";
  m.fixture = true;
  const double hx = 0.14, hy = 0.21, h = 0.34, t = 0.02;  // hx: front-back, hy: side
  const geo::Vec3 foot = mw_half(hx + t, hy, h);
  set_box_footprint(m, foot[0], foot[1], h);
  const geo::Vec3 top = mw_half(hx - 0.01, hy - 0.01, 0);
  m.supports = {SupportSpec{"top_side", "", {0, 0, h}, top[0], top[1], false}};
  // The cavity: front in [-0.12, 0.14], side in [-0.19, 0.11], z in [0.02, 0.32].
  m.containers = {ContainerSpec{"heating_region", "", mw_at(0.01, -0.04, t + 0.15),
                                mw_half(0.13, 0.15, 0.15), Entry::kFront, mw_at(1, 0, 0), true,
                                ""}};
  m.parts = {"door"};
  ArticulationSpec door;
  door.region = "";
  door.kind = ArticulationKind::kDoor;
  door.part = "door";
  door.joint = "door_hinge";
  door.open_at = 0.8;
  door.closed_at = 0.08;
  door.init_open = {1.45, 1.6};
  door.init_closed = {0.0, 0.0};
  door.max = 1.75;
  door.out = mw_at(1, 0, 0);
  door.door_width = 0.32;
  door.door_thickness = t;
  door.door_height = 0.3;
  door.door_bottom = t;
  m.articulations = {door};
  // The door's box is in its own frame (door along its y, outer face at +x).
  m.obstacles = {ObstacleBox{"", {0, 0, h / 2}, mw_half(hx, hy, h / 2)},
                 ObstacleBox{"door", {0.005, 0.16, 0.15}, {0.025, 0.16, 0.15}}};
  m.build = [=](ModelBuild& b) {
    const mj::Rgba white{0.9, 0.9, 0.88, 1}, dark{0.15, 0.15, 0.17, 1};
    mj::XmlElement& r = b.root;
    solid_box(r, mw_half(hx, hy, t / 2), mw_at(0, 0, t / 2), white, 500);
    solid_box(r, mw_half(hx, hy, t / 2), mw_at(0, 0, h - t / 2), white, 500);
    solid_box(r, mw_half(t / 2, hy, (h - 2 * t) / 2), mw_at(-hx + t / 2, 0, h / 2), white, 500);
    solid_box(r, mw_half(hx - t / 2, t / 2, (h - 2 * t) / 2), mw_at(t / 2, -hy + t / 2, h / 2),
              white, 500);
    // Control panel on the right, with a display and buttons.
    solid_box(r, mw_half(hx, 0.05, (h - 2 * t) / 2), mw_at(0, 0.16, h / 2), white, 500);
    decal_box(r, mw_half(0.0008, 0.035, 0.02), mw_at(hx + 0.0004, 0.16, 0.26),
              {0.1, 0.25, 0.15, 1});
    for (int i = 0; i < 3; ++i) {
      decal_box(r, mw_half(0.0008, 0.03, 0.012), mw_at(hx + 0.0004, 0.16, 0.19 - 0.04 * i),
                {0.55, 0.55, 0.58, 1});
    }
    decal_cylinder(r, 0.1, 0.002, mw_at(0.0, -0.04, t + 0.002), {0.8, 0.82, 0.85, 0.6});
    decal_box(r, mw_half(hx - t, 0.15, 0.0008), mw_at(0.01 - t / 2, -0.04, t + 0.0008),
              shade(white, 0.7));
    // The door: hinge on the left front corner, opening outwards for q > 0;
    // its frame is turned so that its x is the outward normal.
    mj::XmlElement& d = b.part(r, "door", mw_at(hx + t / 2, -hy, t));
    d.set("quat", geo::quat_from_yaw(-kPi / 2));
    b.scene.exclude_contact(b.name, part_name(b.name, "door"));
    d.add("joint")
        .set("name", part_name(b.name, "door_hinge"))
        .set("type", "hinge")
        .set("axis", {0, 0, -1})
        .set("range", {0, 1.75})
        .set("damping", 0.3)
        .set("frictionloss", 0.05)
        .set("armature", 0.01);
    solid_box(d, {t / 2, 0.16, 0.15}, {0, 0.16, 0.15}, white, 250);
    decal_box(d, {0.0008, 0.11, 0.1}, {t / 2 + 0.0004, 0.14, 0.15}, dark);
    solid_box(d, {0.01, 0.008, 0.08}, {t / 2 + 0.01, 0.29, 0.15}, {0.5, 0.5, 0.52, 1}, 250);
  };
  return m;
}

}  // namespace

void add_kitchen_fixtures(std::vector<ObjectModel>& out) {
  out.push_back(cabinet("wooden_cabinet",
                        "wooden cabinet with three drawers (fronts at -y, as LIBERO's)",
                        {0.55, 0.36, 0.2, 1}, {0.62, 0.42, 0.24, 1}));
  out.push_back(cabinet("white_cabinet",
                        "white cabinet with three drawers (fronts at -y, as LIBERO's)",
                        {0.9, 0.9, 0.88, 1}, {0.95, 0.95, 0.93, 1}));
  out.push_back(flat_stove());
  out.push_back(microwave());
}

}  // namespace gauntlet::suites::libero
