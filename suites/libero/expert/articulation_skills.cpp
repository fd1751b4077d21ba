// Drawers, doors and knobs.
// Drawers: the handle is gripped across its width with the gripper tilted so
// that the fingertips lead towards the cabinet; upright, the palm and wrist
// (7-20 cm above the fingertips) would hit the handle of the drawer above.
// Doors: pushed shut around the hinge from the outside. Knobs: gripped by the
// fin and turned with the wrist's free yaw.

#include <algorithm>
#include <cmath>
#include <optional>

#include "scenarios/mujoco/scene.hpp"
#include "suites/common/expert_kit.hpp"
#include "suites/libero/expert/skills.hpp"
#include "suites/libero/protocol.hpp"

namespace gauntlet::suites::libero {
namespace {

using namespace geo;

constexpr double kPi = 3.14159265358979323846;
constexpr double kTilt = 0.6;  // rad, fingertips towards the cabinet
constexpr int kGiveUpSteps = 220;
constexpr double kPushClearance = 0.065;  // m above the table for the pushing fingers' centre
constexpr double kKnobNearBase = 0.4;     // m from the arm's base: a knob nearer is gripped tilted
constexpr double kKnobTilt = 0.6;         // rad, fingertips towards the base

class DrawerSkill final : public Skill {
 public:
  DrawerSkill(int entity, int articulation, bool open, double target)
      : entity_(entity), art_(articulation), open_(open), target_(target) {}

  bool act(const WorldView& w, std::span<float> a) override {
    if (++steps_ > kGiveUpSteps) return true;
    const ObjectModel& m = w.model(entity_);
    const ArticulationSpec& spec = m.articulations[static_cast<std::size_t>(art_)];
    const Frame root = w.frame(entity_);
    const Frame drawer = w.frame(entity_, spec.part);
    const Vec3 n = rotate(root.quat, spec.out);                                // out of the cabinet
    const Vec3 u = (1.0 / std::max(norm_xy(n), 1e-9)) * Vec3{-n[1], n[0], 0};  // along the handle
    const Vec3 handle = to_world(drawer, spec.handle);
    const double q = w.joint(entity_, art_);
    const Pose& tcp = w.tcp();
    // Closing axis (gripper y) along u; gripper x then points along +n or -n,
    // and the tilt sign makes the fingertips lean towards -n.
    // Of the two yaws that close across the handle, the one an arm behind the
    // table reaches with its last joint mid-range (a Panda's wrist yaw is
    // about joint 1 - joint 7 + pi/4, joint 1 pointing at the handle); the
    // one nearer the current yaw can need joint 7 past its limit. Chosen
    // once, so the grasp never flips while the drawer moves.
    if (!wrist_yaw_) {
      const Vec3 base = w.arm_base();
      wrist_yaw_ = std::atan2(handle[1] - base[1], handle[0] - base[0]) + kPi / 4;
    }
    const double yaw = closest_symmetric_yaw(std::atan2(-u[0], u[1]), *wrist_yaw_, kPi);
    const Vec3 gx{std::cos(yaw), std::sin(yaw), 0};
    const double tilt = dot(gx, n) >= 0 ? kTilt : -kTilt;
    const Quat quat = gripper_quat(yaw, tilt);
    const double hx = spec.handle_half[0];
    Vec3 goal = tcp.pos;
    float grip = open_ ? -1.0f : 1.0f;
    const Vec3 up{0, 0, 1};
    // Gripping point: a little out from the handle's middle; pushing point:
    // just outside the handle's face.
    const Vec3 grip_at = handle + 0.008 * n;
    // Pushing, the closed fingers may meet the drawer's front above its
    // handle: a bottom drawer's handle is too low for tilted fingertips over the table.
    const Vec3 push_at =
        handle + (hx + 0.022) * n + Vec3{0, 0, std::max(0.0, kPushClearance - handle[2])};
    const Vec3 stand = open_ ? handle + (hx + 0.045) * n : push_at + 0.038 * n;
    switch (phase_) {
      case Phase::kAbove:
        goal = stand + 0.1 * up;
        if (tcp.pos[2] < goal[2] - 0.04 && dist_xy(tcp.pos, goal) > 0.03) {
          goal = {tcp.pos[0], tcp.pos[1], goal[2]};  // rise first
        }
        if (norm(tcp.pos - (stand + 0.1 * up)) < 0.012 && angle_between(tcp.quat, quat) < 0.08) {
          phase_ = Phase::kDown;
        }
        break;
      case Phase::kDown:
        goal = stand;
        // An arm's hand can come to rest a few millimetres short (its links
        // against the table or the drawer below): close enough to go on.
        // A closing push still works from a little higher (the pushing
        // fingers are well below the front's top edge).
        if (norm(tcp.pos - stand) < 0.007 ||
            (norm(tcp.pos - stand) < (open_ ? 0.015 : 0.025) && settled(tcp.pos))) {
          phase_ = open_ ? Phase::kIn : Phase::kPush;
        }
        break;
      case Phase::kIn:
        goal = grip_at;
        if (norm(tcp.pos - grip_at) < 0.005 ||
            (norm(tcp.pos - grip_at) < 0.012 && settled(tcp.pos))) {
          phase_ = Phase::kGrasp, counter_ = 0;
        }
        break;
      case Phase::kGrasp:
        goal = grip_at;
        grip = 1.0f;
        if (++counter_ >= 6) phase_ = Phase::kPull;
        break;
      case Phase::kPull:
        grip = 1.0f;
        goal = tcp.pos + 0.03 * n;
        goal[2] = grip_at[2];
        if (norm(tcp.pos - grip_at) > 0.03) phase_ = Phase::kRelease, counter_ = 0;  // slipped
        if (q >= target_) phase_ = Phase::kRelease, counter_ = 0;
        break;
      case Phase::kPush:
        grip = 1.0f;
        // Aim well past the handle: a goal just ahead of the fingers pushes
        // too softly to carry a drawer (and its load) past its friction.
        goal = push_at - 0.07 * n;
        if (norm_xy(tcp.pos - push_at - dot(tcp.pos - push_at, n) * n) > 0.03)
          phase_ = Phase::kBack;
        if (q <= target_) phase_ = Phase::kBack;
        break;
      case Phase::kRelease:
        grip = -1.0f;
        goal = tcp.pos;
        if (++counter_ >= 4) phase_ = Phase::kBack;
        break;
      case Phase::kBack: {
        grip = open_ ? -1.0f : 1.0f;
        const Vec3 back = (open_ ? grip_at : push_at) + 0.05 * n;
        goal = {back[0], back[1], tcp.pos[2]};
        if (dist_xy(tcp.pos, back) < 0.01) phase_ = Phase::kUp;
        break;
      }
      case Phase::kUp:
        grip = -1.0f;
        goal = {tcp.pos[0], tcp.pos[1], handle[2] + 0.12};
        if (tcp.pos[2] > handle[2] + 0.11) return true;
        break;
    }
    servo_pose(tcp, goal, phase_ == Phase::kUp ? gripper_quat(yaw) : quat, a);
    a[6] = grip;
    return false;
  }

 private:
  // True once the tool centre point has moved less than 1 mm per step for 8 steps.
  bool settled(const Vec3& p) {
    still_ = norm(p - last_) < 0.001 ? still_ + 1 : 0;
    last_ = p;
    return still_ >= 8;
  }

  enum class Phase { kAbove, kDown, kIn, kGrasp, kPull, kPush, kRelease, kBack, kUp };
  Vec3 last_{};
  int still_ = 0;
  int entity_;
  int art_;
  bool open_;
  double target_;
  Phase phase_ = Phase::kAbove;
  std::optional<double> wrist_yaw_;
  int counter_ = 0;
  int steps_ = 0;
};

class DoorCloseSkill final : public Skill {
 public:
  DoorCloseSkill(int entity, int articulation, double target)
      : entity_(entity), art_(articulation), target_(target) {}

  bool act(const WorldView& w, std::span<float> a) override {
    if (++steps_ > kGiveUpSteps) return true;
    const ObjectModel& m = w.model(entity_);
    const ArticulationSpec& spec = m.articulations[static_cast<std::size_t>(art_)];
    const Frame door = w.frame(entity_, spec.part);
    const double q = w.joint(entity_, art_);
    const Pose& tcp = w.tcp();
    const double radius = 0.6 * spec.door_width;  // clear of the handle near the free edge
    const double off = spec.door_thickness / 2 + 0.03;
    const double z = door.pos[2] + 0.08;
    // The door at angle t: along d(t), outer face towards n(t), both its
    // frame's axes (y, x); it turns about -z (positive angles swing it
    // outwards), so at t its frame is today's turned by yaw(q - t).
    const auto d_of = [&](double t) {
      return rotate(quat_mul(door.quat, quat_from_yaw(q - t)), {0, 1, 0});
    };
    const auto n_of = [&](double t) {
      return rotate(quat_mul(door.quat, quat_from_yaw(q - t)), {1, 0, 0});
    };
    const Vec3 hinge{door.pos[0], door.pos[1], z};
    const Vec3 start = hinge + radius * d_of(q) + off * n_of(q);
    const Vec3 d = d_of(q);
    const double yaw = closest_symmetric_yaw(std::atan2(-d[0], d[1]), yaw_of(tcp.quat), kPi);
    Vec3 goal = tcp.pos;
    const double high = m.height + 0.08;
    switch (phase_) {
      case Phase::kAbove:
        goal = {start[0], start[1], high};
        if (tcp.pos[2] < high - 0.04 && dist_xy(tcp.pos, start) > 0.03)
          goal = {tcp.pos[0], tcp.pos[1], high};
        if (dist_xy(tcp.pos, start) < 0.012 && yaw_error(tcp, yaw) < 0.1) phase_ = Phase::kDown;
        break;
      case Phase::kDown:
        goal = start;
        if (std::abs(tcp.pos[2] - z) < 0.01) phase_ = Phase::kSweep;
        break;
      case Phase::kSweep: {
        const double lead = std::min(0.3, q + 0.15);
        goal = hinge + radius * d_of(q - lead) + (off - 0.02) * n_of(q - lead);
        goal[2] = z;
        if (q <= target_) phase_ = Phase::kBack;
        if (dist_xy(tcp.pos, hinge) > radius + 0.12) phase_ = Phase::kAbove;  // lost contact
        break;
      }
      case Phase::kBack: {
        const Vec3 back = hinge + radius * d_of(q) + (off + 0.05) * n_of(q);
        goal = {back[0], back[1], z};
        if (dist_xy(tcp.pos, back) < 0.012) phase_ = Phase::kUp;
        break;
      }
      case Phase::kUp:
        goal = {tcp.pos[0], tcp.pos[1], high};
        if (tcp.pos[2] > high - 0.02) return true;
        break;
    }
    servo_pose(tcp, goal, gripper_quat(yaw), a);
    a[6] = 1.0f;
    return false;
  }

 private:
  enum class Phase { kAbove, kDown, kSweep, kBack, kUp };
  int entity_;
  int art_;
  double target_;
  Phase phase_ = Phase::kAbove;
  int steps_ = 0;
};

class KnobSkill final : public Skill {
 public:
  KnobSkill(int entity, int articulation, double target)
      : entity_(entity), art_(articulation), target_(target) {}

  bool act(const WorldView& w, std::span<float> a) override {
    if (++steps_ > kGiveUpSteps) return true;
    const ObjectModel& m = w.model(entity_);
    const ArticulationSpec& spec = m.articulations[static_cast<std::size_t>(art_)];
    const Frame knob = w.frame(entity_, spec.part);
    const Vec3 g = to_world(knob, spec.handle);
    const double q = w.joint(entity_, art_);
    const Pose& tcp = w.tcp();
    // The fin lies along the knob's x: close across it (gripper y = knob y).
    double yaw = closest_symmetric_yaw(yaw_of(knob.quat), yaw_of(tcp.quat), kPi);
    // A knob close to the arm's base (LIBERO's stove at the table's near
    // edge, 0.25 m in front of the Panda) is out of reach fingers-down: the
    // elbow folds to its limit. The fingertips then lean towards the base,
    // which moves the wrist out and up. Of the two yaws that close across the
    // fin, the one whose x points away from the base; chosen once.
    if (!near_base_) {
      const Vec3 base = w.arm_base();
      near_base_ = dist_xy(g, base) < kKnobNearBase;
      if (*near_base_) {
        const double away = std::atan2(g[1] - base[1], g[0] - base[0]);
        approach_yaw_ = closest_symmetric_yaw(yaw_of(knob.quat), away, kPi);
      }
    }
    const double tilt = *near_base_ ? kKnobTilt : 0.0;
    if (*near_base_ && phase_ != Phase::kTurn) yaw = approach_yaw_;
    Vec3 goal = tcp.pos;
    float grip = -1.0f;
    switch (phase_) {
      case Phase::kAbove:
        goal = g + Vec3{0, 0, 0.08};
        if (tcp.pos[2] < goal[2] - 0.04 && dist_xy(tcp.pos, g) > 0.03)
          goal = {tcp.pos[0], tcp.pos[1], goal[2]};
        if (dist_xy(tcp.pos, g) < 0.005 && yaw_error(tcp, yaw) < 0.05 && tcp.pos[2] < g[2] + 0.1) {
          phase_ = Phase::kDown;
        }
        break;
      case Phase::kDown:
        goal = g;
        if (dist_xy(tcp.pos, g) > 0.012) phase_ = Phase::kAbove;
        if (std::abs(tcp.pos[2] - g[2]) < 0.005) phase_ = Phase::kGrasp, counter_ = 0;
        break;
      case Phase::kGrasp:
        goal = g;
        grip = 1.0f;
        if (++counter_ >= 6) {
          phase_ = Phase::kTurn;
          grasp_yaw_ = yaw_of(tcp.quat);
          grasp_q_ = q;
        }
        break;
      case Phase::kTurn: {
        grip = 1.0f;
        goal = g;
        yaw = grasp_yaw_ + (target_ - grasp_q_);
        const bool up = target_ > grasp_q_;
        if ((up && q >= target_ - 0.05) || (!up && q <= target_ + 0.05)) {
          phase_ = Phase::kRelease;
          counter_ = 0;
        }
        if (dist_xy(tcp.pos, g) > 0.02) phase_ = Phase::kRelease, counter_ = 0;
        break;
      }
      case Phase::kRelease:
        yaw = yaw_of(tcp.quat);
        goal = tcp.pos;
        if (++counter_ >= 4) phase_ = Phase::kUp;
        break;
      case Phase::kUp:
        yaw = yaw_of(tcp.quat);
        goal = {tcp.pos[0], tcp.pos[1], g[2] + 0.1};
        if (tcp.pos[2] > g[2] + 0.09) return true;
        break;
    }
    servo_pose(tcp, goal, gripper_quat(yaw, tilt), a);
    a[6] = grip;
    return false;
  }

 private:
  enum class Phase { kAbove, kDown, kGrasp, kTurn, kRelease, kUp };
  std::optional<bool> near_base_;
  double approach_yaw_ = 0;
  int entity_;
  int art_;
  double target_;
  Phase phase_ = Phase::kAbove;
  double grasp_yaw_ = 0;
  double grasp_q_ = 0;
  int counter_ = 0;
  int steps_ = 0;
};

}  // namespace

std::unique_ptr<Skill> make_drawer_skill(int entity, int articulation, bool open, double target) {
  return std::make_unique<DrawerSkill>(entity, articulation, open, target);
}

std::unique_ptr<Skill> make_door_close_skill(int entity, int articulation, double target) {
  return std::make_unique<DoorCloseSkill>(entity, articulation, target);
}

std::unique_ptr<Skill> make_knob_skill(int entity, int articulation, double target) {
  return std::make_unique<KnobSkill>(entity, articulation, target);
}

}  // namespace gauntlet::suites::libero
