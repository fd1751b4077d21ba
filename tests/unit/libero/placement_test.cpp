// Initial-state placement on a fixture's surface: LIBERO's window around the
// surface's centre, and the whole surface when that window is taken.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "tests/unit/libero/lab_scene.hpp"

using gauntlet::testing::LabScene;

namespace {

// The wooden cabinet turned by pi, as libero-spatial stands it; one bowl on
// its top, or two.
std::string cabinet_scene(bool two_bowls) {
  std::string yaml = R"(  - id: on_the_cabinet
    family: libero_scene
    instruction: place bowls on the cabinet
    fixtures:
      main_table: table
      wooden_cabinet_1: wooden_cabinet
    objects:
      bowl_1: akita_black_bowl
      bowl_2: akita_black_bowl
    regions:
      - {name: cabinet_region, target: main_table, ranges: [[0.0, -0.25, 0.0, -0.25]], yaw: [[3.14159265, 3.14159265]]}
      - {name: bowl_region, target: main_table, ranges: [[0.0, 0.2, 0.0, 0.2]]}
    init:
      - On wooden_cabinet_1 main_table_cabinet_region
      - On bowl_1 wooden_cabinet_1_top_side
)";
  yaml += two_bowls ? "      - On bowl_2 wooden_cabinet_1_top_side\n"
                    : "      - On bowl_2 main_table_bowl_region\n";
  yaml += "    goal:\n      - On bowl_1 main_table_bowl_region\n";
  return yaml;
}

}  // namespace

TEST_CASE("An object on a fixture starts within LIBERO's window around the surface's centre",
          "[libero][placement]") {
  // The cabinet's top: 0.23 x 0.18 m usable (half 0.115 x 0.09), the bowl's
  // radius 0.038 m. LIBERO draws within +-|half / 2 - r|: 19.5 mm across the
  // top, 7 mm front to back. The whole top would allow 77 and 52 mm.
  LabScene s(cabinet_scene(false));
  double max_dx = 0;
  double max_dy = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    s.initialize(seed);
    const auto cab = s.sim().body_pos(s.sim().body("wooden_cabinet_1"));
    const auto bowl = s.sim().body_pos(s.sim().body("bowl_1"));
    max_dx = std::max(max_dx, std::abs(bowl[0] - cab[0]));
    max_dy = std::max(max_dy, std::abs(bowl[1] - cab[1]));
    CHECK(bowl[2] > cab[2] + 0.2);  // on the top, not beside the cabinet
  }
  CHECK(max_dx <= 0.0195 + 1e-9);
  CHECK(max_dy <= 0.007 + 1e-9);
  CHECK(max_dx > 0.01);  // drawn, not pinned to the centre
}

TEST_CASE("A second object on the same fixture surface takes room outside the window",
          "[libero][placement]") {
  // Two bowls (0.076 m across) do not fit in a 39 x 14 mm window side by
  // side: the second falls back to the whole top and must not overlap.
  LabScene s(cabinet_scene(true));
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    s.initialize(seed);
    const auto cab = s.sim().body_pos(s.sim().body("wooden_cabinet_1"));
    const auto a = s.sim().body_pos(s.sim().body("bowl_1"));
    const auto b = s.sim().body_pos(s.sim().body("bowl_2"));
    CHECK(std::hypot(a[0] - b[0], a[1] - b[1]) >= 2 * 0.038);
    CHECK(std::abs(b[0] - cab[0]) <= 0.115 - 0.038 + 1e-9);
    CHECK(std::abs(b[1] - cab[1]) <= 0.09 - 0.038 + 1e-9);
  }
}

TEST_CASE(
    "An object in an open drawer starts at the middle of the drawer's width, outside the cabinet",
    "[libero][placement]") {
  // LIBERO puts an object that starts In a region at the region's centre;
  // here the depth is drawn until the bowl lies in the part pulled out, the
  // width stays centred (the old draw spread it +-38 mm along the drawer,
  // whose far end lay beyond the Panda's reach in libero-spatial).
  LabScene s(R"(  - id: in_the_drawer
    family: libero_scene
    instruction: a bowl in the open top drawer
    fixtures:
      main_table: table
      wooden_cabinet_1: wooden_cabinet
    objects:
      bowl_1: akita_black_bowl
    regions:
      - {name: cabinet_region, target: main_table, ranges: [[0.03, -0.27, 0.03, -0.27]], yaw: [[2.69, 2.69]]}
      - {name: spot, target: main_table, ranges: [[0.0, 0.2, 0.0, 0.2]]}
    init:
      - On wooden_cabinet_1 main_table_cabinet_region
      - In bowl_1 wooden_cabinet_1_top_region
      - Open wooden_cabinet_1_top_region
    goal:
      - On bowl_1 main_table_spot
)");
  const int drawer = s.sim().body("wooden_cabinet_1/top_drawer");
  const int cabinet = s.sim().body("wooden_cabinet_1");
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    s.initialize(seed);
    const auto bowl = s.sim().body_pos(s.sim().body("bowl_1"));
    const mjtNum* d = s.data()->xpos + 3 * drawer;
    const mjtNum* rot = s.data()->xmat + 9 * drawer;  // row-major: column 0 is the model's x
    const double across = (bowl[0] - d[0]) * rot[0] + (bowl[1] - d[1]) * rot[3];
    CHECK(std::abs(across) < 1e-6);
    // Outside the cabinet's body: the cabinet is 0.1 m deep from its centre
    // to the drawer fronts (the model's -y), the bowl's radius 0.038 m.
    const mjtNum* c = s.data()->xpos + 3 * cabinet;
    const mjtNum* crot = s.data()->xmat + 9 * cabinet;
    const double out = -((bowl[0] - c[0]) * crot[1] + (bowl[1] - c[1]) * crot[4]);
    CHECK(out >= 0.1 + 0.038);
  }
}
