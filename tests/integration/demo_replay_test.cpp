// `gauntlet record` files as robomimic reads them (states, model_file,
// next_obs, mask, env_args) and `gauntlet replay` through the real binary.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness/demo_file.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::run_process;

namespace {

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

testing::ProcessResult python(const std::string& script, const std::vector<std::string>& args) {
  std::vector<std::string> full{GAUNTLET_PYTHON, "-c", script};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

// One expert demo per smoke task (pick, push, drawer), recorded once per
// process into a folder of its own (ctest runs test cases in parallel processes).
const std::string& recorded_demos() {
  static const std::string path = [] {
    const auto dir = fresh_dir("demo_replay_recorded_" + std::to_string(::getpid()));
    const std::string out = (dir / "demos.h5").string();
    const auto r = gauntlet_cmd({"record", "--suite", "tabletop-smoke", "--policy", "scripted",
                                 "--episodes", "1", "--image-size", "32x24", "--out", out});
    if (r.exit_code != 0) throw std::runtime_error("record failed: " + r.err);
    return out;
  }();
  return path;
}

}  // namespace

TEST_CASE("record writes every key robomimic's SequenceDataset and playback read",
          "[cli][record][robomimic]") {
  // The keys robomimic.utils.dataset.SequenceDataset loads with its defaults
  // (load_next_obs=True, dataset_keys=actions/rewards/dones, filter_by_attribute)
  // and those playback_dataset.py needs (states, model_file), with their shapes.
  const std::string check = R"PY(
import sys, json, h5py, numpy as np
import xml.etree.ElementTree as ET
f = h5py.File(sys.argv[1], "r")
data = f["data"]
demos = sorted(data.keys(), key=lambda k: int(k[5:]))
assert demos == ["demo_0", "demo_1", "demo_2"], demos
env_args = json.loads(data.attrs["env_args"])
assert isinstance(env_args["type"], int) and env_args["type"] == 1, env_args   # EnvType.ROBOSUITE_TYPE
assert env_args["env_name"] == "tabletop-smoke" and env_args["env_kwargs"]["suite"] == "tabletop-smoke"
assert data.attrs["total"] == sum(data[k].attrs["num_samples"] for k in demos)
for k in demos:
    d = data[k]
    T = int(d.attrs["num_samples"])
    assert T > 5
    for key in ("actions", "rewards", "dones", "states"):
        assert d[key].shape[0] == T, (k, key, d[key].shape)
    assert d["actions"].shape == (T, 7)
    assert set(d["obs"].keys()) == set(d["next_obs"].keys()) == {
        "agentview_rgb", "eye_in_hand_rgb", "ee_states", "gripper_states", "proprio"}, list(d["obs"].keys())
    for key in d["obs"].keys():
        o, n = d["obs"][key][()], d["next_obs"][key][()]
        assert o.shape == n.shape and o.shape[0] == T, (k, key)
        assert np.array_equal(n[:-1], o[1:]), (k, key)     # next_obs is obs one step on
    assert np.array_equal(d["next_obs/agentview_rgb"][-1], d["final_obs/agentview_rgb"][0])
    # states: time, qpos, qvel, act, mocap, ctrl as state_layout says; the
    # simulator clock advances one control period (1/20 s) per action.
    layout = [p.split(":") for p in d.attrs["state_layout"].split(",")]
    assert [n for n, _ in layout][:4] == ["time", "qpos", "qvel", "act"], layout
    S = sum(int(n) for _, n in layout)
    states = d["states"][()]
    assert states.shape == (T, S) and states.dtype == np.float64
    assert np.allclose(np.diff(states[:, 0]), 0.05, atol=1e-9), np.diff(states[:, 0])
    assert np.allclose(d["final_state"][0, 0] - states[-1, 0], 0.05)
    nq = int(layout[1][1])
    assert np.abs(states[-1, 1:1 + nq] - states[0, 1:1 + nq]).max() > 0.01   # something moved
    root = ET.fromstring(d.attrs["model_file"])
    assert root.tag == "mujoco" and root.find("worldbody") is not None
# robomimic's filter keys: train and valid split the demos
train = [x.decode() for x in f["mask/train"][()]]
valid = [x.decode() for x in f["mask/valid"][()]]
assert sorted(train + valid) == demos and not set(train) & set(valid) and len(valid) == 1, (train, valid)
print("ok")
)PY";
  const auto py = python(check, {recorded_demos()});
  INFO(py.err);
  CHECK(py.out == "ok\n");
}

TEST_CASE("replay of a freshly recorded expert demo reproduces its states and its success",
          "[cli][replay]") {
  const auto r = gauntlet_cmd({"replay", recorded_demos(), "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["reproduced"] == 3);
  CHECK(j["diverged"] == 0);
  REQUIRE(j["demos"].size() == 3);
  for (const auto& d : j["demos"]) {
    INFO(d.dump());
    CHECK(d["reproduced"] == true);
    CHECK(d["final_state_error"].get<double>() <= 1e-9);
    CHECK(d["max_state_error"].get<double>() <= 1e-9);
    CHECK(d["max_eef_error_m"].get<double>() <= 1e-6);
    CHECK(d["recorded_success"] == true);
    CHECK(d["replayed_success"] == true);
    CHECK(d["scene_matches"] == true);
  }
  // Restoring the recorded state before every action reproduces it too.
  const auto every =
      gauntlet_cmd({"replay", recorded_demos(), "--every-state", "--demo", "demo_1"});
  CHECK(every.exit_code == 0);
  CHECK_THAT(every.out, Catch::Contains("1 of 1 demos reproduced"));
}

TEST_CASE("replay reports the step at which a tampered action makes a demo diverge",
          "[cli][replay]") {
  const auto dir = fresh_dir("demo_replay_tampered");
  const std::string copy = (dir / "tampered.h5").string();
  // Reverse the vertical motion of the first demo's 4th action (index 3).
  const auto py = python(R"PY(
import sys, shutil, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    a = f["data/demo_0/actions"]
    row = a[3]
    row[2] = -0.05 if row[2] >= 0 else 0.05
    a[3] = row
print("ok")
)PY",
                         {recorded_demos(), copy});
  REQUIRE(py.out == "ok\n");
  const auto r = gauntlet_cmd({"replay", copy, "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // a demo did not reproduce
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["diverged"] == 1);
  const auto& d = j["demos"][0];
  CHECK(d["reproduced"] == false);
  CHECK(d["first_divergent_step"] == 3);
  CHECK(d["max_state_error"].get<double>() > 1e-3);
  CHECK(d["max_eef_error_m"].get<double>() > 1e-3);
  CHECK(j["demos"][1]["reproduced"] == true);  // the untouched demos still replay
  const auto text = gauntlet_cmd({"replay", copy, "--demo", "demo_0"});
  CHECK(text.exit_code == 1);
  CHECK_THAT(text.out, Catch::Contains("DIVERGED at step 3"));
}

TEST_CASE("replay refuses what it cannot replay with exit 2 and says why", "[cli][replay]") {
  const auto dir = fresh_dir("demo_replay_bad");
  auto r = gauntlet_cmd({"replay", (dir / "missing.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("missing.h5") && Catch::Contains("does not exist"));

  r = gauntlet_cmd({"replay", recorded_demos(), "--demo", "demo_9"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--demo 'demo_9'") && Catch::Contains("demo_0, demo_1"));

  r = gauntlet_cmd({"replay", recorded_demos(), "--tolerance", "-1"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--tolerance"));

  r = gauntlet_cmd({"replay", recorded_demos(), "--suite", "libero-object"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown task '") && Catch::Contains("suite 'libero-object'"));

  const std::string stateless = (dir / "stateless.h5").string();
  const auto py = python(R"PY(
import sys, shutil, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    del f["data/demo_1/states"]
print("ok")
)PY",
                         {recorded_demos(), stateless});
  REQUIRE(py.out == "ok\n");
  r = gauntlet_cmd({"replay", stateless});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("demo_1") && Catch::Contains("no 'states' dataset"));
}

TEST_CASE("the valid filter key holds a tenth of the demos, at least one, the same every time",
          "[record][robomimic]") {
  CHECK(validation_demos(0).empty());
  CHECK(validation_demos(1).empty());
  CHECK(validation_demos(2).size() == 1);
  CHECK(validation_demos(19).size() == 1);
  CHECK(validation_demos(20).size() == 2);
  const auto a = validation_demos(100);
  CHECK(a.size() == 10);
  CHECK(a == validation_demos(100));
  CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(std::adjacent_find(a.begin(), a.end()) == a.end());
  CHECK(a.back() < 100);
  CHECK(a != std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});  // shuffled, not the first tenth
}
