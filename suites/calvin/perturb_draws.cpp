#include "suites/calvin/perturb_draws.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "scenarios/perturb/levels.hpp"
#include "scenarios/perturb/streams.hpp"

namespace gauntlet::suites::calvin {

using namespace geo;

namespace {

Vec3 normalized(const Vec3& v) {
  const double n = geo::norm(v);
  return n > 0 ? (1.0 / n) * v : Vec3{0, 0, 1};
}

}  // namespace

// `layout`: blocks on the table move 3.5 L cm (a drawn fraction of it) in a
// drawn direction and turn 8 L deg, staying on the free part of the table in
// front of the cabinet, clear of the button, the switch and each other;
// blocks in the cabinet or the drawer and the fixtures stay (the fixtures are
// what tells environments A..D apart). Three draws per block whatever the level.
void displace_blocks(bullet::PlayInit& init, const Symbolic& sym, const DeskLayout& layout,
                     int level, Rng& rng) {
  const perturb::LayoutLevel p = perturb::layout_level(level);
  const auto free_at = [&](double x, double y, std::size_t self) {
    if (x < bullet::desk::kTableFront + 0.04 || x > layout.slider_x - 0.04 || std::abs(y) > 0.3)
      return false;
    for (const auto& f : {layout.button, layout.switch_xy}) {
      if (std::hypot(x - f[0], y - f[1]) < 0.08) return false;
    }
    for (std::size_t o = 0; o < init.blocks.size(); ++o) {
      if (o != self && sym.blocks[o] == Place::kTable &&
          std::hypot(x - init.blocks[o][0], y - init.blocks[o][1]) < 0.09)
        return false;
    }
    return true;
  };
  for (std::size_t k = 0; k < init.blocks.size(); ++k) {
    const double u = perturb::draw_fraction(rng);
    const double heading = rng.uniform(0.0, 2.0 * std::numbers::pi);
    const double yaw = perturb::draw_signed_fraction(rng);
    if (sym.blocks[k] != Place::kTable) continue;
    auto& b = init.blocks[k];
    // The drawn direction, else the next quarter turns, else half as far.
    for (int attempt = 0; attempt < 8; ++attempt) {
      const double d = p.displacement_m * u * (attempt < 4 ? 1.0 : 0.5);
      const double a = heading + 0.5 * std::numbers::pi * (attempt % 4);
      const double x = b[0] + d * std::cos(a), y = b[1] + d * std::sin(a);
      if (free_at(x, y, k)) {
        b[0] = x;
        b[1] = y;
        break;
      }
    }
    b[3] += p.yaw_deg * std::numbers::pi / 180.0 * yaw;
  }
}

// `robot_init`: the arm starts with its TCP moved, turned and tilted, its
// joints off the solved posture and its fingers partly closed, as the MuJoCo
// arms' (scenarios/perturb/placement.cpp) with the same draws.
void perturb_arm_start(bullet::PlayInit& init, int level, Rng& rng) {
  const perturb::RobotInitLevel p = perturb::robot_init_level(level);
  constexpr double kDeg = std::numbers::pi / 180.0;
  const double u = perturb::draw_fraction(rng), heading = rng.uniform(0.0, 2.0 * std::numbers::pi),
               rise = rng.uniform(-0.6, 0.6);
  const double yaw = perturb::draw_signed_fraction(rng);
  const double tilt = perturb::draw_fraction(rng),
               tilt_axis = rng.uniform(0.0, 2.0 * std::numbers::pi);
  const double closed = perturb::draw_fraction(rng);
  const Vec3 dir = normalized({std::cos(heading), std::sin(heading), rise});
  init.tcp_offset = (p.offset_m * u) * dir;
  // The nominal start is 0.25 m above the table: stay above every block.
  init.tcp_offset[2] = std::max(init.tcp_offset[2], -0.1);
  const Quat tilt_q = geo::quat_from_rotvec((p.tilt_deg * kDeg * tilt) *
                                            Vec3{std::cos(tilt_axis), std::sin(tilt_axis), 0});
  init.tcp_turn =
      geo::quat_normalize(geo::quat_mul(tilt_q, geo::quat_from_yaw(p.yaw_deg * kDeg * yaw)));
  init.closed = p.closed_frac * closed;
  init.joint_offsets.resize(7);
  for (double& q : init.joint_offsets) q = p.joint_rad * perturb::draw_signed_fraction(rng);
}

// `dynamics`: one friction, one mass and one damping factor per episode, drawn
// as the MuJoCo backend draws them.
bullet::PhysicsScales draw_physics(int level, Rng& rng) {
  const perturb::DynamicsLevel p = perturb::dynamics_level(level);
  bullet::PhysicsScales s;
  s.friction = std::exp(p.friction_log * perturb::draw_signed_fraction(rng));
  s.mass = std::exp(p.mass_log * perturb::draw_signed_fraction(rng));
  s.damping = std::exp(p.damping_log * perturb::draw_fraction(rng));
  return s;
}

// `distractors`: per object a shape (box, cylinder or sphere), its sizes
// (1.5-3 cm across, 1.5-4 cm high), a colour and a yaw, then up to 200 drawn
// places on the table top until one keeps `distractors_level`'s clearance
// (edge to edge) from the blocks, the button, the switch and its bulb post,
// the sliding door's knob path in front of the cabinet and the objects placed
// before it; an object with no such place is left out. Free sockets are free
// table. Places span x 0.31-0.85 m, |y| <= 0.5 m (mostly in the static view).
void place_distractors(bullet::PlayInit& init, const DeskLayout& layout, int level, Rng& rng) {
  const perturb::DistractorsLevel p = perturb::distractors_level(level);
  const int count = std::min(p.count, bullet::kMaxDistractors);
  const double c = p.clearance_m;
  constexpr double kBlockRadius = 0.045;  // the longest block's footprint
  constexpr double kFixtureRadius = 0.035;
  using T = bullet::VisualGeom::Type;
  for (int i = 0; i < count; ++i) {
    bullet::Distractor d;
    const auto kind = static_cast<int>(rng.uniform(0.0, 3.0));
    d.type = kind == 0 ? T::kBox : kind == 1 ? T::kCylinder : T::kSphere;
    const double a = rng.uniform(0.015, 0.03), b = rng.uniform(0.015, 0.03),
                 h = rng.uniform(0.015, 0.04);
    d.size = d.type == T::kBox        ? std::array<double, 3>{a, b, h}
             : d.type == T::kCylinder ? std::array<double, 3>{a, h, 0}
                                      : std::array<double, 3>{a, 0, 0};
    for (int k = 0; k < 3; ++k)
      d.rgba[static_cast<std::size_t>(k)] = static_cast<float>(rng.uniform(0.05, 0.95));
    d.yaw = rng.uniform(0.0, std::numbers::pi);
    const double r = d.footprint();
    const auto clear = [&](double x, double y) {
      // The cabinet, its door and the door knob's path.
      if (x + r + c > layout.slider_x - 0.05 &&
          std::abs(y - layout.cabinet_y) < bullet::desk::kCabinetHalfWidth + 0.02 + r + c)
        return false;
      for (const auto& blk : init.blocks) {
        if (std::hypot(x - blk[0], y - blk[1]) < r + kBlockRadius + c) return false;
      }
      std::vector<std::array<double, 2>> fixtures;
      fixtures.push_back(layout.button);
      fixtures.push_back(layout.switch_xy);
      fixtures.push_back({layout.switch_xy[0] + 0.06, layout.switch_xy[1] + 0.03});  // bulb post
      for (const auto& f : fixtures) {
        if (std::hypot(x - f[0], y - f[1]) < r + kFixtureRadius + c) return false;
      }
      for (const auto& o : init.distractors) {
        if (std::hypot(x - o.x, y - o.y) < r + o.footprint() + c) return false;
      }
      return true;
    };
    for (int attempt = 0; attempt < 200; ++attempt) {
      const double x = rng.uniform(bullet::desk::kTableFront + 0.01 + r, 0.85 - r);
      const double y = rng.uniform(-0.5 + r, 0.5 - r);
      if (clear(x, y)) {
        d.x = x;
        d.y = y;
        init.distractors.push_back(d);
        break;
      }
    }
  }
}

}  // namespace gauntlet::suites::calvin
