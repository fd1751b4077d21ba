// Grocery items of LIBERO's object and long suites: boxes, cans, cartons and
// bottles, each a solid primitive with coloured bands so that a policy can
// tell them apart from pixels. All are sized to fit the gripper (<= 7 cm).

#include <algorithm>
#include <cmath>

#include "suites/libero/objects/families.hpp"
#include "suites/libero/objects/shapes.hpp"

namespace gauntlet::suites::libero {
namespace {

struct Look {
  mj::Rgba body;
  mj::Rgba band;
  mj::Rgba top;
};

// The palm is 7 cm above the fingertips' grasp point and must stay above the
// object's top; the fingertips (2 cm below it) must clear the table.
constexpr double kPalmAbove = 0.065;

// Grasp height: above the centre of mass, the palm clear of the top, the
// pads overlapping the object by at least 1.5 cm.
double grasp_height(double height) {
  const double high = std::min(std::max(0.65 * height, height - kPalmAbove), height - 0.012);
  return std::max(0.023, high);  // flat boxes: as high as the fingertips allow
}

// A rectangular box or carton: half extents in x and y, full height.
ObjectModel box_item(const char* category, const char* description, double hx, double hy,
                     double height, const Look& look, double density, bool gable_top = false) {
  ObjectModel m;
  m.category = category;
  m.description = description;
  set_box_footprint(m, hx, hy, height);
  m.grasp.style = GraspStyle::kAcross;
  m.grasp.point = {0, 0, grasp_height(height)};
  // Close across the narrower side; a square box can be grasped every quarter turn.
  m.grasp.yaw = hy <= hx ? 0.0 : kPi / 2;
  m.grasp.width = 2 * std::min(hx, hy);
  m.grasp.period = std::abs(hx - hy) < 1e-9 ? kPi / 2 : kPi;
  m.supports = {SupportSpec{"", "", {0, 0, gable_top ? height - 0.02 : height}, hx, hy, false}};
  m.build = [=](ModelBuild& b) {
    const double body_h = gable_top ? height - 0.02 : height;
    solid_box(b.root, {hx, hy, body_h / 2}, {0, 0, body_h / 2}, look.body, density);
    decal_box(b.root, {hx + 0.0006, hy + 0.0006, 0.22 * body_h}, {0, 0, 0.5 * body_h}, look.band);
    if (gable_top) {
      // A carton's gable: a ridge along y, a box turned 45 degrees whose
      // lower half hides inside the carton. Drawn only: the carton collides as a box.
      decal_box(b.root, {hx / std::sqrt(2.0), hy * 0.98, hx / std::sqrt(2.0)}, {0, 0, height - hx},
                look.top)
          .set("quat", geo::quat_from_rotvec({0, kPi / 4, 0}));
    } else {
      decal_box(b.root, {hx * 0.8, hy * 0.8, 0.0006}, {0, 0, height + 0.0002}, look.top);
    }
  };
  return m;
}

// A can: a cylinder with a label band and a lid.
ObjectModel can_item(const char* category, const char* description, double radius, double height,
                     const Look& look, double density) {
  ObjectModel m;
  m.category = category;
  m.description = description;
  set_round_footprint(m, radius, height);
  m.grasp.style = GraspStyle::kAcross;
  m.grasp.point = {0, 0, grasp_height(height)};
  m.grasp.period = kRoundGraspPeriod;
  m.grasp.width = 2 * radius;
  m.supports = {SupportSpec{"", "", {0, 0, height}, radius * 0.9, radius * 0.9, true}};
  m.build = [=](ModelBuild& b) {
    solid_round(b.root, radius, height / 2, {0, 0, height / 2}, look.body, density,
                m.grasp.point[2]);
    decal_cylinder(b.root, radius + 0.0006, 0.25 * height, {0, 0, 0.68 * height}, look.band);
    decal_cylinder(b.root, radius * 0.92, 0.0008, {0, 0, height + 0.0004}, look.top);
  };
  return m;
}

// A bottle: a box or cylinder body, a short neck and a cap. Grasped by the body.
ObjectModel bottle_item(const char* category, const char* description, bool round, double hx,
                        double hy, double body_height, const Look& look, double density) {
  ObjectModel m;
  m.category = category;
  m.description = description;
  const double neck_h = 0.022, cap_h = 0.014;
  const double height = body_height + neck_h + cap_h;
  if (round) {
    set_round_footprint(m, hx, height);
  } else {
    set_box_footprint(m, hx, hy, height);
  }
  m.grasp.style = GraspStyle::kAcross;
  m.grasp.point = {
      0, 0,
      std::clamp(std::max(0.7 * body_height, height - kPalmAbove), 0.023, body_height - 0.012)};
  m.grasp.yaw = round || hy <= hx ? 0.0 : kPi / 2;
  m.grasp.width = round ? 2 * hx : 2 * std::min(hx, hy);
  m.grasp.period = round ? kRoundGraspPeriod : kPi;
  m.supports = {SupportSpec{"", "", {0, 0, height}, 0.012, 0.012, true}};
  m.build = [=](ModelBuild& b) {
    if (round) {
      solid_round(b.root, hx, body_height / 2, {0, 0, body_height / 2}, look.body, density,
                  m.grasp.point[2]);
      decal_cylinder(b.root, hx + 0.0006, 0.22 * body_height, {0, 0, 0.45 * body_height},
                     look.band);
    } else {
      solid_box(b.root, {hx, hy, body_height / 2}, {0, 0, body_height / 2}, look.body, density);
      decal_box(b.root, {hx + 0.0006, hy + 0.0006, 0.22 * body_height}, {0, 0, 0.45 * body_height},
                look.band);
    }
    solid_cylinder(b.root, 0.011, neck_h / 2, {0, 0, body_height + neck_h / 2}, look.body, density);
    solid_cylinder(b.root, 0.013, cap_h / 2, {0, 0, body_height + neck_h + cap_h / 2}, look.top,
                   density);
  };
  return m;
}

}  // namespace

void add_groceries(std::vector<ObjectModel>& out) {
  const mj::Rgba white{0.95, 0.95, 0.93, 1};
  // Boxes.
  out.push_back(box_item("cream_cheese", "silver box with a blue band", 0.032, 0.022, 0.03,
                         {{0.78, 0.82, 0.88, 1}, {0.12, 0.25, 0.7, 1}, {0.85, 0.87, 0.92, 1}},
                         700));
  out.push_back(box_item("butter", "pale yellow box with a blue band", 0.038, 0.022, 0.03,
                         {{0.96, 0.9, 0.58, 1}, {0.2, 0.4, 0.78, 1}, {0.98, 0.95, 0.75, 1}}, 700));
  out.push_back(box_item("chocolate_pudding", "brown box with a cream band", 0.033, 0.022, 0.036,
                         {{0.38, 0.2, 0.09, 1}, {0.92, 0.85, 0.7, 1}, {0.3, 0.15, 0.06, 1}}, 700));
  out.push_back(box_item("cookies", "blue cookie box with a yellow band", 0.06, 0.035, 0.04,
                         {{0.15, 0.32, 0.75, 1}, {0.98, 0.8, 0.15, 1}, {0.2, 0.4, 0.85, 1}}, 400));
  // Cartons (gable top).
  out.push_back(box_item("milk", "white carton with a blue band", 0.03, 0.03, 0.14,
                         {white, {0.2, 0.4, 0.85, 1}, white}, 350, true));
  out.push_back(box_item("orange_juice", "orange carton with a green band", 0.03, 0.03, 0.14,
                         {{0.98, 0.55, 0.1, 1}, {0.2, 0.6, 0.2, 1}, white}, 350, true));
  // Cans.
  out.push_back(can_item("alphabet_soup", "red and white soup can", 0.033, 0.085,
                         {white, {0.8, 0.08, 0.08, 1}, {0.75, 0.75, 0.78, 1}}, 600));
  out.push_back(can_item("tomato_sauce", "red can with a green band", 0.031, 0.075,
                         {{0.85, 0.15, 0.08, 1}, {0.25, 0.6, 0.2, 1}, {0.75, 0.75, 0.78, 1}}, 600));
  // Bottles.
  out.push_back(bottle_item("ketchup", "red squeeze bottle with a white cap", false, 0.028, 0.018,
                            0.1, {{0.8, 0.07, 0.05, 1}, white, white}, 600));
  out.push_back(
      bottle_item("bbq_sauce", "dark brown bottle with a tan label", false, 0.027, 0.018, 0.095,
                  {{0.28, 0.11, 0.05, 1}, {0.85, 0.7, 0.45, 1}, {0.05, 0.05, 0.05, 1}}, 600));
  out.push_back(bottle_item("salad_dressing", "pale bottle with a green label", true, 0.025, 0.025,
                            0.1, {{0.88, 0.86, 0.6, 1}, {0.2, 0.55, 0.2, 1}, white}, 600));
  // LIBERO-90 (LIVING_ROOM_SCENE4): a second salad dressing, white with a red label.
  out.push_back(bottle_item("new_salad_dressing", "white bottle with a red label", true, 0.025,
                            0.025, 0.1, {white, {0.8, 0.12, 0.1, 1}, {0.15, 0.5, 0.2, 1}}, 600));
  // The rest of LIBERO's registry of graspable groceries (HOPE objects), used
  // by no LIBERO task file but importable in one's own.
  out.push_back(box_item("macaroni_and_cheese", "blue box with an orange band", 0.035, 0.02, 0.06,
                         {{0.15, 0.3, 0.75, 1}, {0.98, 0.55, 0.1, 1}, {0.2, 0.35, 0.8, 1}}, 500));
  out.push_back(box_item("popcorn", "red box with a yellow band", 0.035, 0.02, 0.055,
                         {{0.8, 0.1, 0.08, 1}, {0.98, 0.85, 0.2, 1}, {0.85, 0.12, 0.1, 1}}, 400));
  out.push_back(can_item("corn", "yellow and green can", 0.033, 0.07,
                         {{0.95, 0.82, 0.2, 1}, {0.2, 0.55, 0.2, 1}, {0.75, 0.75, 0.78, 1}}, 600));
  out.push_back(can_item("cherries", "dark red can with a white band", 0.033, 0.07,
                         {{0.55, 0.05, 0.1, 1}, white, {0.75, 0.75, 0.78, 1}}, 600));
  out.push_back(bottle_item("mayo", "white jar with a blue label", true, 0.03, 0.03, 0.07,
                            {white, {0.15, 0.3, 0.75, 1}, {0.15, 0.3, 0.75, 1}}, 600));
  // The wine bottle: a long neck above the body, grasped at the top of the body.
  {
    ObjectModel m;
    m.category = "wine_bottle";
    m.description = "dark green bottle with a cream label and a red capsule";
    // Short enough to be held by the body with the palm above the neck.
    const double r = 0.03, body_h = 0.12, shoulder_h = 0.015, neck_h = 0.035;
    const double height = body_h + shoulder_h + neck_h;
    set_round_footprint(m, r, height);
    m.grasp.style = GraspStyle::kAcross;
    m.grasp.point = {0, 0, height - kPalmAbove};
    m.grasp.width = 2 * r;
    m.grasp.period = kRoundGraspPeriod;
    m.supports = {SupportSpec{"", "", {0, 0, height}, 0.01, 0.01, true}};
    const mj::Rgba glass{0.1, 0.3, 0.15, 1};
    m.build = [=](ModelBuild& b) {
      solid_round(b.root, r, body_h / 2, {0, 0, body_h / 2}, glass, 450, m.grasp.point[2]);
      decal_cylinder(b.root, r + 0.0006, 0.03, {0, 0, 0.06}, {0.93, 0.88, 0.72, 1});
      solid_cylinder(b.root, 0.02, shoulder_h / 2, {0, 0, body_h + shoulder_h / 2}, glass, 450);
      solid_cylinder(b.root, 0.011, neck_h / 2, {0, 0, body_h + shoulder_h + neck_h / 2}, glass,
                     450);
      decal_cylinder(b.root, 0.0118, 0.01, {0, 0, height - 0.01}, {0.7, 0.08, 0.1, 1});
    };
    out.push_back(std::move(m));
  }
}

}  // namespace gauntlet::suites::libero
