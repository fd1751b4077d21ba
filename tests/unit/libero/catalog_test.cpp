// The object library: every model compiles, rests without moving, and can be
// grasped by the gripper as its grasp declares.
#include <catch2/catch.hpp>

#include <cmath>

#include "suites/libero/objects/catalog.hpp"
#include "tests/unit/libero/lab_scene.hpp"

namespace libero = gauntlet::suites::libero;
using gauntlet::testing::LabScene;

TEST_CASE(
    "Every graspable model fits the gripper: width, fingertips above the table, palm above the top",
    "[libero][catalog]") {
  for (const auto& category : libero::model_categories()) {
    const libero::ObjectModel& m = *libero::find_model(category);
    INFO(category);
    if (m.grasp.style == libero::GraspStyle::kAcross) {
      CHECK(m.grasp.width <= 0.076);            // the fingers open to 9 cm
      CHECK(m.grasp.point[2] - 0.02 >= 0.002);  // fingertips 2 cm below the grasp point
      // The palm is 7 cm above the grasp point; only handles may reach higher.
      if (m.grasp.point[0] == 0 && m.grasp.point[1] == 0)
        CHECK(m.grasp.point[2] + 0.07 >= m.height + 0.002);
      CHECK(m.grasp.period > 0);
    }
    if (m.grasp.style == libero::GraspStyle::kDragInside) {
      const libero::SupportSpec* own = m.support("");
      REQUIRE(own != nullptr);
      CHECK(m.grasp.drag_radius + 0.012 < own->half_x);  // closed pads stay inside the rim
    }
    CHECK(m.radius >= std::max(m.half_x, m.half_y) - 1e-9);
  }
}

TEST_CASE("The library covers LIBERO's categories of the four suites", "[libero][catalog]") {
  for (const char* c : {"akita_black_bowl",
                        "plate",
                        "glazed_rim_porcelain_ramekin",
                        "cookies",
                        "basket",
                        "alphabet_soup",
                        "cream_cheese",
                        "butter",
                        "milk",
                        "orange_juice",
                        "ketchup",
                        "tomato_sauce",
                        "bbq_sauce",
                        "salad_dressing",
                        "chocolate_pudding",
                        "wine_bottle",
                        "black_book",
                        "moka_pot",
                        "porcelain_mug",
                        "white_yellow_mug",
                        "red_coffee_mug",
                        "chefmate_8_frypan",
                        "wooden_tray",
                        "wooden_cabinet",
                        "white_cabinet",
                        "flat_stove",
                        "microwave",
                        "wine_rack",
                        "desk_caddy",
                        "shelf",
                        "table",
                        "kitchen_table",
                        "living_room_table",
                        "study_table",
                        "floor"}) {
    INFO(c);
    CHECK(libero::find_model(c) != nullptr);
  }
  CHECK(libero::find_model("teapot") == nullptr);
}

TEST_CASE("Every model compiles and rests on the table without drifting", "[libero][catalog]") {
  for (const auto& category : libero::model_categories()) {
    const libero::ObjectModel& m = *libero::find_model(category);
    if (m.table) continue;
    INFO(category);
    // The thing in the middle, and a probe object for the goal (goals move objects).
    std::string yaml = "  - id: rest\n    family: libero_scene\n    instruction: rest\n";
    yaml += "    fixtures: {main_table: table" +
            (m.fixture ? ", thing: " + category : std::string()) + "}\n";
    yaml += "    objects: {probe: cream_cheese" +
            (m.fixture ? std::string() : ", thing: " + category) + "}\n";
    yaml += "    regions:\n";
    yaml += "      - {name: middle, target: main_table, ranges: [[0.05, 0.0, 0.05, 0.0]]}\n";
    yaml += "      - {name: corner, target: main_table, ranges: [[-0.4, -0.5, -0.4, -0.5]]}\n";
    yaml += "    init: [On thing main_table_middle, On probe main_table_corner]\n";
    yaml += "    goal: [On probe main_table_middle]\n";
    LabScene s(yaml);
    s.initialize(3);
    const auto sim = s.sim();
    const int body = sim.body("thing");
    const auto start = sim.body_pos(body);
    for (int i = 0; i < 500; ++i) mj_step(s.model(), s.data());  // one second
    for (int w = 0; w < mjNWARNING; ++w) CHECK(s.data()->warning[w].number == 0);
    const auto end = sim.body_pos(body);
    CHECK(std::hypot(end[0] - start[0], end[1] - start[1]) < 0.003);
    CHECK(std::abs(end[2] - start[2]) < 0.004);
    CHECK(libero::uprightness(libero::Frame{end, sim.body_quat(body)}) > 0.999);
    // Articulated parts stay where :init put them (closed).
    for (const auto& a : m.articulations) {
      CHECK(std::abs(sim.joint_pos(sim.joint("thing/" + a.joint))) < 0.005);
    }
    // Resting means on its bottom: the library's origin convention.
    if (!m.fixture) CHECK(end[2] == Approx(0.0).margin(0.004));
  }
}
