// Robots as data: forward kinematics against the manufacturer's published
// parameters, inverse kinematics across the workspace and at joint limits,
// and the arm controller moving the TCP by the distances actions ask for.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <random>
#include <sstream>

#include "harness/action_convention.hpp"
#include "harness/errors.hpp"
#include "robots/robot_description.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/mujoco/robot.hpp"
#include "scenarios/mujoco/scene.hpp"

using namespace gauntlet;
using namespace gauntlet::geo;

namespace {

constexpr double kPi = std::numbers::pi;

// 4x4 homogeneous transforms, row-major.
using Mat4 = std::array<double, 16>;

Mat4 mul(const Mat4& a, const Mat4& b) {
  Mat4 c{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 4; ++k) c[4 * i + j] += a[4 * i + k] * b[4 * k + j];
  return c;
}

// Craig's modified DH: Rot_x(alpha) Trans_x(a) Rot_z(theta) Trans_z(d).
Mat4 craig(double a, double d, double alpha, double theta) {
  const double ca = std::cos(alpha), sa = std::sin(alpha), ct = std::cos(theta),
               st = std::sin(theta);
  return {ct,      -st,     0,   a,        //
          st * ca, ct * ca, -sa, -d * sa,  //
          st * sa, ct * sa, ca,  d * ca,   //
          0,       0,       0,   1};
}

// The Panda's flange from Franka's published DH table (the documentation's
// "Denavit-Hartenberg parameters" page), then the Franka Hand's TCP: turned
// -45 degrees about the flange's z and 0.1034 m along it.
Mat4 panda_dh_tcp(const std::vector<double>& q) {
  const double a[8] = {0, 0, 0, 0.0825, -0.0825, 0, 0.088, 0};
  const double d[8] = {0.333, 0, 0.316, 0, 0.384, 0, 0, 0.107};
  const double alpha[8] = {0, -kPi / 2, kPi / 2, kPi / 2, -kPi / 2, kPi / 2, kPi / 2, 0};
  Mat4 t{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  for (int i = 0; i < 8; ++i) t = mul(t, craig(a[i], d[i], alpha[i], i < 7 ? q[i] : 0.0));
  return mul(t, craig(0, 0.1034, 0, -kPi / 4));
}

Vec3 column(const Mat4& t, int c) {
  return {t[c], t[4 + c], t[8 + c]};
}

struct ArmScene {
  mjModel* model = nullptr;
  mjData* data = nullptr;
  explicit ArmScene(const std::string& robot, Vec3 base = {-0.56, 0, 0}) {
    mj::SceneOptions options;
    options.robot = robots::find_robot(robot, "test");
    options.robot_base = base;
    mj::SceneBuilder scene(options);
    model = mj::compile_mjcf(scene.xml(), robot + " test scene");
    data = mj_makeData(model);
  }
  ~ArmScene() {
    mj_deleteData(data);
    mj_deleteModel(model);
  }
  ArmScene(const ArmScene&) = delete;
  ArmScene& operator=(const ArmScene&) = delete;
};

std::vector<double> random_q(const robots::RobotDescription& r, std::mt19937_64& rng) {
  std::vector<double> q;
  for (const auto& j : r.joints)
    q.push_back(std::uniform_real_distribution<>(j.lower, j.upper)(rng));
  return q;
}

}  // namespace

TEST_CASE("every built-in robot parses and names its action conventions") {
  const auto names = robots::robot_names();
  for (const char* n : {"panda", "widowx", "google_robot", "floating_gripper"}) {
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
  }
  const auto panda = robots::find_robot("panda", "test");
  CHECK(panda->dof() == 7);
  CHECK(robots::find_robot("widowx", "test")->dof() == 6);
  CHECK(robots::find_robot("google_robot", "test")->dof() == 7);
  CHECK(robots::find_robot("floating_gripper", "test")->dof() == 0);
  CHECK(panda->proprio_names().size() == 8 + 7 + 7);
  CHECK(panda->actions.front() == "ee_delta");
  REQUIRE_THROWS_WITH(robots::find_robot("ur5", "--robot"),
                      Catch::Contains("unknown robot 'ur5'") && Catch::Contains("panda") &&
                          Catch::Contains("widowx"));
}

TEST_CASE("a malformed robot description names the file, line and field") {
  const std::string bad =
      "name: x\njoints:\n  - name: j\n    origin: {xyz: [0, 0, 0]}\n"
      "    limits: [1, -1]\nflange: {}\ntcp: {}\nhome: [0]\nactions: [ee_delta]\n";
  REQUIRE_THROWS_WITH(robots::parse_robot(bad, "bad.yaml"),
                      Catch::Contains("bad.yaml:5") && Catch::Contains("limits"));
  const std::string home =
      "name: x\njoints:\n  - name: j\n    origin: {xyz: [0, 0, 0]}\n"
      "    limits: [-1, 1]\nflange: {}\ntcp: {}\nhome: [2]\nactions: [ee_delta]\n";
  REQUIRE_THROWS_WITH(robots::parse_robot(home, "home.yaml"),
                      Catch::Contains("home.yaml:8") && Catch::Contains("outside its limits"));
  const std::string conv = "name: x\nfloating: true\nactions: [ee_delta, warp]\n";
  REQUIRE_THROWS_WITH(robots::parse_robot(conv, "c.yaml"),
                      Catch::Contains("c.yaml:3") && Catch::Contains("unknown action convention"));
  const std::string from = "name: x\nfloating: true\nactions: [ee_delta]\ndelta_from: goal\n";
  REQUIRE_THROWS_WITH(robots::parse_robot(from, "f.yaml"), Catch::Contains("f.yaml:4") &&
                                                               Catch::Contains("delta_from") &&
                                                               Catch::Contains("target, measured"));
}

TEST_CASE("Panda forward kinematics match Franka's published DH parameters") {
  const auto panda = robots::find_robot("panda", "test");
  ArmScene scene("panda", {0, 0, 0});
  const int tcp = mj_name2id(scene.model, mjOBJ_BODY, "gripper");
  REQUIRE(tcp >= 0);
  std::mt19937_64 rng(7);
  std::vector<std::vector<double>> configs = {panda->home, {0, 0, 0, -1.5, 0, 1.5, 0}};
  for (int k = 0; k < 20; ++k) configs.push_back(random_q(*panda, rng));
  for (const auto& q : configs) {
    const Mat4 dh = panda_dh_tcp(q);
    // The description's own (engine-free) kinematics.
    const robots::Pose fk = robots::forward_kinematics(*panda, q);
    // MuJoCo's, from the MJCF built out of the same description.
    for (int i = 0; i < 7; ++i) {
      scene.data->qpos[scene.model->jnt_qposadr[mj_name2id(
          scene.model, mjOBJ_JOINT, ("robot_" + panda->joints[i].name).c_str())]] = q[i];
    }
    mj_kinematics(scene.model, scene.data);
    const Vec3 mj_pos{scene.data->xpos[3 * tcp], scene.data->xpos[3 * tcp + 1],
                      scene.data->xpos[3 * tcp + 2]};
    const Vec3 dh_pos = column(dh, 3);
    CHECK(norm(fk.pos - dh_pos) < 1e-9);
    CHECK(norm(mj_pos - dh_pos) < 1e-9);
    // Orientation: the TCP frame's z points back to the wrist (-z of the
    // DH tool frame), fingers close along the same y axis (up to sign).
    const Vec3 z_tcp = rotate(fk.quat, {0, 0, 1});
    const Vec3 y_tcp = rotate(fk.quat, {0, 1, 0});
    CHECK(norm(z_tcp + column(dh, 2)) < 1e-9);
    CHECK(std::abs(std::abs(dot(y_tcp, column(dh, 1))) - 1.0) < 1e-9);
    const Quat mq{scene.data->xquat[4 * tcp], scene.data->xquat[4 * tcp + 1],
                  scene.data->xquat[4 * tcp + 2], scene.data->xquat[4 * tcp + 3]};
    CHECK(norm(rotate(mq, {0, 0, 1}) - z_tcp) < 1e-9);
  }
  // A known configuration by hand: all zeros except joint 4 at -pi/2 puts the
  // flange 0.088 m forward of the wrist axis and 0.333 + 0.316 + 0.0825 high.
  const std::vector<double> bent{0, 0, 0, -kPi / 2, 0, kPi / 2, 0};
  const Mat4 t = panda_dh_tcp(bent);
  const robots::Pose fk = robots::forward_kinematics(*panda, bent);
  CHECK(norm(fk.pos - column(t, 3)) < 1e-9);
  CHECK(fk.pos[0] == Approx(0.0825 + 0.384 + 0.088).margin(1e-9));
  CHECK(fk.pos[2] == Approx(0.333 + 0.316 + 0.0825 - 0.107 - 0.1034).margin(1e-9));
}

TEST_CASE("WidowX forward kinematics match Trossen's published home pose") {
  // The wx250s M matrix: at zero joints the end effector sits at x 0.458325, z 0.36065.
  const auto wx = robots::find_robot("widowx", "test");
  const robots::Pose p = robots::forward_kinematics(*wx, std::vector<double>(6, 0.0));
  CHECK(p.pos[0] == Approx(0.458325).margin(1e-9));
  CHECK(p.pos[1] == Approx(0.0).margin(1e-9));
  CHECK(p.pos[2] == Approx(0.36065).margin(1e-9));
  // Shoulder screw axis passes through z = 0.11065: turning it moves the tool about that point.
  std::vector<double> q(6, 0.0);
  q[1] = 0.3;
  const robots::Pose r = robots::forward_kinematics(*wx, q);
  const double radius0 = std::hypot(0.458325, 0.36065 - 0.11065);
  CHECK(std::hypot(r.pos[0], r.pos[2] - 0.11065) == Approx(radius0).margin(1e-9));
}

TEST_CASE("inverse kinematics reach targets across the LIBERO workspace within limits") {
  const auto panda = robots::find_robot("panda", "test");
  ArmScene scene("panda");
  mj::ArmController arm(scene.model, *panda, mj::Workspace{});
  int reached = 0, tried = 0;
  for (double x = -0.25; x <= 0.151; x += 0.1) {
    for (double y = -0.3; y <= 0.301; y += 0.15) {
      for (double z : {0.03, 0.15, 0.3}) {
        for (double yaw : {0.0, 1.2}) {
          Pose goal{{x, y, z}, quat_from_yaw(yaw)};
          std::vector<double> q = panda->home;
          ++tried;
          const bool ok = arm.solve_ik(scene.model, scene.data, goal, q, 1e-5, 500);
          for (std::size_t i = 0; i < q.size(); ++i) {
            REQUIRE(q[i] >= panda->joints[i].lower);
            REQUIRE(q[i] <= panda->joints[i].upper);
          }
          if (!ok) WARN("unreached " << x << " " << y << " " << z << " yaw " << yaw);
          if (ok) {
            ++reached;
            const robots::Pose fk = robots::forward_kinematics(*panda, q);
            CHECK(norm(fk.pos + Vec3{-0.56, 0, 0} - goal.pos) < 1e-4);
          }
        }
      }
    }
  }
  CHECK(reached == tried);
  // Out of reach (1.5 m away): no solution, and still inside the limits.
  std::vector<double> q = panda->home;
  CHECK_FALSE(arm.solve_ik(scene.model, scene.data, Pose{{0.9, 0.0, 0.1}, {1, 0, 0, 0}}, q));
  for (std::size_t i = 0; i < q.size(); ++i) {
    CHECK(q[i] >= panda->joints[i].lower);
    CHECK(q[i] <= panda->joints[i].upper);
  }
  // A pose that needs joint 4 straight (beyond its -0.0698 limit) is refused:
  // the arm's full stretch straight up.
  q = panda->home;
  CHECK_FALSE(arm.solve_ik(
      scene.model, scene.data,
      Pose{{-0.56, 0.0, 0.333 + 0.316 + 0.384 + 0.107 + 0.1034}, quat_from_rotvec({kPi, 0, 0})},
      q));
  CHECK(q[3] <= -0.0698);
}

TEST_CASE("the arm controller moves the TCP the distance ee_delta actions ask for") {
  const auto panda = robots::find_robot("panda", "test");
  ArmScene scene("panda");
  mj::ArmController arm(scene.model, *panda, mj::Workspace{});
  mj_resetData(scene.model, scene.data);
  arm.place(scene.model, scene.data, mj::GripperStart{{-0.05, 0.0, 0.25}, {1, 0, 0, 0}, -1.0, {}});
  mj_forward(scene.model, scene.data);
  const auto control_step = [&](std::array<float, 7> a) {
    arm.apply(scene.model, scene.data, a);
    for (int i = 0; i < 25; ++i) {
      mj_step1(scene.model, scene.data);
      arm.servo(scene.model, scene.data);
      mj_step2(scene.model, scene.data);
    }
  };
  // Six control periods with no new action: the arm settles on its goal.
  const auto settle = [&] {
    for (int i = 0; i < 6 * 25; ++i) {
      mj_step1(scene.model, scene.data);
      arm.servo(scene.model, scene.data);
      mj_step2(scene.model, scene.data);
    }
  };
  for (int k = 0; k < 10; ++k) control_step({0, 0, 0, 0, 0, 0, -1});
  const Vec3 start = arm.tcp_pose(scene.data).pos;
  CHECK(norm(start - Vec3{-0.05, 0.0, 0.25}) < 2e-3);
  // A step, then settling, moves the TCP by the delta. (Zero actions instead
  // of settling would stop a Panda where it is: its deltas move the measured
  // pose, as robosuite's OSC_POSE does.)
  const auto moved_by = [&](std::array<float, 7> a) {
    const Vec3 before = arm.tcp_pose(scene.data).pos;
    control_step(a);
    settle();
    return arm.tcp_pose(scene.data).pos - before;
  };
  Vec3 moved = moved_by({0.01f, 0, 0, 0, 0, 0, -1});
  INFO("moved " << moved[0] << " " << moved[1] << " " << moved[2]);
  CHECK(moved[0] == Approx(0.01).margin(5e-4));
  CHECK(std::abs(moved[1]) < 5e-4);
  CHECK(std::abs(moved[2]) < 5e-4);
  moved = moved_by({0, 0, -0.05f, 0, 0, 0, -1});
  INFO("moved " << moved[0] << " " << moved[1] << " " << moved[2]);
  CHECK(moved[2] == Approx(-0.05).margin(2.5e-3));
  CHECK(std::abs(moved[0]) < 2.5e-3);
  // A 0.3 rad yaw.
  const Quat q0 = arm.tcp_pose(scene.data).quat;
  control_step({0, 0, 0, 0, 0, 0.3f, -1});
  settle();
  const Quat q1 = arm.tcp_pose(scene.data).quat;
  INFO("yaw " << yaw_of(quat_mul(q1, quat_conj(q0))) << " target error "
              << norm(arm.target().pos - arm.tcp_pose(scene.data).pos));
  CHECK(norm(arm.target().pos - arm.tcp_pose(scene.data).pos) < 1e-3);
  CHECK(yaw_of(quat_mul(q1, quat_conj(q0))) == Approx(0.3).margin(5e-3));
}

TEST_CASE("a Panda's ee_delta moves its measured pose, SimplerEnv's arms their last target") {
  // robosuite's OSC_POSE (LIBERO) adds the delta to the measured end-effector
  // pose; ManiSkill2's target controllers (SimplerEnv) to the previous target.
  // Two deltas before the arm has moved tell them apart.
  const auto panda = robots::find_robot("panda", "test");
  CHECK(panda->delta_from_measured);
  CHECK_FALSE(robots::find_robot("widowx", "test")->delta_from_measured);
  CHECK_FALSE(robots::find_robot("google_robot", "test")->delta_from_measured);
  for (const bool measured : {true, false}) {
    robots::RobotDescription robot = *panda;
    robot.delta_from_measured = measured;
    ArmScene scene("panda");
    mj::ArmController arm(scene.model, robot, mj::Workspace{});
    mj_resetData(scene.model, scene.data);
    arm.place(scene.model, scene.data, mj::GripperStart{{-0.05, 0.0, 0.25}, {1, 0, 0, 0}, -1, {}});
    mj_forward(scene.model, scene.data);
    const Vec3 tcp = arm.tcp_pose(scene.data).pos;
    const std::array<float, 7> step{0.02f, 0, 0, 0, 0, 0, -1};
    arm.apply(scene.model, scene.data, step);
    arm.apply(scene.model, scene.data, step);
    INFO("measured " << measured);
    CHECK(arm.target().pos[0] - tcp[0] == Approx(measured ? 0.02 : 0.04).margin(1e-6));
  }
}

TEST_CASE("each action convention moves the arm the distance its units say") {
  const auto panda = robots::find_robot("panda", "test");
  ArmScene scene("panda");
  mj::ArmController arm(scene.model, *panda, mj::Workspace{});
  mj_resetData(scene.model, scene.data);
  arm.place(scene.model, scene.data, mj::GripperStart{{-0.05, 0.0, 0.25}, {1, 0, 0, 0}, -1.0, {}});
  mj_forward(scene.model, scene.data);
  const auto control_step = [&](std::span<const float> a) {
    arm.apply(scene.model, scene.data, a);
    for (int i = 0; i < 25; ++i) {
      mj_step1(scene.model, scene.data);
      arm.servo(scene.model, scene.data);
      mj_step2(scene.model, scene.data);
    }
  };
  struct Case {
    const char* convention;
    std::array<float, 7> action;
    double dx;      // metres the TCP must move along x
    double dyaw;    // radians about z
    float gripper;  // the native command it must become
  };
  const Case cases[] = {
      {"libero", {0.4f, 0, 0, 0, 0, 0.2f, -1}, 0.02, 0.1, -1},  // 0.05 m, 0.5 rad per unit
      {"libero", {2.0f, 0, 0, 0, 0, 0, 1}, 0.05, 0.0, 1},       // clipped to 1
      {"calvin", {1.0f, 0, 0, 0, 0, 1.0f, 1}, 0.02, 0.05, -1},  // 0.02 m, 0.05 rad; +1 opens
      {"calvin", {-0.5f, 0, 0, 0, 0, 0, -1}, -0.01, 0.0, 1},    // -1 closes
      {"bridge", {0.03f, 0, 0, 0, 0, 0.1f, 1}, 0.03, 0.1, -1},  // metres, rad; 1 = open
      {"bridge", {0.0f, 0, 0, 0, 0, 0, 0}, 0.0, 0.0, 1},        // 0 = closed
      {"rt1", {-0.02f, 0, 0, 0, 0, -0.1f, 1}, -0.02, -0.1, 1},  // +1 closes
      {"ee_delta", {0.015f, 0, 0, 0, 0, 0, -1}, 0.015, 0.0, -1},
  };
  for (const Case& c : cases) {
    const ActionConvention& conv = find_action_convention(c.convention, "test");
    std::array<float, 7> native{};
    conv.to_native(c.action, native);
    INFO(c.convention << " native " << native[0] << " yaw " << native[5] << " grip " << native[6]);
    CHECK(native[0] == Approx(c.dx).margin(1e-6));
    CHECK(native[5] == Approx(c.dyaw).margin(1e-6));
    CHECK(native[6] == c.gripper);
    const Pose before = arm.tcp_pose(scene.data);
    control_step(native);
    for (int i = 0; i < 6 * 25; ++i) {  // settle on the goal (no new action)
      mj_step1(scene.model, scene.data);
      arm.servo(scene.model, scene.data);
      mj_step2(scene.model, scene.data);
    }
    const Pose after = arm.tcp_pose(scene.data);
    CHECK(after.pos[0] - before.pos[0] == Approx(c.dx).margin(0.05 * std::abs(c.dx) + 5e-4));
    CHECK(yaw_of(quat_mul(after.quat, quat_conj(before.quat))) ==
          Approx(c.dyaw).margin(0.05 * std::abs(c.dyaw) + 2e-3));
  }
  REQUIRE_THROWS_WITH(find_action_convention("openvla", "actions"),
                      Catch::Contains("unknown action convention 'openvla'") &&
                          Catch::Contains("libero") && Catch::Contains("rt1"));
}

namespace {

// A policy that answers every call with `dim` numbers: stands for a
// checkpoint whose head has the wrong size for the convention it claims.
class FixedSizePolicy final : public Policy {
 public:
  explicit FixedSizePolicy(int dim) : dim_(dim) {}
  PolicyRequirements requirements() const override { return {}; }
  void prepare(int /*slots*/, const ActionSpace& space) override { prepared_ = space; }
  void reset(int /*slot*/, const EpisodeContext& /*ctx*/) override {}
  void act(std::span<const int> /*slots*/, std::span<const Observation* const> /*obs*/,
           std::span<ActionChunk> out) override {
    for (auto& c : out) {
      c.resize(2, dim_);
      for (int i = 0; i < 2; ++i) c.action(i)[0] = 0.5f;
    }
  }
  std::string identity() const override { return "fixed" + std::to_string(dim_); }
  ActionSpace prepared_;

 private:
  int dim_;
};

}  // namespace

TEST_CASE("a convention wrapper converts chunks and names itself on the wrong size") {
  auto inner = std::make_unique<FixedSizePolicy>(7);
  FixedSizePolicy* raw = inner.get();
  auto policy = with_action_convention(std::move(inner), find_action_convention("libero", "test"));
  policy->prepare(1, ee_delta_action_space());
  // The policy is told the convention's space, not the native one.
  CHECK(raw->prepared_.high[0] == 1.0f);
  CHECK(policy->identity() == "fixed7+actions=libero");
  std::vector<ActionChunk> chunks(1);
  const int slot = 0;
  const Observation* none = nullptr;
  policy->act(std::span<const int>(&slot, 1), std::span<const Observation* const>(&none, 1),
              chunks);
  REQUIRE(chunks[0].error.empty());
  CHECK(chunks[0].horizon == 2);
  CHECK(chunks[0].action(1)[0] == Approx(0.025));  // 0.5 of libero's 0.05 m

  auto six = with_action_convention(std::make_unique<FixedSizePolicy>(6),
                                    find_action_convention("libero", "test"));
  six->prepare(1, ee_delta_action_space());
  six->act(std::span<const int>(&slot, 1), std::span<const Observation* const>(&none, 1), chunks);
  CHECK_THAT(chunks[0].error,
             Catch::Contains("actions=libero expects 7 numbers") && Catch::Contains("returned 6"));
  // ee_delta is the native convention: no wrapper.
  auto native = std::make_unique<FixedSizePolicy>(7);
  const Policy* native_raw = native.get();
  CHECK(with_action_convention(std::move(native), find_action_convention("ee_delta", "t")).get() ==
        native_raw);
}

TEST_CASE("a camera's up vector from a robot description turns its image") {
  // Looking along +x: world-z up gives the image's up axis +z; an up of +y gives +y.
  const auto axes = [](const Vec3& up) {
    std::vector<double> v;
    std::istringstream in(mj::look_at_xyaxes({0, 0, 0}, {1, 0, 0}, up));
    for (double x; in >> x;) v.push_back(x);
    return v;
  };
  const auto z_up = axes({0, 0, 1});
  const auto y_up = axes({0, 1, 0});
  REQUIRE(z_up.size() == 6);
  REQUIRE(y_up.size() == 6);
  CHECK(z_up[5] == Approx(1.0));
  CHECK(y_up[4] == Approx(1.0));
  CHECK(y_up[5] == Approx(0.0).margin(1e-12));
}
