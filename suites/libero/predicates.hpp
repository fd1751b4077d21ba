// The goal predicates, evaluated geometrically on the live simulation:
// On = resting on a support (inside it, touching it or at its height, not
// held), In = centre inside a container volume, Open/Close = a drawer's or
// door's joint past a threshold, TurnOn/TurnOff = a knob's angle.
#pragma once

#include <mujoco/mujoco.h>

#include <string>
#include <vector>

#include "scenarios/mujoco/sim.hpp"
#include "suites/libero/resolved_scene.hpp"
#include "suites/libero/scene_geometry.hpp"

namespace gauntlet::suites::libero {

// Ids of a scene's bodies, joints and geoms in its compiled model. They are
// the same in every worker's copy, so a task resolves them once.
struct SceneIds {
  struct EntityIds {
    int body = -1;            // -1 for the table
    std::vector<int> parts;   // per model part
    std::vector<int> joints;  // per articulation: joint id
    std::vector<int> glow;    // per glow geom: geom id
  };
  std::vector<EntityIds> entities;
  int left_finger = -1;
  int right_finger = -1;

  static SceneIds resolve(const ResolvedScene& scene, const mjModel* model);
};

// Tolerances of the predicates, in metres.
struct PredicateTolerances {
  double rest_below = 0.012;  // On: bottom may sit this far under the surface (soft contacts)
  double rest_above = 0.015;  // On without contact: bottom at most this far above it
  double container_below = 0.01;
};

class GoalEvaluator {
 public:
  GoalEvaluator(const ResolvedScene& scene, const SceneIds& ids, const mj::MjSim& sim)
      : scene_(scene), ids_(ids), sim_(sim) {}

  bool holds(const Condition& c) const;
  // A measure that progress is counted from: the subject's distance to its
  // place (On/In) or the joint position (Open..TurnOff).
  double baseline(const Condition& c) const;
  // In [0, 1): how far towards holding (1 is reserved for holding).
  double partial(const Condition& c, double baseline) const;

  Frame frame(int entity, const std::string& part = {}) const;
  double joint(int entity, int articulation) const;
  // Both fingers touch the entity.
  bool grasped(int entity) const;
  bool touches(int entity, int body) const;
  // World centre of a place, z at its surface / floor.
  geo::Vec3 place_center(const Place& p) const;

 private:
  bool on(const Condition& c) const;
  bool in(const Condition& c) const;

  const ResolvedScene& scene_;
  const SceneIds& ids_;
  const mj::MjSim& sim_;
  PredicateTolerances tol_;
};

// Recolours the burners of every knob-lit fixture in the worker's model copy.
void update_glow(const ResolvedScene& scene, const SceneIds& ids, const mj::MjSim& sim);

}  // namespace gauntlet::suites::libero
