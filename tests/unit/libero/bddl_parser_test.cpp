// Reading BDDL text: what a LIBERO file declares comes out as a scene, and
// every malformed or unsupported piece is an InputError naming file and line.
#include <catch2/catch.hpp>

#include "harness/errors.hpp"
#include "suites/bddl/bddl_parser.hpp"
#include "suites/libero/resolved_scene.hpp"

using gauntlet::InputError;
using gauntlet::suites::bddl::parse_bddl;
namespace libero = gauntlet::suites::libero;

namespace {

const char* kFile = R"((define (problem LIBERO_Kitchen_Tabletop_Manipulation)
  (:domain robosuite)
  (:language Turn on the stove and put the bowl on it)
    (:regions
      (stove_region
          (:target main_table)
          (:ranges (
              (-0.21 0.19 -0.19 0.21)
            )
          )
          (:yaw_rotation (
              (0.0 0.5)
            )
          )
      )
      (bowl_region
          (:target main_table)
          (:ranges (
              (0.0 -0.1 0.02 -0.08)
              (0.1 -0.1 0.12 -0.08)
            )
          )
      )
      (cook_region
          (:target flat_stove_1)
      )
    )
  ; a comment
  (:fixtures
    main_table - table
    flat_stove_1 - flat_stove
  )
  (:objects
    bowl_1 bowl_2 - akita_black_bowl
  )
  (:obj_of_interest
    bowl_1
  )
  (:init
    (On flat_stove_1 main_table_stove_region)
    (On bowl_1 main_table_bowl_region)
    (On bowl_2 bowl_1)
  )
  (:goal
    (And (Turnon flat_stove_1) (On bowl_1 flat_stove_1_cook_region))
  )
)
)";

std::string error_of(const std::string& text) {
  try {
    libero::resolve_scene(parse_bddl(text, "task.bddl"));
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("A BDDL file's language, regions, entities and predicates are read as written",
          "[libero][bddl]") {
  const libero::SceneSpec s = parse_bddl(kFile, "task.bddl");
  CHECK(s.language == "Turn on the stove and put the bowl on it");
  REQUIRE(s.regions.size() == 3);
  CHECK(s.regions[0].full_name() == "main_table_stove_region");
  REQUIRE(s.regions[0].ranges.size() == 1);
  CHECK(s.regions[0].ranges[0] == std::array<double, 4>{-0.21, 0.19, -0.19, 0.21});
  REQUIRE(s.regions[0].yaws.size() == 1);
  CHECK(s.regions[0].yaws[0].hi == 0.5);
  CHECK(s.regions[1].ranges.size() == 2);
  CHECK(s.regions[2].target == "flat_stove_1");
  CHECK(s.regions[2].ranges.empty());
  REQUIRE(s.entities.size() == 4);
  CHECK(s.entities[3].name == "bowl_2");
  CHECK(s.entities[3].category == "akita_black_bowl");
  CHECK(s.entities[1].declared_fixture);
  CHECK_FALSE(s.entities[2].declared_fixture);
  CHECK(s.entities[2].where == "task.bddl:34");
  REQUIRE(s.init.size() == 3);
  REQUIRE(s.goal.size() == 2);
  CHECK(s.goal[0].kind == libero::PredicateKind::kTurnOn);  // "Turnon": case does not matter
  CHECK(s.goal[1].args == std::vector<std::string>{"bowl_1", "flat_stove_1_cook_region"});
  CHECK(s.goal[1].where == "task.bddl:45");
}

TEST_CASE("A BDDL scene resolves its places against the object library", "[libero][bddl]") {
  const auto scene = libero::resolve_scene(parse_bddl(kFile, "task.bddl"));
  REQUIRE(scene->goal.size() == 2);
  const auto& on = scene->goal[1];
  CHECK(on.place.kind == libero::Place::Kind::kSupport);
  CHECK(on.place.support->region == "cook_region");
  CHECK(scene->entities[static_cast<std::size_t>(on.place.owner)].name == "flat_stove_1");
  const auto& stacked = scene->init[2];
  CHECK(stacked.place.kind == libero::Place::Kind::kSupport);
  CHECK(stacked.place.support->region.empty());  // the bowl's own inside
  CHECK(scene->articulation(scene->goal[0]).kind == libero::ArticulationKind::kKnob);
}

TEST_CASE("An unknown predicate names the file, the line and the supported predicates",
          "[libero][bddl]") {
  const std::string e = error_of(replace(kFile, "(Turnon flat_stove_1)", "(Heat flat_stove_1)"));
  CHECK_THAT(e, Catch::Contains("task.bddl:45"));
  CHECK_THAT(e, Catch::Contains("'Heat'"));
  CHECK_THAT(e, Catch::Contains("On, In, Open, Close, TurnOn, TurnOff"));
}

TEST_CASE("A category without a model names its line and lists the supported categories",
          "[libero][bddl]") {
  const std::string e =
      error_of(replace(kFile, "bowl_1 bowl_2 - akita_black_bowl", "bowl_1 bowl_2 - teapot"));
  CHECK_THAT(e, Catch::Contains("task.bddl:34"));
  CHECK_THAT(e, Catch::Contains("'teapot'"));
  CHECK_THAT(e, Catch::Contains("akita_black_bowl"));
  CHECK_THAT(e, Catch::Contains("wooden_cabinet"));
}

TEST_CASE("Malformed BDDL is reported at the line where it goes wrong", "[libero][bddl]") {
  SECTION("a missing closing parenthesis") {
    const std::string e = error_of(replace(kFile, "(On bowl_2 bowl_1)", "(On bowl_2 bowl_1"));
    CHECK_THAT(e, Catch::Contains("task.bddl:"));
    CHECK_THAT(e, Catch::Contains("')' is missing"));
  }
  SECTION("a range that is not a number") {
    const std::string e =
        error_of(replace(kFile, "(0.0 -0.1 0.02 -0.08)", "(0.0 -0.1 zero -0.08)"));
    CHECK_THAT(e, Catch::Contains("task.bddl:19"));
    CHECK_THAT(e, Catch::Contains("'zero'"));
  }
  SECTION("a range with three numbers") {
    CHECK_THAT(error_of(replace(kFile, "(0.0 -0.1 0.02 -0.08)", "(0.0 -0.1 0.02)")),
               Catch::Contains("task.bddl:19"));
  }
  SECTION("an unknown section") {
    const std::string e = error_of(replace(kFile, "(:obj_of_interest", "(:cameras"));
    CHECK_THAT(e, Catch::Contains("task.bddl:36"));
    CHECK_THAT(e, Catch::Contains(":init, :goal"));
  }
  SECTION("a goal that is not a conjunction") {
    const std::string e = error_of(replace(kFile, "(And (Turnon", "(Or (Turnon"));
    CHECK_THAT(e, Catch::Contains("task.bddl:45"));
    CHECK_THAT(e, Catch::Contains("'Or'"));
  }
  SECTION("a place that does not exist") {
    const std::string e = error_of(replace(kFile, "(On bowl_1 flat_stove_1_cook_region)",
                                           "(On bowl_1 flat_stove_1_oven_region)"));
    CHECK_THAT(e, Catch::Contains("task.bddl:45"));
    CHECK_THAT(e, Catch::Contains("cook_region"));
  }
  SECTION("an object without an initial place") {
    const std::string e = error_of(replace(kFile, "(On bowl_2 bowl_1)", ""));
    CHECK_THAT(e, Catch::Contains("task.bddl:34"));
    CHECK_THAT(e, Catch::Contains("'bowl_2' has no initial place"));
  }
  SECTION("Open on something without a drawer or door") {
    const std::string e = error_of(replace(kFile, "(Turnon flat_stove_1)", "(Open bowl_1)"));
    CHECK_THAT(e, Catch::Contains("task.bddl:45"));
    CHECK_THAT(e, Catch::Contains("a drawer or door"));
  }
  SECTION("text after the problem") {
    CHECK_THAT(error_of(std::string(kFile) + "(extra)"),
               Catch::Contains("after the closing parenthesis"));
  }
}
