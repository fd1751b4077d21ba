// The torchscript adapter with real TorchScript files written by Debian's
// python3 + torch: numerics against eager PyTorch, load-time shape checks,
// config errors, input packing, chunk execution in the real runner.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

#include "adapters/torchscript/register.hpp"
#include "adapters/torchscript/torchscript_policy.hpp"
#include "harness/errors.hpp"
#include "harness/registry.hpp"
#include "tests/adapters/adapter_test_support.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::testing;
using adapters::TorchscriptOptions;
using adapters::TorchscriptPolicy;

namespace {

std::unique_ptr<TorchscriptPolicy> load(const std::string& model, const std::string& config) {
  TorchscriptOptions o;
  o.model = torchscript_artifacts() / model;
  o.config = torchscript_artifacts() / config;
  o.threads = 1;
  return std::make_unique<TorchscriptPolicy>(o);
}

std::unique_ptr<Policy> make(const std::string& spec) {
  Registry r;
  adapters::register_torchscript_policy(r);
  return r.make_policy(PolicySpec::parse(spec));
}

EpisodeContext context(const std::string& instruction) {
  static EpisodeSpec spec;
  EpisodeContext ctx;
  ctx.spec = &spec;
  ctx.instruction = instruction;
  return ctx;
}

std::vector<ActionChunk> act(Policy& p, const std::vector<Observation>& obs) {
  std::vector<int> slots;
  std::vector<const Observation*> ptrs;
  for (std::size_t i = 0; i < obs.size(); ++i) {
    slots.push_back(static_cast<int>(i));
    ptrs.push_back(&obs[i]);
  }
  std::vector<ActionChunk> out(obs.size());
  p.act(slots, ptrs, out);
  return out;
}

}  // namespace

TEST_CASE(
    "A TorchScript state MLP gives eager PyTorch's actions through the config's normalisation",
    "[torchscript]") {
  const auto ref = nlohmann::json::parse(read_file(torchscript_artifacts() / "mlp_reference.json"));
  auto policy = load("mlp_chunk4.pt", "mlp_chunk4.yaml");
  policy->prepare(3, ee_delta_action_space());
  std::vector<Observation> obs;
  for (const auto& s : ref["states"]) obs.push_back(make_observation(s.get<std::vector<float>>()));
  const auto out = act(*policy, obs);  // one batch of 3
  for (std::size_t i = 0; i < obs.size(); ++i) {
    REQUIRE(out[i].horizon == 4);
    REQUIRE(out[i].dim == 7);
    for (int h = 0; h < 4; ++h) {
      for (int k = 0; k < 7; ++k) {
        const float expected =
            ref["actions"][i][static_cast<std::size_t>(h)][static_cast<std::size_t>(k)];
        INFO("item " << i << " step " << h << " component " << k);
        CHECK(out[i].action(h)[static_cast<std::size_t>(k)] == Approx(expected).margin(1e-6));
      }
    }
  }
}

TEST_CASE(
    "A model whose output does not match the config fails at load time naming model and config",
    "[torchscript][errors]") {
  auto policy = load("wrong_shape.pt", "wrong_shape.yaml");
  try {
    policy->prepare(2, ee_delta_action_space());
    FAIL("prepare accepted a model that returns [B, 5] for chunk 1 x dim 7");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("wrong_shape.pt"));
    CHECK_THAT(what, Catch::Contains("wrong_shape.yaml"));
    CHECK_THAT(what, Catch::Contains("[1, 5]"));
    CHECK_THAT(what, Catch::Contains("chunk 1 x dim 7"));
  }
}

TEST_CASE("The CLI refuses a mismatching model with exit code 2 before any episode runs",
          "[torchscript][cli]") {
  const auto dir = process_dir("torchscript-cli-mismatch");
  const auto out = dir / "r.h5";
  const auto r = run_process(
      {gauntlet_binary(), "run", "--suite", "tabletop-smoke", "--episodes", "1", "--policy",
       "torchscript:" + (torchscript_artifacts() / "wrong_shape.pt").string() +
           ",config=" + (torchscript_artifacts() / "wrong_shape.yaml").string(),
       "--out", out.string()});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("does not match outputs"));
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("A misspelt config field is an input error naming the file, line and valid fields",
          "[torchscript][errors]") {
  try {
    load("mlp_chunk1.pt", "typo.yaml");
    FAIL("a config with 'dimm' was accepted");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("typo.yaml:5"));
    CHECK_THAT(what, Catch::Contains("unknown field 'dimm'"));
    CHECK_THAT(what, Catch::Contains("chunk, dim"));
  }
  CHECK_THROWS_WITH(make("torchscript:" + (torchscript_artifacts() / "mlp_chunk1.pt").string()),
                    Catch::Contains("needs config="));
  CHECK_THROWS_WITH(make("torchscript:/nonexistent/model.pt,config=x.yaml"),
                    Catch::Contains("does not exist"));
  CHECK_THROWS_AS(
      make("torchscript:" + (torchscript_artifacts() / "mlp_chunk1.pt").string() +
           ",config=" + (torchscript_artifacts() / "mlp_chunk1.yaml").string() + ",devise=cpu"),
      InputError);
}

TEST_CASE("Images, state and tokens reach the model as the config describes",
          "[torchscript][inputs]") {
  auto policy = load("probe.pt", "probe.yaml");
  const PolicyRequirements req = policy->requirements();
  CHECK(req.cameras == std::vector<std::string>{"agentview"});
  CHECK(req.image_width == 16);  // rendered at render:, resized to size:
  CHECK(req.image_height == 8);
  policy->prepare(2, ee_delta_action_space());
  policy->reset(0, context("Pick up the RED cube, please"));
  policy->reset(1, context("stack blocks"));
  std::vector<Observation> obs = {
      make_observation({0.25f, -0.5f, 0, 0, 0, 0, 0, 0}, {"agentview"}, 16, 8),
      make_observation({1.0f, 2.0f, 0, 0, 0, 0, 0, 0}, {"agentview"}, 16, 8)};
  for (auto& o : obs) {
    Image& img = o.cameras[0].image;
    for (int r = 0; r < img.height; ++r) {
      for (int c = 0; c < img.width; ++c) {
        std::uint8_t* p = img.pixel(r, c);
        p[0] = 10;   // red
        p[1] = 100;  // green
        p[2] = 200;  // blue
      }
    }
  }
  const auto out = act(*policy, obs);
  const auto norm = [](float x) { return (x / 255.0f - 0.5f) / 0.25f; };
  for (int i = 0; i < 2; ++i) {
    const auto a = out[static_cast<std::size_t>(i)].action(0);
    // channel_order: bgr -> the model's channel 0 is blue.
    CHECK(a[0] == Approx(norm(200)).margin(1e-5));
    CHECK(a[1] == Approx(norm(100)).margin(1e-5));
    CHECK(a[2] == Approx(norm(10)).margin(1e-5));
  }
  CHECK(out[0].action(0)[3] == Approx(0.25f));
  CHECK(out[0].action(0)[4] == Approx(-0.5f));
  CHECK(out[1].action(0)[3] == Approx(1.0f));
  // Tokens: "pick up" -> 2, 3 (lower-cased, punctuation split); unknown words -> 1.
  CHECK(out[0].action(0)[5] == 2.0f);
  CHECK(out[0].action(0)[6] == 3.0f);
  CHECK(out[1].action(0)[5] == 1.0f);
  CHECK(out[1].action(0)[6] == 1.0f);
}

TEST_CASE("Bilinear resizing by two averages each 2x2 block", "[torchscript][inputs]") {
  Image img;
  img.resize(4, 2);
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 4; ++c) {
      for (int k = 0; k < 3; ++k)
        img.pixel(r, c)[k] = static_cast<std::uint8_t>(10 * c + 100 * r + k);
    }
  }
  std::vector<std::uint8_t> out;
  resize_bilinear(img, 2, 1, out);
  REQUIRE(out.size() == 6);
  // Block (cols 0-1, rows 0-1): mean of 0, 10, 100, 110 = 55 (+k).
  CHECK(out[0] == 55);
  CHECK(out[2] == 57);
  CHECK(out[3] == 75);  // cols 2-3: mean of 20, 30, 120, 130
}

TEST_CASE("An instruction embedding is looked up by text, with the gripper convention converted",
          "[torchscript][inputs]") {
  auto policy = load("embedding_probe.pt", "embedding_probe.yaml");
  policy->prepare(2, ee_delta_action_space());
  policy->reset(0, context("pick up the red cube"));
  policy->reset(1, context("open the drawer"));  // falls back to "*"
  const auto out = act(*policy, {make_observation({}), make_observation({})});
  CHECK(out[0].action(0)[0] == 1.0f);
  CHECK(out[0].action(0)[5] == 6.0f);
  CHECK(out[0].action(0)[6] == Approx(-1.0f));  // model 7 = open -> -1
  CHECK(out[1].action(0)[0] == 0.0f);
  CHECK(out[1].action(0)[6] == Approx(1.0f));  // model 0 = closed -> +1

  auto strict = load("embedding_probe.pt", "embedding_only_cube.yaml");
  strict->prepare(1, ee_delta_action_space());
  CHECK_NOTHROW(strict->reset(0, context("pick up the red cube")));
  CHECK_THROWS_WITH(strict->reset(0, context("open the drawer")),
                    Catch::Contains("no entry for \"open the drawer\""));
}

TEST_CASE("A seed input carries each slot's episode seed and step, for reproducible sampling",
          "[torchscript][inputs][seed]") {
  auto policy = load("seed_probe.pt", "seed_probe.yaml");
  policy->prepare(2, ee_delta_action_space());
  EpisodeSpec first, second;
  first.seed = 7123456;
  second.seed = 9000789;
  EpisodeContext c0 = context("a"), c1 = context("b");
  c0.spec = &first;
  c1.spec = &second;
  policy->reset(0, c0);
  policy->reset(1, c1);
  std::vector<Observation> obs{make_observation({}), make_observation({})};
  obs[1].step = 12;
  const auto out = act(*policy, obs);
  CHECK(out[0].action(0)[0] == 456.0f);
  CHECK(out[0].action(0)[1] == 0.0f);
  CHECK(out[1].action(0)[0] == 789.0f);
  CHECK(out[1].action(0)[1] == 12.0f);
}

TEST_CASE("A model that raises at run time fails the batch with LibTorch's message",
          "[torchscript][errors]") {
  auto policy = load("raises.pt", "raises.yaml");
  policy->prepare(1, ee_delta_action_space());  // the dummy batch (zeros) passes
  CHECK_NOTHROW(act(*policy, {make_observation({0, 0, 0, 0, 0, 0, 0, 0})}));
  CHECK_THROWS_WITH(act(*policy, {make_observation({20, 0, 0, 0, 0, 0, 0, 0})}),
                    Catch::Contains("state out of range"));
}

TEST_CASE(
    "Chunks run replan_every actions per call, or one ensembled action per call, in the real "
    "runner",
    "[torchscript][chunking]") {
  const std::string spec = "torchscript:" + (torchscript_artifacts() / "mlp_chunk4.pt").string() +
                           ",config=" + (torchscript_artifacts() / "mlp_chunk4.yaml").string() +
                           ",threads=1";
  const auto check_calls = [](const std::vector<EpisodeResult>& rows, int per_call) {
    for (const auto& r : rows) {
      INFO(r.task_id << " " << r.error);
      CHECK(r.termination != Termination::kPolicyError);
      CHECK(r.steps > 0);
      CHECK(r.policy_calls == (r.steps + per_call - 1) / per_call);
    }
  };
  auto whole = make(spec);
  check_calls(run_smoke(*whole, 1, 2, "push-block-into-square"), 4);
  auto replan = make(spec + ",replan_every=3");
  check_calls(run_smoke(*replan, 1, 2, "push-block-into-square"), 3);
  auto ensemble = make(spec + ",ensemble=0.01");
  check_calls(run_smoke(*ensemble, 1, 1, "push-block-into-square"), 1);
}

TEST_CASE("The identity hashes the model and config files", "[torchscript][identity]") {
  const auto dir = process_dir("torchscript-identity");
  std::filesystem::copy_file(torchscript_artifacts() / "mlp_chunk1.pt", dir / "a.pt");
  std::filesystem::copy_file(torchscript_artifacts() / "mlp_chunk1.yaml", dir / "a.yaml");
  const auto identity = [&](const std::string& model, const std::string& config) {
    TorchscriptOptions o;
    o.model = dir / model;
    o.config = dir / config;
    return TorchscriptPolicy(o).identity();
  };
  const std::string base = identity("a.pt", "a.yaml");
  CHECK(identity("a.pt", "a.yaml") == base);
  std::filesystem::copy_file(torchscript_artifacts() / "mlp_chunk4.pt", dir / "b.pt");
  std::filesystem::copy_file(dir / "a.yaml", dir / "b.yaml");
  std::ofstream(dir / "b.yaml", std::ios::app) << "# another config\n";
  CHECK(identity("b.pt", "a.yaml") != base);
  CHECK(identity("a.pt", "b.yaml") != base);
}

TEST_CASE("Intra-op threads default to the cores the workers leave, at least one",
          "[torchscript][threads]") {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  TorchscriptOptions o;
  o.model = torchscript_artifacts() / "mlp_chunk1.pt";
  o.config = torchscript_artifacts() / "mlp_chunk1.yaml";
  TorchscriptPolicy p(o);
  p.prepare(hw, ee_delta_action_space());
  CHECK(p.threads() == 1);
  p.prepare(1, ee_delta_action_space());
  CHECK(p.threads() == std::max(1, hw - 1));
  CHECK(adapters::torch_threads() == p.threads());
}

TEST_CASE("device=cuda without a CUDA device is an input error saying so",
          "[torchscript][device]") {
  TorchscriptOptions o;
  o.model = torchscript_artifacts() / "mlp_chunk1.pt";
  o.config = torchscript_artifacts() / "mlp_chunk1.yaml";
  o.device = "cuda";
  try {
    TorchscriptPolicy p(o);
    WARN("LibTorch sees a CUDA device here; the error path is not exercised");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("device=cuda"));
  }
  o.device = "tpu";
  CHECK_THROWS_AS(TorchscriptPolicy(o), InputError);
}

TEST_CASE("The conversion options every adapter takes apply to a TorchScript policy",
          "[torchscript][policy_io]") {
  // actions=raw, then a = a * 0 + offset: the model's numbers are replaced by the offsets.
  auto policy = make("torchscript:" + (torchscript_artifacts() / "mlp_chunk1.pt").string() +
                     ",config=" + (torchscript_artifacts() / "mlp_chunk1.yaml").string() +
                     ",actions=raw,action_scale=0,action_offset=0.1,0.2,0.3,0.4,0.5,0.6,0.7");
  policy->prepare(1, ee_delta_action_space());
  const auto out = act(*policy, {make_observation({0.1f, 0.2f, 0.3f, 0, 0, 0, 0.04f, -0.04f})});
  REQUIRE(out[0].error.empty());
  REQUIRE(out[0].dim == 7);
  for (int k = 0; k < 7; ++k) CHECK(out[0].action(0)[k] == Approx(0.1 * (k + 1)).margin(1e-6));
  CHECK_THAT(policy->identity(), Catch::Contains("+action_scale=0"));
}
