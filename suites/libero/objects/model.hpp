// One object or fixture of the LIBERO-like library: how it is built from
// primitives, and what predicates and the scripted expert may rely on (its
// graspable part, support surfaces, containment volumes and articulations).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/geometry.hpp"
#include "scenarios/mujoco/scene.hpp"
#include "suites/common/yaml_fields.hpp"

namespace gauntlet::suites::libero {

inline constexpr double kPi = 3.14159265358979323846;

// Every model has its origin at the centre of its bottom face: an object
// resting on a surface at height z has its body at z.

// The MuJoCo name of a part of an instance: "plate_1" for the root ("" part),
// "wooden_cabinet_1/top_drawer" for a part.
std::string part_name(const std::string& instance, const std::string& part);

enum class GraspStyle {
  kNone,        // not graspable: pushed from behind
  kAcross,      // fingers close across the object at `point`
  kDragInside,  // too wide to grasp but rimmed (a plate): closed fingers inside the rim drag it
};

struct GraspSpec {
  GraspStyle style = GraspStyle::kNone;
  geo::Vec3 point{};    // grasp point in the root frame
  double yaw = 0.0;     // gripper yaw relative to the object's yaw for this grasp
  double period = kPi;  // the grasp repeats every `period` radians of yaw
  double width = 0.0;   // object width between the fingers, m
  // kDragInside: the closed fingers go `drag_radius` from the centre, with
  // the tool centre point `point.z` above the object's bottom.
  double drag_radius = 0.0;
};

// A surface things rest on: a plate's top, a stove's cooking area.
struct SupportSpec {
  std::string region;   // "" = the object itself ("On bowl_1 plate_1"), else "cook_region", ...
  std::string part;     // body the surface belongs to ("" = root)
  geo::Vec3 center{};   // z is the height of the surface
  double half_x = 0.0;  // rectangle half extents; the radius in half_x when round
  double half_y = 0.0;
  bool round = false;
};

// How the expert puts something into a container.
enum class Entry {
  kTop,    // lowered from above (basket, open drawer, caddy)
  kFront,  // carried in horizontally through a front opening (microwave)
};

// A volume things go into: a basket, a drawer, a microwave's cavity.
struct ContainerSpec {
  std::string region;  // "contain_region", "top_region", "heating_region", ...
  std::string part;    // body the volume moves with ("" = root)
  geo::Vec3 center{};  // box centre in the part frame; its bottom face is the floor
  geo::Vec3 half{};
  Entry entry = Entry::kTop;
  geo::Vec3 front{1, 0, 0};  // kFront: outward direction of the opening, root frame
  // The articulation (by region name, "" = the fixture's own) that must be
  // open to reach in, when `needs_open`.
  bool needs_open = false;
  std::string articulation;
};

enum class ArticulationKind { kDrawer, kDoor, kKnob };

struct ArticulationSpec {
  std::string region;  // name used by Open/Close ("top_region"); "" = the fixture itself
  ArticulationKind kind = ArticulationKind::kDrawer;
  std::string part;        // the moving body
  std::string joint;       // joint name suffix
  double open_at = 0.0;    // Open / TurnOn holds when q >= open_at
  double closed_at = 0.0;  // Close / TurnOff holds when q <= closed_at
  Range init_open;         // q sampled when :init says Open / TurnOn
  Range init_closed;       // q sampled otherwise
  double max = 0.0;        // joint upper limit
  // Drawer: the handle's centre in the part frame; knob: the grasp point.
  geo::Vec3 handle{};
  geo::Vec3 handle_half{};  // drawer handle block half extents (part frame)
  // Drawer: opening direction in the root frame. Door: outward normal of the
  // closed door in the root frame.
  geo::Vec3 out{1, 0, 0};
  double door_width = 0.0;  // door: hinge to free edge, m
  double door_thickness = 0.0;
  double door_height = 0.0;  // door: bottom to top, root frame
  double door_bottom = 0.0;
};

// A box the expert keeps the gripper and what it carries clear of.
struct ObstacleBox {
  std::string part;  // "" = root
  geo::Vec3 center{};
  geo::Vec3 half{};
};

struct ModelBuild;

struct ObjectModel {
  std::string category;
  std::string description;          // one line for documentation and error messages
  bool fixture = false;             // static (placed per episode by editing the model copy)
  bool table = false;               // the scene's table surface itself (no geometry of its own)
  mj::Rgba table_rgba{0, 0, 0, 0};  // table categories: the table's colour
  double radius = 0.05;             // footprint bounding circle, m
  double height = 0.05;             // top above the bottom, m
  double half_x = 0.05;             // footprint box half extents in the root frame
  double half_y = 0.05;
  GraspSpec grasp;
  std::vector<SupportSpec> supports;
  std::vector<ContainerSpec> containers;
  std::vector<ArticulationSpec> articulations;
  std::vector<ObstacleBox> obstacles;   // default: the footprint box up to `height`
  std::vector<std::string> parts;       // child bodies the build creates
  std::vector<std::string> glow_geoms;  // geom suffixes recoloured while a knob is on
  mj::Rgba glow_on{0.95, 0.32, 0.08, 1};
  mj::Rgba glow_off{0.12, 0.12, 0.13, 1};
  std::function<void(ModelBuild&)> build;

  const SupportSpec* support(const std::string& region) const;
  const ContainerSpec* container(const std::string& region) const;
  const ArticulationSpec* articulation(const std::string& region) const;
  // Every region name a predicate may use on this model, for error messages.
  std::vector<std::string> region_names() const;
};

// What a model's build function gets: the scene, its root body (already
// placed, with a free joint for objects), and helpers for parts.
struct ModelBuild {
  mj::SceneBuilder& scene;
  mj::XmlElement& root;
  std::string name;

  // A child body "<name>/<part>" of `parent` at `pos` (parent frame).
  mj::XmlElement& part(mj::XmlElement& parent, const std::string& part, const geo::Vec3& pos) const;
  std::string geom_name(const std::string& suffix) const { return part_name(name, suffix); }
};

}  // namespace gauntlet::suites::libero
