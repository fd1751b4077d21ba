#include "suites/libero/expert/world_view.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "scenarios/mujoco/scene.hpp"
#include "suites/libero/protocol.hpp"

namespace gauntlet::suites::libero {

using namespace geo;

namespace {

// Distance from point p to an oriented rectangle (centre c, yaw, half sizes); 0 inside.
double rect_distance(const Vec3& c, double yaw, double hx, double hy, const Vec3& p) {
  const double co = std::cos(-yaw), si = std::sin(-yaw);
  const double dx0 = p[0] - c[0], dy0 = p[1] - c[1];
  const double lx = co * dx0 - si * dy0, ly = si * dx0 + co * dy0;
  return std::hypot(std::max(std::abs(lx) - hx, 0.0), std::max(std::abs(ly) - hy, 0.0));
}

}  // namespace

WorldView::WorldView(const ResolvedScene& scene, const PrivilegedState& state)
    : scene_(scene), state_(state) {
  bodies_.reserve(scene.entities.size());
  for (const Entity& e : scene.entities) {
    bodies_.push_back(e.is_table() ? nullptr : &state.require_body(e.name));
  }
}

Frame WorldView::frame(int entity, const std::string& part) const {
  const Pose* p = bodies_[static_cast<std::size_t>(entity)];
  if (!p) return Frame{{0, 0, mj::kTableTop}, {1, 0, 0, 0}};
  if (!part.empty()) {
    p = &state_.require_body(
        part_name(scene_.entities[static_cast<std::size_t>(entity)].name, part));
  }
  return Frame{p->pos, p->quat};
}

double WorldView::joint(int entity, int articulation) const {
  const Entity& e = scene_.entities[static_cast<std::size_t>(entity)];
  return state_.require_joint(
      part_name(e.name, e.model->articulations[static_cast<std::size_t>(articulation)].joint));
}

Vec3 WorldView::place_center(const Place& p) const {
  return libero::place_center(
      p, [this](int entity, const std::string& part) { return frame(entity, part); });
}

double WorldView::place_top(const Place& p) const {
  if (p.kind == Place::Kind::kContainer) {
    const Frame f = frame(p.owner, p.container->part);
    const double top = to_world(f, p.container->center)[2] + p.container->half[2];
    // A basket's volume reaches above its rim (things sticking out are in);
    // its rim is the top of the basket.
    const Entity& owner = scene_.entities[static_cast<std::size_t>(p.owner)];
    if (!owner.is_fixture()) return std::min(top, frame(p.owner).pos[2] + owner.model->height);
    return top;
  }
  return place_center(p)[2];
}

double WorldView::highest_along(const Vec3& a, const Vec3& b, double inflate,
                                std::span<const int> skip) const {
  const double len = dist_xy(a, b);
  const int n = 1 + static_cast<int>(std::ceil(len / 0.01));
  double top = mj::kTableTop;
  for (std::size_t e = 0; e < scene_.entities.size(); ++e) {
    const Entity& ent = scene_.entities[e];
    if (ent.is_table() || std::find(skip.begin(), skip.end(), static_cast<int>(e)) != skip.end())
      continue;
    const auto near_path = [&](const Vec3& c, double yaw, double hx, double hy) {
      for (int i = 0; i <= n; ++i) {
        const double t = static_cast<double>(i) / n;
        const Vec3 p = a + t * (b - a);
        if (rect_distance(c, yaw, hx, hy, p) <= inflate) return true;
      }
      return false;
    };
    if (ent.is_fixture()) {
      for (const ObstacleBox& o : ent.model->obstacles) {
        const Frame f = frame(static_cast<int>(e), o.part);
        const Vec3 c = to_world(f, o.center);
        if (near_path(c, yaw_of(f.quat), o.half[0], o.half[1]))
          top = std::max(top, c[2] + o.half[2]);
      }
    } else {
      const Frame f = frame(static_cast<int>(e));
      const double r = ent.model->radius;
      if (near_path(f.pos, 0.0, r, r)) top = std::max(top, f.pos[2] + ent.model->height);
    }
  }
  return top;
}

double WorldView::room_along(const Vec3& a, const Vec3& b, double radius, int skip) const {
  const int n = 1 + static_cast<int>(std::ceil(dist_xy(a, b) / 0.01));
  double room = 1.0;
  for (int i = 0; i <= n; ++i) {
    const Vec3 p = a + (static_cast<double>(i) / n) * (b - a);
    for (std::size_t e = 0; e < scene_.entities.size(); ++e) {
      const Entity& ent = scene_.entities[e];
      if (ent.is_table() || static_cast<int>(e) == skip) continue;
      if (ent.is_fixture()) {
        for (const ObstacleBox& o : ent.model->obstacles) {
          const Frame f = frame(static_cast<int>(e), o.part);
          const Vec3 c = to_world(f, o.center);
          if (c[2] - o.half[2] > mj::kTableTop + 0.03) continue;  // overhead, not in the way
          room = std::min(room, rect_distance(c, yaw_of(f.quat), o.half[0], o.half[1], p) - radius);
        }
      } else {
        const Frame f = frame(static_cast<int>(e));
        if (f.pos[2] > mj::kTableTop + 0.03) continue;  // resting on something else
        room = std::min(room, dist_xy(f.pos, p) - radius - ent.model->radius);
      }
    }
  }
  return room;
}

bool WorldView::placed(const Condition& c) const {
  const ObjectModel& m = model(c.subject);
  const Frame f = frame(c.subject);
  const Vec3 center = object_center(m, f);
  const double bottom = f.pos[2];
  constexpr double kMargin = 0.004;
  const Place& p = c.place;
  switch (p.kind) {
    case Place::Kind::kTableRegion:
      return (!p.region || inside_region_xy(*p.region, center, kMargin)) &&
             bottom < mj::kTableTop + 0.015;
    case Place::Kind::kSupport: {
      const Frame pf = frame(p.owner, p.support->part);
      if (!inside_support_xy(*p.support, pf, center, kMargin)) return false;
      const double surface = support_center(*p.support, pf)[2];
      const Entity& owner = scene_.entities[static_cast<std::size_t>(p.owner)];
      const double top =
          owner.is_fixture() ? surface + 0.015 : pf.pos[2] + owner.model->height + 0.01;
      return bottom >= surface - 0.02 && bottom <= top;
    }
    case Place::Kind::kContainer:
      return inside_container(*p.container, frame(p.owner, p.container->part), center, kMargin,
                              0.01);
  }
  return false;
}

void servo_pose(const Pose& tcp, const Vec3& target, const Quat& quat, std::span<float> a,
                double max_step) {
  const Vec3 delta = clamp_norm_inf(0.9 * (target - tcp.pos), max_step);
  const Vec3 err = rotvec_from_quat(quat_mul(quat, quat_conj(tcp.quat)));
  const Vec3 rot = clamp_norm_inf(0.6 * err, 0.3);
  for (std::size_t i = 0; i < 3; ++i) {
    a[i] = static_cast<float>(delta[i]);
    a[3 + i] = static_cast<float>(rot[i]);
  }
}

Quat gripper_quat(double yaw, double tilt) {
  const Quat q = quat_from_yaw(yaw);
  if (tilt == 0.0) return q;
  return quat_normalize(quat_mul(q, quat_from_rotvec({0, tilt, 0})));
}

double angle_between(const Quat& a, const Quat& b) {
  return norm(rotvec_from_quat(quat_mul(a, quat_conj(b))));
}

geo::Vec3 WorldView::arm_base() const {
  if (scene_.table < 0) return kLiberoRobotBase;
  return libero_robot_base(scene_.entities[static_cast<std::size_t>(scene_.table)].model->category,
                           kLiberoRobotBase);
}

}  // namespace gauntlet::suites::libero
