// push_to_region: slide a block into a marked square on the table without
// lifting it. Success: the block's centre lies inside the square.

#include <algorithm>
#include <cmath>

#include "scenarios/mujoco/robot.hpp"
#include "suites/common/expert_kit.hpp"
#include "suites/common/objects.hpp"
#include "suites/smoke/families.hpp"

namespace gauntlet::suites::smoke {
namespace {

using namespace geo;

struct PushParams {
  ObjectSpec block;
  std::string region_name = "goal_region";
  double region_half = 0.06;
  mj::Rgba region_rgba{0.2, 0.75, 0.3, 1};
  Region block_region;
  Region target_region;
  double min_distance = 0.15;
};

enum Slot : std::size_t { kInitialDistance = 0 };

class PushExpert final : public Expert {
 public:
  explicit PushExpert(PushParams p) : p_(std::move(p)) {}

  void act(const Observation& obs, std::span<float> a) override {
    if (!obs.privileged) throw std::runtime_error("scripted expert needs privileged state");
    const PrivilegedState& s = *obs.privileged;
    const Pose& tcp = s.ee;
    const Vec3 block = s.require_body(p_.block.name).pos;
    const Vec3 goal_center = s.require_body(p_.region_name).pos;
    Vec3 dir = goal_center - block;
    dir[2] = 0;
    const double remaining = norm(dir);
    if (remaining > 1e-6) dir = (1.0 / remaining) * dir;
    // Push with the closed fingers' broad side facing the block.
    const double push_yaw = wrap_angle(std::atan2(dir[1], dir[0]) + kPi / 2);
    const double yaw = closest_symmetric_yaw(push_yaw, yaw_of(tcp.quat), kPi);
    const double standoff = p_.block.footprint_radius() + 0.022;
    const double push_z = mj::kTableTop + 0.022;
    const Vec3 behind = block - standoff * dir;
    Vec3 goal = tcp.pos;
    switch (phase_) {
      case Phase::kAbove: {
        goal = {behind[0], behind[1], mj::kTableTop + 0.1};
        if (dist_xy(tcp.pos, goal) < 0.01 && yaw_error(tcp, yaw) < 0.08) phase_ = Phase::kDown;
        break;
      }
      case Phase::kDown: {
        goal = {behind[0], behind[1], push_z};
        if (std::abs(tcp.pos[2] - push_z) < 0.008) phase_ = Phase::kPush;
        break;
      }
      case Phase::kPush: {
        // Aim the contact point behind the block along the block->goal line;
        // lateral error of the pusher is corrected as it advances.
        const Vec3 rel = tcp.pos - block;
        const double along = dot(rel, dir);
        const Vec3 lateral = rel - along * dir;
        const double lateral_err = norm_xy(lateral);
        const double step = std::min(0.03, remaining + 0.01);
        goal = block - (standoff - 0.012) * dir + step * dir;
        goal[2] = push_z;
        if (lateral_err > 0.035 || along > -0.01) phase_ = Phase::kLift;  // lost the block
        break;
      }
      case Phase::kLift: {
        goal = {tcp.pos[0], tcp.pos[1], mj::kTableTop + 0.1};
        if (tcp.pos[2] > mj::kTableTop + 0.08) phase_ = Phase::kAbove;
        break;
      }
    }
    servo_to(tcp, goal, yaw, a);
    a[6] = 1.0f;  // closed fingers make a paddle
  }

 private:
  static constexpr double kPi = 3.14159265358979323846;
  enum class Phase { kAbove, kDown, kPush, kLift };
  PushParams p_;
  Phase phase_ = Phase::kAbove;
};

class PushTask final : public mj::MjTask {
 public:
  PushTask(TaskInfo info, PushParams p) : MjTask(std::move(info)), p_(std::move(p)) {}

  void build(mj::SceneBuilder& scene) const override {
    add_object(scene, p_.block, p_.block_region.center_x(), p_.block_region.center_y());
    // The goal square is a fixture drawn on the table; it never collides.
    mj::XmlElement& region = scene.add_body(
        p_.region_name, {p_.target_region.center_x(), p_.target_region.center_y(), mj::kTableTop},
        false);
    mj::make_visual_only(mj::add_box(region, "goal_region_geom",
                                     {p_.region_half, p_.region_half, 0.0008}, {0, 0, 0.0008},
                                     p_.region_rgba));
  }

  void initialize(const mj::MjSim& sim, Rng& rng, mj::TaskMemory& memory) const override {
    Region::Sample b{}, t{};
    for (int attempt = 0; attempt < 1000; ++attempt) {
      b = p_.block_region.sample(rng);
      t = p_.target_region.sample(rng);
      if (std::hypot(b.x - t.x, b.y - t.y) >= p_.min_distance) break;
    }
    sim.set_free_pose(sim.body(p_.block.name),
                      {b.x, b.y, mj::kTableTop + p_.block.half_height() + 0.001},
                      quat_from_yaw(b.yaw));
    sim.set_static_pose(sim.body(p_.region_name), {t.x, t.y, mj::kTableTop}, {1, 0, 0, 0});
    memory.values[kInitialDistance] = std::hypot(b.x - t.x, b.y - t.y);
  }

  mj::TaskStatus evaluate(const mj::MjSim& sim, mj::TaskMemory& memory) const override {
    const Vec3 block = sim.body_pos(sim.body(p_.block.name));
    const Vec3 region = sim.body_pos(sim.body(p_.region_name));
    const bool inside = std::abs(block[0] - region[0]) < p_.region_half &&
                        std::abs(block[1] - region[1]) < p_.region_half &&
                        block[2] < mj::kTableTop + p_.block.half_height() + 0.01;
    const double d0 = std::max(memory.values[kInitialDistance], 1e-6);
    mj::TaskStatus status;
    status.success = inside;
    status.progress = inside ? 1.0 : std::clamp(1.0 - dist_xy(block, region) / d0, 0.0, 0.95);
    return status;
  }

  std::unique_ptr<Expert> make_expert() const override { return std::make_unique<PushExpert>(p_); }
  std::vector<std::string> privileged_bodies() const override {
    return {p_.block.name, p_.region_name};
  }
  std::string code_version() const override { return "push_to_region/1"; }

 private:
  PushParams p_;
};

}  // namespace

TaskFamily push_to_region_family() {
  TaskFamily f;
  f.name = "push_to_region";
  f.code_version = "push_to_region/1";
  f.make = [](const YamlFields& t, TaskInfo info) -> std::shared_ptr<const mj::MjTask> {
    t.only_keys({"id", "family", "instruction", "max_steps", "block", "block_region",
                 "target_region", "region_half_size", "region_rgba", "min_distance"});
    PushParams p;
    p.block = parse_object(t.child("block"), "block");
    p.block_region = parse_region(t.child("block_region"));
    p.target_region = parse_region(t.child("target_region"));
    p.region_half = t.number_or("region_half_size", p.region_half);
    if (!(p.region_half > 0.01 && p.region_half < 0.3))
      t.fail("region_half_size must be in (0.01, 0.3) m");
    p.region_rgba = t.rgba_or("region_rgba", p.region_rgba);
    p.min_distance = t.number_or("min_distance", p.min_distance);
    return std::make_shared<PushTask>(std::move(info), std::move(p));
  };
  return f;
}

}  // namespace gauntlet::suites::smoke
