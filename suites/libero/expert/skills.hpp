// The expert's skills, each a closed-loop state machine over the world view:
// pick-and-place (or push, for what the gripper cannot hold), drawer pull and
// push, door closing, knob turning. The planner (goal_expert.cpp) picks which
// one runs; a skill reports when it is finished.
#pragma once

#include <memory>
#include <span>

#include "suites/libero/expert/world_view.hpp"

namespace gauntlet::suites::libero {

class Skill {
 public:
  virtual ~Skill() = default;
  // Writes the 7-D action; returns true once the skill has finished (the
  // planner then re-checks the goal and chooses again).
  virtual bool act(const WorldView& w, std::span<float> action) = 0;
};

// Moves `c.subject` to `c.place`: grasp, carry over obstacles, lower (from
// above, or through a container's front opening) and release; pushes it
// across the table instead when it is not graspable.
std::unique_ptr<Skill> make_place_skill(const Condition& c);

// Picks `subject` up and sets it down on the table at `spot` (world).
std::unique_ptr<Skill> make_move_skill(int subject, const geo::Vec3& spot);

// Pulls a drawer open until its joint reaches `target` (or pushes it closed
// down to `target`), gripping the handle with the fingers tilted towards the
// cabinet so that palm and wrist clear the drawers above.
std::unique_ptr<Skill> make_drawer_skill(int entity, int articulation, bool open, double target);

// Sweeps a hinged door shut by pushing its outer face around the hinge.
std::unique_ptr<Skill> make_door_close_skill(int entity, int articulation, double target);

// Grasps a knob's fin and turns it to `target` radians.
std::unique_ptr<Skill> make_knob_skill(int entity, int articulation, double target);

}  // namespace gauntlet::suites::libero
