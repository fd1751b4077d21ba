#include "suites/libero/predicates.hpp"

#include <algorithm>
#include <cmath>

#include "harness/errors.hpp"
#include "scenarios/mujoco/robot.hpp"

namespace gauntlet::suites::libero {

using namespace geo;

namespace {

int require(const mjModel* m, mjtObj type, const std::string& name, const char* what) {
  const int id = mj_name2id(m, type, name.c_str());
  if (id < 0) throw RuntimeFailure(std::string("LIBERO scene has no ") + what + " '" + name + "'");
  return id;
}

// The lowest point of the model's bounding box in the world: a tilted
// object's bottom is not its origin.
double lowest_z(const ObjectModel& m, const Frame& f) {
  double low = 1e9;
  for (const double sx : {-1.0, 1.0}) {
    for (const double sy : {-1.0, 1.0}) {
      for (const double z : {0.0, m.height}) {
        low = std::min(low, to_world(f, {sx * m.half_x * 0.7, sy * m.half_y * 0.7, z})[2]);
      }
    }
  }
  return low;
}

}  // namespace

SceneIds SceneIds::resolve(const ResolvedScene& scene, const mjModel* m) {
  SceneIds ids;
  for (const Entity& e : scene.entities) {
    EntityIds x;
    if (!e.is_table()) {
      x.body = require(m, mjOBJ_BODY, e.name, "body");
      for (const auto& p : e.model->parts) {
        x.parts.push_back(require(m, mjOBJ_BODY, part_name(e.name, p), "body"));
      }
      for (const auto& a : e.model->articulations) {
        x.joints.push_back(require(m, mjOBJ_JOINT, part_name(e.name, a.joint), "joint"));
      }
      for (const auto& g : e.model->glow_geoms) {
        x.glow.push_back(require(m, mjOBJ_GEOM, part_name(e.name, g), "geom"));
      }
    }
    ids.entities.push_back(std::move(x));
  }
  ids.left_finger = require(m, mjOBJ_BODY, mj::robot::kLeftFinger, "body");
  ids.right_finger = require(m, mjOBJ_BODY, mj::robot::kRightFinger, "body");
  return ids;
}

Frame GoalEvaluator::frame(int entity, const std::string& part) const {
  const auto& x = ids_.entities[static_cast<std::size_t>(entity)];
  if (x.body < 0) return Frame{{0, 0, mj::kTableTop}, {1, 0, 0, 0}};
  int body = x.body;
  if (!part.empty()) {
    const auto& parts = scene_.entities[static_cast<std::size_t>(entity)].model->parts;
    const auto it = std::find(parts.begin(), parts.end(), part);
    body = x.parts[static_cast<std::size_t>(it - parts.begin())];
  }
  return Frame{sim_.body_pos(body), sim_.body_quat(body)};
}

double GoalEvaluator::joint(int entity, int articulation) const {
  const auto& x = ids_.entities[static_cast<std::size_t>(entity)];
  return sim_.joint_pos(x.joints[static_cast<std::size_t>(articulation)]);
}

bool GoalEvaluator::touches(int entity, int body) const {
  return sim_.bodies_touch(ids_.entities[static_cast<std::size_t>(entity)].body, body);
}

bool GoalEvaluator::grasped(int entity) const {
  return touches(entity, ids_.left_finger) && touches(entity, ids_.right_finger);
}

Vec3 GoalEvaluator::place_center(const Place& p) const {
  return libero::place_center(
      p, [this](int entity, const std::string& part) { return frame(entity, part); });
}

bool GoalEvaluator::on(const Condition& c) const {
  const ObjectModel& m = *scene_.entities[static_cast<std::size_t>(c.subject)].model;
  const Frame f = frame(c.subject);
  const Vec3 center = object_center(m, f);
  const double bottom = lowest_z(m, f);
  const Place& p = c.place;
  switch (p.kind) {
    case Place::Kind::kTableRegion: {
      if (p.region && !inside_region_xy(*p.region, center, 0.0)) return false;
      return bottom >= mj::kTableTop - tol_.rest_below && bottom <= mj::kTableTop + tol_.rest_above;
    }
    case Place::Kind::kSupport: {
      const Frame pf = frame(p.owner, p.support->part);
      if (!inside_support_xy(*p.support, pf, center, 0.0)) return false;
      const double surface = support_center(*p.support, pf)[2];
      if (center[2] <= surface) return false;
      const auto& owner = ids_.entities[static_cast<std::size_t>(p.owner)];
      int body = owner.body;
      if (!p.support->part.empty()) {
        const auto& parts = scene_.entities[static_cast<std::size_t>(p.owner)].model->parts;
        body = owner.parts[static_cast<std::size_t>(
            std::find(parts.begin(), parts.end(), p.support->part) - parts.begin())];
      }
      if (touches(c.subject, body)) return true;
      return bottom >= surface - tol_.rest_below && bottom <= surface + tol_.rest_above;
    }
    case Place::Kind::kContainer:
      return in(c);
  }
  return false;
}

bool GoalEvaluator::in(const Condition& c) const {
  const ObjectModel& m = *scene_.entities[static_cast<std::size_t>(c.subject)].model;
  const Place& p = c.place;
  if (p.kind != Place::Kind::kContainer) return on(c);
  const Vec3 center = object_center(m, frame(c.subject));
  return inside_container(*p.container, frame(p.owner, p.container->part), center, 0.0,
                          tol_.container_below);
}

bool GoalEvaluator::holds(const Condition& c) const {
  switch (c.kind) {
    case PredicateKind::kOn:
      return !grasped(c.subject) && on(c);
    case PredicateKind::kIn:
      return !grasped(c.subject) && in(c);
    case PredicateKind::kOpen:
    case PredicateKind::kTurnOn:
      return joint(c.subject, c.articulation) >= scene_.articulation(c).open_at;
    case PredicateKind::kClose:
    case PredicateKind::kTurnOff:
      return joint(c.subject, c.articulation) <= scene_.articulation(c).closed_at;
  }
  return false;
}

double GoalEvaluator::baseline(const Condition& c) const {
  if (c.is_placement()) {
    const ObjectModel& m = *scene_.entities[static_cast<std::size_t>(c.subject)].model;
    return dist_xy(object_center(m, frame(c.subject)), place_center(c.place));
  }
  return joint(c.subject, c.articulation);
}

double GoalEvaluator::partial(const Condition& c, double base) const {
  constexpr double kCap = 0.95;
  if (c.is_placement()) {
    const double d = baseline(c);
    const double closer = std::clamp(1.0 - d / std::max(base, 0.05), 0.0, 1.0);
    return std::min(kCap, 0.7 * closer + (grasped(c.subject) ? 0.2 : 0.0));
  }
  const ArticulationSpec& a = scene_.articulation(c);
  const double q = joint(c.subject, c.articulation);
  const bool up = c.kind == PredicateKind::kOpen || c.kind == PredicateKind::kTurnOn;
  const double goal = up ? a.open_at : a.closed_at;
  const double span = up ? goal - base : base - goal;
  if (span <= 1e-9) return kCap;
  const double done = up ? q - base : base - q;
  return kCap * std::clamp(done / span, 0.0, 1.0);
}

void update_glow(const ResolvedScene& scene, const SceneIds& ids, const mj::MjSim& sim) {
  mjModel* m = sim.model();
  for (std::size_t e = 0; e < scene.entities.size(); ++e) {
    const ObjectModel& model = *scene.entities[e].model;
    const auto& x = ids.entities[e];
    if (x.glow.empty()) continue;
    bool on = false;
    for (std::size_t a = 0; a < model.articulations.size(); ++a) {
      const ArticulationSpec& spec = model.articulations[a];
      if (spec.kind == ArticulationKind::kKnob && sim.joint_pos(x.joints[a]) >= spec.open_at)
        on = true;
    }
    const mj::Rgba& c = on ? model.glow_on : model.glow_off;
    for (const int g : x.glow) {
      for (int i = 0; i < 4; ++i) {
        m->geom_rgba[4 * g + i] = static_cast<float>(c[static_cast<std::size_t>(i)]);
      }
    }
  }
}

}  // namespace gauntlet::suites::libero
