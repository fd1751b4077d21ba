// Every adapter's conversion options (harness/policy_io.hpp): actions=,
// action_scale=/action_offset=, state= layouts, flip=180 and resize_with_pad,
// through Registry::make_policy with a policy that records what it was given.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "harness/errors.hpp"
#include "harness/image_ops.hpp"
#include "harness/policy_io.hpp"
#include "harness/registry.hpp"
#include "harness/results_store.hpp"

using namespace gauntlet;

namespace {

// Returns `action` (one step) and keeps the last observation it was given.
struct Recorded {
  std::vector<float> action;
  Observation last;
  std::vector<std::string> last_names;
};

class RecordingPolicy final : public Policy {
 public:
  explicit RecordingPolicy(Recorded& r) : r_(r) {}
  PolicyRequirements requirements() const override { return {}; }
  void prepare(int, const ActionSpace&) override {}
  void reset(int, const EpisodeContext&) override {}
  void act(std::span<const int>, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    r_.last = *obs[0];
    r_.last_names = obs[0]->proprio_names ? *obs[0]->proprio_names : std::vector<std::string>{};
    for (auto& chunk : out) {
      chunk.resize(1, static_cast<int>(r_.action.size()));
      std::copy(r_.action.begin(), r_.action.end(), chunk.values.begin());
    }
  }
  std::string identity() const override { return "recording"; }

 private:
  Recorded& r_;
};

std::unique_ptr<Policy> make(Recorded& r, const std::string& options) {
  Registry reg;
  reg.add_policy(
      PolicyKind{"rec", "rec", "test", [&r](const PolicySpec& spec) -> std::unique_ptr<Policy> {
                   spec.require_known_options({});
                   return std::make_unique<RecordingPolicy>(r);
                 }});
  return reg.make_policy(PolicySpec::parse("rec" + options));
}

// The one action `options` turn `raw` into, on a suite with action space `space`.
std::vector<float> convert(const std::vector<float>& raw, const std::string& options,
                           const ActionSpace& space = ee_delta_action_space()) {
  Recorded r;
  r.action = raw;
  auto p = make(r, options);
  p->prepare(1, space);
  Observation o;
  const Observation* ptr = &o;
  std::vector<ActionChunk> out(1);
  const int slot = 0;
  p->act(std::span<const int>(&slot, 1), std::span<const Observation* const>(&ptr, 1), out);
  REQUIRE(out[0].error.empty());
  return out[0].values;
}

void check_close(const std::vector<float>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("component " << i);
    CHECK(got[i] == Approx(want[i]).margin(1e-6));
  }
}

const std::vector<std::string> kPandaNames = [] {
  std::vector<std::string> n = {"eef_pos_x",         "eef_pos_y",         "eef_pos_z",
                                "eef_axis_angle_x",  "eef_axis_angle_y",  "eef_axis_angle_z",
                                "gripper_qpos_left", "gripper_qpos_right"};
  for (int i = 1; i <= 7; ++i) n.push_back("joint_pos_joint" + std::to_string(i));
  for (int i = 1; i <= 7; ++i) n.push_back("joint_vel_joint" + std::to_string(i));
  return n;
}();

Image pattern(int h, int w) {
  Image img;
  img.resize(w, h);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      for (int ch = 0; ch < 3; ++ch) {
        img.pixel(r, c)[ch] =
            static_cast<std::uint8_t>((r * 37 + c * 91 + ch * 53 + r * c * 7) % 256);
      }
    }
  }
  return img;
}

std::string hex(const Image& img) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const auto b : img.rgb) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

}  // namespace

TEST_CASE("action_scale and action_offset apply a = a * scale + offset after the convention",
          "[policy_io][actions]") {
  // raw: the suite's own space, no conversion; scale/offset per dimension.
  check_close(convert({0.01f, 0.02f, 0.03f, 0.1f, 0.2f, 0.3f, 1.0f},
                      ",actions=raw,action_scale=2,1,1,1,1,1,-1,action_offset=0.001,0,0,0,0,0,0.5"),
              {0.021, 0.02, 0.03, 0.1, 0.2, 0.3, -0.5});
  // Without actions=: the same as raw. One number is broadcast.
  check_close(convert({0.01f, 0.02f, 0.03f, 0.1f, 0.2f, 0.3f, 1.0f}, ",action_scale=0.5"),
              {0.005, 0.01, 0.015, 0.05, 0.1, 0.15, 0.5});
  check_close(convert({0, 0, 0, 0, 0, 0, 0}, ",action_offset=0.25"),
              {0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25});
  // libero: [-1, 1] -> 0.05 m and 0.5 rad, clipped; then x 2 + 0.001.
  check_close(convert({0.5f, -2.0f, 0, 0.2f, 0, 0, 1.0f},
                      ",actions=libero,action_scale=2,action_offset=0.001"),
              {0.051, -0.099, 0.001, 0.201, 0.001, 0.001, 2.001});
  // calvin: 0.02 m per unit, gripper +1 open -> native -1 (open); then the offset.
  check_close(convert({0.5f, 0, 0, 0, 0, 0, 1.0f}, ",actions=calvin,action_offset=0,0,0,0,0,0,0.5"),
              {0.01, 0, 0, 0, 0, 0, -0.5});
  // bridge: open_gripper 1 (open) -> -1; a roll of 0.2 rad stays a rotation vector (0.2, 0, 0).
  check_close(
      convert({0.01f, 0, 0, 0.2f, 0, 0, 1.0f}, ",actions=bridge,action_scale=1,1,1,1,1,1,0.5"),
      {0.01, 0, 0, 0.2, 0, 0, -0.5});
  // rt1: closedness +1 -> +1 (closed).
  check_close(convert({0, 0.02f, 0, 0, 0, 0.3f, 1.0f}, ",actions=rt1,action_scale=3"),
              {0, 0.06, 0, 0, 0, 0.9, 3.0});
  // raw on a joint-position suite: 8 numbers (7 joints + gripper).
  const ActionSpace joints =
      joint_position_action_space({"j1", "j2", "j3", "j4", "j5", "j6", "j7"},
                                  std::vector<double>(7, -3.0), std::vector<double>(7, 3.0));
  check_close(
      convert({1, 1, 1, 1, 1, 1, 1, 1}, ",actions=raw,action_offset=0,0,0,0,0,0,0.5,-2", joints),
      {1, 1, 1, 1, 1, 1, 1.5, -1});
}

TEST_CASE("Bad conversion options are input errors naming the option and what was expected",
          "[policy_io][bad-input]") {
  Recorded r;
  r.action = std::vector<float>(7, 0.0f);
  const auto error_of = [&](const std::string& options) {
    try {
      auto p = make(r, options);
      p->prepare(1, ee_delta_action_space());
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(error_of(",action_scale=1,2,3"), Catch::Contains("action_scale has 3 numbers") &&
                                                  Catch::Contains("has 7") &&
                                                  Catch::Contains("dx, dy"));
  CHECK_THAT(error_of(",action_offset=1,2,3,4,5,6,7,8"), Catch::Contains("action_offset has 8"));
  CHECK_THAT(error_of(",action_scale=abc"), Catch::Contains("action_scale") &&
                                                Catch::Contains("finite number") &&
                                                Catch::Contains("'abc'"));
  CHECK_THAT(error_of(",action_scale=1,nan,1,1,1,1,1"), Catch::Contains("action_scale") &&
                                                            Catch::Contains("'nan'") &&
                                                            Catch::Contains("item 2"));
  CHECK_THAT(error_of(",action_offset=inf"), Catch::Contains("action_offset"));
  CHECK_THAT(error_of(",action_scale=1,,1"), Catch::Contains("action_scale"));
  CHECK_THAT(error_of(",action_scale="), Catch::Contains("action_scale"));
  CHECK_THAT(error_of(",actions=openvla"),
             Catch::Contains("unknown action convention 'openvla'") && Catch::Contains("raw"));
  CHECK_THAT(error_of(",state=droid"),
             Catch::Contains("state") && Catch::Contains("default, libero, joints"));
  CHECK_THAT(error_of(",flip=90"), Catch::Contains("flip") && Catch::Contains("180"));
  CHECK_THAT(error_of(",resize_with_pad=224"),
             Catch::Contains("resize_with_pad") && Catch::Contains("HEIGHT,WIDTH"));
  CHECK_THAT(error_of(",resize_with_pad=224,0"), Catch::Contains("1..4096"));
  CHECK_THAT(error_of(",resize_with_pad=22.5,224"), Catch::Contains("resize_with_pad"));
  CHECK_THAT(error_of(",resize_with_pad=224,224,3"), Catch::Contains("resize_with_pad"));
  CHECK(error_of(",action_scale=1,2,3,4,5,6,7,action_offset=-1") == "(no error)");
}

TEST_CASE("A comma list continues an option only for list-valued options", "[policy_io][spec]") {
  const auto spec = PolicySpec::parse("rec:x,action_scale=1,2,3,state=libero,resize_with_pad=8,9");
  CHECK(spec.arg == "x");
  CHECK(spec.option("action_scale") == "1,2,3");
  CHECK(spec.option("state") == "libero");
  CHECK(spec.option("resize_with_pad") == "8,9");
  CHECK_THROWS_WITH(PolicySpec::parse("rec:x,state=libero,oops"),
                    Catch::Contains("expected key=value, got 'oops'"));
}

TEST_CASE("The header texts are canonical: equal conversions, equal texts", "[policy_io][header]") {
  const auto io = [](const std::string& options) {
    return parse_policy_io(PolicySpec::parse("rec" + options));
  };
  CHECK(io(",action_scale=1,1,1,1,1,1,1").scale_text().empty());
  CHECK(io(",action_scale=2,2,2,2,2,2,2").scale_text() == "2");
  CHECK(io(",action_scale=0.5,1,1,1,1,1,1").scale_text() == "0.5,1,1,1,1,1,1");
  CHECK(io(",action_offset=0").offset_text().empty());
  CHECK(io(",action_offset=-0.25").offset_text() == "-0.25");
  CHECK(io(",flip=180,resize_with_pad=224,224").image_text() == "flip=180;resize_with_pad=224,224");
  CHECK(io(",flip=0").image_text().empty());
  CHECK(io("").state == "default");
  // Two runs with different conversions are different experiments.
  RunHeader a;
  a.suite_name = "s";
  RunHeader b = a;
  b.action_scale = "2";
  CHECK_THROWS_WITH(check_same_experiment(a, "a.h5", b, "b.h5"), Catch::Contains("action_scale"));
  b = a;
  b.action_offset = "0.1";
  CHECK_THROWS_WITH(check_same_experiment(a, "a.h5", b, "b.h5"), Catch::Contains("action_offset"));
  b = a;
  b.state_layout = "libero";
  CHECK_THROWS_WITH(check_same_experiment(a, "a.h5", b, "b.h5"), Catch::Contains("state layout"));
  b = a;
  b.image_preprocessing = "flip=180";
  CHECK_THROWS_WITH(check_same_experiment(a, "a.h5", b, "b.h5"),
                    Catch::Contains("image preprocessing"));
}

TEST_CASE("state=libero gives robosuite's 8 numbers, state=joints q and the fingers",
          "[policy_io][state]") {
  std::vector<float> native(22);
  for (std::size_t i = 0; i < native.size(); ++i) native[i] = 0.01f * static_cast<float>(i + 1);
  native[0] = 0.1f;
  native[1] = -0.2f;
  native[2] = 0.25f;
  native[3] = native[4] = native[5] = 0.0f;  // fingers down, gauntlet's identity
  native[6] = 0.04f;
  native[7] = -0.039f;
  std::vector<float> out;
  apply_state_layout("libero", kPandaNames, native, out);
  // Table top 0.90 m higher; fingers-down is 180 degrees about x in robosuite's hand frame.
  check_close(out, {0.1, -0.2, 1.15, std::numbers::pi, 0, 0, 0.04, -0.039});
  CHECK(state_layout_names("libero", kPandaNames, "t") ==
        std::vector<std::string>(kPandaNames.begin(), kPandaNames.begin() + 8));

  // A yaw of 0.3 rad: R = Rz(0.3) Rx(pi), a half turn about (cos 0.15, sin 0.15, 0).
  native[5] = 0.3f;
  apply_state_layout("libero", kPandaNames, native, out);
  check_close({out[3], out[4], out[5]},
              {std::numbers::pi * std::cos(0.15), std::numbers::pi * std::sin(0.15), 0});
  // robosuite's quat2axisangle keeps the sign of w: a roll of +-0.1 past
  // fingers-down reads pi +- 0.1 about +x (continuous, as LIBERO's data).
  native[5] = 0.0f;
  native[3] = 0.1f;
  apply_state_layout("libero", kPandaNames, native, out);
  check_close({out[3], out[4], out[5]}, {std::numbers::pi + 0.1, 0, 0});
  native[3] = -0.1f;
  apply_state_layout("libero", kPandaNames, native, out);
  check_close({out[3], out[4], out[5]}, {std::numbers::pi - 0.1, 0, 0});

  apply_state_layout("joints", kPandaNames, native, out);
  check_close(out, {0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.04, -0.039});
  const auto names = state_layout_names("joints", kPandaNames, "t");
  REQUIRE(names.size() == 9);
  CHECK(names[0] == "joint_pos_joint1");
  CHECK(names[8] == "gripper_qpos_right");

  apply_state_layout("default", kPandaNames, native, out);
  CHECK(out == native);

  // The floating gripper has no joints.
  const std::vector<std::string> floating(kPandaNames.begin(), kPandaNames.begin() + 8);
  CHECK_THROWS_WITH(state_layout_names("joints", floating, "policy spec 'x': state=joints"),
                    Catch::Contains("state=joints") && Catch::Contains("no arm joints"));
  CHECK(state_layout_names("libero", floating, "t").size() == 8);
}

TEST_CASE("resize_with_pad matches openpi's (Pillow bilinear) pixel for pixel",
          "[policy_io][image]") {
  struct Case {
    int h, w, th, tw;
    const char* expected;
  };
  // tests/unit/harness/data/pil_resize_reference.py (Pillow 9.4.0).
  const std::vector<Case> padded = {
      {5, 7, 4, 4,
       "00000000000000000000000055809885817d7c937c6698827b839f81849092827e76856f0000000000000000000"
       "00000"},
      {4, 6, 8, 10,
       "00000000000000000000000000000000000000000000000000000000000000356a24598e5b90c592c76295ca323"
       "26769356a9f6ca1d6a3d873c7fc3113487d386da271a6dbaa927aaf7e4d4f6a8554898b8dc27779ae636ba0552b"
       "60955388ac8ec3ceb06589b03b706c76ab7ca080b8c2225a7d5e1b50854479ae6da282ace1406a85654a5d926f9"
       "bd0a585a9e3434d87688b4b80b55d92c7888a8cc97e337172744b809c8dc2909a9c858f447983856d7bb0656fa4"
       "d99c6a9fdf144989578c659a9ca9de4685ba562f649972a7439fd40900000000000000000000000000000000000"
       "0000000000000000000000000"},
      {3, 10, 6, 5,
       "0000000000000000000000000000000000000000000000000000000000006086917f82847a937b797c8c8b71770"
       "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
      {17, 23, 5, 6,
       "7987897d867f8f767f7b84747b7c807a768781818587827c78838666916d7a8a7c7c89897b877f837a8085798c8"
       "38579808c84718e7c8288768885888376837f77707f7b7f758b86000000000000000000000000000000000000"},
      {6, 6, 6, 6,
       "00356a5b90c5b6eb2011467b6ca1d6c7fc31255a8f87bcf1e91e534b80b5ade2170f44794a7fb4b3e81d1c51868"
       "5baefee2358578cc16fa4d9df14494f84b9bff4292f64999fd40994c9fe0b407582b7ecf92e6370a5dae71c51b9"
       "ee23376ca1b5ea1f33689db1e61b2f6499"},
      {12, 9, 12, 5,
       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004"
       "f7c9a848279789a7b6a8b8b8b5a8c7d87927d868b8f8279708f768973a17a8f8e898a8591887b867b767e777576"
       "7489837e7f8b867d93867d727787717d867c818a7e8c777f786976898769877d8e858392737b8874878b578c000"
       "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
  };
  for (const auto& c : padded) {
    INFO(c.h << "x" << c.w << " -> " << c.th << "x" << c.tw);
    Image out;
    resize_with_pad(pattern(c.h, c.w), c.th, c.tw, out);
    CHECK(out.height == c.th);
    CHECK(out.width == c.tw);
    CHECK(hex(out) == c.expected);
  }
  const std::vector<Case> plain = {
      {5, 7, 4, 3, "59808c678d7b70a57a748990867f8b72917f867b8284977f72915f667fb4a37a918b6d87"},
      {4, 4, 9, 7,
       "00356a21568b558abf89be73aadf264c815a11467b063b70285d925c91c691b07bb3c02f557b631b5085174c813"
       "96ea36fa4d9a68c90ca6d466e6b7c34699e275c914a7faf82b7dfb4709ed4285d8160954e83b8386da25c919896"
       "cb8990857a813f747179ae689dd2487db26ea381aadf336c9a562d558a6191c682b7ec588dc27f918ebd95397a7"
       "e64376c9a75aa9f9cd1a2699ed3907a9fd03f4c8f5a794e83a98ec36eb5ea4a6fa4d99771a6d71e53974c81578c"
       "af97cc5cbff429"},
  };
  for (const auto& c : plain) {
    INFO(c.h << "x" << c.w << " -> " << c.th << "x" << c.tw);
    Image out;
    resize_pil_bilinear(pattern(c.h, c.w), c.tw, c.th, out);
    CHECK(hex(out) == c.expected);
  }
}

TEST_CASE("flip=180 reverses rows and columns, before resize_with_pad, for every camera",
          "[policy_io][image]") {
  Image img = pattern(2, 3);
  Image flipped = img;
  rotate_180(flipped);
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) {
      for (int ch = 0; ch < 3; ++ch) CHECK(flipped.pixel(r, c)[ch] == img.pixel(1 - r, 2 - c)[ch]);
    }
  }
  // Through the wrapper: both cameras flipped then padded to 4 x 6; proprio in LIBERO's layout.
  Recorded r;
  r.action = std::vector<float>(7, 0.0f);
  auto p = make(r, ",flip=180,resize_with_pad=4,6,state=libero");
  p->prepare(1, ee_delta_action_space());
  Observation o;
  o.cameras = {{"agentview", pattern(2, 3)}, {"wrist", pattern(4, 4)}};
  o.proprio = std::vector<float>(22, 0.0f);
  o.proprio[2] = 0.3f;
  o.proprio_names = &kPandaNames;
  o.instruction = "stack";
  const Observation* ptr = &o;
  std::vector<ActionChunk> out(1);
  const int slot = 0;
  p->act(std::span<const int>(&slot, 1), std::span<const Observation* const>(&ptr, 1), out);
  REQUIRE(r.last.cameras.size() == 2);
  Image expected;
  Image source = pattern(2, 3);
  rotate_180(source);
  resize_with_pad(source, 4, 6, expected);
  CHECK(r.last.cameras[0].image.rgb == expected.rgb);
  CHECK(r.last.cameras[0].image.width == 6);
  // The 2 x 3 image scales by 2 to exactly 4 x 6: no padding.
  CHECK(r.last.cameras[0].image.pixel(0, 0)[0] == expected.pixel(0, 0)[0]);
  Image wrist = pattern(4, 4);
  rotate_180(wrist);
  Image wrist_expected;
  resize_with_pad(wrist, 4, 6, wrist_expected);
  CHECK(r.last.cameras[1].image.rgb == wrist_expected.rgb);
  // 4 x 4 into 4 x 6: unscaled, one black column each side.
  CHECK(r.last.cameras[1].image.pixel(2, 0)[1] == 0);
  CHECK(r.last.cameras[1].image.pixel(2, 1)[1] == wrist.pixel(2, 0)[1]);
  CHECK(r.last.cameras[1].image.pixel(2, 5)[1] == 0);
  REQUIRE(r.last.proprio.size() == 8);
  CHECK(r.last.proprio[2] == Approx(1.2));
  CHECK(r.last_names.size() == 8);
  CHECK(r.last.instruction == "stack");
  CHECK_THAT(p->identity(), Catch::Contains("recording") && Catch::Contains("state=libero") &&
                                Catch::Contains("flip=180;resize_with_pad=4,6"));
}
