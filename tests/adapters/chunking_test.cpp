// Chunk execution options: ACT temporal ensembling arithmetic and the policy
// wrappers that replan_every= and ensemble= put around a learned policy.
#include <catch2/catch.hpp>

#include <cmath>

#include "adapters/chunking/chunk_execution.hpp"
#include "adapters/chunking/temporal_ensemble.hpp"
#include "harness/errors.hpp"

using namespace gauntlet;
using gauntlet::adapters::TemporalEnsembler;

namespace {

// A chunk of `h` one-dimensional actions with the given values.
ActionChunk chunk_of(std::initializer_list<float> values) {
  ActionChunk c;
  c.resize(static_cast<int>(values.size()), 1);
  std::copy(values.begin(), values.end(), c.values.begin());
  return c;
}

float blend(TemporalEnsembler& e, const ActionChunk& c) {
  float out = 0;
  e.add_and_blend(c, std::span<float>(&out, 1));
  return out;
}

// Inner policy: the chunk made at call k of slot s is [100 s + 10 k + j] for j < 3.
class CountingPolicy final : public Policy {
 public:
  PolicyRequirements requirements() const override { return {}; }
  void prepare(int slots, const ActionSpace&) override {
    calls_.assign(static_cast<std::size_t>(slots), 0);
  }
  void reset(int slot, const EpisodeContext&) override {
    calls_[static_cast<std::size_t>(slot)] = 0;
  }
  void act(std::span<const int> slots, std::span<const Observation* const>,
           std::span<ActionChunk> out) override {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const int s = slots[i];
      int& k = calls_[static_cast<std::size_t>(s)];
      out[i].resize(3, 1);
      for (int j = 0; j < 3; ++j)
        out[i].values[static_cast<std::size_t>(j)] = static_cast<float>(100 * s + 10 * k + j);
      if (s == 2) out[i].error = "slot 2 failed";
      ++k;
    }
  }
  std::string identity() const override { return "test:counting"; }

 private:
  std::vector<int> calls_;
};

}  // namespace

TEST_CASE("Temporal ensembling with m = 0 averages every prediction covering the step",
          "[chunking]") {
  TemporalEnsembler e(0.0);
  CHECK(blend(e, chunk_of({1, 2, 3})) == Approx(1.0));
  CHECK(e.live_predictions() == 1);
  CHECK(blend(e, chunk_of({10, 20, 30})) == Approx((2.0 + 10.0) / 2));
  CHECK(blend(e, chunk_of({100, 200, 300})) == Approx((3.0 + 20.0 + 100.0) / 3));
  CHECK(e.live_predictions() == 3);
  // The first chunk covered steps 0..2 only; step 3 blends the last three.
  CHECK(blend(e, chunk_of({1000, 2000, 3000})) == Approx((30.0 + 200.0 + 1000.0) / 3));
  CHECK(e.live_predictions() == 3);
}

TEST_CASE("Temporal ensembling weighs the oldest prediction most, exp(-m i) with i = 0 the oldest",
          "[chunking]") {
  const double m = 0.5;
  TemporalEnsembler e(m);
  blend(e, chunk_of({1, 2, 3}));
  blend(e, chunk_of({10, 20, 30}));
  const double w0 = 1.0, w1 = std::exp(-m), w2 = std::exp(-2 * m);
  const double expected = (w0 * 3.0 + w1 * 20.0 + w2 * 100.0) / (w0 + w1 + w2);
  CHECK(blend(e, chunk_of({100, 200, 300})) == Approx(expected).epsilon(1e-6));
  // A large m is "always the oldest prediction", a very negative m "always the newest".
  TemporalEnsembler oldest(50.0);
  blend(oldest, chunk_of({1, 2, 3}));
  CHECK(blend(oldest, chunk_of({10, 20, 30})) == Approx(2.0));
  TemporalEnsembler newest(-50.0);
  blend(newest, chunk_of({1, 2, 3}));
  CHECK(blend(newest, chunk_of({10, 20, 30})) == Approx(10.0));
}

TEST_CASE("Temporal ensembling restarts at reset and rejects a chunk of another dimension",
          "[chunking]") {
  TemporalEnsembler e(0.0);
  blend(e, chunk_of({1, 2, 3}));
  blend(e, chunk_of({5, 5, 5}));
  e.reset();
  CHECK(e.step() == 0);
  CHECK(blend(e, chunk_of({7, 8, 9})) == Approx(7.0));
  ActionChunk wide;
  wide.resize(3, 2);
  float out[2];
  CHECK_THROWS_AS(e.add_and_blend(wide, std::span<float>(out, 2)), std::invalid_argument);
}

TEST_CASE("The ensemble= wrapper queries every step and keeps each slot's chunks apart",
          "[chunking]") {
  auto policy = adapters::with_chunk_execution(PolicySpec::parse("x:arg,ensemble=0"),
                                               std::make_unique<CountingPolicy>());
  CHECK(policy->replan_every() == 1);
  CHECK(policy->identity() == "test:counting|ensemble=0");
  policy->prepare(3, ee_delta_action_space());
  EpisodeContext ctx;
  for (int s = 0; s < 3; ++s) policy->reset(s, ctx);
  const std::vector<int> slots = {1, 0, 2};
  std::vector<const Observation*> obs(3, nullptr);
  std::vector<ActionChunk> out(3);
  policy->act(slots, obs, out);
  CHECK(out[0].horizon == 1);
  CHECK(out[0].values[0] == Approx(100.0));  // slot 1, call 0, j 0
  CHECK(out[1].values[0] == Approx(0.0));
  CHECK(out[2].error == "slot 2 failed");
  // Step 1 of slot 0 only: (chunk0[1] + chunk1[0]) / 2 = (1 + 10) / 2.
  std::vector<ActionChunk> one(1);
  policy->act(std::vector<int>{0}, std::vector<const Observation*>{nullptr}, one);
  CHECK(one[0].values[0] == Approx(5.5));
  // Slot 1 was not asked in between: its step 1 blends its own chunks only.
  policy->act(std::vector<int>{1}, std::vector<const Observation*>{nullptr}, one);
  CHECK(one[0].values[0] == Approx((101.0 + 110.0) / 2));
}

TEST_CASE("replan_every= sets the policy's replan count and its identity", "[chunking]") {
  auto policy = adapters::with_chunk_execution(PolicySpec::parse("x:arg,replan_every=5"),
                                               std::make_unique<CountingPolicy>());
  CHECK(policy->replan_every() == 5);
  CHECK(policy->identity() == "test:counting|replan_every=5");
  auto fallback = adapters::with_chunk_execution(PolicySpec::parse("x:arg"),
                                                 std::make_unique<CountingPolicy>(), 3);
  CHECK(fallback->replan_every() == 3);
  auto plain = adapters::with_chunk_execution(PolicySpec::parse("x:arg"),
                                              std::make_unique<CountingPolicy>());
  CHECK(plain->identity() == "test:counting");
  CHECK_THROWS_AS(
      adapters::with_chunk_execution(PolicySpec::parse("x:arg,replan_every=2,ensemble=0.01"),
                                     std::make_unique<CountingPolicy>()),
      InputError);
  CHECK_THROWS_AS(adapters::with_chunk_execution(PolicySpec::parse("x:arg,ensemble=abc"),
                                                 std::make_unique<CountingPolicy>()),
                  InputError);
  CHECK_THROWS_AS(adapters::with_chunk_execution(PolicySpec::parse("x:arg,replan_every=-1"),
                                                 std::make_unique<CountingPolicy>()),
                  InputError);
}
