// The scripted expert of the play table: for the current subtask (the
// privileged scalar `subtask`) a short list of TCP waypoints planned from the
// privileged state at the subtask's start (grasp, push, slide, press).
#pragma once

#include <memory>

#include "harness/policy.hpp"
#include "scenarios/bullet/play_table.hpp"

namespace gauntlet::suites::calvin {

std::unique_ptr<Expert> make_calvin_expert(const bullet::DeskLayout& layout);

}  // namespace gauntlet::suites::calvin
