// Reads LIBERO's BDDL task files (an s-expression problem definition) into a
// LIBERO scene: :language, :regions (ranges, yaw rotation, target), :fixtures,
// :objects, :obj_of_interest, :init and :goal (And of predicates).
#pragma once

#include <string>

#include "suites/libero/scene_spec.hpp"

namespace gauntlet::suites::bddl {

// InputError "SOURCE:LINE: ..." for malformed text, an unknown section,
// region attribute or predicate (each listing the supported names).
libero::SceneSpec parse_bddl(const std::string& text, const std::string& source);

}  // namespace gauntlet::suites::bddl
