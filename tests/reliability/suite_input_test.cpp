// Suite YAML, BDDL and policy specs with out-of-domain values, duplicate keys
// and random damage (issue 17, item 8, and the fuzz harness of its proof).
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <random>

#include "harness/errors.hpp"
#include "harness/policy_spec.hpp"
#include "suites/bddl/bddl_parser.hpp"
#include "suites/builtin.hpp"
#include "suites/common/suite_loader.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;

namespace {

const std::string& smoke_yaml() {
  for (const auto& [path, text] : embedded_suite_files()) {
    if (path.find("tabletop-smoke") != std::string::npos) return text;
  }
  FAIL("no tabletop-smoke.yaml embedded");
  static const std::string none;
  return none;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string load_error(const std::string& text) {
  try {
    suites::load_suite_yaml(text, "s.yaml", suites::builtin_task_families());
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string bddl_text() {
  return testing::read_file(std::filesystem::path(GAUNTLET_SHARED_DATA_DIR) / "libero_bddl" /
                            "libero_goal" / "put_the_bowl_on_the_plate.bddl");
}

}  // namespace

TEST_CASE("Suite fields out of their domain are input errors naming the field",
          "[reliability][suites]") {
  const std::string& y = smoke_yaml();
  REQUIRE(load_error(y).empty());
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"object_region: {x: [-0.15, 0.15]", "object_region: {x: [.nan, .nan]", "finite"},
      {"object_region: {x: [-0.15, 0.15]", "object_region: {x: [-.inf, 0.15]", "finite"},
      {"mass: 0.1, friction: 0.6", "mass: 0.1, friction: -0.6", "friction"},
      {"rgba: [0.85, 0.15, 0.12]", "rgba: [1.85, 0.15, 0.12]", "[0, 1]"},
      {"settle_steps: 10", "settle_steps: 1000000000", "settle_steps"},
      {"max_steps: 160", "max_steps: 2000000000", "max_steps"},
      {"yaw: [-0.785, 0.785]", "yaw: [.nan, 0.785]", "finite"},
      {"control_hz: 20", "control_hz: 20\nscene: {agentview_fovy: 0}", "agentview_fovy"},
      {"control_hz: 20", "control_hz: 20\nscene: {agentview_fovy: -5}", "agentview_fovy"},
      {"control_hz: 20", "control_hz: 20\nscene: {gripper_home: [0, 0, 5]}", "gripper_home"},
      {"control_hz: 20", "control_hz: 20\nscene: {table_rgba: [0.5, 0.5, 0.5, 3]}", "[0, 1]"},
  };
  for (const auto& [from, to, words] : cases) {
    const std::string err = load_error(replaced(y, from, to));
    INFO(to << " -> " << err);
    CHECK_THAT(err, Catch::Contains("s.yaml:") && Catch::Contains(words));
  }
}

TEST_CASE("A duplicate YAML key is an error naming both lines", "[reliability][suites]") {
  const std::string y =
      replaced(smoke_yaml(), "episodes_per_task: 50", "seed: 5\nepisodes_per_task: 50");
  const std::string err = load_error(y);
  CHECK_THAT(err, Catch::Contains("s.yaml:9") && Catch::Contains("duplicate key 'seed'") &&
                      Catch::Contains("line 8"));
  // Nested mappings too.
  CHECK_THAT(load_error(replaced(smoke_yaml(), "mass: 0.05}", "mass: 0.05, mass: 9}")),
             Catch::Contains("duplicate key 'mass'"));
}

TEST_CASE("BDDL numbers must be finite", "[reliability][suites]") {
  const std::string good = bddl_text();
  REQUIRE_NOTHROW(suites::bddl::parse_bddl(good, "x.bddl"));
  const std::string bad =
      replaced(good, "(3.141592653589793 3.141592653589793)", "(nan 3.141592653589793)");
  CHECK_THROWS_WITH(suites::bddl::parse_bddl(bad, "x.bddl"),
                    Catch::Contains("x.bddl:") && Catch::Contains("finite"));
  CHECK_THROWS_AS(
      suites::bddl::parse_bddl(replaced(good, "(3.141592653589793 3.141592653589793)", "(inf inf)"),
                               "x.bddl"),
      InputError);
}

namespace {

// A random edit of `text`: bytes flipped, a span deleted or duplicated, or a
// token swapped for a hostile one.
std::string mutate(const std::string& text, std::mt19937_64& rng) {
  static const std::vector<std::string> tokens{
      ".nan", "-.inf", "1e308", "-1", "0",         "99999999999", "[",        "]",
      "{",    "}",     ":",     "- ", "&a",        "*a",          "!!binary", "\"",
      "\n  ", "(",     ")",     ")(", "seed: 1\n", "\t",          "\x1b",     std::string(1, '\0')};
  std::string b = text;
  switch (rng() % 4) {
    case 0:
      for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
        b[rng() % b.size()] = static_cast<char>(rng());
      }
      break;
    case 1: {
      const std::size_t at = rng() % b.size();
      b.erase(at, rng() % 200);
      break;
    }
    case 2: {
      const std::size_t at = rng() % b.size();
      b.insert(rng() % b.size(), b.substr(at, rng() % 200));
      break;
    }
    default:
      b.insert(rng() % b.size(), tokens[rng() % tokens.size()]);
  }
  return b;
}

}  // namespace

TEST_CASE("Fuzz: damaged suite YAML, BDDL and policy specs are input errors or load",
          "[reliability][fuzz][suites]") {
  std::mt19937_64 rng(8);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  int yaml_runs = 0, bddl_runs = 0, spec_runs = 0;
  const std::string y = smoke_yaml();
  const std::string bddl = bddl_text();
  // Deep nesting is bounded (no recursion overflow).
  CHECK_THROWS_AS(
      suites::load_suite_yaml(std::string(100000, '['), "s.yaml", suites::builtin_task_families()),
      InputError);
  CHECK_THROWS_AS(suites::bddl::parse_bddl(std::string(100000, '('), "x.bddl"), InputError);
  while (std::chrono::steady_clock::now() < until && (yaml_runs < 400 || bddl_runs < 400)) {
    try {
      ++yaml_runs;
      suites::load_suite_yaml(mutate(y, rng), "s.yaml", suites::builtin_task_families());
    } catch (const InputError&) {
    }
    try {
      ++bddl_runs;
      suites::bddl::parse_bddl(mutate(bddl, rng), "x.bddl");
    } catch (const InputError&) {
    }
  }
  static const std::vector<std::string> specs{"scripted", "random", "noisy-scripted:0.3",
                                              "python:m:C,path=/x,name=a", "remote:ws://h:1"};
  for (int i = 0; i < 2000; ++i) {
    ++spec_runs;
    try {
      PolicySpec::parse(mutate(specs[rng() % specs.size()], rng));
    } catch (const InputError&) {
    }
  }
  INFO(yaml_runs << " YAML, " << bddl_runs << " BDDL, " << spec_runs << " specs");
  CHECK(yaml_runs > 50);
  CHECK(bddl_runs > 50);
}
