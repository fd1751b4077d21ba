// Static furniture: wine rack, desk caddy, two-level shelf, and the table
// categories (LIBERO's table, kitchen_table, living_room_table, study_table
// and floor all map to gauntlet's one tabletop, each with its own colour).

#include <cmath>

#include "suites/libero/objects/families.hpp"
#include "suites/libero/objects/shapes.hpp"

namespace gauntlet::suites::libero {
namespace {

ObjectModel wine_rack() {
  ObjectModel m;
  m.category = "wine_rack";
  m.description = "wooden wine rack; bottles stand on its top (front at -x)";
  m.fixture = true;
  const double hx = 0.08, hy = 0.13, h = 0.15, board = 0.015;
  set_box_footprint(m, hx, hy, h);
  m.supports = {SupportSpec{"top_region", "", {0, 0, h}, hx - 0.025, hy - 0.025, false}};
  m.build = [=](ModelBuild& b) {
    const mj::Rgba wood{0.5, 0.32, 0.17, 1};
    solid_box(b.root, {hx, hy, board / 2}, {0, 0, board / 2}, shade(wood, 0.85), 500);
    solid_box(b.root, {hx, hy, board / 2}, {0, 0, h - board / 2}, wood, 500);
    for (const double sx : {-1.0, 1.0}) {
      for (const double sy : {-1.0, 1.0}) {
        solid_box(b.root, {0.008, 0.008, (h - 2 * board) / 2},
                  {sx * (hx - 0.008), sy * (hy - 0.008), h / 2}, wood, 500);
      }
    }
    // A lattice of diagonals on the front and back, and three bottle cradles on top.
    const double diag = std::hypot(hy, (h - 2 * board) / 2);
    const double angle = std::atan2((h - 2 * board) / 2, hy);
    for (const double sx : {-1.0, 1.0}) {
      for (const double sa : {-1.0, 1.0}) {
        decal_box(b.root, {0.004, diag, 0.006}, {sx * (hx - 0.004), 0, h / 2}, shade(wood, 0.75))
            .set("quat", geo::quat_from_rotvec({sa * angle, 0, 0}));
      }
    }
    for (const double y : {-0.075, 0.0, 0.075}) {
      decal_cylinder(b.root, 0.032, 0.0008, {0, y, h + 0.0004}, shade(wood, 0.6));
      decal_cylinder(b.root, 0.026, 0.001, {0, y, h + 0.0006}, shade(wood, 0.9));
    }
  };
  return m;
}

ObjectModel desk_caddy() {
  ObjectModel m;
  m.category = "desk_caddy";
  m.description = "desk caddy: back compartment (+x), left/right pockets, front tray (-x)";
  m.fixture = true;
  const double x0 = -0.105, x1 = 0.125, hy = 0.11, h = 0.07, t = 0.006, floor = 0.008;
  set_box_footprint(m, (x1 - x0) / 2, hy, h);
  m.obstacles = {ObstacleBox{"", {(x0 + x1) / 2, 0, h / 2}, {(x1 - x0) / 2, hy, h / 2}}};
  // Inside faces of the walls and dividers.
  const double back_lo = 0.030, back_hi = x1 - t, mid_lo = -0.040, mid_hi = 0.024;
  const double front_lo = x0 + t, front_hi = -0.046, in_y = hy - t;
  const auto box = [&](const char* region, double xa, double xb, double ya, double yb) {
    const double zc = floor + 0.04;
    return ContainerSpec{region,
                         "",
                         {(xa + xb) / 2, (ya + yb) / 2, zc},
                         {(xb - xa) / 2, (yb - ya) / 2, 0.04},
                         Entry::kTop,
                         {1, 0, 0},
                         false,
                         ""};
  };
  m.containers = {box("back_contain_region", back_lo, back_hi, -in_y, in_y),
                  box("left_contain_region", mid_lo, mid_hi, 0.003, in_y),
                  box("right_contain_region", mid_lo, mid_hi, -in_y, -0.003),
                  box("front_contain_region", front_lo, front_hi, -in_y, in_y)};
  m.build = [=](ModelBuild& b) {
    const mj::Rgba metal{0.25, 0.26, 0.3, 1};
    mj::XmlElement& r = b.root;
    const double cx = (x0 + x1) / 2, hx = (x1 - x0) / 2;
    const double wz = (floor + h) / 2, whz = (h - floor) / 2;
    solid_box(r, {hx, hy, floor / 2}, {cx, 0, floor / 2}, shade(metal, 0.8), 800);
    solid_box(r, {t / 2, hy, whz}, {x1 - t / 2, 0, wz}, metal, 800);
    solid_box(r, {t / 2, hy, whz}, {x0 + t / 2, 0, wz}, metal, 800);
    for (const double s : {-1.0, 1.0}) {
      solid_box(r, {hx - t, t / 2, whz}, {cx, s * (hy - t / 2), wz}, metal, 800);
    }
    solid_box(r, {t / 2, hy - t, whz}, {back_lo - t / 2, 0, wz}, metal, 800);
    solid_box(r, {t / 2, hy - t, whz}, {front_hi + t / 2, 0, wz}, metal, 800);
    solid_box(r, {(mid_hi - mid_lo) / 2, 0.003, whz}, {(mid_lo + mid_hi) / 2, 0, wz}, metal, 800);
    decal_box(r, {(back_hi - back_lo) / 2, in_y, 0.0006},
              {(back_lo + back_hi) / 2, 0, floor + 0.0004}, {0.45, 0.2, 0.15, 1});
  };
  return m;
}

ObjectModel shelf(const char* category) {
  ObjectModel m;
  m.category = category;
  m.description = "two-level wooden shelf (open at -x)";
  m.fixture = true;
  const double hx = 0.1, hy = 0.18, h = 0.3, board = 0.015;
  set_box_footprint(m, hx, hy, h);
  m.supports = {
      SupportSpec{"top_side", "", {0, 0, h}, hx - 0.01, hy - 0.01, false},
      SupportSpec{"top_region", "", {0, 0, 0.15 + board / 2}, hx - 0.02, hy - 0.03, false},
      SupportSpec{"bottom_region", "", {0, 0, board}, hx - 0.02, hy - 0.03, false}};
  m.build = [=](ModelBuild& b) {
    const mj::Rgba wood{0.6, 0.44, 0.28, 1};
    for (const double z : {board / 2, 0.15, h - board / 2}) {
      solid_box(b.root, {hx, hy, board / 2}, {0, 0, z}, wood, 500);
    }
    for (const double s : {-1.0, 1.0}) {
      solid_box(b.root, {hx, board / 2, (h - 2 * board) / 2}, {0, s * (hy - board / 2), h / 2},
                shade(wood, 0.9), 500);
    }
    solid_box(b.root, {board / 2, hy - board, (h - 2 * board) / 2}, {hx - board / 2, 0, h / 2},
              shade(wood, 0.8), 500);
  };
  return m;
}

ObjectModel table(const char* category, const char* description, const mj::Rgba& rgba) {
  ObjectModel m;
  m.category = category;
  m.description = description;
  m.fixture = true;
  m.table = true;
  m.table_rgba = rgba;
  m.radius = 0;
  m.half_x = 0;
  m.half_y = 0;
  m.height = 0;
  m.obstacles.clear();
  return m;
}

}  // namespace

void add_furniture(std::vector<ObjectModel>& out) {
  out.push_back(wine_rack());
  out.push_back(desk_caddy());
  out.push_back(shelf("shelf"));
  out.push_back(shelf("wooden_two_layer_shelf"));
  out.push_back(table("table", "the tabletop (LIBERO main_table)", {0.62, 0.48, 0.33, 1}));
  out.push_back(table("kitchen_table", "the tabletop, light wood", {0.74, 0.62, 0.46, 1}));
  out.push_back(table("living_room_table", "the tabletop, dark wood", {0.42, 0.28, 0.18, 1}));
  out.push_back(table("study_table", "the tabletop, grey", {0.56, 0.56, 0.58, 1}));
  out.push_back(
      table("floor", "the tabletop standing in for LIBERO's floor", {0.5, 0.52, 0.55, 1}));
}

}  // namespace gauntlet::suites::libero
