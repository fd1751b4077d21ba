#include "suites/simpler/expert.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "scenarios/mujoco/robot.hpp"
#include "scenarios/mujoco/scene.hpp"
#include "suites/common/expert_kit.hpp"

namespace gauntlet::suites::simpler {
namespace {

using namespace geo;

constexpr double kPi = 3.14159265358979323846;
constexpr double kCarryClearance = 0.12;  // carried objects pass this far above what they clear

class SimplerExpert final : public Expert {
 public:
  SimplerExpert(TaskSpec spec, int control_hz)
      : spec_(std::move(spec)), wait_steps_(std::max(2, (control_hz + 1) / 2)) {}

  void act(const Observation& obs, std::span<float> a) override {
    if (!obs.privileged) throw std::runtime_error("scripted expert needs privileged state");
    const PrivilegedState& s = *obs.privileged;
    if (!started_) start(obs, s);
    full_open_ = std::max(full_open_, s.gripper_opening);
    grip_ = grip_closed_ ? 1.0f : -1.0f;
    yaw_ = yaw_of(s.ee.quat);
    goal_ = s.ee.pos;
    switch (spec_.kind) {
      case Kind::kPick:
        pick(s, 0, /*then_place=*/false);
        break;
      case Kind::kMoveNear:
      case Kind::kPlaceOn:
        pick(s, static_cast<std::size_t>(subject_), true);
        break;
      case Kind::kDrawer:
        drawer(s);
        break;
      case Kind::kDrawerPlace:
        if (!drawer_done_)
          drawer(s);
        else
          pick(s, 0, true);
        break;
    }
    ServoGains gains;
    gains.max_step = 0.045;
    servo_to(s.ee, goal_, yaw_, a, gains);
    a[6] = grip_;
  }

 private:
  enum class Phase { kAbove, kDown, kClose, kLift, kCarry, kLower, kRelease, kRetreat, kRecover };
  enum class DrawerPhase { kFront, kAbove, kDown, kMove, kUp, kDone };

  // Which object moves and where to (move near: from the instruction, which
  // names them as "move X near Y").
  void start(const Observation& obs, const PrivilegedState& s) {
    started_ = true;
    if (spec_.kind == Kind::kMoveNear) {
      const std::string& text = obs.instruction;
      std::size_t best_a = std::string::npos;
      std::size_t best_b = std::string::npos;
      const std::size_t near_at = text.find(" near ");
      for (std::size_t i = 0; i < spec_.objects.size(); ++i) {
        const std::string& d = spec_.object(i).display;
        const std::size_t at = text.find(d);
        if (at == std::string::npos) continue;
        if (at < near_at) best_a = i;
        if (text.find(d, near_at) != std::string::npos) best_b = i;
      }
      if (best_a == std::string::npos || best_b == std::string::npos)
        throw std::runtime_error("scripted expert: cannot read '" + text + "'");
      subject_ = static_cast<int>(best_a);
      target_ = static_cast<int>(best_b);
      const Vec3 a = s.require_body(spec_.objects[best_a]).pos;
      const Vec3 b = s.require_body(spec_.objects[best_b]).pos;
      Vec3 dir = a - b;
      dir[2] = 0;
      const double n = std::max(norm(dir), 1e-6);
      near_dir_ = (1.0 / n) * dir;
      // Round objects are grasped at the yaw they are set down at (see
      // beside_yaw).
      near_yaw_ = std::atan2(dir[1], dir[0]);
    }
  }

  double grasp_yaw(const CatalogObject& o, const Pose& pose, double current) const {
    const bool round = o.shape == ObjectShape::kSphere || o.shape == ObjectShape::kCylinder;
    if (spec_.kind == Kind::kMoveNear && round)
      return closest_symmetric_yaw(near_yaw_, current, kPi);
    if (o.shape == ObjectShape::kSphere ||
        (o.shape == ObjectShape::kCylinder && spec_.rest == Rest::kUpright &&
         spec_.kind != Kind::kPlaceOn)) {
      return current;
    }
    const bool cube = o.shape == ObjectShape::kBox && std::abs(o.size[0] - o.size[1]) < 1e-6;
    return closest_symmetric_yaw(yaw_of(pose.quat), current, cube ? kPi / 2 : kPi);
  }

  // Move near: A goes down beside B with the hand's narrow side towards B
  // (the palm is 14 cm wide along the fingers' axis and would strike a tall
  // B; across it, 5 cm): the hand turns A while carrying it.
  double beside_yaw(const PrivilegedState& s) const {
    return closest_symmetric_yaw(near_yaw_, yaw_of(s.ee.quat), kPi);
  }

  // Move near: the fingers open just clear of the object (1.5 cm), not the
  // whole stroke, so they do not push over what it was set down next to.
  float release_command(const CatalogObject& o) const {
    if (spec_.kind != Kind::kMoveNear || full_open_ <= 0.0) return -1.0f;
    const double travel = full_open_ / 2;
    const double finger = std::min(travel, grasp_width(o) / 2 + 0.0075);
    const double closed_fraction = (travel - finger) / (travel + mj::robot::kFingerSqueeze);
    return static_cast<float>(2 * closed_fraction - 1);
  }

  bool holding(const PrivilegedState& s, const Vec3& obj) const {
    return dist_xy(s.ee.pos, obj) < 0.04 && std::abs(s.ee.pos[2] - obj[2]) < 0.05 &&
           s.gripper_opening > 0.006;
  }

  // Where the carried object's centre should go, and the height to release it at.
  void place_target(const PrivilegedState& s, const CatalogObject& o, Vec3& where,
                    double& release_z) const {
    const double h = rest_height(o, spec_.kind == Kind::kPick ? spec_.rest : Rest::kLying);
    const double body_h = o.shape == ObjectShape::kCylinder ? rest_height(o, Rest::kUpright) : h;
    switch (spec_.kind) {
      case Kind::kMoveNear:
        where = s.require_body(spec_.objects[static_cast<std::size_t>(target_)]).pos +
                0.088 * near_dir_;
        release_z = body_h + 0.012;
        return;
      case Kind::kPlaceOn: {
        const CatalogObject& t = *find_object(spec_.target);
        where = s.require_body(spec_.target).pos;
        if (t.shape == ObjectShape::kBasket) {
          release_z = where[2] + top_height(t, Rest::kUpright) + body_h + 0.01;
        } else {
          const double top = where[2] + rest_height(t, Rest::kUpright);
          release_z = top + body_h + 0.012;
        }
        return;
      }
      case Kind::kDrawerPlace: {
        const Pose& d = s.require_body(cabinet::drawer_body(spec_.level));
        where = d.pos + rotate(d.quat, Vec3{0.075, 0, 0});
        release_z = d.pos[2] + cabinet::floor_in_drawer()[2] + body_h + 0.04;
        return;
      }
      default:
        where = s.ee.pos;
        release_z = s.ee.pos[2];
    }
  }

  void pick(const PrivilegedState& s, std::size_t index, bool then_place) {
    const CatalogObject& o = spec_.object(index);
    const Pose& pose = s.require_body(spec_.objects[index]);
    const Vec3 obj = pose.pos;
    // Tall objects are held near their top, so the palm (7 cm above the
    // fingertips' centre) clears them.
    const Rest rest = spec_.kind == Kind::kPick          ? spec_.rest
                      : o.shape == ObjectShape::kCapsule ? Rest::kLying
                                                         : Rest::kUpright;
    const double top = obj[2] - rest_height(o, rest) + top_height(o, rest);
    const double grasp_z = std::max({obj[2], top - 0.05, 0.022});
    switch (phase_) {
      case Phase::kAbove: {
        grip_ = -1.0f;
        yaw_ = grasp_yaw(o, pose, yaw_of(s.ee.quat));
        goal_ = {obj[0], obj[1], std::max(grasp_z + 0.1, s.ee.pos[2] - 0.04)};
        if (dist_xy(s.ee.pos, obj) < 0.012 && std::abs(s.ee.pos[2] - (grasp_z + 0.1)) < 0.04 &&
            yaw_error(s.ee, yaw_) < 0.15) {
          phase_ = Phase::kDown;
        }
        break;
      }
      case Phase::kDown:
        grip_ = -1.0f;
        yaw_ = grasp_yaw(o, pose, yaw_of(s.ee.quat));
        goal_ = {obj[0], obj[1], grasp_z};
        if (dist_xy(s.ee.pos, obj) > 0.03) phase_ = Phase::kAbove;
        if (std::abs(s.ee.pos[2] - grasp_z) < 0.008 && dist_xy(s.ee.pos, obj) < 0.012)
          phase_ = Phase::kClose, counter_ = 0;
        break;
      case Phase::kClose:
        grip_ = 1.0f;
        goal_ = {obj[0], obj[1], grasp_z};
        if (++counter_ >= wait_steps_) phase_ = Phase::kLift;
        break;
      case Phase::kLift: {
        grip_ = 1.0f;
        lift_z_ = obj[2] + 0.0;  // set below
        double z = then_place ? carry_height(s, o) : grasp_z + 0.1;
        goal_ = {s.ee.pos[0], s.ee.pos[1], z};
        if (!holding(s, obj))
          phase_ = Phase::kRecover, counter_ = 0;
        else if (s.ee.pos[2] > z - 0.015)
          phase_ = then_place ? Phase::kCarry : Phase::kLift;
        break;
      }
      case Phase::kCarry: {
        grip_ = 1.0f;
        Vec3 where;
        double release_z = 0;
        place_target(s, o, where, release_z);
        const double z = carry_height(s, o);
        goal_ = s.ee.pos + (Vec3{where[0], where[1], 0} - Vec3{obj[0], obj[1], 0});
        goal_[2] = z;
        if (spec_.kind == Kind::kMoveNear) yaw_ = beside_yaw(s);
        if (!holding(s, obj))
          phase_ = Phase::kRecover, counter_ = 0;
        else if (dist_xy(obj, where) < 0.012 && yaw_error(s.ee, yaw_) < 0.1)
          phase_ = Phase::kLower;
        break;
      }
      case Phase::kLower: {
        grip_ = 1.0f;
        Vec3 where;
        double release_z = 0;
        place_target(s, o, where, release_z);
        goal_ = s.ee.pos + (Vec3{where[0], where[1], release_z} - obj);
        if (spec_.kind == Kind::kMoveNear) yaw_ = beside_yaw(s);
        if (!holding(s, obj))
          phase_ = Phase::kRecover, counter_ = 0;
        else if (obj[2] < release_z + 0.01)
          phase_ = Phase::kRelease, counter_ = 0;
        break;
      }
      case Phase::kRelease:
        grip_ = release_command(o);
        if (++counter_ >= wait_steps_) phase_ = Phase::kRetreat;
        break;
      case Phase::kRetreat:
        // Fully open only once clear of what stands next to the object.
        grip_ = s.ee.pos[2] > obj[2] + 0.08 ? -1.0f : release_command(o);
        goal_ = {s.ee.pos[0], s.ee.pos[1], std::max(s.ee.pos[2], obj[2] + 0.12)};
        break;
      case Phase::kRecover:
        grip_ = -1.0f;
        goal_ = {s.ee.pos[0], s.ee.pos[1], grasp_z + 0.1};
        if (++counter_ >= wait_steps_ + 1) phase_ = Phase::kAbove;
        break;
    }
    grip_closed_ = grip_ > 0;
  }

  // High enough to clear everything on the way (the cabinet in drawer tasks).
  double carry_height(const PrivilegedState& s, const CatalogObject& o) const {
    (void)o;
    double z = 0.16;
    if (spec_.kind == Kind::kDrawerPlace) {
      const Pose& d = s.require_body(cabinet::drawer_body(spec_.level));
      z = d.pos[2] + kCarryClearance;
    }
    if (spec_.kind == Kind::kPlaceOn && find_object(spec_.target)->shape == ObjectShape::kBasket)
      z = 0.2;
    return z;
  }

  // Closed fingers hooked between the handle bar and the drawer's face pull
  // it open; in front of the bar they push it shut.
  void drawer(const PrivilegedState& s) {
    const Pose& d = s.require_body(cabinet::drawer_body(spec_.level));
    const double* q = s.joint(cabinet::slide_joint(spec_.level));
    const double slide = q ? *q : 0.0;
    const Vec3 out = rotate(d.quat, Vec3{-1, 0, 0});  // the direction the drawer opens
    const Vec3 handle = d.pos + rotate(d.quat, cabinet::handle_in_drawer(spec_.level));
    const bool opening = spec_.kind == Kind::kDrawerPlace || spec_.open;
    // Opening: between bar and face; closing: just in front of the bar.
    const Vec3 spot =
        opening ? handle - (cabinet::kHandleOut / 2 - 0.002) * out : handle + 0.035 * out;
    grip_ = 1.0f;
    yaw_ = yaw_of(d.quat);
    switch (drawer_phase_) {
      case DrawerPhase::kFront:
        // In front of the handles first, so the fingers never sweep across them.
        goal_ = spot + 0.09 * out + Vec3{0, 0, 0.07};
        if (!opening || norm(s.ee.pos - goal_) < 0.025) drawer_phase_ = DrawerPhase::kAbove;
        break;
      case DrawerPhase::kAbove:
        goal_ = spot + Vec3{0, 0, 0.07};
        if (dist_xy(s.ee.pos, spot) < 0.01 && std::abs(s.ee.pos[2] - goal_[2]) < 0.04 &&
            yaw_error(s.ee, yaw_) < 0.2)
          drawer_phase_ = DrawerPhase::kDown;
        break;
      case DrawerPhase::kDown:
        goal_ = spot;
        if (dist_xy(s.ee.pos, spot) > 0.025) drawer_phase_ = DrawerPhase::kAbove;
        if (std::abs(s.ee.pos[2] - spot[2]) < 0.01) drawer_phase_ = DrawerPhase::kMove;
        break;
      case DrawerPhase::kMove: {
        const double want = opening ? spec_.open_at + 0.035 : 0.0;
        goal_ = spot + (want - slide + (opening ? 0.02 : -0.03)) * out;
        goal_[2] = spot[2];
        if ((opening && slide > want - 0.015) || (!opening && slide < 0.015)) {
          drawer_phase_ = DrawerPhase::kUp;
          counter_ = 0;
        }
        break;
      }
      case DrawerPhase::kUp: {
        goal_ = {s.ee.pos[0], s.ee.pos[1], spot[2] + 0.14};
        if (opening) goal_ = goal_ + 0.01 * out;  // away from the face, out of the gap
        if (s.ee.pos[2] > spot[2] + 0.12) {
          drawer_phase_ = DrawerPhase::kDone;
          drawer_done_ = true;
        }
        break;
      }
      case DrawerPhase::kDone:
        goal_ = s.ee.pos;
        grip_ = -1.0f;
        break;
    }
    grip_closed_ = grip_ > 0;
  }

  TaskSpec spec_;
  int wait_steps_;
  bool started_ = false;
  int subject_ = 0;
  int target_ = 1;
  Vec3 near_dir_{1, 0, 0};  // move near: from B towards A's start
  double near_yaw_ = 0.0;
  double full_open_ = 0.0;  // the widest opening seen: the gripper's stroke
  Phase phase_ = Phase::kAbove;
  DrawerPhase drawer_phase_ = DrawerPhase::kFront;
  bool drawer_done_ = false;
  int counter_ = 0;
  double lift_z_ = 0.0;
  bool grip_closed_ = false;
  float grip_ = -1.0f;
  double yaw_ = 0.0;
  Vec3 goal_{};
};

}  // namespace

std::unique_ptr<Expert> make_expert(const TaskSpec& spec, int control_hz) {
  return std::make_unique<SimplerExpert>(spec, control_hz);
}

}  // namespace gauntlet::suites::simpler
