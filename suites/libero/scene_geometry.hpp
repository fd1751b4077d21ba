// Geometry of places shared by the predicates (reading MuJoCo) and the expert
// (reading privileged state): frames, and whether a point lies on a support,
// in a container or in a table region.
#pragma once

#include <functional>
#include <string>

#include "harness/geometry.hpp"
#include "suites/libero/objects/model.hpp"
#include "suites/libero/resolved_scene.hpp"
#include "suites/libero/scene_spec.hpp"

namespace gauntlet::suites::libero {

struct Frame {
  geo::Vec3 pos{};
  geo::Quat quat{1, 0, 0, 0};
};

geo::Vec3 to_world(const Frame& f, const geo::Vec3& local);
geo::Vec3 to_local(const Frame& f, const geo::Vec3& world);
// Cosine of the angle between the frame's z axis and world z (1 = upright).
double uprightness(const Frame& f);

// The centre of an object's bounding volume (its bottom is the body origin).
geo::Vec3 object_center(const ObjectModel& m, const Frame& f);

// Horizontal inside tests; `margin` > 0 shrinks the area, < 0 grows it.
bool inside_support_xy(const SupportSpec& s, const Frame& part, const geo::Vec3& p, double margin);
bool inside_region_xy(const SpecRegion& r, const geo::Vec3& p, double margin);
// Inside the box; the bottom may be `below` under the floor, the top is the box's.
bool inside_container(const ContainerSpec& c, const Frame& part, const geo::Vec3& p, double margin,
                      double below);

// Centres in the world: support surface (z = its height), container floor,
// region (z = table top; the centre of the first rectangle).
geo::Vec3 support_center(const SupportSpec& s, const Frame& part);
geo::Vec3 container_floor_center(const ContainerSpec& c, const Frame& part);
geo::Vec3 region_center(const SpecRegion& r);

// The centre of a place: its region's (the table's middle without one), or
// its owner's support or container centre, with `frame_of(entity, part)`
// giving the part's frame (from MuJoCo for the predicates, from privileged
// state for the expert).
using FrameOf = std::function<Frame(int entity, const std::string& part)>;
geo::Vec3 place_center(const Place& p, const FrameOf& frame_of);

}  // namespace gauntlet::suites::libero
