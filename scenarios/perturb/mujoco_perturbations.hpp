// The MuJoCo backend's perturbations: a PerturbationProvider for a suite that
// supports a set of dimensions, which dispatches each episode's perturbation set
// to the appliers of scenarios/perturb (appearance, placement, distractors, ...).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "scenarios/mujoco/perturbation_hooks.hpp"
#include "scenarios/perturb/distractors.hpp"

namespace gauntlet::perturb {

// Bumped whenever a perturbation's meaning changes (parameters, appliers):
// part of every suite's content hash, so old and new results never mix.
inline constexpr const char* kPerturbationCodeVersion = "perturb/1";

// `dimensions` must be known names (dimension_info); InputError otherwise.
std::shared_ptr<const mj::PerturbationProvider> make_mujoco_perturbations(
    std::vector<std::string> dimensions,
    std::shared_ptr<const DistractorSource> distractors = primitive_distractors());

}  // namespace gauntlet::perturb
