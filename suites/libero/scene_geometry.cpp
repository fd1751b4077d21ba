#include "suites/libero/scene_geometry.hpp"

#include <cmath>

#include "scenarios/mujoco/scene.hpp"

namespace gauntlet::suites::libero {

using namespace geo;

Vec3 to_world(const Frame& f, const Vec3& local) {
  return f.pos + rotate(f.quat, local);
}

Vec3 to_local(const Frame& f, const Vec3& world) {
  return rotate(quat_conj(f.quat), world - f.pos);
}

double uprightness(const Frame& f) {
  return rotate(f.quat, {0, 0, 1})[2];
}

Vec3 object_center(const ObjectModel& m, const Frame& f) {
  return to_world(f, {0, 0, m.height / 2});
}

bool inside_support_xy(const SupportSpec& s, const Frame& part, const Vec3& p, double margin) {
  const Vec3 l = to_local(part, p) - s.center;
  if (s.round) return std::hypot(l[0], l[1]) <= s.half_x - margin;
  return std::abs(l[0]) <= s.half_x - margin && std::abs(l[1]) <= s.half_y - margin;
}

bool inside_region_xy(const SpecRegion& r, const Vec3& p, double margin) {
  for (const auto& rect : r.ranges) {
    if (p[0] >= rect[0] + margin && p[0] <= rect[2] - margin && p[1] >= rect[1] + margin &&
        p[1] <= rect[3] - margin) {
      return true;
    }
  }
  return false;
}

bool inside_container(const ContainerSpec& c, const Frame& part, const Vec3& p, double margin,
                      double below) {
  const Vec3 l = to_local(part, p) - c.center;
  return std::abs(l[0]) <= c.half[0] - margin && std::abs(l[1]) <= c.half[1] - margin &&
         l[2] >= -c.half[2] - below && l[2] <= c.half[2];
}

Vec3 support_center(const SupportSpec& s, const Frame& part) {
  return to_world(part, s.center);
}

Vec3 container_floor_center(const ContainerSpec& c, const Frame& part) {
  return to_world(part, {c.center[0], c.center[1], c.center[2] - c.half[2]});
}

Vec3 place_center(const Place& p, const FrameOf& frame_of) {
  switch (p.kind) {
    case Place::Kind::kTableRegion:
      return p.region ? region_center(*p.region) : Vec3{0, 0, mj::kTableTop};
    case Place::Kind::kSupport:
      return support_center(*p.support, frame_of(p.owner, p.support->part));
    case Place::Kind::kContainer:
      return container_floor_center(*p.container, frame_of(p.owner, p.container->part));
  }
  return {0, 0, 0};
}

Vec3 region_center(const SpecRegion& r) {
  if (r.ranges.empty()) return {0, 0, mj::kTableTop};
  const auto& a = r.ranges.front();
  return {(a[0] + a[2]) / 2, (a[1] + a[3]) / 2, mj::kTableTop};
}

}  // namespace gauntlet::suites::libero
