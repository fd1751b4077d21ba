// The registry of perturbation dimensions: names, documented parameters per
// level growing with severity, validation errors, and the paired seeding rules.
#include <catch2/catch.hpp>

#include <set>

#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/perturb/levels.hpp"
#include "scenarios/perturb/streams.hpp"

using namespace gauntlet;
using namespace gauntlet::perturb;

TEST_CASE("The registry holds the ten dimensions of the issue with five levels each",
          "[perturb][dimensions]") {
  const std::vector<std::string> expected = {"camera",   "lighting",   "texture",  "distractors",
                                             "layout",   "robot_init", "language", "sensor_noise",
                                             "dynamics", "action"};
  CHECK(dimension_names() == expected);
  for (const auto& d : all_dimensions()) {
    INFO(d.name);
    CHECK(d.levels.size() == 5);
    CHECK(!d.summary.empty());
    CHECK(d.visual_only == (d.name == "camera" || d.name == "lighting" || d.name == "texture" ||
                            d.name == "sensor_noise"));
  }
}

TEST_CASE("Every documented parameter grows with the level (JPEG quality falls)",
          "[perturb][dimensions]") {
  for (const auto& d : all_dimensions()) {
    for (std::size_t p = 0; p < d.levels.front().size(); ++p) {
      const std::string& name = d.levels.front()[p].name;
      const double sign = name == "jpeg_quality" ? -1.0 : 1.0;
      INFO(d.name << "." << name);
      for (std::size_t l = 1; l < d.levels.size(); ++l) {
        REQUIRE(d.levels[l][p].name == name);
        CHECK(sign * d.levels[l][p].value >= sign * d.levels[l - 1][p].value);
      }
      const bool flag = d.levels.front()[p].unit == "flag" || name == "clearance";
      if (!flag) CHECK(sign * d.levels.back()[p].value > sign * d.levels.front()[p].value);
    }
  }
}

TEST_CASE("Perturbation sets are validated against the registry and the suite",
          "[perturb][dimensions]") {
  const std::vector<std::string> supported = {"camera", "lighting"};
  CHECK_NOTHROW(
      validate_set(PerturbationSet::parse("camera:2,lighting:5"), supported, "s", "--perturb"));
  CHECK_THROWS_WITH(validate_set(PerturbationSet::parse("weather:2"), supported, "s", "--perturb"),
                    Catch::Contains("unknown perturbation dimension 'weather'") &&
                        Catch::Contains("sensor_noise"));
  CHECK_THROWS_WITH(validate_set(PerturbationSet::parse("texture:1"), supported, "s", "--perturb"),
                    Catch::Contains("does not support dimension 'texture'") &&
                        Catch::Contains("camera, lighting"));
  CHECK_THROWS_AS(dimension_info("nope"), InputError);
  CHECK(level_of(PerturbationSet::parse("camera:2,lighting:5"), "lighting") == 5);
  CHECK(level_of(PerturbationSet::parse("camera:2"), "lighting") == 0);
  CHECK(parse_levels("5,1,3,3", "--ood-sweep") == std::vector<int>{1, 3, 5});
  for (const char* bad : {"", "0", "6", "1,,2", "a", "1.5"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_levels(bad, "--ood-sweep"), Catch::Contains("--ood-sweep"));
  }
}

TEST_CASE(
    "Each dimension draws from its own stream, the same at every level and in any composition",
    "[perturb][dimensions][seeding]") {
  const std::uint64_t seed = episode_seed(20261121, "pick-cube-onto-plate", "nominal", 3);
  std::set<std::uint64_t> seen;
  for (const auto& d : dimension_names()) seen.insert(dimension_seed(seed, d));
  CHECK(seen.size() == dimension_names().size());
  // Not the initial-state (1) or policy-noise (2) streams of the same episode.
  CHECK(seen.count(derive_seed(seed, 1)) == 0);
  CHECK(seen.count(derive_seed(seed, 2)) == 0);
  CHECK(dimension_seed(seed, "camera") != dimension_seed(seed + 1, "camera"));
}
