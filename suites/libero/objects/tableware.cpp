// Tableware and containers: bowl, plate, ramekin, mugs, moka pot, frying pan,
// basket, tray and book. Concave shapes are a floor plus a ring of wall boxes
// in one body; the expert grasps them across the outside of the wall.

#include <cmath>

#include "suites/libero/objects/families.hpp"
#include "suites/libero/objects/shapes.hpp"

namespace gauntlet::suites::libero {
namespace {

// A round open vessel: floor disc plus a ring of `segments` walls.
struct Vessel {
  double radius;  // outer radius
  double height;
  double wall = 0.004;
  double floor = 0.006;
  int segments = 12;
  double density = 1500;
};

void build_vessel(mj::XmlElement& body, const Vessel& v, const mj::Rgba& rgba) {
  solid_cylinder(body, v.radius - v.wall, v.floor / 2, {0, 0, v.floor / 2}, rgba, v.density);
  add_ring(body, {0, 0, 0}, v.radius - v.wall / 2, v.wall, v.floor, v.height, v.segments, rgba,
           v.density);
}

// Grasped across the outside of the wall, fingers meeting two flat segments.
GraspSpec vessel_grasp(const Vessel& v, double grasp_z) {
  GraspSpec g;
  g.style = GraspStyle::kAcross;
  g.point = {0, 0, grasp_z};
  g.yaw = 0.0;
  g.period = 2 * kPi / v.segments;
  // Across flats of the polygon (the segments' outer faces).
  g.width = 2 * v.radius;
  return g;
}

ObjectModel mug(const char* category, const char* description, const mj::Rgba& lower,
                const mj::Rgba& upper) {
  ObjectModel m;
  m.category = category;
  m.description = description;
  const Vessel v{0.035, 0.085, 0.005, 0.006, 12, 1400};
  set_round_footprint(m, 0.062, v.height);
  m.half_x = 0.062;  // handle side
  m.half_y = v.radius;
  m.obstacles = {ObstacleBox{"", {0.0135, 0, v.height / 2}, {0.0485, v.radius, v.height / 2}}};
  m.grasp = vessel_grasp(v, 0.06);
  m.grasp.period = kPi;  // across y only: the handle sticks out along x
  m.supports = {SupportSpec{"", "", {0, 0, v.floor}, v.radius - 0.01, 0, true}};
  m.build = [=](ModelBuild& b) {
    solid_cylinder(b.root, v.radius - v.wall, v.floor / 2, {0, 0, v.floor / 2}, lower, v.density);
    // One colliding wall ring; the upper colour is drawn over it (two
    // stacked colliding rings would give the fingers an edge to hook on).
    add_ring(b.root, {0, 0, 0}, v.radius - v.wall / 2, v.wall, v.floor, v.height, v.segments, lower,
             v.density);
    add_ring(b.root, {0, 0, 0}, v.radius - v.wall / 2, v.wall + 0.0012, 0.05, v.height + 0.0005,
             v.segments, upper, 0);
    // A C-shaped handle on the +x side.
    for (const double z : {0.024, 0.066}) {
      solid_box(b.root, {0.011, 0.006, 0.005}, {v.radius + 0.009, 0, z}, lower, v.density);
    }
    solid_box(b.root, {0.005, 0.006, 0.026}, {v.radius + 0.021, 0, 0.045}, lower, v.density);
  };
  return m;
}

// A book lying flat, grasped across its width, with page edges and a title.
ObjectModel book(const char* category, const char* description, const mj::Rgba& cover) {
  ObjectModel m;
  m.category = category;
  m.description = description;
  const double hx = 0.065, hy = 0.035, h = 0.025;
  set_box_footprint(m, hx, hy, h);
  m.grasp.style = GraspStyle::kAcross;
  m.grasp.point = {0, 0, 0.023};
  m.grasp.yaw = 0.0;
  m.grasp.width = 2 * hy;
  m.grasp.period = kPi;
  m.supports = {SupportSpec{"", "", {0, 0, h}, hx, hy, false}};
  m.build = [=](ModelBuild& b) {
    solid_box(b.root, {hx, hy, h / 2}, {0, 0, h / 2}, cover, 600);
    // Page edges on three sides, the spine on the fourth.
    decal_box(b.root, {hx - 0.004, hy + 0.0006, h / 2 - 0.003}, {-0.004, 0, h / 2},
              {0.93, 0.9, 0.82, 1});
    decal_box(b.root, {hx + 0.0006, hy - 0.004, h / 2 - 0.003}, {0, 0, h / 2},
              {0.93, 0.9, 0.82, 1});
    decal_box(b.root, {0.025, 0.02, 0.0006}, {0.01, 0, h + 0.0002}, {0.75, 0.6, 0.2, 1});
  };
  return m;
}

}  // namespace

void add_tableware(std::vector<ObjectModel>& out) {
  {
    ObjectModel m;
    m.category = "akita_black_bowl";
    m.description = "black bowl";
    const Vessel v{0.038, 0.042, 0.004, 0.006, 12, 1500};
    set_round_footprint(m, v.radius, v.height);
    m.grasp = vessel_grasp(v, 0.03);
    // "On X bowl": resting inside it, or across its rim.
    m.supports = {SupportSpec{"", "", {0, 0, v.floor}, v.radius - 0.004, 0, true}};
    const mj::Rgba black{0.07, 0.07, 0.08, 1};
    m.build = [=](ModelBuild& b) { build_vessel(b.root, v, black); };
    out.push_back(std::move(m));
  }
  {
    ObjectModel m;
    m.category = "glazed_rim_porcelain_ramekin";
    m.description = "small white ramekin with a blue rim";
    const Vessel v{0.032, 0.035, 0.004, 0.005, 10, 1500};
    set_round_footprint(m, v.radius, v.height);
    m.grasp = vessel_grasp(v, 0.025);
    // Things put on a ramekin rest on its rim.
    m.supports = {SupportSpec{"", "", {0, 0, v.height}, v.radius - 0.006, 0, true}};
    m.build = [=](ModelBuild& b) {
      build_vessel(b.root, v, {0.94, 0.94, 0.92, 1});
      // The blue glaze is drawn only (density 0).
      add_ring(b.root, {0, 0, 0}, v.radius - v.wall / 2, v.wall + 0.001, v.height - 0.004,
               v.height + 0.0005, v.segments, {0.2, 0.35, 0.75, 1}, 0);
    };
    out.push_back(std::move(m));
  }
  {
    ObjectModel m;
    m.category = "plate";
    m.description = "white plate with a raised rim";
    const double r = 0.06, base = 0.01, rim_h = 0.01, rim_t = 0.008;
    set_round_footprint(m, r, base + rim_h);
    // Wider than the gripper opens: dragged by the closed fingers inside the rim.
    m.grasp.style = GraspStyle::kDragInside;
    m.grasp.drag_radius = r - rim_t - 0.016;
    m.grasp.point = {0, 0, base + 0.023};
    m.supports = {SupportSpec{"", "", {0, 0, base}, r - 0.008, 0, true}};
    const mj::Rgba white{0.95, 0.95, 0.93, 1};
    m.build = [=](ModelBuild& b) {
      solid_cylinder(b.root, r, base / 2, {0, 0, base / 2}, white, 1200);
      add_ring(b.root, {0, 0, 0}, r - rim_t / 2, rim_t, base, base + rim_h, 16, shade(white, 0.88),
               1200);
      decal_cylinder(b.root, r * 0.62, 0.0004, {0, 0, base + 0.0002}, shade(white, 0.93));
    };
    out.push_back(std::move(m));
  }
  out.push_back(mug("porcelain_mug", "white mug", {0.95, 0.95, 0.94, 1}, {0.95, 0.95, 0.94, 1}));
  out.push_back(mug("white_yellow_mug", "white mug with a yellow top", {0.95, 0.95, 0.94, 1},
                    {0.98, 0.82, 0.15, 1}));
  out.push_back(mug("red_coffee_mug", "red mug", {0.78, 0.1, 0.08, 1}, {0.78, 0.1, 0.08, 1}));
  {
    ObjectModel m;
    m.category = "moka_pot";
    m.description = "aluminium moka pot with a black handle";
    set_round_footprint(m, 0.07, 0.13);
    m.half_x = 0.07;
    m.half_y = 0.034;
    m.obstacles = {ObstacleBox{"", {0.018, 0, 0.065}, {0.052, 0.034, 0.065}}};
    m.grasp.style = GraspStyle::kAcross;
    m.grasp.point = {0, 0, 0.09};
    m.grasp.period = kPi;  // across y: the handle and spout lie along x (a prism face)
    m.grasp.width = 0.06;
    m.supports = {SupportSpec{"", "", {0, 0, 0.125}, 0.02, 0, true}};
    const mj::Rgba alu{0.72, 0.72, 0.75, 1}, black{0.06, 0.06, 0.06, 1};
    m.build = [=](ModelBuild& b) {
      solid_cylinder(b.root, 0.034, 0.0275, {0, 0, 0.0275}, alu, 500);
      solid_cylinder(b.root, 0.022, 0.006, {0, 0, 0.061}, shade(alu, 0.8), 500);
      solid_round(b.root, 0.03, 0.025, {0, 0, 0.092}, alu, 500, 0.09);
      solid_cylinder(b.root, 0.024, 0.004, {0, 0, 0.121}, shade(alu, 0.9), 500);
      decal_cylinder(b.root, 0.007, 0.005, {0, 0, 0.13}, black);
      solid_box(b.root, {0.011, 0.006, 0.005}, {-0.036, 0, 0.112}, alu, 500);  // spout
      solid_box(b.root, {0.009, 0.007, 0.004}, {0.038, 0, 0.113}, black, 500);
      solid_box(b.root, {0.007, 0.007, 0.03}, {0.05, 0, 0.088}, black, 500);  // handle
    };
    out.push_back(std::move(m));
  }
  {
    ObjectModel m;
    m.category = "chefmate_8_frypan";
    m.description = "black frying pan with a long handle";
    set_round_footprint(m, 0.21, 0.035);
    m.half_x = 0.21;
    m.half_y = 0.09;
    m.obstacles = {ObstacleBox{"", {0, 0, 0.0175}, {0.09, 0.09, 0.0175}},
                   ObstacleBox{"", {0.15, 0, 0.03}, {0.06, 0.012, 0.01}}};
    m.grasp.style = GraspStyle::kAcross;
    m.grasp.point = {0.17, 0, 0.03};
    m.grasp.width = 0.024;
    m.grasp.period = kPi;
    m.supports = {SupportSpec{"", "", {0, 0, 0.012}, 0.08, 0, true}};
    const mj::Rgba black{0.1, 0.1, 0.11, 1};
    m.build = [=](ModelBuild& b) {
      solid_cylinder(b.root, 0.09, 0.006, {0, 0, 0.006}, black, 800);
      add_ring(b.root, {0, 0, 0}, 0.087, 0.006, 0.012, 0.035, 16, black, 800);
      solid_box(b.root, {0.06, 0.012, 0.008}, {0.15, 0, 0.03}, {0.25, 0.15, 0.08, 1}, 500);
    };
    out.push_back(std::move(m));
  }
  {
    ObjectModel m;
    m.category = "basket";
    m.description = "wicker basket";
    const double ix = 0.072, iy = 0.092, h = 0.075, wall = 0.008, floor = 0.008;
    set_box_footprint(m, ix + wall, iy + wall, h);
    m.grasp.style = GraspStyle::kNone;
    m.containers = {ContainerSpec{"contain_region",
                                  "",
                                  {0, 0, floor + 0.05},
                                  {ix, iy, 0.05},
                                  Entry::kTop,
                                  {1, 0, 0},
                                  false,
                                  ""}};
    m.supports = {SupportSpec{"", "", {0, 0, floor}, ix, iy, false}};
    const mj::Rgba wicker{0.62, 0.45, 0.25, 1};
    m.build = [=](ModelBuild& b) {
      add_open_box(b.root, {0, 0, 0}, ix, iy, 0, h, wall, floor, wicker, 400);
      decal_box(b.root, {ix, iy, 0.0005}, {0, 0, floor + 0.0006}, shade(wicker, 0.7));
      // Weave bands and two side grips.
      for (const double z : {0.03, 0.055}) {
        decal_box(b.root, {ix + wall + 0.0006, iy + wall + 0.0006, 0.004}, {0, 0, z},
                  shade(wicker, 0.75));
      }
      for (const double s : {-1.0, 1.0}) {
        decal_box(b.root, {0.025, 0.004, 0.006}, {0, s * (iy + wall + 0.004), h - 0.012},
                  shade(wicker, 0.6));
      }
    };
    out.push_back(std::move(m));
  }
  {
    ObjectModel m;
    m.category = "wooden_tray";
    m.description = "shallow wooden tray";
    const double ix = 0.12, iy = 0.17, h = 0.03, wall = 0.008, floor = 0.008;
    set_box_footprint(m, ix + wall, iy + wall, h);
    m.grasp.style = GraspStyle::kNone;
    m.supports = {SupportSpec{"", "", {0, 0, floor}, ix, iy, false}};
    m.containers = {ContainerSpec{"contain_region",
                                  "",
                                  {0, 0, floor + 0.04},
                                  {ix, iy, 0.04},
                                  Entry::kTop,
                                  {1, 0, 0},
                                  false,
                                  ""}};
    m.build = [=](ModelBuild& b) {
      add_open_box(b.root, {0, 0, 0}, ix, iy, 0, h, wall, floor, {0.6, 0.43, 0.26, 1}, 500);
    };
    out.push_back(std::move(m));
  }
  out.push_back(book("black_book", "black book lying flat", {0.08, 0.08, 0.09, 1}));
  // LIBERO-90 (STUDY_SCENE4).
  out.push_back(book("yellow_book", "yellow book lying flat", {0.9, 0.75, 0.12, 1}));
  {
    // LIBERO-90 (KITCHEN_SCENE7, KITCHEN_SCENE9): lower than the black bowl,
    // as wide as the gripper still closes across.
    ObjectModel m;
    m.category = "white_bowl";
    m.description = "white bowl";
    const Vessel v{0.037, 0.036, 0.004, 0.006, 12, 1500};
    set_round_footprint(m, v.radius, v.height);
    m.grasp = vessel_grasp(v, 0.028);
    m.supports = {SupportSpec{"", "", {0, 0, v.floor}, v.radius - 0.004, 0, true}};
    const mj::Rgba white{0.94, 0.94, 0.92, 1};
    m.build = [=](ModelBuild& b) { build_vessel(b.root, v, white); };
    out.push_back(std::move(m));
  }
}

}  // namespace gauntlet::suites::libero
