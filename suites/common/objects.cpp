#include "suites/common/objects.hpp"

#include <cmath>

namespace gauntlet::suites {

double ObjectSpec::footprint_radius() const {
  switch (shape) {
    case Shape::kBox:
      return std::hypot(half_size[0], half_size[1]);
    case Shape::kCylinder:
      return half_size[0];
    case Shape::kSphere:
      return half_size[0];
  }
  return half_size[0];
}

ObjectSpec parse_object(const YamlFields& f, const std::string& default_name) {
  f.only_keys({"name", "shape", "half_size", "radius", "half_height", "rgba", "mass", "friction"});
  ObjectSpec spec;
  spec.name = f.string_or("name", default_name);
  const std::string shape = f.string_or("shape", "box");
  if (shape == "box") {
    spec.shape = Shape::kBox;
    spec.half_size = f.vec3_or("half_size", spec.half_size);
  } else if (shape == "cylinder") {
    spec.shape = Shape::kCylinder;
    const double r = f.number("radius");
    spec.half_size = {r, r, f.number("half_height")};
  } else if (shape == "sphere") {
    spec.shape = Shape::kSphere;
    const double r = f.number("radius");
    spec.half_size = {r, r, r};
  } else {
    f.fail_at(f.node()["shape"], "shape",
              "unknown shape '" + shape + "'; expected box, cylinder or sphere");
  }
  for (const double s : spec.half_size) {
    if (!(s > 0.002 && s < 0.5)) f.fail("object sizes must be between 0.002 and 0.5 m");
  }
  spec.rgba = f.rgba_or("rgba", spec.rgba);
  spec.mass = f.number_or("mass", spec.mass);
  if (!(spec.mass > 0.0 && spec.mass < 50.0)) f.fail("mass must be in (0, 50) kg");
  spec.friction = f.number_in("friction", spec.friction, 0.0, 10.0, "[0, 10]");
  return spec;
}

mj::XmlElement& add_object(mj::SceneBuilder& scene, const ObjectSpec& spec, double x, double y) {
  mj::XmlElement& body =
      scene.add_body(spec.name, {x, y, mj::kTableTop + spec.half_height() + 0.001}, true);
  mj::XmlElement* geom = nullptr;
  switch (spec.shape) {
    case Shape::kBox:
      geom = &mj::add_box(body, spec.name + "_geom", spec.half_size, {0, 0, 0}, spec.rgba);
      break;
    case Shape::kCylinder:
      geom = &mj::add_cylinder(body, spec.name + "_geom", spec.half_size[0], spec.half_size[2],
                               {0, 0, 0}, spec.rgba);
      break;
    case Shape::kSphere:
      geom = &mj::add_sphere(body, spec.name + "_geom", spec.half_size[0], {0, 0, 0}, spec.rgba);
      break;
  }
  geom->set("mass", spec.mass).set("friction", {spec.friction, 0.01, 0.0002}).set("condim", 4.0);
  return body;
}

Region parse_region(const YamlFields& f) {
  f.only_keys({"x", "y", "yaw"});
  Region r;
  r.x = f.range("x");
  r.y = f.range("y");
  r.yaw = f.range_or("yaw", {0.0, 0.0});
  if (r.x.lo < -0.48 || r.x.hi > 0.48 || r.y.lo < -0.68 || r.y.hi > 0.68) {
    f.fail("region must lie on the table: x within [-0.48, 0.48], y within [-0.68, 0.68]");
  }
  return r;
}

}  // namespace gauntlet::suites
