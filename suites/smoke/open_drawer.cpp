// open_drawer: pull a drawer out of a cabinet by its handle (a slide joint).
// Success: the drawer is open by at least `open_threshold` metres.

#include <algorithm>
#include <cmath>

#include "scenarios/mujoco/robot.hpp"
#include "suites/common/expert_kit.hpp"
#include "suites/common/objects.hpp"
#include "suites/smoke/families.hpp"

namespace gauntlet::suites::smoke {
namespace {

using namespace geo;

struct DrawerParams {
  Region cabinet_region;
  double open_threshold = 0.10;
  double travel = 0.18;
  double initial_open_max = 0.01;
  mj::Rgba cabinet_rgba{0.86, 0.86, 0.82, 1};
  mj::Rgba drawer_rgba{0.45, 0.3, 0.18, 1};
  mj::Rgba handle_rgba{0.75, 0.75, 0.78, 1};
};

constexpr double kHalfDepth = 0.12;   // cabinet x
constexpr double kHalfWidth = 0.15;   // cabinet y
constexpr double kHalfHeight = 0.06;  // cabinet z
constexpr double kWall = 0.008;
constexpr double kHandleStandoff = 0.055;

class DrawerExpert final : public Expert {
 public:
  explicit DrawerExpert(const DrawerParams& p) : p_(p) {}

  void act(const Observation& obs, std::span<float> a) override {
    if (!obs.privileged) throw std::runtime_error("scripted expert needs privileged state");
    const PrivilegedState& s = *obs.privileged;
    const Pose& tcp = s.ee;
    const Vec3 handle = s.require_body("drawer_handle").pos;
    const double cab_yaw = yaw_of(s.require_body("cabinet").quat);
    const Vec3 axis{std::cos(cab_yaw), std::sin(cab_yaw), 0};
    const double yaw = closest_symmetric_yaw(wrap_angle(cab_yaw + kPi / 2), yaw_of(tcp.quat), kPi);
    const double opened = s.require_joint("drawer_slide");
    Vec3 goal = tcp.pos;
    // Approach half-closed: wide-open fingers would land on the drawer front.
    float grip = 0.3f;
    switch (phase_) {
      case Phase::kAbove:
        goal = handle + Vec3{0, 0, 0.1};
        if (dist_xy(tcp.pos, handle) < 0.008 && yaw_error(tcp, yaw) < 0.06 &&
            std::abs(tcp.pos[2] - goal[2]) < 0.03) {
          phase_ = Phase::kDown;
        }
        break;
      case Phase::kDown:
        goal = handle;
        if (dist_xy(tcp.pos, handle) > 0.02) phase_ = Phase::kAbove;
        if (std::abs(tcp.pos[2] - handle[2]) < 0.006) phase_ = Phase::kGrasp, counter_ = 0;
        break;
      case Phase::kGrasp:
        goal = handle;
        grip = 1.0f;
        if (++counter_ >= 6) phase_ = Phase::kPull;
        break;
      case Phase::kPull:
        grip = 1.0f;
        goal = handle + 0.03 * axis;
        goal[2] = handle[2];
        if (norm(tcp.pos - handle) > 0.03) phase_ = Phase::kRecover, counter_ = 0;
        if (opened > p_.open_threshold + 0.03) phase_ = Phase::kRecover, counter_ = 0;
        break;
      case Phase::kRecover:
        grip = -1.0f;
        goal = {tcp.pos[0], tcp.pos[1], handle[2] + 0.1};
        if (++counter_ >= 6) phase_ = Phase::kAbove;
        break;
    }
    servo_to(tcp, goal, yaw, a);
    a[6] = grip;
  }

 private:
  static constexpr double kPi = 3.14159265358979323846;
  enum class Phase { kAbove, kDown, kGrasp, kPull, kRecover };
  DrawerParams p_;
  Phase phase_ = Phase::kAbove;
  int counter_ = 0;
};

class DrawerTask final : public mj::MjTask {
 public:
  DrawerTask(TaskInfo info, const DrawerParams& p) : MjTask(std::move(info)), p_(p) {}

  void build(mj::SceneBuilder& scene) const override {
    mj::XmlElement& cab = scene.add_body(
        "cabinet",
        {p_.cabinet_region.center_x(), p_.cabinet_region.center_y(), mj::kTableTop + kHalfHeight},
        false);
    const auto& c = p_.cabinet_rgba;
    mj::add_box(cab, "cabinet_top", {kHalfDepth, kHalfWidth, kWall / 2},
                {0, 0, kHalfHeight - kWall / 2}, c);
    mj::add_box(cab, "cabinet_bottom", {kHalfDepth, kHalfWidth, kWall / 2},
                {0, 0, -kHalfHeight + kWall / 2}, c);
    mj::add_box(cab, "cabinet_left", {kHalfDepth, kWall / 2, kHalfHeight},
                {0, kHalfWidth - kWall / 2, 0}, c);
    mj::add_box(cab, "cabinet_right", {kHalfDepth, kWall / 2, kHalfHeight},
                {0, -kHalfWidth + kWall / 2, 0}, c);
    mj::add_box(cab, "cabinet_back", {kWall / 2, kHalfWidth, kHalfHeight},
                {-kHalfDepth + kWall / 2, 0, 0}, c);

    mj::XmlElement& drawer = cab.add("body").set("name", "drawer").set("pos", {0, 0, 0});
    scene.exclude_contact("cabinet", "drawer");
    drawer.add("joint")
        .set("name", "drawer_slide")
        .set("type", "slide")
        .set("axis", {1, 0, 0})
        .set("range", {0, p_.travel})
        .set("damping", 2.0)
        .set("frictionloss", 5.0)
        .set("armature", 0.05);
    const double in_x = kHalfDepth - kWall - 0.003;
    const double in_y = kHalfWidth - kWall - 0.003;
    const double in_z = kHalfHeight - kWall - 0.003;
    const auto& d = p_.drawer_rgba;
    mj::add_box(drawer, "drawer_front", {kWall / 2, kHalfWidth - 0.002, kHalfHeight - 0.002},
                {kHalfDepth - kWall / 2, 0, 0}, d)
        .set("mass", 0.2);
    mj::add_box(drawer, "drawer_floor", {in_x, in_y, kWall / 2}, {0, 0, -in_z + kWall / 2}, d)
        .set("mass", 0.2);
    mj::add_box(drawer, "drawer_side_l", {in_x, kWall / 2, in_z * 0.7},
                {0, in_y - kWall / 2, -in_z * 0.3}, d)
        .set("mass", 0.05);
    mj::add_box(drawer, "drawer_side_r", {in_x, kWall / 2, in_z * 0.7},
                {0, -in_y + kWall / 2, -in_z * 0.3}, d)
        .set("mass", 0.05);
    mj::add_box(drawer, "drawer_back", {kWall / 2, in_y, in_z * 0.7},
                {-in_x + kWall / 2, 0, -in_z * 0.3}, d)
        .set("mass", 0.05);
    const auto& h = p_.handle_rgba;
    for (const double y : {-0.045, 0.045}) {
      mj::add_box(drawer, "", {kHandleStandoff / 2, 0.006, 0.006},
                  {kHalfDepth + kHandleStandoff / 2, y, 0}, h)
          .set("mass", 0.01);
    }
    mj::XmlElement& handle = drawer.add("body")
                                 .set("name", "drawer_handle")
                                 .set("pos", {kHalfDepth + kHandleStandoff, 0, 0});
    mj::add_box(handle, "handle_bar", {0.007, 0.06, 0.007}, {0, 0, 0}, h)
        .set("mass", 0.02)
        .set("friction", {1.5, 0.02, 0.001})
        .set("condim", 4.0);
  }

  void initialize(const mj::MjSim& sim, Rng& rng, mj::TaskMemory& /*memory*/) const override {
    const Region::Sample c = p_.cabinet_region.sample(rng);
    sim.set_static_pose(sim.body("cabinet"), {c.x, c.y, mj::kTableTop + kHalfHeight},
                        quat_from_yaw(c.yaw));
    sim.set_joint_pos(sim.joint("drawer_slide"), rng.uniform(0.0, p_.initial_open_max));
  }

  mj::TaskStatus evaluate(const mj::MjSim& sim, mj::TaskMemory& /*memory*/) const override {
    const double opened = sim.joint_pos(sim.joint("drawer_slide"));
    mj::TaskStatus status;
    status.success = opened >= p_.open_threshold;
    status.progress = std::clamp(opened / p_.open_threshold, 0.0, 1.0);
    return status;
  }

  std::unique_ptr<Expert> make_expert() const override {
    return std::make_unique<DrawerExpert>(p_);
  }
  std::vector<std::string> privileged_bodies() const override {
    return {"cabinet", "drawer", "drawer_handle"};
  }
  std::vector<std::string> privileged_joints() const override { return {"drawer_slide"}; }
  std::string code_version() const override { return "open_drawer/1"; }

 private:
  DrawerParams p_;
};

}  // namespace

TaskFamily open_drawer_family() {
  TaskFamily f;
  f.name = "open_drawer";
  f.code_version = "open_drawer/1";
  f.make = [](const YamlFields& t, TaskInfo info) -> std::shared_ptr<const mj::MjTask> {
    t.only_keys({"id", "family", "instruction", "max_steps", "cabinet_region", "open_threshold",
                 "initial_open_max", "cabinet_rgba", "drawer_rgba", "handle_rgba"});
    DrawerParams p;
    p.cabinet_region = parse_region(t.child("cabinet_region"));
    p.open_threshold = t.number_or("open_threshold", p.open_threshold);
    if (!(p.open_threshold > 0.01 && p.open_threshold < p.travel)) {
      t.fail("open_threshold must be in (0.01, 0.18) m");
    }
    p.initial_open_max = t.number_or("initial_open_max", p.initial_open_max);
    if (p.initial_open_max < 0 || p.initial_open_max >= p.open_threshold) {
      t.fail("initial_open_max must be in [0, open_threshold)");
    }
    p.cabinet_rgba = t.rgba_or("cabinet_rgba", p.cabinet_rgba);
    p.drawer_rgba = t.rgba_or("drawer_rgba", p.drawer_rgba);
    p.handle_rgba = t.rgba_or("handle_rgba", p.handle_rgba);
    return std::make_shared<DrawerTask>(std::move(info), p);
  };
  return f;
}

}  // namespace gauntlet::suites::smoke
