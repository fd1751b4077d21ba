// The Bullet-side draws of the CALVIN-like suites' perturbations: blocks
// moved on the table (`layout`), the arm's start (`robot_init`) and Bullet's
// physical scales (`dynamics`), each from its own stream, as the MuJoCo
// backend draws them.
#pragma once

#include "harness/rng.hpp"
#include "scenarios/bullet/play_table.hpp"
#include "suites/calvin/subtasks.hpp"

namespace gauntlet::suites::calvin {

void displace_blocks(bullet::PlayInit& init, const Symbolic& sym, const DeskLayout& layout,
                     int level, Rng& rng);
void perturb_arm_start(bullet::PlayInit& init, int level, Rng& rng);
bullet::PhysicsScales draw_physics(int level, Rng& rng);
// `distractors`: level L puts L objects (at most bullet::kMaxDistractors) on
// the table top, clear of the blocks, the sockets, the fixtures and each other.
void place_distractors(bullet::PlayInit& init, const DeskLayout& layout, int level, Rng& rng);

}  // namespace gauntlet::suites::calvin
