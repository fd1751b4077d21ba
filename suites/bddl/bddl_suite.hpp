// `--suite bddl:PATH`: a suite built from one LIBERO BDDL file or a folder of
// them (searched recursively, sorted), each file one task of the generic
// LIBERO-like task family.
#pragma once

#include <memory>
#include <string>

#include "harness/registry.hpp"
#include "harness/suite.hpp"

namespace gauntlet::suites::bddl {

// Seed of imported suites (LIBERO files carry none); --seed overrides it.
inline constexpr std::uint64_t kBddlSuiteSeed = 20261121;

// InputError naming the path (missing, unreadable, no .bddl files) or the
// file and line of the first problem in any file.
std::shared_ptr<const Suite> load_bddl_suite(const std::string& path,
                                             const SuiteOptions& options = {});

// Registers the "bddl:" suite resolver.
void register_bddl_resolver(Registry& registry);

}  // namespace gauntlet::suites::bddl
