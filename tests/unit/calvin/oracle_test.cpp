// Every subtask's oracle on hand-built privileged states, on both sides of
// its CALVIN threshold.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <set>

#include "suites/calvin/subtasks.hpp"

using namespace gauntlet;
using namespace gauntlet::geo;
using namespace gauntlet::suites::calvin;
namespace desk = gauntlet::bullet::desk;

namespace {

const DeskLayout& layout() {
  static const DeskLayout l = [] {
    DeskLayout d;
    d.sockets = {{0.36, -0.2}, {0.36, 0.0}, {0.36, 0.2}};
    return d;
  }();
  return l;
}

// Red and blue on the table, pink in the left compartment; drawer closed, door right.
PlayState base() {
  PlayState s;
  s.blocks[0].pose.pos = {0.36, -0.2, 0.025};
  s.blocks[1].pose.pos = {0.36, 0.1, 0.024};
  s.blocks[2].pose.pos = {0.61, 0.15, 0.018};
  for (auto& b : s.blocks) b.touch_other = true;
  return s;
}
int idx(const std::string& name) {
  const int i = subtask_index(name);
  REQUIRE(i >= 0);
  return i;
}
bool ok(const std::string& name, const PlayState& a, const PlayState& b) {
  return achieved(idx(name), a, b, layout());
}
void hold(PlayState& s, int b, double dz) {
  auto& bs = s.blocks[static_cast<std::size_t>(b)];
  bs.pose.pos[2] += dz;
  bs.touch_left = bs.touch_right = true;
  bs.touch_other = false;
}

}  // namespace

TEST_CASE("The 34 CALVIN subtasks have unique names, categories and annotations", "[calvin]") {
  REQUIRE(subtasks().size() == 34);
  std::set<std::string> names;
  for (const auto& s : subtasks()) {
    CHECK(names.insert(s.name).second);
    CHECK(!s.category.empty());
    CHECK(!s.annotation.empty());
  }
  CHECK(subtask_index("lift_red_block_table") >= 0);
  CHECK(subtask_index("open_the_drawer") == -1);
  CHECK(subtasks()[static_cast<std::size_t>(idx("open_drawer"))].annotation == "open the drawer");
  CHECK(subtasks()[static_cast<std::size_t>(idx("lift_red_block_table"))].annotation ==
        "lift the red block from the table");
}

TEST_CASE("Rotation oracles: > 60 deg about z, < 30 deg tilt, < 0.1 m moved", "[calvin][oracle]") {
  const double deg = std::numbers::pi / 180;
  for (int b = 0; b < 2; ++b) {
    const std::string c = b == 0 ? "red" : "blue";
    const PlayState a = base();
    for (const double sign : {1.0, -1.0}) {
      const std::string name = "rotate_" + c + "_block_" + (sign > 0 ? "left" : "right");
      PlayState turned = a;
      auto& q = turned.blocks[static_cast<std::size_t>(b)].pose.quat;
      q = geo::quat_from_yaw(sign * 65 * deg);
      CHECK(ok(name, a, turned));
      q = geo::quat_from_yaw(sign * 55 * deg);
      CHECK_FALSE(ok(name, a, turned));
      q = geo::quat_from_yaw(-sign * 65 * deg);  // the other way
      CHECK_FALSE(ok(name, a, turned));
      // Tilted 35 degrees as well: not a rotation on the table.
      q = geo::quat_mul(geo::quat_from_rotvec({35 * deg, 0, 0}),
                        geo::quat_from_yaw(sign * 65 * deg));
      CHECK_FALSE(ok(name, a, turned));
      q = geo::quat_mul(geo::quat_from_rotvec({25 * deg, 0, 0}),
                        geo::quat_from_yaw(sign * 65 * deg));
      CHECK(ok(name, a, turned));
      q = geo::quat_from_yaw(sign * 65 * deg);
      turned.blocks[static_cast<std::size_t>(b)].pose.pos[0] += 0.11;
      CHECK_FALSE(ok(name, a, turned));
      turned.blocks[static_cast<std::size_t>(b)].pose.pos[0] -= 0.02;
      CHECK(ok(name, a, turned));
    }
  }
}

TEST_CASE("Push oracles: > 0.1 m along y on the table, resting", "[calvin][oracle]") {
  const PlayState a = base();
  PlayState moved = a;
  moved.blocks[0].pose.pos[1] += 0.11;
  CHECK(ok("push_red_block_left", a, moved));
  CHECK_FALSE(ok("push_red_block_right", a, moved));
  CHECK_FALSE(ok("push_blue_block_left", a, moved));
  moved.blocks[0].pose.pos[1] = a.blocks[0].pose.pos[1] + 0.09;
  CHECK_FALSE(ok("push_red_block_left", a, moved));
  moved.blocks[0].pose.pos[1] = a.blocks[0].pose.pos[1] - 0.105;
  CHECK(ok("push_red_block_right", a, moved));
  // Still in the fingers: not pushed but carried.
  moved.blocks[0].touch_left = true;
  CHECK_FALSE(ok("push_red_block_right", a, moved));
  // Off the table (into the drawer's depth): the support changed.
  moved = a;
  moved.blocks[0].pose.pos = {0.3, -0.32, -0.1};
  CHECK_FALSE(ok("push_red_block_right", a, moved));
}

TEST_CASE("Slider and drawer oracles: joint change beyond 0.15 m / 0.12 m", "[calvin][oracle]") {
  PlayState a = base();
  PlayState b = a;
  b.slider = 0.16;
  CHECK(ok("move_slider_left", a, b));
  CHECK_FALSE(ok("move_slider_right", a, b));
  b.slider = 0.14;
  CHECK_FALSE(ok("move_slider_left", a, b));
  a.slider = 0.3;
  b.slider = 0.14;
  CHECK(ok("move_slider_right", a, b));
  b.slider = 0.16;
  CHECK_FALSE(ok("move_slider_right", a, b));
  PlayState c = base();
  PlayState d = c;
  d.drawer = 0.13;
  CHECK(ok("open_drawer", c, d));
  d.drawer = 0.11;
  CHECK_FALSE(ok("open_drawer", c, d));
  c.drawer = 0.2;
  d.drawer = 0.07;
  CHECK(ok("close_drawer", c, d));
  d.drawer = 0.09;
  CHECK_FALSE(ok("close_drawer", c, d));
}

TEST_CASE("Lift oracles: > 0.05 m (0.03 m from the cabinet) held by the fingers only",
          "[calvin][oracle]") {
  const PlayState a = base();
  PlayState b = a;
  hold(b, 0, 0.055);
  CHECK(ok("lift_red_block_table", a, b));
  CHECK_FALSE(ok("lift_red_block_slider", a, b));  // it was not in the cabinet
  CHECK_FALSE(ok("lift_blue_block_table", a, b));
  b.blocks[0].touch_other = true;  // also touching something else: not held by the gripper only
  CHECK_FALSE(ok("lift_red_block_table", a, b));
  b = a;
  hold(b, 0, 0.045);
  CHECK_FALSE(ok("lift_red_block_table", a, b));
  b = a;
  b.blocks[0].pose.pos[2] += 0.08;  // high but touched by one finger only
  b.blocks[0].touch_left = true;
  b.blocks[0].touch_other = false;
  CHECK_FALSE(ok("lift_red_block_table", a, b));
  // From the cabinet: 0.03 m suffices.
  b = a;
  hold(b, 2, 0.035);
  CHECK(ok("lift_pink_block_slider", a, b));
  b = a;
  hold(b, 2, 0.025);
  CHECK_FALSE(ok("lift_pink_block_slider", a, b));
  // From the drawer.
  PlayState in = base();
  in.drawer = 0.2;
  in.blocks[1].pose.pos = {0.25, layout().drawer_y, desk::kDrawerFloor + 0.025};
  b = in;
  hold(b, 1, 0.06);
  CHECK(ok("lift_blue_block_drawer", in, b));
  CHECK_FALSE(ok("lift_blue_block_table", in, b));
}

TEST_CASE("Place and stack oracles: released from the gripper onto the target",
          "[calvin][oracle]") {
  PlayState a = base();
  hold(a, 0, 0.08);  // red in the gripper
  PlayState b = base();
  b.blocks[0].pose.pos = {0.61, -0.15, 0.025};  // right compartment, resting
  CHECK(ok("place_in_slider", a, b));
  CHECK_FALSE(ok("place_in_drawer", a, b));
  b.blocks[0].touch_left = b.blocks[0].touch_right = true;  // not released
  CHECK_FALSE(ok("place_in_slider", a, b));
  b = base();
  b.blocks[0].pose.pos = {0.45, -0.15, 0.025};  // in front of the cabinet: on the table
  CHECK_FALSE(ok("place_in_slider", a, b));
  b = base();
  b.drawer = 0.2;
  b.blocks[0].pose.pos = {0.2, layout().drawer_y, desk::kDrawerFloor + 0.025};
  CHECK(ok("place_in_drawer", a, b));
  b.blocks[0].pose.pos[0] = 0.6;  // not over the drawer
  CHECK_FALSE(ok("place_in_drawer", a, b));
  // Stack red on blue.
  b = base();
  b.blocks[0].pose.pos = {0.365, 0.1, 0.024 * 2 + 0.025};
  CHECK(ok("stack_block", a, b));
  b.blocks[0].pose.pos[1] = 0.1 + 0.06;  // beside it, in the air
  CHECK_FALSE(ok("stack_block", a, b));
  // Not grasped at the start: nothing was stacked by this subtask.
  CHECK_FALSE(ok("stack_block", base(), b));
}

TEST_CASE("Unstack oracle: the top block leaves the one below", "[calvin][oracle]") {
  PlayState a = base();
  a.blocks[0].pose.pos = {0.36, 0.1, 0.024 * 2 + 0.025};
  PlayState b = a;
  b.blocks[0].pose.pos = {0.43, -0.1, 0.025};
  CHECK(ok("unstack_block", a, b));
  b = a;
  b.blocks[0].pose.pos[2] += 0.01;  // nudged, still on top
  CHECK_FALSE(ok("unstack_block", a, b));
  CHECK_FALSE(ok("unstack_block", base(), base()));
}

TEST_CASE("Light oracles follow the logical LED and bulb state", "[calvin][oracle]") {
  PlayState off = base();
  PlayState on = base();
  on.led = true;
  CHECK(ok("turn_on_led", off, on));
  CHECK_FALSE(ok("turn_on_led", on, on));
  CHECK(ok("turn_off_led", on, off));
  CHECK_FALSE(ok("turn_off_led", off, off));
  CHECK_FALSE(ok("turn_on_lightbulb", off, on));
  on.led = false;
  on.bulb = true;
  CHECK(ok("turn_on_lightbulb", off, on));
  CHECK(ok("turn_off_lightbulb", on, off));
  CHECK_FALSE(ok("turn_off_lightbulb", off, off));
}

TEST_CASE("Push-into-drawer oracle: a table block ends in the drawer", "[calvin][oracle]") {
  PlayState a = base();
  a.drawer = 0.2;
  PlayState b = a;
  b.blocks[1].pose.pos = {0.22, layout().drawer_y, desk::kDrawerFloor + 0.024};
  CHECK(ok("push_into_drawer", a, b));
  b.blocks[1].pose.pos = {0.22, layout().drawer_y + 0.4, -0.3};  // fell on the floor
  CHECK_FALSE(ok("push_into_drawer", a, b));
  // The pink block started in the cabinet, not on the table.
  b = a;
  b.blocks[2].pose.pos = {0.22, layout().drawer_y, desk::kDrawerFloor + 0.018};
  CHECK_FALSE(ok("push_into_drawer", a, b));
}

TEST_CASE("Every subtask's oracle is silent when nothing changes", "[calvin][oracle]") {
  PlayState a = base();
  for (std::size_t i = 0; i < subtasks().size(); ++i) {
    INFO(subtasks()[i].name);
    CHECK_FALSE(achieved(static_cast<int>(i), a, a, layout()));
  }
}
