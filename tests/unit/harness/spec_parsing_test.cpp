#include <catch2/catch.hpp>

#include "harness/episode.hpp"
#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "harness/policy_spec.hpp"

using namespace gauntlet;

TEST_CASE("Policy specs parse kind, argument and options", "[spec]") {
  SECTION("bare kind") {
    const auto s = PolicySpec::parse("scripted");
    CHECK(s.kind == "scripted");
    CHECK(s.arg.empty());
    CHECK(s.options.empty());
    CHECK(s.display_name() == "scripted");
  }
  SECTION("argument") {
    const auto s = PolicySpec::parse("noisy-scripted:0.3");
    CHECK(s.kind == "noisy-scripted");
    CHECK(s.arg == "0.3");
  }
  SECTION("argument and options") {
    const auto s = PolicySpec::parse("torchscript:model.pt,config=policy.yaml,name=bc");
    CHECK(s.kind == "torchscript");
    CHECK(s.arg == "model.pt");
    CHECK(s.options.at("config") == "policy.yaml");
    CHECK(s.display_name() == "bc");
  }
  SECTION("argument with colons") {
    const auto s = PolicySpec::parse("python:my_pkg.my_module:MyPolicy");
    CHECK(s.arg == "my_pkg.my_module:MyPolicy");
    const auto r = PolicySpec::parse("remote:ws://127.0.0.1:8000,name=pi0");
    CHECK(r.arg == "ws://127.0.0.1:8000");
    CHECK(r.display_name() == "pi0");
  }
  SECTION("options without argument") {
    const auto s = PolicySpec::parse("random,seed=3");
    CHECK(s.kind == "random");
    CHECK(s.arg.empty());
    CHECK(s.option_int("seed", 0) == 3);
  }
}

TEST_CASE("Malformed policy specs are input errors naming the spec", "[spec]") {
  CHECK_THROWS_AS(PolicySpec::parse(""), InputError);
  CHECK_THROWS_AS(PolicySpec::parse(":x"), InputError);
  CHECK_THROWS_WITH(PolicySpec::parse("random,seed"), Catch::Contains("random,seed"));
  CHECK_THROWS_AS(PolicySpec::parse("random,seed=1,seed=2"), InputError);
  const auto s = PolicySpec::parse("random,sed=1");
  CHECK_THROWS_WITH(s.require_known_options({"seed"}), Catch::Contains("unknown option 'sed'"));
  CHECK_THROWS_AS(PolicySpec::parse("random,seed=x").option_int("seed", 0), InputError);
}

TEST_CASE("Perturbation sets have one canonical id", "[spec][perturb]") {
  CHECK(PerturbationSet::parse("").id() == "nominal");
  CHECK(PerturbationSet::parse("nominal").id() == "nominal");
  CHECK(PerturbationSet::parse("lighting:2,camera:3").id() == "camera:3,lighting:2");
  CHECK(PerturbationSet::parse("camera:0").nominal());
  CHECK_THROWS_AS(PerturbationSet::parse("camera"), InputError);
  CHECK_THROWS_AS(PerturbationSet::parse("camera:6"), InputError);
  CHECK_THROWS_AS(PerturbationSet::parse("camera:x"), InputError);
  CHECK_THROWS_AS(PerturbationSet::parse("camera:1,camera:2"), InputError);
}

TEST_CASE("Shards parse as I/N and reject impossible parts", "[spec][shard]") {
  const Shard s = Shard::parse("2/5");
  CHECK(s.index == 2);
  CHECK(s.count == 5);
  CHECK_THROWS_AS(Shard::parse("5/5"), InputError);
  CHECK_THROWS_AS(Shard::parse("1/0"), InputError);
  CHECK_THROWS_AS(Shard::parse("a/b"), InputError);
  CHECK_THROWS_AS(Shard::parse("1"), InputError);
}

TEST_CASE("Termination names round-trip", "[spec]") {
  for (const Termination t : kAllTerminations) CHECK(parse_termination(to_string(t)) == t);
  CHECK_FALSE(parse_termination("crashed").has_value());
}
