// The scripted expert of the SimplerEnv-like tasks: grasp, carry and place
// skills and the drawer hook, reading Observation::privileged only.
#pragma once

#include <memory>

#include "harness/policy.hpp"
#include "suites/simpler/simpler_scene.hpp"

namespace gauntlet::suites::simpler {

// `control_hz`: steps of waiting (closing the fingers) are counted in seconds.
std::unique_ptr<Expert> make_expert(const TaskSpec& spec, int control_hz);

}  // namespace gauntlet::suites::simpler
