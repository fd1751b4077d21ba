// The SimplerEnv-like scenes as plain data: the objects (primitives shaped
// like SimplerEnv's coke can, spoon, carrot, ...), the cabinet with three
// drawers, and one episode's layout drawn from a task's table of layouts
// (SimplerEnv evaluates fixed grids, not random samples). Read by the task
// (simpler_task.cpp) and its scripted expert (expert.cpp).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "harness/geometry.hpp"
#include "scenarios/mujoco/scene.hpp"

namespace gauntlet::suites::simpler {

enum class ObjectShape { kBox, kCylinder, kSphere, kCapsule, kBasket };
// How an elongated object rests: standing on its end, or lying with its axis
// along its body x (the body's yaw then turns the axis).
enum class Rest { kUpright, kLying };

struct CatalogObject {
  std::string name;     // "coke_can"
  std::string display;  // "coke can": how instructions name it
  ObjectShape shape = ObjectShape::kBox;
  geo::Vec3
      size{};  // box/basket: half extents; cylinder/capsule: radius, half length; sphere: radius
  mj::Rgba rgba{0.8, 0.2, 0.2, 1};
  double mass = 0.05;
};

// nullptr when unknown.
const CatalogObject* find_object(std::string_view name);
std::vector<std::string> object_names();

// Height of the body's origin (its centre; a basket's floor) above the
// surface it rests on, and its top above that surface.
double rest_height(const CatalogObject& o, Rest rest);
double top_height(const CatalogObject& o, Rest rest);
// Width between the fingers when grasped across the object.
double grasp_width(const CatalogObject& o);
// Footprint half extent used by "on" predicates when the object is the support.
double support_half(const CatalogObject& o);

// Adds the object as a free body named `instance`; a fixed one (the basket,
// part of SimplerEnv's sink and locked there) is a fixture on the worldbody,
// placed with MjSim::set_static_pose.
void add_catalog_object(mj::SceneBuilder& scene, const std::string& instance,
                        const CatalogObject& o, Rest rest);
bool is_fixed(const CatalogObject& o);

// The cabinet: three drawers (bottom, middle, top) sliding out towards -x.
// The body "cabinet" has its origin at the centre of its bottom; drawer
// bodies "cabinet_<level>_drawer" have theirs at the centre of their front
// face, with slide joints "cabinet_<level>_slide" (0 closed, positive open).
namespace cabinet {
inline constexpr double kDepth = 0.30;                // x extent
inline constexpr double kWidth = 0.40;                // y extent
inline constexpr double kLevel = 0.10;                // height of one drawer
inline constexpr double kHeight = 3 * kLevel + 0.02;  // with the top board
inline constexpr double kDrawerDepth = 0.24;
inline constexpr double kTravel = 0.22;     // slide range
inline constexpr double kHandleOut = 0.06;  // handle bar in front of the drawer face
inline constexpr double kHandleHalfWidth = 0.04;
// The bars sit at different sides so the hand can reach a lower one from
// above without meeting the others (a real arm would come from the front).
inline constexpr std::array<double, 3> kHandleY{-0.12, 0.12, 0.0};
inline constexpr std::array<const char*, 3> kLevels{"bottom", "middle", "top"};
// Level index (0 bottom .. 2 top) by name; -1 when unknown.
int level_index(std::string_view level);
std::string drawer_body(int level);
std::string slide_joint(int level);
// The handle bar's centre in the drawer's frame.
geo::Vec3 handle_in_drawer(int level);
// Centre of the drawer's floor (inside) in its frame.
geo::Vec3 floor_in_drawer();
}  // namespace cabinet

void add_cabinet(mj::SceneBuilder& scene);

// What a task asks for, shared by its predicates and its scripted expert.
enum class Kind { kPick, kMoveNear, kDrawer, kDrawerPlace, kPlaceOn };

struct TaskSpec {
  Kind kind = Kind::kPick;
  std::vector<std::string> objects;  // catalog names, also the body names
  Rest rest = Rest::kUpright;        // pick: how the object lies
  std::string target;                // place_on: the support or container
  int level = 2;                     // drawer: 0 bottom .. 2 top
  bool open = true;                  // drawer: open (or close)
  double open_at = 0.15;             // drawer open when its slide is past this, m
  double closed_at = 0.05;           // and closed below this
  double near = 0.11;                // move_near: centres closer than this, m
  const CatalogObject& object(std::size_t i) const { return *find_object(objects.at(i)); }
};

}  // namespace gauntlet::suites::simpler
