// Every adapter's conversion options end to end: a Python policy run from the
// CLI with actions=, action_scale=, action_offset=, state=, flip= and
// resize_with_pad= sees the converted observations, the results header records
// the conversion, a resume with another conversion is refused, and bad values
// exit 2 naming the option.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/results_store.hpp"
#include "tests/adapters/adapter_test_support.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::testing;

namespace {

ProcessResult run_cli(const std::string& policy, const std::filesystem::path& out) {
  return run_process({"/usr/bin/env", "GAUNTLET_PYTHONPATH=" + adapter_test_data().string(),
                      gauntlet_binary(), "run", "--suite", "tabletop-smoke", "--task",
                      "push-block-into-square", "--episodes", "1", "--workers", "1", "--videos",
                      "0", "--policy", policy, "--out", out.string()});
}

}  // namespace

TEST_CASE("A Python policy run with conversion options sees them and the header records them",
          "[python][cli][policy_io]") {
  const auto dir = process_dir("policy-io-cli");
  const std::string seen = (dir / "seen.json").string();
  const std::string conversion =
      ",actions=libero,action_scale=0.5,1,1,1,1,1,1,action_offset=-0.01,state=libero,flip=180,"
      "resize_with_pad=16,40";
  const auto r =
      run_cli("python:gauntlet_test_policies:SeenToFile,out=" + seen + ",value=0.2" + conversion,
              dir / "r.h5");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  const auto j = nlohmann::json::parse(std::ifstream(seen));
  // 32 x 24 rendered, rotated, then padded into 16 x 40 (scaled to 21 x 16, 9 black columns left).
  CHECK(j["shape"] == nlohmann::json::array({16, 40, 3}));
  CHECK(j["corner"] == nlohmann::json::array({0, 0, 0}));
  CHECK(j["centre"] != nlohmann::json::array({0, 0, 0}));
  REQUIRE(j["proprio"].size() == 8);
  // LIBERO's frame: the table top is at z = 0.90, fingers-down is about pi about x.
  CHECK(j["proprio"][2].get<double>() > 0.9);
  CHECK(std::abs(std::hypot(j["proprio"][3].get<double>(), j["proprio"][4].get<double>(),
                            j["proprio"][5].get<double>()) -
                 3.14159) < 0.5);
  CHECK(j["names"][0] == "eef_pos_x");

  const RunResults results = ResultsStore::read(dir / "r.h5");
  const RunHeader& h = results.header;
  CHECK(h.action_convention == "libero");
  CHECK(h.action_scale == "0.5,1,1,1,1,1,1");
  CHECK(h.action_offset == "-0.01");
  CHECK(h.state_layout == "libero");
  CHECK(h.image_preprocessing == "flip=180;resize_with_pad=16,40");
  CHECK_THAT(h.policy_identity, Catch::Contains("action_scale=0.5,1,1,1,1,1,1") &&
                                    Catch::Contains("action_offset=-0.01"));
  REQUIRE(results.episodes.size() == 1);
  CHECK(results.episodes[0].error.empty());

  // Resuming the file with another scale is another experiment: refused, file untouched.
  const auto again = run_cli("python:gauntlet_test_policies:SeenToFile,out=" + seen +
                                 ",value=0.2,actions=libero,action_scale=1,action_offset=-0.01,"
                                 "state=libero,flip=180,resize_with_pad=16,40",
                             dir / "r.h5");
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("different experiments"));
  CHECK(ResultsStore::read(dir / "r.h5").header.action_scale == "0.5,1,1,1,1,1,1");
}

TEST_CASE("Bad conversion values exit 2 naming the option and what was expected",
          "[cli][policy_io][bad-input]") {
  const auto dir = process_dir("policy-io-bad");
  const struct {
    const char* policy;
    std::vector<const char*> says;
  } cases[] = {
      {"zero,action_scale=1,2,3", {"action_scale has 3 numbers", "has 7", "dx, dy"}},
      {"zero,action_offset=0,0,0,nan,0,0,0", {"action_offset", "'nan'", "finite number"}},
      {"zero,action_scale=fast", {"action_scale", "'fast'"}},
      {"zero,actions=libero9", {"unknown action convention 'libero9'", "raw"}},
      {"zero,state=joints", {"state=joints", "no arm joints", "--robot panda"}},
      {"zero,state=droid", {"state", "default, libero, joints"}},
      {"zero,resize_with_pad=224", {"resize_with_pad", "HEIGHT,WIDTH"}},
      {"zero,flip=90", {"flip", "180"}},
  };
  int i = 0;
  for (const auto& c : cases) {
    INFO(c.policy);
    const auto out = dir / ("bad" + std::to_string(i++) + ".h5");
    const auto r = run_cli(c.policy, out);
    CHECK(r.exit_code == 2);
    for (const char* s : c.says) CHECK_THAT(r.err, Catch::Contains(s));
    CHECK_FALSE(std::filesystem::exists(out));
  }
}

TEST_CASE("state=joints on the Panda gives the 7 joint positions and the two fingers",
          "[python][cli][policy_io]") {
  const auto dir = process_dir("policy-io-joints");
  const std::string seen = (dir / "seen.json").string();
  const auto r = run_process(
      {"/usr/bin/env",
       "GAUNTLET_PYTHONPATH=" + adapter_test_data().string(),
       gauntlet_binary(),
       "run",
       "--suite",
       "libero-spatial",
       "--robot",
       "panda",
       "--task",
       "pick_up_the_black_bowl_on_the_cookie_box_and_place_it_on_the_plate",
       "--episodes",
       "1",
       "--workers",
       "1",
       "--videos",
       "0",
       "--policy",
       "python:gauntlet_test_policies:SeenToFile,out=" + seen + ",state=joints,actions=libero",
       "--out",
       (dir / "j.h5").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(std::ifstream(seen));
  REQUIRE(j["names"].size() == 9);
  for (int i = 0; i < 7; ++i) CHECK(j["names"][i] == "joint_pos_joint" + std::to_string(i + 1));
  CHECK(j["names"][7] == "gripper_qpos_left");
  CHECK(j["names"][8] == "gripper_qpos_right");
  REQUIRE(j["proprio"].size() == 9);
  CHECK(j["proprio"][3].get<double>() < -0.07);  // the Panda's elbow (joint 4) is always bent
  CHECK(j["proprio"][7].get<double>() == Approx(0.04).margin(0.005));  // open fingers: +, -
  CHECK(j["proprio"][8].get<double>() == Approx(-0.04).margin(0.005));
  CHECK(ResultsStore::read(dir / "j.h5").header.state_layout == "joints");
}
