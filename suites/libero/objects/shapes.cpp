#include "suites/libero/objects/shapes.hpp"

#include <algorithm>
#include <cmath>

namespace gauntlet::suites::libero {

void add_ring(mj::XmlElement& body, const geo::Vec3& center, double radius, double thickness,
              double z0, double z1, int segments, const mj::Rgba& rgba, double density) {
  const double step = 2.0 * 3.14159265358979323846 / segments;
  // Tangential half length: the polygon's side at the outer radius, so
  // neighbouring segments meet without a gap at the outside.
  const double half_len = (radius + thickness / 2) * std::tan(step / 2);
  for (int k = 0; k < segments; ++k) {
    const double a = k * step;
    const geo::Vec3 pos{center[0] + radius * std::cos(a), center[1] + radius * std::sin(a),
                        center[2] + (z0 + z1) / 2};
    const geo::Vec3 half{thickness / 2, half_len, (z1 - z0) / 2};
    mj::XmlElement& g =
        density > 0 ? solid_box(body, half, pos, rgba, density) : decal_box(body, half, pos, rgba);
    g.set("quat", geo::quat_from_yaw(a));
  }
}

void add_open_box(mj::XmlElement& body, const geo::Vec3& center, double ix, double iy, double z0,
                  double z1, double wall, double floor, const mj::Rgba& rgba, double density) {
  const double cx = center[0], cy = center[1], cz = center[2];
  solid_box(body, {ix + wall, iy + wall, floor / 2}, {cx, cy, cz + z0 + floor / 2}, rgba, density);
  const double wz0 = z0 + floor;
  const double hz = (z1 - wz0) / 2;
  const double zc = cz + wz0 + hz;
  solid_box(body, {wall / 2, iy + wall, hz}, {cx + ix + wall / 2, cy, zc}, rgba, density);
  solid_box(body, {wall / 2, iy + wall, hz}, {cx - ix - wall / 2, cy, zc}, rgba, density);
  solid_box(body, {ix, wall / 2, hz}, {cx, cy + iy + wall / 2, zc}, rgba, density);
  solid_box(body, {ix, wall / 2, hz}, {cx, cy - iy - wall / 2, zc}, rgba, density);
}

mj::XmlElement& solid_box(mj::XmlElement& body, const geo::Vec3& half, const geo::Vec3& pos,
                          const mj::Rgba& rgba, double density, std::string_view name) {
  return mj::add_box(body, name, half, pos, rgba).set("density", density);
}

mj::XmlElement& solid_cylinder(mj::XmlElement& body, double radius, double half_height,
                               const geo::Vec3& pos, const mj::Rgba& rgba, double density,
                               std::string_view name) {
  return mj::add_cylinder(body, name, radius, half_height, pos, rgba).set("density", density);
}

void solid_round(mj::XmlElement& body, double radius, double half_height, const geo::Vec3& pos,
                 const mj::Rgba& rgba, double density, double grip_z) {
  solid_cylinder(body, radius, half_height, pos, rgba, density);
  constexpr double kBand = 0.016;  // half height of the grip band
  if (grip_z - kBand < pos[2] - half_height || grip_z + kBand > pos[2] + half_height) return;
  const double pi = 3.14159265358979323846;
  const double half_side = radius * std::tan(pi / 12);
  for (int k = 0; k < 6; ++k) {
    solid_box(body, {radius, half_side, kBand}, {pos[0], pos[1], grip_z}, rgba, density)
        .set("quat", geo::quat_from_yaw(k * pi / 6))
        .set("group", 3.0)  // collision only: renders show groups 0-2
        .set("mass", 0.001);
  }
}

mj::XmlElement& decal_box(mj::XmlElement& body, const geo::Vec3& half, const geo::Vec3& pos,
                          const mj::Rgba& rgba, std::string_view name) {
  return mj::make_visual_only(mj::add_box(body, name, half, pos, rgba));
}

mj::XmlElement& decal_cylinder(mj::XmlElement& body, double radius, double half_height,
                               const geo::Vec3& pos, const mj::Rgba& rgba, std::string_view name) {
  return mj::make_visual_only(mj::add_cylinder(body, name, radius, half_height, pos, rgba));
}

mj::Rgba shade(const mj::Rgba& c, double f) {
  mj::Rgba out = c;
  for (int i = 0; i < 3; ++i) {
    const double v = c[static_cast<std::size_t>(i)];
    out[static_cast<std::size_t>(i)] = f <= 1.0 ? v * f : std::min(1.0, v + (1.0 - v) * (f - 1.0));
  }
  return out;
}

}  // namespace gauntlet::suites::libero
