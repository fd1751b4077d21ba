// The goal predicates on hand-placed scenes: On at the margins of a support,
// a table region and a fixture's region; In a container's volume; drawer and
// door thresholds; the knob and the burners it lights.
#include <catch2/catch.hpp>

#include "tests/unit/libero/lab_scene.hpp"

using gauntlet::testing::LabScene;

namespace {

// Goals, in order: 0 On bowl plate, 1 In soup basket, 2 Open top drawer,
// 3 Close microwave, 4 TurnOn stove, 5 On soup table spot, 6 Close top
// drawer, 7 On bowl stove cooking area.
const char* kLab = R"(  - id: lab
    family: libero_scene
    instruction: test the predicates
    fixtures:
      main_table: table
      wooden_cabinet_1: wooden_cabinet
      flat_stove_1: flat_stove
      microwave_1: microwave
    objects:
      bowl_1: akita_black_bowl
      plate_1: plate
      basket_1: basket
      soup_1: alphabet_soup
    regions:
      - {name: cabinet_region, target: main_table, ranges: [[0.25, -0.35, 0.25, -0.35]], yaw: [[3.14159265, 3.14159265]]}
      - {name: stove_region, target: main_table, ranges: [[-0.35, 0.25, -0.35, 0.25]]}
      - {name: microwave_region, target: main_table, ranges: [[0.25, 0.4, 0.25, 0.4]]}
      - {name: plate_region, target: main_table, ranges: [[0.0, 0.0, 0.0, 0.0]]}
      - {name: bowl_region, target: main_table, ranges: [[-0.15, -0.12, -0.13, -0.1]]}
      - {name: basket_region, target: main_table, ranges: [[-0.1, 0.25, -0.1, 0.25]]}
      - {name: soup_region, target: main_table, ranges: [[0.1, -0.12, 0.12, -0.1]]}
      - {name: spot, target: main_table, ranges: [[0.1, 0.1, 0.2, 0.2]]}
    init:
      - On wooden_cabinet_1 main_table_cabinet_region
      - On flat_stove_1 main_table_stove_region
      - On microwave_1 main_table_microwave_region
      - On plate_1 main_table_plate_region
      - On bowl_1 main_table_bowl_region
      - On basket_1 main_table_basket_region
      - On soup_1 main_table_soup_region
      - Open microwave_1
    goal:
      - On bowl_1 plate_1
      - In soup_1 basket_1_contain_region
      - Open wooden_cabinet_1_top_region
      - Close microwave_1
      - Turnon flat_stove_1
      - On soup_1 main_table_spot
      - Close wooden_cabinet_1_top_region
      - On bowl_1 flat_stove_1_cook_region
)";

LabScene& lab() {
  static LabScene scene(kLab);
  scene.initialize(7);
  return scene;
}

}  // namespace

TEST_CASE("On holds for a bowl resting on the plate and fails past the plate's inner rim",
          "[libero][predicates]") {
  LabScene& s = lab();
  s.put("plate_1", 0, 0, 0);
  const double top = 0.01;  // the plate's base
  s.put("bowl_1", 0, 0, top);
  CHECK(s.holds(0));
  s.put("bowl_1", 0.051, 0, top);  // the support reaches 0.052 from the centre
  CHECK(s.holds(0));
  s.put("bowl_1", 0.053, 0, top);
  CHECK_FALSE(s.holds(0));
  s.put("bowl_1", 0, -0.053, top);
  CHECK_FALSE(s.holds(0));
}

TEST_CASE("On needs the object resting: not hovering above, not beside", "[libero][predicates]") {
  LabScene& s = lab();
  s.put("plate_1", 0, 0, 0);
  s.put("bowl_1", 0, 0, 0.01 + 0.014);  // within the resting tolerance, no contact
  CHECK(s.holds(0));
  s.put("bowl_1", 0, 0, 0.01 + 0.017);
  CHECK_FALSE(s.holds(0));
  s.put("bowl_1", 0, 0, 0.06);
  CHECK_FALSE(s.holds(0));
  s.put("bowl_1", 0.2, 0, 0);  // on the table next to the plate
  CHECK_FALSE(s.holds(0));
}

TEST_CASE("On is false while both fingers grip the object", "[libero][predicates]") {
  LabScene& s = lab();
  s.put("plate_1", 0, 0, 0);
  s.put("bowl_1", 0, 0, 0.01);
  REQUIRE(s.holds(0));
  // The gripper around the bowl, fingers closing along y onto its 7.6 cm wall.
  s.sim().set_free_pose(s.sim().body("gripper"), {0, 0, 0.04}, {1, 0, 0, 0});
  s.set_joint("finger_left", 0.0375);
  s.set_joint("finger_right", 0.0375);
  CHECK(s.evaluator().grasped(s.scene().find("bowl_1")));
  CHECK_FALSE(s.holds(0));
  s.set_joint("finger_left", 0.045);
  s.set_joint("finger_right", 0.045);
  CHECK_FALSE(s.evaluator().grasped(s.scene().find("bowl_1")));
  CHECK(s.holds(0));
}

TEST_CASE("In holds for a centre inside the basket's volume only", "[libero][predicates]") {
  LabScene& s = lab();
  s.put("basket_1", -0.1, 0.25, 0);
  const double floor = 0.008;
  s.put("soup_1", -0.1, 0.25, floor);
  CHECK(s.holds(1));
  s.put("soup_1", -0.1 + 0.071, 0.25, floor);  // the inside reaches 0.072 along x
  CHECK(s.holds(1));
  s.put("soup_1", -0.1 + 0.073, 0.25, floor);
  CHECK_FALSE(s.holds(1));
  s.put("soup_1", -0.1, 0.25, 0.2);  // above the basket
  CHECK_FALSE(s.holds(1));
  s.put("soup_1", 0.1, -0.1, 0);  // on the table
  CHECK_FALSE(s.holds(1));
}

TEST_CASE("Open and Close of a drawer switch at 8 cm and 1.5 cm", "[libero][predicates]") {
  LabScene& s = lab();
  const std::string j = "wooden_cabinet_1/top_drawer_slide";
  s.set_joint(j, 0.079);
  CHECK_FALSE(s.holds(2));
  s.set_joint(j, 0.081);
  CHECK(s.holds(2));
  CHECK_FALSE(s.holds(6));
  s.set_joint(j, 0.016);
  CHECK_FALSE(s.holds(6));
  s.set_joint(j, 0.014);
  CHECK(s.holds(6));
  CHECK_FALSE(s.holds(2));
}

TEST_CASE("Close of the microwave holds once the door is within 0.08 rad", "[libero][predicates]") {
  LabScene& s = lab();
  const std::string j = "microwave_1/door_hinge";
  CHECK(s.sim().joint_pos(s.sim().joint(j)) > 1.4);  // :init opened it
  CHECK_FALSE(s.holds(3));
  s.set_joint(j, 0.09);
  CHECK_FALSE(s.holds(3));
  s.set_joint(j, 0.07);
  CHECK(s.holds(3));
}

TEST_CASE("TurnOn follows the knob's angle and the burners glow while it is on",
          "[libero][predicates]") {
  LabScene& s = lab();
  const mjModel* m = s.model();
  const int burner = mj_name2id(m, mjOBJ_GEOM, "flat_stove_1/burner_0");
  REQUIRE(burner >= 0);
  const std::string j = "flat_stove_1/knob_joint";
  s.set_joint(j, 0.49);
  CHECK_FALSE(s.holds(4));
  gauntlet::suites::libero::update_glow(
      s.scene(), gauntlet::suites::libero::SceneIds::resolve(s.scene(), m), s.sim());
  CHECK(m->geom_rgba[4 * burner] < 0.3f);
  s.set_joint(j, 0.51);
  CHECK(s.holds(4));
  gauntlet::suites::libero::update_glow(
      s.scene(), gauntlet::suites::libero::SceneIds::resolve(s.scene(), m), s.sim());
  CHECK(m->geom_rgba[4 * burner] > 0.9f);
  CHECK(m->geom_rgba[4 * burner + 2] < 0.2f);
}

TEST_CASE("On a table region needs the object's centre inside the region's rectangle",
          "[libero][predicates]") {
  LabScene& s = lab();
  s.put("soup_1", 0.101, 0.15, 0);
  CHECK(s.holds(5));
  s.put("soup_1", 0.099, 0.15, 0);
  CHECK_FALSE(s.holds(5));
  s.put("soup_1", 0.15, 0.199, 0);
  CHECK(s.holds(5));
  s.put("soup_1", 0.15, 0.15, 0.05);  // floating over it
  CHECK_FALSE(s.holds(5));
}

TEST_CASE("On a fixture's region uses the region's rectangle on the fixture",
          "[libero][predicates]") {
  LabScene& s = lab();
  // The stove stands at (-0.35, 0.25); as LIBERO's flat_stove, its cooking
  // area is centred 0.15 m along +x from the knob at its origin, 7.5 cm to
  // either side, on its 3 cm high top.
  s.put("bowl_1", -0.20, 0.25, 0.03);
  CHECK(s.holds(7));
  s.put("bowl_1", -0.20, 0.25 + 0.074, 0.03);
  CHECK(s.holds(7));
  s.put("bowl_1", -0.20, 0.25 + 0.076, 0.03);
  CHECK_FALSE(s.holds(7));
  s.put("bowl_1", -0.35, 0.25, 0.03);  // over the knob, not the cooking area
  CHECK_FALSE(s.holds(7));
  s.put("bowl_1", -0.20, 0.25, 0.0);  // under the top's height: not on it
  CHECK_FALSE(s.holds(7));
}

TEST_CASE("Partial progress grows as the object nears its place and stays below 1",
          "[libero][predicates]") {
  LabScene& s = lab();
  s.put("plate_1", 0, 0, 0);
  s.put("bowl_1", -0.3, 0, 0);
  auto eval = s.evaluator();
  const double base = eval.baseline(s.goal(0));
  CHECK(base == Approx(0.3).margin(1e-6));
  CHECK(eval.partial(s.goal(0), base) == Approx(0.0).margin(1e-9));
  s.put("bowl_1", -0.15, 0, 0);
  const double half = s.evaluator().partial(s.goal(0), base);
  CHECK(half == Approx(0.35).margin(1e-6));
  s.put("bowl_1", -0.07, 0, 0);
  CHECK(s.evaluator().partial(s.goal(0), base) > half);
  CHECK(s.evaluator().partial(s.goal(0), base) < 1.0);
}

TEST_CASE("The initial state is a function of the seed", "[libero][placement]") {
  LabScene& s = lab();
  s.initialize(11);
  const std::vector<double> a(s.data()->qpos, s.data()->qpos + s.model()->nq);
  s.initialize(11);
  const std::vector<double> b(s.data()->qpos, s.data()->qpos + s.model()->nq);
  s.initialize(12);
  const std::vector<double> c(s.data()->qpos, s.data()->qpos + s.model()->nq);
  CHECK(a == b);
  CHECK(a != c);
  // The bowl starts inside its 2 x 2 cm region, the microwave door open.
  const auto bowl = s.sim().body_pos(s.sim().body("bowl_1"));
  CHECK(bowl[0] >= -0.15);
  CHECK(bowl[0] <= -0.13);
  CHECK(bowl[1] >= -0.12);
  CHECK(bowl[1] <= -0.1);
  CHECK(s.sim().joint_pos(s.sim().joint("microwave_1/door_hinge")) >= 1.45);
}
