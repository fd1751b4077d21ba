// Results headers and recordings carry the settings in force: the policy
// spec's replan_every, the policy's own image size, the cameras asked to store.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "harness/results_store.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
namespace fs = std::filesystem;

namespace {

const std::string kPolicies = std::string(GAUNTLET_SOURCE_DIR) + "/tests/adapters/data";

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return testing::run_process(full);
}

std::vector<std::string> one_episode(const std::string& policy, const fs::path& out) {
  return {"--suite", "tabletop-smoke", "--task", "open-the-drawer", "--episodes",
          "1",       "--policy",       policy,   "--out",           out.string()};
}

// The datasets under data/demo_0/obs of a demonstration file, as h5py (what
// robomimic and LIBERO read with) lists them.
std::vector<std::string> stored_observations(const fs::path& file) {
  const auto r = testing::run_process(
      {GAUNTLET_PYTHON, "-c",
       "import h5py, sys\nprint('\\n'.join(h5py.File(sys.argv[1], 'r')['data/demo_0/obs'].keys()))",
       file.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> names;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) names.push_back(line);
  return names;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_CASE("The results header records the replan_every of the policy spec", "[cli][settings]") {
  const fs::path dir = fresh_dir("settings_replan");
  const std::string policy =
      "python:gauntlet_test_policies:Constant,replan_every=5,path=" + kPolicies;
  auto args = one_episode(policy, dir / "spec.h5");
  args.insert(args.begin(), "run");
  auto r = gauntlet_cmd(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ResultsStore::read(dir / "spec.h5").header.replan_every == 5);
  // --replan-every overrides the spec, and the header says so.
  args = one_episode(policy, dir / "option.h5");
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--replan-every", "3"});
  r = gauntlet_cmd(args);
  REQUIRE(r.exit_code == 0);
  CHECK(ResultsStore::read(dir / "option.h5").header.replan_every == 3);
}

TEST_CASE("record --image-size that contradicts the policy's own image size exits 2",
          "[cli][settings][record]") {
  const fs::path dir = fresh_dir("settings_image_size");
  const std::string policy = "python:gauntlet_test_policies:WristOnly,path=" + kPolicies;
  auto args = one_episode(policy, dir / "d.h5");
  args.insert(args.begin(), "record");
  args.insert(args.end(), {"--image-size", "64x64"});
  auto r = gauntlet_cmd(args);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--image-size 64x64") && Catch::Contains("asks for 40x30"));
  CHECK(!fs::exists(dir / "d.h5"));
  // The policy's own size is accepted, and it is what gets stored.
  args.back() = "40x30";
  r = gauntlet_cmd(args);
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("record --camera stores the named cameras, not the ones only the policy asked for",
          "[cli][settings][record]") {
  const fs::path dir = fresh_dir("settings_camera");
  const std::string policy = "python:gauntlet_test_policies:WristOnly,path=" + kPolicies;
  auto args = one_episode(policy, dir / "agentview.h5");
  args.insert(args.begin(), "record");
  args.insert(args.end(), {"--camera", "agentview"});
  auto r = gauntlet_cmd(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);  // the policy still saw its wrist camera (it asserts so)
  auto obs = stored_observations(dir / "agentview.h5");
  CHECK(contains(obs, "agentview_rgb"));
  CHECK(!contains(obs, "eye_in_hand_rgb"));
  // Without --camera every camera of the suite is stored.
  args = one_episode(policy, dir / "all.h5");
  args.insert(args.begin(), "record");
  REQUIRE(gauntlet_cmd(args).exit_code == 0);
  obs = stored_observations(dir / "all.h5");
  CHECK(contains(obs, "agentview_rgb"));
  CHECK(contains(obs, "eye_in_hand_rgb"));
  // A camera the suite lacks names the option.
  args = one_episode(policy, dir / "bad.h5");
  args.insert(args.begin(), "record");
  args.insert(args.end(), {"--camera", "top"});
  r = gauntlet_cmd(args);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--camera 'top'") && Catch::Contains("agentview, wrist"));
}
