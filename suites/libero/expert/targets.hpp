// Where the expert puts an object: a free spot on or in its place (room to
// the other objects first, then near the centre), the yaw it must be turned
// to when it only fits one way, and how low it can be lowered before the
// fingers, opening, would hit the place's walls.
#pragma once

#include <optional>
#include <string>

#include "suites/libero/expert/world_view.hpp"

namespace gauntlet::suites::libero {

struct Target {
  int owner = -1;  // the place's owner; -1: `local` is in the world frame
  std::string part;
  geo::Vec3 local{};             // the object's centre at its destination, owner (part) frame
  bool turn = false;             // the object must be turned to `yaw` to fit
  double yaw = 0.0;              // world yaw wanted for the object
  double drop = 0.0;             // the object's bottom height to release it at (world z)
  double finger_floor = -1.0;    // the fingertips stay above this (world z)
  bool set_release_yaw = false;  // turn the gripper to `release_yaw` while carrying
  double release_yaw = 0.0;
  bool front = false;       // carried in through a front opening
  geo::Vec3 entry_local{};  // outside that opening, owner frame

  geo::Vec3 world(const WorldView& w, const geo::Vec3& l) const {
    return owner < 0 ? l : to_world(w.frame(owner, part), l);
  }
};

// `gripper_yaw`: the gripper's yaw while it carries the object (before any turn).
Target choose_target(const WorldView& w, const Condition& c, double gripper_yaw);

// The gripper yaw to grasp `subject` at: among its symmetric grasps, the one
// whose open fingers land clear of neighbours, fixture walls and the walls of
// a container it stands in; ties go to the one closest to `reference`.
double choose_grasp_yaw(const WorldView& w, int subject, double reference);

// The gripper yaw the place prefers the object carried at (the object is
// then grasped at the symmetric yaw closest to it); none: keep the current.
std::optional<double> preferred_carry_yaw(const WorldView& w, const Condition& c);

// Horizontal distance from `p` to the footprint of drawer `articulation` of
// `owner` pulled out to joint value `q` (its obstacle box, handle included);
// negative inside it.
double distance_to_drawer(const WorldView& w, int owner, int articulation, double q,
                          const geo::Vec3& p);

// An object standing where an opening drawer will hang over it cannot be
// reached from above once the drawer is open. Room the hand needs between the
// object's centre and the open drawer's footprint:
inline constexpr double kHandRoomToDrawer = 0.1;

// A free spot on the table, as near `subject` as there is one, at least
// kHandRoomToDrawer from the drawer open at `q` and clear of the other
// objects and fixtures; none when there is no such spot within reach.
std::optional<geo::Vec3> spot_clear_of_drawer(const WorldView& w, int subject, int owner,
                                              int articulation, double q);

}  // namespace gauntlet::suites::libero
