// Primitive compositions the object library is made of: round walls for
// bowls and mugs, open boxes for baskets and drawers. Concave objects are
// several boxes and cylinders in one body, so MuJoCo collides them exactly.
#pragma once

#include <string_view>

#include "harness/geometry.hpp"
#include "scenarios/mujoco/scene.hpp"

namespace gauntlet::suites::libero {

// A ring of `segments` wall boxes around the body's z axis: the centre line of
// the wall at `radius`, `thickness` thick, from z0 to z1. Segment k faces the
// yaw k * 2pi / segments, so a gripper closing along one of those directions
// meets flat faces. A density <= 0 draws the ring without collision.
void add_ring(mj::XmlElement& body, const geo::Vec3& center, double radius, double thickness,
              double z0, double z1, int segments, const mj::Rgba& rgba, double density);

// An open-topped box: a floor from z0 (thickness `floor`) and four walls up to
// z1, with the inside measuring 2 * inner_half_x by 2 * inner_half_y.
void add_open_box(mj::XmlElement& body, const geo::Vec3& center, double inner_half_x,
                  double inner_half_y, double z0, double z1, double wall, double floor,
                  const mj::Rgba& rgba, double density);

// Geom helpers with a density (kg/m^3), so masses follow the shapes.
mj::XmlElement& solid_box(mj::XmlElement& body, const geo::Vec3& half, const geo::Vec3& pos,
                          const mj::Rgba& rgba, double density, std::string_view name = {});
mj::XmlElement& solid_cylinder(mj::XmlElement& body, double radius, double half_height,
                               const geo::Vec3& pos, const mj::Rgba& rgba, double density,
                               std::string_view name = {});
// A round solid the gripper holds firmly: a cylinder, plus around the grasp
// height `grip_z` (body frame) a hidden band colliding as a regular 12-sided
// prism (six slabs turned by 30 degrees). A flat pad touches a cylinder at a
// single point, about which a grasped can would pivot; the band's faces give
// the pads a contact patch. Faces every 30 degrees: a grasp repeats every pi/6.
void solid_round(mj::XmlElement& body, double radius, double half_height, const geo::Vec3& pos,
                 const mj::Rgba& rgba, double density, double grip_z);
inline constexpr double kRoundGraspPeriod = 3.14159265358979323846 / 6;

// Drawn, never collides, no mass: labels, rims, decals.
mj::XmlElement& decal_box(mj::XmlElement& body, const geo::Vec3& half, const geo::Vec3& pos,
                          const mj::Rgba& rgba, std::string_view name = {});
mj::XmlElement& decal_cylinder(mj::XmlElement& body, double radius, double half_height,
                               const geo::Vec3& pos, const mj::Rgba& rgba,
                               std::string_view name = {});

// A colour scaled towards black (f < 1) or white (f > 1), alpha kept.
mj::Rgba shade(const mj::Rgba& c, double f);

}  // namespace gauntlet::suites::libero
