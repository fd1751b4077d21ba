// The 34 CALVIN subtasks on the play table: names, categories, language
// annotations in CALVIN's style, their oracles (privileged state at the
// subtask's start vs now, with CALVIN's thresholds), and the symbolic state
// the chain sampler reasons over (what is feasible, what a subtask leaves).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "scenarios/bullet/play_table.hpp"

namespace gauntlet::suites::calvin {

using bullet::DeskLayout;
using bullet::kBlocks;
using bullet::PlayState;

inline constexpr int kChainLength = 5;
inline constexpr int kStepsPerSubtask = 360;

// Where a block is, symbolically (CALVIN's scene-info vocabulary).
enum class Place { kTable, kSliderLeft, kSliderRight, kDrawer, kStacked, kGrasped, kOther };
const char* to_string(Place p);

struct Symbolic {
  bool led = false;
  bool bulb = false;
  bool slider_left = false;  // the door is on the left (the right compartment is open)
  bool drawer_open = false;
  std::array<Place, kBlocks> blocks{Place::kTable, Place::kSliderLeft, Place::kSliderRight};
  friend bool operator==(const Symbolic&, const Symbolic&) = default;
};

struct Subtask {
  std::string name;
  std::string category;    // no two subtasks of one category in a chain
  std::string annotation;  // the instruction shown to the policy
};

// The 34 subtasks, in CALVIN's order.
const std::vector<Subtask>& subtasks();
// Index of `name`, -1 when unknown.
int subtask_index(const std::string& name);
std::vector<std::string> subtask_names();

// Whether subtask `task` can be done from `s`, and the state it leaves.
bool feasible(int task, const Symbolic& s);
Symbolic apply(int task, const Symbolic& s);
// The block push_into_drawer moves from `s` (-1: none).
int push_into_drawer_block(const Symbolic& s);

// Reads the physical state symbolically (support of each block, door, drawer, lights).
Place place_of(int block, const PlayState& s, const DeskLayout& layout);
Symbolic classify(const PlayState& s, const DeskLayout& layout);

// The oracle: has `task` been achieved between `start` and `now`?
bool achieved(int task, const PlayState& start, const PlayState& now, const DeskLayout& layout);

// Where a block starts in a compartment of the cabinet / on the drawer floor.
std::array<double, 2> compartment_centre(bool left, const DeskLayout& layout);

}  // namespace gauntlet::suites::calvin
