#include "suites/simpler/simpler_scene.hpp"

#include <algorithm>

namespace gauntlet::suites::simpler {

namespace {

// Sizes after SimplerEnv's object models (a 12 oz can: 66 mm x 122 mm; Bridge's
// toy kitchen objects), colours to read as those objects at 128-640 px.
const std::vector<CatalogObject>& catalog() {
  static const std::vector<CatalogObject> objects = {
      {"coke_can",
       "coke can",
       ObjectShape::kCylinder,
       {0.033, 0.061, 0},
       {0.78, 0.06, 0.08, 1},
       0.05},
      {"pepsi_can",
       "pepsi can",
       ObjectShape::kCylinder,
       {0.033, 0.061, 0},
       {0.1, 0.2, 0.7, 1},
       0.05},
      {"7up_can", "7up can", ObjectShape::kCylinder, {0.033, 0.061, 0}, {0.2, 0.7, 0.25, 1}, 0.05},
      {"redbull_can",
       "redbull can",
       ObjectShape::kCylinder,
       {0.027, 0.068, 0},
       {0.35, 0.45, 0.75, 1},
       0.05},
      {"blue_plastic_bottle",
       "blue plastic bottle",
       ObjectShape::kCylinder,
       {0.032, 0.09, 0},
       {0.35, 0.55, 0.95, 1},
       0.05},
      {"orange", "orange", ObjectShape::kSphere, {0.034, 0, 0}, {1.0, 0.55, 0.05, 1}, 0.08},
      {"apple", "apple", ObjectShape::kSphere, {0.034, 0, 0}, {0.75, 0.1, 0.1, 1}, 0.08},
      {"sponge", "sponge", ObjectShape::kBox, {0.045, 0.03, 0.02}, {0.95, 0.85, 0.25, 1}, 0.02},
      {"spoon", "spoon", ObjectShape::kBox, {0.07, 0.012, 0.008}, {0.72, 0.72, 0.75, 1}, 0.03},
      {"towel", "towel", ObjectShape::kBox, {0.08, 0.08, 0.004}, {0.3, 0.45, 0.8, 1}, 0.3},
      {"carrot", "carrot", ObjectShape::kCapsule, {0.016, 0.045, 0}, {0.95, 0.45, 0.05, 1}, 0.04},
      {"plate", "plate", ObjectShape::kCylinder, {0.085, 0.008, 0}, {0.92, 0.92, 0.9, 1}, 0.3},
      {"green_block",
       "green block",
       ObjectShape::kBox,
       {0.017, 0.017, 0.017},
       {0.1, 0.7, 0.2, 1},
       0.03},
      {"yellow_block",
       "yellow block",
       ObjectShape::kBox,
       {0.017, 0.017, 0.017},
       {0.95, 0.85, 0.1, 1},
       0.03},
      {"eggplant", "eggplant", ObjectShape::kCapsule, {0.022, 0.05, 0}, {0.35, 0.1, 0.45, 1}, 0.06},
      {"basket", "basket", ObjectShape::kBasket, {0.11, 0.09, 0.035}, {0.7, 0.55, 0.35, 1}, 0.5},
  };
  return objects;
}

}  // namespace

const CatalogObject* find_object(std::string_view name) {
  for (const auto& o : catalog()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

std::vector<std::string> object_names() {
  std::vector<std::string> names;
  for (const auto& o : catalog()) names.push_back(o.name);
  return names;
}

double rest_height(const CatalogObject& o, Rest rest) {
  switch (o.shape) {
    case ObjectShape::kBox:
      return o.size[2];
    case ObjectShape::kSphere:
      return o.size[0];
    case ObjectShape::kCylinder:
      return rest == Rest::kUpright ? o.size[1] : o.size[0];
    case ObjectShape::kCapsule:
      return rest == Rest::kUpright ? o.size[1] + o.size[0] : o.size[0];
    case ObjectShape::kBasket:
      return 0.0;
  }
  return 0.0;
}

double top_height(const CatalogObject& o, Rest rest) {
  if (o.shape == ObjectShape::kBasket) return 2 * o.size[2];
  return 2 * rest_height(o, rest);
}

double grasp_width(const CatalogObject& o) {
  return o.shape == ObjectShape::kBox ? 2 * o.size[1] : 2 * o.size[0];
}

double support_half(const CatalogObject& o) {
  switch (o.shape) {
    case ObjectShape::kBox:
    case ObjectShape::kBasket:
      return std::min(o.size[0], o.size[1]);
    default:
      return o.size[0];
  }
}

bool is_fixed(const CatalogObject& o) {
  return o.shape == ObjectShape::kBasket;
}

void add_catalog_object(mj::SceneBuilder& scene, const std::string& instance,
                        const CatalogObject& o, Rest rest) {
  mj::XmlElement& body = scene.add_body(instance, {0, 0, rest_height(o, rest) + 0.3}, !is_fixed(o));
  const bool lying = rest == Rest::kLying;
  mj::XmlElement* g = nullptr;
  switch (o.shape) {
    case ObjectShape::kBox:
      g = &mj::add_box(body, instance + "_geom", o.size, {0, 0, 0}, o.rgba);
      break;
    case ObjectShape::kSphere:
      g = &mj::add_sphere(body, instance + "_geom", o.size[0], {0, 0, 0}, o.rgba);
      break;
    case ObjectShape::kCylinder:
    case ObjectShape::kCapsule: {
      g = &body.add("geom")
               .set("name", instance + "_geom")
               .set("type", o.shape == ObjectShape::kCylinder ? "cylinder" : "capsule")
               .set("size", {o.size[0], o.size[1]})
               .set("rgba", {o.rgba[0], o.rgba[1], o.rgba[2], o.rgba[3]});
      // Lying: the axis along the body's x.
      if (lying) g->set("euler", {0, 1.5707963267948966, 0});
      break;
    }
    case ObjectShape::kBasket: {
      const geo::Vec3& h = o.size;
      const double t = 0.006;
      g = &mj::add_box(body, instance + "_floor", {h[0], h[1], t / 2}, {0, 0, t / 2}, o.rgba);
      for (const double s : {-1.0, 1.0}) {
        mj::add_box(body, "", {t / 2, h[1], h[2]}, {s * (h[0] - t / 2), 0, h[2]}, o.rgba)
            .set("mass", o.mass / 6);
        mj::add_box(body, "", {h[0], t / 2, h[2]}, {0, s * (h[1] - t / 2), h[2]}, o.rgba)
            .set("mass", o.mass / 6);
      }
      g->set("mass", o.mass / 3);
      return;
    }
  }
  g->set("mass", o.mass).set("friction", {1.2, 0.01, 0.001}).set("condim", 4.0);
  // Round objects must not roll away at a touch (SimplerEnv's cans have flat ends, tables have
  // cloth).
  if (o.shape != ObjectShape::kBox) g->set("friction", {1.2, 0.05, 0.01}).set("condim", 6.0);
}

namespace cabinet {

int level_index(std::string_view level) {
  for (int i = 0; i < 3; ++i) {
    if (level == kLevels[static_cast<std::size_t>(i)]) return i;
  }
  return -1;
}

std::string drawer_body(int level) {
  return std::string("cabinet_") + kLevels[static_cast<std::size_t>(level)] + "_drawer";
}

std::string slide_joint(int level) {
  return std::string("cabinet_") + kLevels[static_cast<std::size_t>(level)] + "_slide";
}

geo::Vec3 handle_in_drawer(int level) {
  return {-kHandleOut, kHandleY[static_cast<std::size_t>(level)], 0};
}

geo::Vec3 floor_in_drawer() {
  return {kDrawerDepth / 2, 0, -0.04};
}

}  // namespace cabinet

void add_cabinet(mj::SceneBuilder& scene) {
  using namespace cabinet;
  const mj::Rgba wood{0.55, 0.38, 0.24, 1};
  const mj::Rgba front{0.62, 0.45, 0.3, 1};
  const mj::Rgba metal{0.75, 0.75, 0.78, 1};
  mj::XmlElement& cab = scene.add_body("cabinet", {0.2, 0, 0}, false);
  // Arm links (contype 2) pass through the cabinet (contype 4, conaffinity 1);
  // the hand, fingers and objects (contype 1) do not. The stand-in arms'
  // wrists would otherwise need a real robot's approach to the lower drawers.
  auto solid = [](mj::XmlElement& g) -> mj::XmlElement& {
    return g.set("contype", 4.0).set("conaffinity", 1.0);
  };
  const double hx = kDepth / 2;
  const double hy = kWidth / 2;
  for (const double s : {-1.0, 1.0}) {
    solid(mj::add_box(cab, "", {hx, 0.01, kHeight / 2}, {0, s * (hy - 0.01), kHeight / 2}, wood));
  }
  solid(mj::add_box(cab, "", {0.01, hy, kHeight / 2}, {hx - 0.01, 0, kHeight / 2}, wood));
  for (int k = 0; k <= 3; ++k) {
    solid(mj::add_box(cab, k == 3 ? "cabinet_top" : "", {hx, hy, 0.01}, {0, 0, k * kLevel + 0.01},
                      wood));
  }
  for (int k = 0; k < 3; ++k) {
    mj::XmlElement& d =
        cab.add("body").set("name", drawer_body(k)).set("pos", {-hx, 0, k * kLevel + 0.02 + 0.05});
    d.add("joint")
        .set("name", slide_joint(k))
        .set("type", "slide")
        .set("axis", {-1, 0, 0})
        .set("range", {0, kTravel})
        .set("damping", 3.0)
        .set("frictionloss", 0.3)
        .set("armature", 0.05);
    const double iy = hy - 0.03;
    solid(mj::add_box(d, drawer_body(k) + "_front", {0.0075, hy - 0.025, 0.048}, {0.0075, 0, 0},
                      front))
        .set("mass", 0.3);
    solid(mj::add_box(d, "", {kDrawerDepth / 2, iy, 0.005}, {kDrawerDepth / 2, 0, -0.045}, wood))
        .set("mass", 0.2);
    for (const double s : {-1.0, 1.0}) {
      solid(mj::add_box(d, "", {kDrawerDepth / 2, 0.005, 0.03},
                        {kDrawerDepth / 2, s * (iy - 0.005), -0.02}, wood))
          .set("mass", 0.05);
    }
    solid(mj::add_box(d, "", {0.005, iy, 0.03}, {kDrawerDepth, 0, -0.02}, wood)).set("mass", 0.05);
    const double y = kHandleY[static_cast<std::size_t>(k)];
    solid(mj::add_box(d, drawer_body(k) + "_handle", {0.006, kHandleHalfWidth, 0.006},
                      {-kHandleOut, y, 0}, metal))
        .set("mass", 0.02);
    for (const double s : {-1.0, 1.0}) {
      solid(mj::add_box(d, "", {kHandleOut / 2, 0.006, 0.006},
                        {-kHandleOut / 2, y + s * (kHandleHalfWidth - 0.006), 0}, metal))
          .set("mass", 0.01);
    }
  }
}

}  // namespace gauntlet::suites::simpler
