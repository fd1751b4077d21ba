// The python adapter with a real embedded python3.11 and real policy modules
// (tests/adapters/data/gauntlet_test_policies.py): zero-copy observations,
// exceptions as policy_error with tracebacks, act_batch, the GIL, virtualenvs.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "adapters/python/register.hpp"
#include "harness/errors.hpp"
#include "harness/registry.hpp"
#include "tests/adapters/adapter_test_support.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::testing;

namespace {

std::string test_path() {
  return adapter_test_data().string();
}

std::unique_ptr<Policy> make(const std::string& cls, const std::string& options = "") {
  Registry r;
  adapters::register_python_policy(r);
  return r.make_policy(
      PolicySpec::parse("python:gauntlet_test_policies:" + cls + ",path=" + test_path() + options));
}

std::string py(const std::string& expression) {
  return adapters::run_embedded_python("import gauntlet_test_policies as m\nresult = " +
                                       expression);
}

EpisodeContext context(const EpisodeSpec& spec) {
  EpisodeContext ctx;
  ctx.spec = &spec;
  ctx.instruction = "pick up the red cube";
  ctx.max_steps = 10;
  return ctx;
}

std::vector<ActionChunk> act(Policy& p, const std::vector<int>& slots,
                             const std::vector<Observation>& obs) {
  std::vector<const Observation*> ptrs;
  for (const auto& o : obs) ptrs.push_back(&o);
  std::vector<ActionChunk> out(obs.size());
  p.act(slots, ptrs, out);
  return out;
}

}  // namespace

TEST_CASE("Images reach Python as read-only views of the observation's own buffer",
          "[python][zero-copy]") {
  auto policy = make("Constant", ",value=0.5");
  const PolicyRequirements req = policy->requirements();
  CHECK(req.cameras == std::vector<std::string>{"agentview"});
  CHECK(req.image_width == 32);
  CHECK(req.image_height == 24);
  policy->prepare(2, ee_delta_action_space());
  EpisodeSpec spec;
  spec.task_id = "pick-cube-onto-plate";
  spec.seed = 1234;
  policy->reset(1, context(spec));
  std::vector<Observation> batch = {
      make_observation({1, 2, 3, 4, 5, 6, 7, 8}, {"agentview"}, 32, 24)};
  Observation& obs = batch[0];
  obs.cameras[0].image.pixel(1, 2)[0] = 77;
  obs.step = 5;
  const auto out = act(*policy, {1}, batch);
  REQUIRE(out[0].error.empty());
  CHECK(out[0].horizon == 1);
  CHECK(out[0].action(0)[0] == 0.5f);
  CHECK(py("m.LAST['address']") ==
        std::to_string(reinterpret_cast<std::uintptr_t>(obs.cameras[0].image.rgb.data())));
  CHECK(py("m.LAST['owndata']") == "False");
  CHECK(py("m.LAST['writeable']") == "False");
  CHECK(py("m.LAST['proprio_writeable']") == "False");
  CHECK(py("m.LAST['shape']") == "(24, 32, 3)");
  CHECK(py("m.LAST['pixel']") == "77");
  CHECK(py("m.LAST['proprio']") == "[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]");
  CHECK(py("m.LAST['names'][0]") == "eef_pos_x");
  CHECK(py("m.LAST['instruction']") == "pick up the red cube");
  CHECK(py("m.LAST['slot']") == "1");
  CHECK(py("m.LAST['step']") == "5");
  CHECK(py("m.LAST['task']['task_id']") == "pick-cube-onto-plate");
  CHECK(py("m.LAST['task']['seed']") == "1234");
  CHECK(py("m.LAST['task']['action_dim']") == "7");
}

TEST_CASE("A Python exception ends only the failing episodes, with the traceback in the results",
          "[python][errors]") {
  auto policy = make("FailsOnDrawer");
  const auto rows = run_smoke(*policy, 1, 2);
  REQUIRE(rows.size() == 3);
  for (const auto& r : rows) {
    INFO(r.task_id << ": " << r.error);
    if (r.task_id == "open-the-drawer") {
      CHECK(r.termination == Termination::kPolicyError);
      CHECK(r.steps == 0);
      CHECK_THAT(r.error, Catch::Contains("Traceback (most recent call last)"));
      CHECK_THAT(r.error, Catch::Contains("gauntlet_test_policies.py"));
      CHECK_THAT(r.error, Catch::EndsWith("ValueError: cannot open drawers"));
    } else {
      CHECK(r.termination == Termination::kTimeout);  // zeros never succeed
    }
  }
}

TEST_CASE("act_batch gets every waiting observation in one call", "[python][batch]") {
  auto policy = make("Batched");
  policy->prepare(3, ee_delta_action_space());
  const std::vector<Observation> obs(3, make_observation({0, 0, 0, 0, 0, 0, 0, 0}));
  const auto out = act(*policy, {2, 0, 1}, obs);
  CHECK(py("m.LAST['batched'].batch_sizes") == "[3]");
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(out[i].error.empty());
    CHECK(out[i].horizon == 2);
    CHECK(out[i].dim == 7);
    CHECK(out[i].action(0)[0] == static_cast<float>(std::vector<int>{2, 0, 1}[i]));
    CHECK(out[i].action(1)[1] == 0.25f);
  }
}

TEST_CASE(
    "An act_batch exception fails the batch; an exception object in its result fails one item",
    "[python][batch][errors]") {
  const std::vector<Observation> obs(2, make_observation({0, 0, 0, 0, 0, 0, 0, 0}));
  auto fails = make("BatchFails");
  fails->prepare(2, ee_delta_action_space());
  CHECK_THROWS_WITH(act(*fails, {0, 1}, obs),
                    Catch::Contains("RuntimeError: the whole batch failed"));
  auto item = make("BatchItemError");
  item->prepare(2, ee_delta_action_space());
  const auto out = act(*item, {0, 1}, obs);
  CHECK(out[0].error.empty());
  CHECK_THAT(out[1].error, Catch::Contains("ValueError: item 1 is broken"));
  CHECK_THAT(out[1].error, Catch::Contains("Traceback"));
}

TEST_CASE("An action of the wrong shape is an error for that item naming the shape",
          "[python][errors]") {
  auto policy = make("WrongShape");
  policy->prepare(1, ee_delta_action_space());
  const auto out = act(*policy, {0}, {make_observation({0, 0, 0, 0, 0, 0, 0, 0})});
  CHECK_THAT(out[0].error, Catch::Contains("(2, 3, 7)"));
  CHECK_THAT(out[0].error, Catch::Contains("expected an array of shape (7,) or (H, 7)"));
}

TEST_CASE("Import, constructor and interface errors are input errors that say what is wrong",
          "[python][errors]") {
  Registry r;
  adapters::register_python_policy(r);
  CHECK_THROWS_WITH(r.make_policy(PolicySpec::parse("python:no_such_module_xyz:Policy")),
                    Catch::Contains("cannot import 'no_such_module_xyz'") &&
                        Catch::Contains("sys.path") && Catch::Contains("path=DIR"));
  CHECK_THROWS_AS(r.make_policy(PolicySpec::parse("python:no_such_module_xyz:Policy")), InputError);
  CHECK_THROWS_WITH(make("RaisesInInit"),
                    Catch::Contains("FileNotFoundError: checkpoint.pt not found"));
  CHECK_THROWS_WITH(make("NoAct"), Catch::Contains("has no act(obs) method"));
  CHECK_THROWS_WITH(make("Missing"), Catch::Contains("has no attribute 'Missing'"));
  CHECK_THROWS_WITH(r.make_policy(PolicySpec::parse("python:just_a_module")),
                    Catch::Contains("expected python:package.module:ClassName"));
}

TEST_CASE("The GIL is free while gauntlet runs between policy calls", "[python][gil]") {
  auto policy = make("GilProbe");
  policy->prepare(1, ee_delta_action_space());
  const std::vector<Observation> obs = {make_observation({0, 0, 0, 0, 0, 0, 0, 0})};
  const float before = act(*policy, {0}, obs)[0].action(0)[0];
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // C++ work without Python
  const float after = act(*policy, {0}, obs)[0].action(0)[0];
  // About 300 ticks of 1 ms when the thread can take the GIL; ~0 if we held it.
  CHECK(after - before > 30);
}

TEST_CASE("instances=per_slot gives every slot its own object, and shared is one object",
          "[python][instances]") {
  const std::vector<Observation> obs(2, make_observation({0, 0, 0, 0, 0, 0, 0, 0}));
  auto per_slot = make("Stateful", ",instances=per_slot");
  per_slot->prepare(2, ee_delta_action_space());
  act(*per_slot, {0, 1}, obs);
  const auto out = act(*per_slot, {0, 1}, obs);
  CHECK(out[0].action(0)[0] == 2.0f);
  CHECK(out[1].action(0)[0] == 2.0f);
  auto shared = make("Stateful");
  shared->prepare(2, ee_delta_action_space());
  act(*shared, {0, 1}, obs);
  const auto out2 = act(*shared, {0, 1}, obs);
  CHECK(out2[1].action(0)[0] == 4.0f);
  CHECK_THROWS_AS(make("Stateful", ",instances=some"), InputError);
}

TEST_CASE("The identity covers the class, its options and the policy's own identity()",
          "[python][identity]") {
  CHECK(make("Constant", ",value=0.5")->identity() == make("Constant", ",value=0.5")->identity());
  CHECK(make("Constant", ",value=0.5")->identity() != make("Constant", ",value=0.6")->identity());
  CHECK(make("Constant", ",value=0.5,name=x")->identity() ==
        make("Constant", ",value=0.5")->identity());
  CHECK(make("WithIdentity", ",weights=a")->identity() !=
        make("WithIdentity", ",weights=b")->identity());
  CHECK(make("Constant")->identity() != make("Stateful")->identity());
}

TEST_CASE("venv= adds a --system-site-packages virtualenv and refuses one that is not",
          "[python][venv]") {
  const auto dir = process_dir("python-venv");
  run_python({"-m", "venv", "--system-site-packages", "--without-pip", (dir / "good").string()});
  const auto site = dir / "good" / "lib" / "python3.11" / "site-packages";
  REQUIRE(std::filesystem::exists(site));
  std::ofstream(site / "venv_only_policy.py") << "import numpy as np\n"
                                                 "class VenvPolicy:\n"
                                                 "    def act(self, obs):\n"
                                                 "        return np.full(7, 0.125)\n";
  Registry r;
  adapters::register_python_policy(r);
  auto policy = r.make_policy(
      PolicySpec::parse("python:venv_only_policy:VenvPolicy,venv=" + (dir / "good").string()));
  policy->prepare(1, ee_delta_action_space());
  CHECK(act(*policy, {0}, {make_observation({})})[0].action(0)[3] == 0.125f);

  run_python({"-m", "venv", "--without-pip", (dir / "isolated").string()});
  CHECK_THROWS_WITH(
      r.make_policy(PolicySpec::parse("python:x:Y,venv=" + (dir / "isolated").string())),
      Catch::Contains("--system-site-packages"));
  std::filesystem::create_directories(dir / "old");
  std::ofstream(dir / "old" / "pyvenv.cfg")
      << "home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.9.2\n";
  CHECK_THROWS_WITH(r.make_policy(PolicySpec::parse("python:x:Y,venv=" + (dir / "old").string())),
                    Catch::Contains("3.9.2"));
}

TEST_CASE("A Python policy runs from the CLI with GAUNTLET_PYTHONPATH and prints nothing on stdout",
          "[python][cli]") {
  const auto dir = process_dir("python-cli");
  const auto r =
      run_process({"/usr/bin/env", "GAUNTLET_PYTHONPATH=" + test_path(), gauntlet_binary(), "run",
                   "--suite", "tabletop-smoke", "--task", "push-block-into-square", "--episodes",
                   "1", "--policy", "python:gauntlet_test_policies:Constant,value=0.01", "--out",
                   (dir / "r.h5").string(), "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.front() == '{');
  CHECK(r.out.find("Constant policy ready") == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("Constant policy ready"));
  CHECK_THAT(r.out, Catch::Contains("\"episodes\":1"));
}
