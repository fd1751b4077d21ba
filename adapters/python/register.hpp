// Registers the `python:package.module:ClassName[,key=value...]` policy kind:
// a Python class run in gauntlet's embedded python3.11 (pybind11). Plain
// header: Python's headers stay inside adapters/python/.
#pragma once

#include <memory>

#include "harness/registry.hpp"

namespace gauntlet::adapters {

void register_python_policy(Registry& registry);

// The `python:` world-model and judge kinds (the `worldmodel` backend).
void register_python_world_models(Registry& registry);

// The policy without chunk-execution wrapping (tests and benchmarks).
std::unique_ptr<Policy> make_python_policy(const PolicySpec& spec);

// Runs `code` in the embedded interpreter's __main__ (starting it if needed)
// and returns str() of the variable `result` it sets; for benchmarks and
// tests that time Python against the adapter in the same process.
std::string run_embedded_python(const std::string& code);

}  // namespace gauntlet::adapters
