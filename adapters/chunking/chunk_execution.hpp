// How a learned policy's action chunks are executed, chosen per policy spec:
// `replan_every=N` (run N actions of each chunk, then query again) or
// `ensemble=M` (query every step, ACT temporal ensembling with weight exp(-M*i)).
#pragma once

#include <memory>
#include <string_view>

#include "harness/policy.hpp"
#include "harness/policy_spec.hpp"

namespace gauntlet::adapters {

// The spec keys with_chunk_execution() reads; adapters add them to their
// require_known_options() list.
inline constexpr std::string_view kReplanEveryOption = "replan_every";
inline constexpr std::string_view kEnsembleOption = "ensemble";

// Wraps `policy` as the spec asks; returns it unchanged when neither option
// is given. `fallback_replan_every` (e.g. from a model config) applies when the
// spec does not set replan_every. Throws InputError for bad values or both
// options at once. The wrapper's identity() includes the chosen execution.
std::unique_ptr<Policy> with_chunk_execution(const PolicySpec& spec, std::unique_ptr<Policy> policy,
                                             int fallback_replan_every = 0);

}  // namespace gauntlet::adapters
