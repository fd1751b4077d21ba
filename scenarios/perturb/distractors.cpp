#include "scenarios/perturb/distractors.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "scenarios/perturb/placement.hpp"

namespace gauntlet::perturb {

using namespace geo;  // Vec3 arithmetic
namespace {

constexpr int kCandidates = 64;              // places tried per distractor
constexpr double kDistractorSpacing = 0.02;  // m between distractors

enum class Kind { kBox, kCylinder, kSphere };
struct Primitive {
  Kind kind;
  Vec3 half;  // box half extents; cylinder radius, -, half height; sphere radius
  double mass;
};

// Household-object-sized shapes: a carton, a can, a ball, a book, a bottle.
constexpr std::array<Primitive, 5> kPrimitives = {{{Kind::kBox, {0.025, 0.02, 0.03}, 0.08},
                                                   {Kind::kCylinder, {0.03, 0.03, 0.04}, 0.1},
                                                   {Kind::kSphere, {0.028, 0.028, 0.028}, 0.06},
                                                   {Kind::kBox, {0.045, 0.032, 0.012}, 0.1},
                                                   {Kind::kCylinder, {0.022, 0.022, 0.06}, 0.08}}};

// Colours of unrelated household objects (no pure red, green or blue).
constexpr std::array<std::array<double, 3>, 8> kPalette = {{{0.92, 0.8, 0.12},
                                                            {0.95, 0.5, 0.1},
                                                            {0.5, 0.22, 0.7},
                                                            {0.1, 0.6, 0.6},
                                                            {0.95, 0.5, 0.7},
                                                            {0.45, 0.3, 0.15},
                                                            {0.55, 0.55, 0.55},
                                                            {0.92, 0.92, 0.88}}};

class PrimitiveDistractors final : public DistractorSource {
 public:
  int slots() const override { return static_cast<int>(kPrimitives.size()); }

  void build(mj::SceneBuilder& scene, int slot, const std::string& body_name,
             const Vec3& parked) const override {
    const Primitive& p = kPrimitives.at(static_cast<std::size_t>(slot));
    mj::XmlElement& body = scene.add_body(body_name, parked, true);
    const std::string geom_name = body_name + "_geom";
    const mj::Rgba grey{0.5, 0.5, 0.5, 1};
    mj::XmlElement* g = nullptr;
    switch (p.kind) {
      case Kind::kBox:
        g = &mj::add_box(body, geom_name, p.half, {0, 0, 0}, grey);
        break;
      case Kind::kCylinder:
        g = &mj::add_cylinder(body, geom_name, p.half[0], p.half[2], {0, 0, 0}, grey);
        break;
      case Kind::kSphere:
        g = &mj::add_sphere(body, geom_name, p.half[0], {0, 0, 0}, grey);
        break;
    }
    g->set("mass", p.mass)
        .set("condim", 3.0)
        .set("contype", 0.0)
        .set("conaffinity", 0.0)
        .set("group", static_cast<double>(kHiddenGeomGroup));
  }

  void activate(const mj::MjSim& sim, int slot, int body, Rng& rng) const override {
    (void)slot;
    mjModel* m = sim.model();
    const auto& colour = kPalette[rng.below(kPalette.size())];
    for (int g = 0; g < m->ngeom; ++g) {
      if (m->geom_bodyid[g] != body) continue;
      m->geom_group[g] = 0;
      m->geom_contype[g] = 1;
      m->geom_conaffinity[g] = 1;
      for (int c = 0; c < 3; ++c)
        m->geom_rgba[4 * g + c] = static_cast<float>(colour[static_cast<std::size_t>(c)]);
    }
  }

  double rest_height(int slot) const override {
    const Primitive& p = kPrimitives.at(static_cast<std::size_t>(slot));
    return mj::kTableTop + (p.kind == Kind::kSphere ? p.half[0] : p.half[2]) + 0.001;
  }

  double footprint_radius(int slot) const override {
    const Primitive& p = kPrimitives.at(static_cast<std::size_t>(slot));
    return p.kind == Kind::kBox ? std::hypot(p.half[0], p.half[1]) : p.half[0];
  }

  std::string version() const override { return "primitive-distractors/1"; }
};

double segment_distance_xy(const Vec3& p, const Vec3& a, const Vec3& b) {
  const Vec3 ab{b[0] - a[0], b[1] - a[1], 0};
  const Vec3 ap{p[0] - a[0], p[1] - a[1], 0};
  const double len2 = dot(ab, ab);
  const double t = len2 > 1e-12 ? std::clamp(dot(ap, ab) / len2, 0.0, 1.0) : 0.0;
  return dist_xy(p, a + t * ab);
}

}  // namespace

std::shared_ptr<const DistractorSource> primitive_distractors() {
  static const auto source = std::make_shared<const PrimitiveDistractors>();
  return source;
}

std::string distractor_body_name(int slot) {
  return "gauntlet_distractor_" + std::to_string(slot);
}

Vec3 parked_position(int slot) {
  return {-0.25 + 0.1 * slot, 0.0, mj::kTableTop - 0.35};
}

int place_distractors(const mj::MjSim& sim, const mj::MjTask& task, const DistractorSource& source,
                      int count, double clearance, Rng& rng) {
  mjModel* m = sim.model();
  mjData* d = sim.data();
  struct Obstacle {
    Vec3 pos;
    double radius;
  };
  std::vector<Obstacle> task_objects;
  for (const int b : task_root_bodies(sim, task))
    task_objects.push_back({sim.body_pos(b), footprint_radius(sim, b)});
  std::vector<Obstacle> placed;
  // A region the agentview camera sees, on the table, within reach.
  const double x_lo = -0.32, x_hi = 0.28, y_lo = -0.38, y_hi = 0.38;
  int woken = 0;
  for (int slot = 0; slot < source.slots(); ++slot) {
    const int body = sim.body(distractor_body_name(slot));
    // Each slot's own stream: level L+1 adds one object to level L's scene.
    Rng slot_rng(derive_seed(rng.next_u64(), static_cast<std::uint64_t>(slot)));
    if (slot >= count) {
      // Parked: float where compiled, gravity cancelled (no contacts to hold it).
      const double weight = m->body_subtreemass[body] * -m->opt.gravity[2];
      d->xfrc_applied[6 * body + 2] = weight;
      continue;
    }
    const double r = source.footprint_radius(slot);
    std::array<Vec3, kCandidates> candidates{};
    for (auto& c : candidates) c = {slot_rng.uniform(x_lo, x_hi), slot_rng.uniform(y_lo, y_hi), 0};
    const double yaw = slot_rng.uniform(-std::numbers::pi, std::numbers::pi);
    source.activate(sim, slot, body, slot_rng);
    bool found = false;
    for (const Vec3& c : candidates) {
      const bool clear_of_task = std::all_of(
          task_objects.begin(), task_objects.end(),
          [&](const Obstacle& o) { return dist_xy(c, o.pos) >= o.radius + r + clearance; });
      bool clear_of_paths = true;
      for (std::size_t i = 0; i < task_objects.size() && clear_of_paths; ++i) {
        for (std::size_t j = i + 1; j < task_objects.size(); ++j) {
          if (segment_distance_xy(c, task_objects[i].pos, task_objects[j].pos) < r + clearance) {
            clear_of_paths = false;
          }
        }
      }
      const bool clear_of_others =
          std::all_of(placed.begin(), placed.end(), [&](const Obstacle& o) {
            return dist_xy(c, o.pos) >= o.radius + r + kDistractorSpacing;
          });
      if (!clear_of_task || !clear_of_paths || !clear_of_others) continue;
      sim.set_free_pose(body, {c[0], c[1], source.rest_height(slot)}, quat_from_yaw(yaw));
      placed.push_back({c, r});
      found = true;
      ++woken;
      break;
    }
    if (!found) {
      // No room: this one stays parked (and hidden again).
      for (int g = 0; g < m->ngeom; ++g) {
        if (m->geom_bodyid[g] != body) continue;
        m->geom_group[g] = kHiddenGeomGroup;
        m->geom_contype[g] = 0;
        m->geom_conaffinity[g] = 0;
      }
      d->xfrc_applied[6 * body + 2] = m->body_subtreemass[body] * -m->opt.gravity[2];
    }
  }
  return woken;
}

}  // namespace gauntlet::perturb
