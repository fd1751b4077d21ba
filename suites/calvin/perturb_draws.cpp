#include "suites/calvin/perturb_draws.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

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

}  // namespace gauntlet::suites::calvin
