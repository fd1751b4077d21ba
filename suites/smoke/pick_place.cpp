// pick_place: grasp an object and leave it resting on a target (a plate).
// Success: the object rests within the plate's rim, released by both fingers.

#include <algorithm>
#include <cmath>

#include "harness/errors.hpp"
#include "scenarios/mujoco/robot.hpp"
#include "suites/common/expert_kit.hpp"
#include "suites/common/objects.hpp"
#include "suites/smoke/families.hpp"

namespace gauntlet::suites::smoke {
namespace {

using namespace geo;

struct PickPlaceParams {
  ObjectSpec object;
  ObjectSpec target;  // a flat cylinder (plate)
  Region object_region;
  Region target_region;
  double min_distance = 0.14;
};

// Memory slots.
enum Slot : std::size_t { kInitialDistance = 0 };

class PickPlaceExpert final : public Expert {
 public:
  PickPlaceExpert(PickPlaceParams p) : p_(std::move(p)) {}

  void act(const Observation& obs, std::span<float> a) override {
    if (!obs.privileged) throw std::runtime_error("scripted expert needs privileged state");
    const PrivilegedState& s = *obs.privileged;
    const Pose& tcp = s.ee;
    const Pose* obj = &s.require_body(p_.object.name);
    const Pose* target = &s.require_body(p_.target.name);
    const double h = p_.object.half_height();
    const double table = mj::kTableTop;
    float grip = -1.0f;
    Vec3 goal = tcp.pos;
    const double obj_yaw = closest_symmetric_yaw(
        yaw_of(obj->quat), yaw_of(tcp.quat), p_.object.shape == Shape::kBox ? kPi / 2 : kPi / 8);
    double yaw = obj_yaw;
    switch (phase_) {
      case Phase::kApproach: {
        goal = obj->pos + Vec3{0, 0, 0.09};
        if (dist_xy(tcp.pos, obj->pos) < 0.008 && std::abs(tcp.pos[2] - goal[2]) < 0.03 &&
            yaw_error(tcp, yaw) < 0.06) {
          phase_ = Phase::kDescend;
        }
        break;
      }
      case Phase::kDescend: {
        goal = {obj->pos[0], obj->pos[1], std::max(table + 0.012, obj->pos[2] - 0.003)};
        if (dist_xy(tcp.pos, obj->pos) > 0.02) phase_ = Phase::kApproach;
        if (std::abs(tcp.pos[2] - goal[2]) < 0.006) phase_ = Phase::kGrasp, counter_ = 0;
        break;
      }
      case Phase::kGrasp: {
        goal = {obj->pos[0], obj->pos[1], tcp.pos[2]};
        grip = 1.0f;
        if (++counter_ >= 6) phase_ = Phase::kLift;
        break;
      }
      case Phase::kLift: {
        grip = 1.0f;
        yaw = yaw_of(tcp.quat);
        goal = {tcp.pos[0], tcp.pos[1], table + 0.14};
        if (!holding(s, obj))
          phase_ = Phase::kRecover, counter_ = 0;
        else if (tcp.pos[2] > table + 0.11)
          phase_ = Phase::kTransport;
        break;
      }
      case Phase::kTransport: {
        grip = 1.0f;
        yaw = yaw_of(tcp.quat);
        const Vec3 above = target->pos + Vec3{0, 0, 0.14};
        // Servo the object, not the fingers, over the target.
        goal = tcp.pos + (above - Vec3{obj->pos[0], obj->pos[1], tcp.pos[2]});
        goal[2] = table + 0.14;
        if (!holding(s, obj))
          phase_ = Phase::kRecover, counter_ = 0;
        else if (dist_xy(obj->pos, target->pos) < 0.012)
          phase_ = Phase::kLower;
        break;
      }
      case Phase::kLower: {
        grip = 1.0f;
        yaw = yaw_of(tcp.quat);
        const double plate_top = target->pos[2] + p_.target.half_height();
        const double drop_z = plate_top + h + 0.012;  // object centre just above the plate
        goal = tcp.pos + Vec3{target->pos[0] - obj->pos[0], target->pos[1] - obj->pos[1],
                              drop_z - obj->pos[2]};
        if (!holding(s, obj))
          phase_ = Phase::kRecover, counter_ = 0;
        else if (obj->pos[2] < drop_z + 0.008)
          phase_ = Phase::kRelease, counter_ = 0;
        break;
      }
      case Phase::kRelease: {
        grip = -1.0f;
        yaw = yaw_of(tcp.quat);
        goal = tcp.pos;
        if (++counter_ >= 5) phase_ = Phase::kRetreat;
        break;
      }
      case Phase::kRetreat: {
        grip = -1.0f;
        yaw = yaw_of(tcp.quat);
        goal = {tcp.pos[0], tcp.pos[1], table + 0.16};
        break;
      }
      case Phase::kRecover: {
        // Dropped or missed: open, rise, and start over.
        grip = -1.0f;
        yaw = yaw_of(tcp.quat);
        goal = {tcp.pos[0], tcp.pos[1], table + 0.12};
        if (++counter_ >= 6) phase_ = Phase::kApproach;
        break;
      }
    }
    servo_to(tcp, goal, yaw, a);
    a[6] = grip;
  }

 private:
  static constexpr double kPi = 3.14159265358979323846;
  enum class Phase {
    kApproach,
    kDescend,
    kGrasp,
    kLift,
    kTransport,
    kLower,
    kRelease,
    kRetreat,
    kRecover
  };

  bool holding(const PrivilegedState& s, const Pose* obj) const {
    // Fingers closed on something about the object's width, object near the pads.
    return dist_xy(s.ee.pos, obj->pos) < 0.03 && std::abs(s.ee.pos[2] - obj->pos[2]) < 0.04 &&
           s.gripper_opening > 0.004;
  }

  PickPlaceParams p_;
  Phase phase_ = Phase::kApproach;
  int counter_ = 0;
};

class PickPlaceTask final : public mj::MjTask {
 public:
  PickPlaceTask(TaskInfo info, PickPlaceParams p) : MjTask(std::move(info)), p_(std::move(p)) {}

  void build(mj::SceneBuilder& scene) const override {
    add_object(scene, p_.object, p_.object_region.center_x(), p_.object_region.center_y());
    mj::XmlElement& plate =
        add_object(scene, p_.target, p_.target_region.center_x(), p_.target_region.center_y());
    // A rim so the plate reads as a plate in images; it does not collide.
    mj::make_visual_only(mj::add_cylinder(
        plate, "", p_.target.half_size[0] * 0.72, p_.target.half_height() + 0.0005, {0, 0, 0},
        {p_.target.rgba[0] * 0.85, p_.target.rgba[1] * 0.85, p_.target.rgba[2] * 0.85, 1}));
  }

  void initialize(const mj::MjSim& sim, Rng& rng, mj::TaskMemory& memory) const override {
    Region::Sample o{}, t{};
    for (int attempt = 0; attempt < 1000; ++attempt) {
      o = p_.object_region.sample(rng);
      t = p_.target_region.sample(rng);
      if (std::hypot(o.x - t.x, o.y - t.y) >= p_.min_distance) break;
    }
    sim.set_free_pose(sim.body(p_.object.name),
                      {o.x, o.y, mj::kTableTop + p_.object.half_height() + 0.001},
                      quat_from_yaw(o.yaw));
    sim.set_free_pose(sim.body(p_.target.name),
                      {t.x, t.y, mj::kTableTop + p_.target.half_height() + 0.0005},
                      quat_from_yaw(t.yaw));
    memory.values[kInitialDistance] = std::hypot(o.x - t.x, o.y - t.y);
  }

  mj::TaskStatus evaluate(const mj::MjSim& sim, mj::TaskMemory& memory) const override {
    const int obj_id = sim.body(p_.object.name);
    const Vec3 obj = sim.body_pos(obj_id);
    const Vec3 plate = sim.body_pos(sim.body(p_.target.name));
    const Vec3 tcp = sim.body_pos(sim.body(mj::robot::kBody));
    const bool left = sim.bodies_touch(obj_id, sim.body(mj::robot::kLeftFinger));
    const bool right = sim.bodies_touch(obj_id, sim.body(mj::robot::kRightFinger));
    const double plate_top = plate[2] + p_.target.half_height();
    const double bottom = obj[2] - p_.object.half_height();
    const double dxy = dist_xy(obj, plate);
    const bool on = dxy < p_.target.half_size[0] - 0.01 && bottom > plate_top - 0.01 &&
                    bottom < plate_top + 0.02;
    mj::TaskStatus status;
    status.success = on && !left && !right;
    // Staged progress: reach (0.25), grasp (0.25), lifted and carried toward the plate (0.5).
    const double reach = std::clamp(1.0 - norm(tcp - obj) / 0.25, 0.0, 1.0);
    const bool grasped = left && right;
    const bool lifted = grasped && bottom > mj::kTableTop + 0.015;
    double progress = 0.25 * reach + (grasped ? 0.25 : 0.0);
    if (lifted || on) {
      const double d0 = std::max(memory.values[kInitialDistance], 1e-6);
      progress = 0.5 + 0.4 * std::clamp(1.0 - dxy / d0, 0.0, 1.0);
    }
    if (on) progress = std::max(progress, 0.9);
    status.progress = status.success ? 1.0 : progress;
    return status;
  }

  std::unique_ptr<Expert> make_expert() const override {
    return std::make_unique<PickPlaceExpert>(p_);
  }
  std::vector<std::string> privileged_bodies() const override {
    return {p_.object.name, p_.target.name};
  }
  std::string code_version() const override { return "pick_place/1"; }

 private:
  PickPlaceParams p_;
};

}  // namespace

TaskFamily pick_place_family() {
  TaskFamily f;
  f.name = "pick_place";
  f.code_version = "pick_place/1";
  f.make = [](const YamlFields& t, TaskInfo info) -> std::shared_ptr<const mj::MjTask> {
    t.only_keys({"id", "family", "instruction", "max_steps", "object", "target", "object_region",
                 "target_region", "min_distance"});
    PickPlaceParams p;
    p.object = parse_object(t.child("object"), "object");
    p.target = parse_object(t.child("target"), "target");
    if (p.target.shape != Shape::kCylinder) t.fail("target must be a cylinder (a plate)");
    if (p.object.name == p.target.name) t.fail("object and target need different names");
    if (2 * std::max(p.object.half_size[0], p.object.half_size[1]) > 0.08) {
      t.fail("object is wider than the gripper opens (0.09 m)");
    }
    p.object_region = parse_region(t.child("object_region"));
    p.target_region = parse_region(t.child("target_region"));
    p.min_distance = t.number_or("min_distance", p.min_distance);
    return std::make_shared<PickPlaceTask>(std::move(info), std::move(p));
  };
  return f;
}

}  // namespace gauntlet::suites::smoke
