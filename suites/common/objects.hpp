// Objects and placement regions shared by task families: a primitive object
// read from YAML and added to the scene as a free body, and a region that
// samples initial poses from the episode's stream.
#pragma once

#include <string>

#include "harness/rng.hpp"
#include "scenarios/mujoco/scene.hpp"
#include "suites/common/yaml_fields.hpp"

namespace gauntlet::suites {

enum class Shape { kBox, kCylinder, kSphere };

struct ObjectSpec {
  std::string name;
  Shape shape = Shape::kBox;
  geo::Vec3 half_size{0.02, 0.02,
                      0.02};  // box: half extents; cylinder: radius, radius, half height
  mj::Rgba rgba{0.8, 0.2, 0.2, 1};
  double mass = 0.05;
  double friction = 1.0;

  double half_height() const { return shape == Shape::kSphere ? half_size[0] : half_size[2]; }
  // Radius of the footprint's bounding circle.
  double footprint_radius() const;
};

// Reads {name, shape, half_size | radius + half_height, rgba, mass, friction}.
ObjectSpec parse_object(const YamlFields& fields, const std::string& default_name);
// Adds `spec` as a free body named spec.name resting at (x, y) on the table.
mj::XmlElement& add_object(mj::SceneBuilder& scene, const ObjectSpec& spec, double x, double y);

struct Region {
  Range x;
  Range y;
  Range yaw{0.0, 0.0};

  struct Sample {
    double x, y, yaw;
  };
  Sample sample(Rng& rng) const {
    return {rng.uniform(x.lo, x.hi), rng.uniform(y.lo, y.hi), rng.uniform(yaw.lo, yaw.hi)};
  }
  double center_x() const { return 0.5 * (x.lo + x.hi); }
  double center_y() const { return 0.5 * (y.lo + y.hi); }
};

// Reads {x: [lo, hi], y: [lo, hi], yaw: [lo, hi]} and checks it lies on the table.
Region parse_region(const YamlFields& fields);

}  // namespace gauntlet::suites
