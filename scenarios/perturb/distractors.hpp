// Extra objects for the `distractors` perturbation. A DistractorSource adds its
// objects to a scene variant, parked under the table, hidden and without contacts;
// at reset the placement wakes as many as the level asks for, clear of the task.
#pragma once

#include <memory>
#include <string>

#include "harness/geometry.hpp"
#include "harness/rng.hpp"
#include "scenarios/mujoco/scene.hpp"
#include "scenarios/mujoco/sim.hpp"
#include "scenarios/mujoco/task.hpp"

namespace gauntlet::perturb {

// Geom group of parked distractors: MuJoCo draws groups 0-2 by default.
inline constexpr int kHiddenGeomGroup = 4;

// Where distractors come from: primitive shapes now; the LIBERO-like object
// library can implement this interface with its meshes.
class DistractorSource {
 public:
  virtual ~DistractorSource() = default;
  // Objects compiled into the scene variant: the most any level places.
  virtual int slots() const = 0;
  // Adds slot `slot` as a body with a free joint named `body_name` at `parked`.
  // Its geoms must start in kHiddenGeomGroup with contype = conaffinity = 0.
  virtual void build(mj::SceneBuilder& scene, int slot, const std::string& body_name,
                     const geo::Vec3& parked) const = 0;
  // Makes slot's geoms visible and solid in the worker's model copy; may dress
  // it (colour) from `rng`.
  virtual void activate(const mj::MjSim& sim, int slot, int body, Rng& rng) const = 0;
  // Height of the body's origin above the table when it rests upright.
  virtual double rest_height(int slot) const = 0;
  virtual double footprint_radius(int slot) const = 0;
  // Part of the suite hash.
  virtual std::string version() const = 0;
};

// Boxes, cylinders and spheres in assorted sizes, recoloured per episode.
std::shared_ptr<const DistractorSource> primitive_distractors();

std::string distractor_body_name(int slot);
// Under the table, out of every camera's view.
geo::Vec3 parked_position(int slot);

// Wakes `count` of the source's objects (0 parks them all) at random places on
// the table, keeping `clearance` from the task's objects, the straight paths
// between them and each other. Parked ones float, inert (gravity cancelled).
// Returns how many were placed (fewer when the table has no room left).
int place_distractors(const mj::MjSim& sim, const mj::MjTask& task, const DistractorSource& source,
                      int count, double clearance, Rng& rng);

}  // namespace gauntlet::perturb
