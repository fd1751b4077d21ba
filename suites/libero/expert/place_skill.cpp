// Pick-and-place and push, the skills behind On and In.
// Pitfalls handled here: carry heights clear everything along the path plus
// what hangs below the fingers; the object (not the fingers) is servoed over
// the target; objects wider than the gripper are pushed from behind or
// dragged by their rim; containers too narrow for open fingers get the object
// let go just above their rim; a skill that ends writes no action (the
// planner fills it).

#include <algorithm>
#include <cmath>

#include "scenarios/mujoco/scene.hpp"
#include "suites/common/expert_kit.hpp"
#include "suites/libero/expert/skills.hpp"
#include "suites/libero/expert/targets.hpp"
#include "suites/libero/protocol.hpp"

namespace gauntlet::suites::libero {
namespace {

using namespace geo;

constexpr double kMaxZ = 0.56;     // below the workspace ceiling of LIBERO suites
constexpr int kGiveUpSteps = 260;  // a skill running this long restarts
constexpr double kPi = 3.14159265358979323846;
constexpr int kYawStallSteps = 8;  // steps without the yaw error shrinking: the wrist is stuck
// Carried in through a front opening, the object's bottom stays this far above
// the floor it is set down on: a heavy mug sags the hand by a few millimetres
// while it moves, which caught its bottom on the sill (the floor's front edge).
constexpr double kSillClearance = 0.015;
// Through a front opening the gripper leans its fingertips in (radians), so
// that the wrist trails outside under a low ceiling (the microwave's): a
// fingers-down Panda's wrist is 0.24 m above its fingers.
constexpr double kFrontTilt = 0.55;
constexpr int kInsertStallSteps = 12;  // steps without getting deeper: going in is blocked
constexpr double kPushReach = 0.74;    // m from the arm's base: the farthest push waypoint
// A grasp point farther than this from the arm's base (horizontally) lies
// at the edge of a fingers-down Panda's reach (its elbow straight at about
// 0.8 m over the table): the hand grasps it with the fingertips leaning
// away from the base, which brings the wrist, 0.21 m above them, back in.
constexpr double kFarGrasp = 0.76;
constexpr double kFarLean = 0.35;  // rad

class PlaceSkill final : public Skill {
 public:
  PlaceSkill(const Condition& c, std::optional<Vec3> spot) : c_(c), spot_(spot) {}

  bool act(const WorldView& w, std::span<float> a) override {
    if (++steps_ > kGiveUpSteps) return true;
    const ObjectModel& m = w.model(c_.subject);
    if (m.grasp.style != GraspStyle::kAcross) return push(w, a);
    const Pose& tcp = w.tcp();
    const Frame f = w.frame(c_.subject);
    const Vec3 gp = to_world(f, m.grasp.point);
    const Vec3 obj = object_center(m, f);
    const double tcp_yaw = yaw_of(tcp.quat);
    double yaw = hold_yaw_;
    float grip = 1.0f;
    Vec3 goal = tcp.pos;
    const int subject[] = {c_.subject};
    switch (phase_) {
      case Phase::kRise: {
        if (!planned_) {
          preferred_ = preferred_carry_yaw(w, c_);
          // Far away: of the grasp yaws, one whose fingers close across the
          // line from the base, so that leaning them moves the wrist back.
          const Vec3 base = w.arm_base();
          far_ = dist_xy(gp, base) > kFarGrasp;
          away_ = std::atan2(gp[1] - base[1], gp[0] - base[0]);
          const double reference = far_ ? away_ : preferred_.value_or(tcp_yaw);
          grasp_offset_ = wrap_angle(choose_grasp_yaw(w, c_.subject, reference) - yaw_of(f.quat));
          const double top = std::max(w.highest_along(tcp.pos, gp, 0.06, {}), f.pos[2] + m.height);
          z_app_ = std::min(kMaxZ, top + 0.05);
          planned_ = true;
        }
        grip = -1.0f;
        yaw = tcp_yaw;
        goal = {tcp.pos[0], tcp.pos[1], std::max(tcp.pos[2], z_app_)};
        if (tcp.pos[2] >= z_app_ - 0.015) phase_ = Phase::kApproach;
        break;
      }
      case Phase::kApproach: {
        grip = -1.0f;
        yaw = wrap_angle(yaw_of(f.quat) + grasp_offset_);
        if (wrist_stuck(yaw_error(tcp, yaw))) {
          grasp_offset_ = wrap_angle(grasp_offset_ + kPi);
          yaw = wrap_angle(yaw + kPi);
        }
        goal = {gp[0], gp[1], z_app_};
        if (dist_xy(tcp.pos, gp) < 0.008 && yaw_error(tcp, yaw) < 0.06 &&
            std::abs(tcp.pos[2] - z_app_) < 0.03) {
          phase_ = Phase::kDescend;
          stall_ = 0;
          last_z_ = 1e9;
        }
        break;
      }
      case Phase::kDescend: {
        grip = -1.0f;
        yaw = wrap_angle(yaw_of(f.quat) + grasp_offset_);
        goal = gp;
        goal[2] = std::max(gp[2], mj::kTableTop + 0.022);
        if (dist_xy(tcp.pos, gp) > 0.02) phase_ = Phase::kApproach;
        if (std::abs(tcp.pos[2] - goal[2]) < 0.006 || stalled(tcp.pos[2])) {
          phase_ = Phase::kGrasp;
          counter_ = 0;
        }
        if (phase_ == Phase::kDescend) {
          // At most 2 cm a step, and level while the hand strays sideways:
          // near the base a fast descent swings the fingers a centimetre or
          // two off line, onto the rim of the bowl they were to straddle.
          if (dist_xy(tcp.pos, gp) > 0.008) goal[2] = tcp.pos[2];
          servo_pose(tcp, goal, gripper_quat(yaw, far_lean(yaw)), a, 0.02);
          a[6] = grip;
          return false;
        }
        break;
      }
      case Phase::kGrasp: {
        yaw = tcp_yaw;
        goal = {gp[0], gp[1], tcp.pos[2]};
        if (++counter_ >= 6) {
          phase_ = Phase::kLift;
          hold_yaw_ = tcp_yaw;
          target_ = spot_ ? spot_target(*spot_) : choose_target(w, c_, tcp_yaw);
          hang_ = std::max(0.0, tcp.pos[2] - f.pos[2]);
          const Vec3 to = target_.world(w, target_.front ? target_.entry_local : target_.local);
          const double inflate = std::max(m.radius, 0.05) + 0.02;
          z_carry_ = std::min(
              kMaxZ, std::max(w.highest_along(tcp.pos, to, inflate, subject) + hang_ + 0.035,
                              tcp.pos[2] + 0.03));
        }
        break;
      }
      case Phase::kLift: {
        goal = {tcp.pos[0], tcp.pos[1], z_carry_};
        if (!holding(w, gp)) {
          recover();
        } else if (tcp.pos[2] >= z_carry_ - 0.015) {
          phase_ = Phase::kTransport;
        }
        break;
      }
      case Phase::kTransport: {
        const Vec3 to = target_.world(w, target_.front ? target_.entry_local : target_.local);
        goal = tcp.pos + Vec3{to[0] - obj[0], to[1] - obj[1], 0};
        goal[2] = z_carry_;
        double yaw_err = 0;
        if (target_.turn) {
          const double d = wrap_angle(target_.yaw - yaw_of(f.quat));
          yaw = tcp_yaw + d;
          yaw_err = std::abs(d);
          // The object's footprint fits at yaw + pi as well.
          if (wrist_stuck(yaw_err)) target_.yaw = wrap_angle(target_.yaw + kPi);
        } else if (target_.set_release_yaw) {
          yaw = target_.release_yaw;
          yaw_err = std::abs(wrap_angle(yaw - tcp_yaw));
          if (wrist_stuck(yaw_err)) target_.release_yaw = wrap_angle(target_.release_yaw + kPi);
        }
        if (!holding(w, gp)) {
          recover();
        } else if (dist_xy(obj, to) < 0.01 && yaw_err < 0.06) {
          phase_ = target_.front ? Phase::kEntryDescend : Phase::kLower;
          stall_ = 0;
          last_z_ = 1e9;
          hold_yaw_ = yaw;
          if (target_.front) {
            // Fingertips towards the way in, wrist trailing (see kFrontTilt).
            const Vec3 in = target_.world(w, target_.local) - target_.world(w, target_.entry_local);
            const Vec3 x = rotate(tcp.quat, {1, 0, 0});
            tilt_ = x[0] * in[0] + x[1] * in[1] > 0 ? -kFrontTilt : kFrontTilt;
          }
        }
        break;
      }
      case Phase::kEntryDescend: {
        // Servo the object's bottom (measured: it may have slipped in the grasp).
        const Vec3 e = target_.world(w, target_.entry_local);
        const double bottom =
            std::max(target_.drop, target_.finger_floor + kFingerTip - hang_) + kSillClearance;
        goal = tcp.pos + Vec3{e[0] - obj[0], e[1] - obj[1], bottom - lowest(m, f)};
        if (!holding(w, gp))
          recover();
        else if (std::abs(lowest(m, f) - bottom) < 0.006)
          phase_ = Phase::kInsert, stall_ = 0, best_left_ = 1e9;
        break;
      }
      case Phase::kInsert: {
        const Vec3 to = target_.world(w, target_.local);
        const double bottom =
            std::max(target_.drop, target_.finger_floor + kFingerTip - hang_) + kSillClearance;
        goal = tcp.pos + Vec3{to[0] - obj[0], to[1] - obj[1], bottom - lowest(m, f)};
        // Short of the spot but well inside, with the wrist against the
        // ceiling's front edge: set it down where it is.
        const double left = dist_xy(obj, to);
        if (left < best_left_ - 0.001)
          best_left_ = left, stall_ = 0;
        else
          ++stall_;
        const ContainerSpec& k = *c_.place.container;
        const bool inside = inside_container(k, w.frame(c_.place.owner, k.part), obj,
                                             std::min(m.half_x, m.half_y), 0.05);
        if (!holding(w, gp))
          recover();
        else if (left < 0.012 || (stall_ > kInsertStallSteps && inside))
          phase_ = Phase::kLower, stall_ = 0, last_z_ = 1e9;
        break;
      }
      case Phase::kLower: {
        const Vec3 to = target_.world(w, target_.local);
        const double drop = std::max(target_.drop, target_.finger_floor + kFingerTip - hang_);
        goal = tcp.pos + Vec3{to[0] - obj[0], to[1] - obj[1], drop - lowest(m, f)};
        if (lowest(m, f) <= drop + 0.006 || stalled(tcp.pos[2]) || !holding(w, gp)) {
          phase_ = Phase::kRelease;
          counter_ = 0;
        }
        break;
      }
      case Phase::kRelease: {
        grip = -1.0f;
        goal = tcp.pos;
        if (++counter_ >= 5) {
          phase_ = target_.front ? Phase::kCenter : Phase::kRetreat;
          counter_ = 0;
          z_retreat_ = std::min(kMaxZ, std::max(f.pos[2] + m.height, w.place_top(c_.place)) + 0.05);
          clear_z_ = f.pos[2] + m.height + 0.01;
          release_xy_ = tcp.pos;
        }
        break;
      }
      case Phase::kCenter: {
        // Centre the open fingers on the object before sliding out, so that
        // no pad still leaning on it drags it along.
        grip = -1.0f;
        goal = {f.pos[0], f.pos[1], tcp.pos[2]};
        if (dist_xy(tcp.pos, f.pos) < 0.003 || ++counter_ >= 8) phase_ = Phase::kRetreatOut;
        break;
      }
      case Phase::kRetreatOut: {
        grip = -1.0f;
        const Vec3 e = target_.world(w, target_.entry_local);
        goal = {e[0], e[1], tcp.pos[2]};
        if (dist_xy(tcp.pos, e) < 0.015) phase_ = Phase::kRetreat, tilt_ = 0.0;
        servo_pose(tcp, goal, gripper_quat(yaw, tilt_), a, 0.02);
        a[6] = grip;
        return false;
      }
      case Phase::kRetreat: {
        grip = -1.0f;
        if (tcp.pos[2] >= z_retreat_ - 0.01) return true;
        // Straight up over the release point, slowly while the open fingers
        // still straddle the object: a hand drifting sideways as it rises
        // drags a bowl that fills the fingers' stroke up by its wall.
        if (tcp.pos[2] < clear_z_) {
          goal = {release_xy_[0], release_xy_[1], z_retreat_};
          servo_pose(tcp, goal, gripper_quat(yaw), a, 0.012);
          a[6] = grip;
          return false;
        }
        goal = {tcp.pos[0], tcp.pos[1], z_retreat_};
        break;
      }
      case Phase::kRecover: {
        grip = -1.0f;
        yaw = tcp_yaw;
        goal = {tcp.pos[0], tcp.pos[1], std::min(kMaxZ, tcp.pos[2] + 0.05)};
        if (++counter_ >= 8) {
          phase_ = Phase::kRise;
          planned_ = false;
        }
        break;
      }
    }
    const bool reaching =
        phase_ == Phase::kApproach || phase_ == Phase::kDescend || phase_ == Phase::kGrasp;
    servo_pose(tcp, goal, gripper_quat(yaw, reaching ? far_lean(yaw) : tilt_), a);
    a[6] = grip;
    return false;
  }

 private:
  // The tilt that leans the fingertips away from the arm's base for a far
  // grasp (positive tilt: fingertips towards the gripper's -x); 0 otherwise.
  double far_lean(double yaw) const {
    if (!far_) return 0.0;
    return std::cos(yaw - away_) > 0 ? -kFarLean : kFarLean;
  }

  enum class Phase {
    kRise,
    kApproach,
    kDescend,
    kGrasp,
    kLift,
    kTransport,
    kEntryDescend,
    kInsert,
    kLower,
    kRelease,
    kCenter,
    kRetreatOut,
    kRetreat,
    kRecover
  };
  enum class PushPhase { kAbove, kDown, kPush, kLift, kBackOff, kDone };

  bool holding(const WorldView& w, const Vec3& gp) const {
    return norm(w.tcp().pos - gp) < 0.035 && w.opening() > 0.003;
  }

  // An arm's last joint stops at its limit (a Panda's at +-2.9 rad) before
  // the shortest turn to a yaw ends. The gripper is symmetric under pi: when
  // the yaw error `err` stops shrinking, the caller turns to yaw + pi, the
  // other way round.
  bool wrist_stuck(double err) {
    if (err <= 0.1 || err < best_yaw_error_ - 0.01) {
      best_yaw_error_ = err;
      yaw_stall_ = 0;
      return false;
    }
    if (++yaw_stall_ <= kYawStallSteps) return false;
    best_yaw_error_ = 1e9;
    yaw_stall_ = 0;
    return true;
  }

  // True when the tool centre point stopped moving down (blocked).
  bool stalled(double z) {
    if (z < last_z_ - 0.001) {
      stall_ = 0;
      last_z_ = z;
      return false;
    }
    return ++stall_ > 10;
  }

  // Set down on the table at a given spot.
  static Target spot_target(const Vec3& spot) {
    Target t;
    t.local = spot;
    t.drop = mj::kTableTop + 0.006;
    t.finger_floor = mj::kTableTop + 0.002;
    return t;
  }

  void recover() {
    phase_ = Phase::kRecover;
    counter_ = 0;
    tilt_ = 0.0;
  }

  // The lowest point of the object's bottom (a disc of its narrower half
  // size) while the hand tilts it; its frame's origin otherwise.
  double lowest(const ObjectModel& m, const Frame& f) const {
    if (tilt_ == 0.0) return f.pos[2];
    const double up = std::clamp(uprightness(f), -1.0, 1.0);
    return f.pos[2] - std::min(m.half_x, m.half_y) * std::sqrt(1.0 - up * up);
  }

  // Non-prehensile: slide the object across the table into its region, with
  // the closed fingers behind it, or inside its rim (a plate) when it has one.
  bool push(const WorldView& w, std::span<float> a) {
    const ObjectModel& m = w.model(c_.subject);
    const Pose& tcp = w.tcp();
    const Vec3 obj = w.frame(c_.subject).pos;
    if (!pushed_target_) {
      target_ = choose_target(w, c_, yaw_of(tcp.quat));
      pushed_target_ = true;
      plan_push_route(w, obj, m.radius);
    }
    // Legs of the route: a waypoint first when the straight line is blocked.
    if (via_ && dist_xy(obj, *via_) < 0.015) via_.reset();
    const Vec3 goal_center = via_ ? *via_ : target_.world(w, target_.local);
    Vec3 dir = goal_center - obj;
    dir[2] = 0;
    const double remaining = norm(dir);
    if (remaining > 1e-6) dir = (1.0 / remaining) * dir;
    const bool inside = m.grasp.style == GraspStyle::kDragInside;
    // Behind: the fingers' broad side faces the object; inside: the pads'
    // faces push the rim ahead of them.
    const double face_yaw = wrap_angle(std::atan2(dir[1], dir[0]) + (inside ? 0.0 : kPi / 2));
    const bool steady = push_phase_ == PushPhase::kPush || push_phase_ == PushPhase::kBackOff ||
                        push_phase_ == PushPhase::kDone;
    // One of the two yaws, kept while the hand turns to it; the other when
    // the wrist stops turning (a Panda's joint 7 at its limit).
    if (!push_yaw_) push_yaw_ = closest_symmetric_yaw(face_yaw, yaw_of(tcp.quat), kPi);
    *push_yaw_ = closest_symmetric_yaw(face_yaw, *push_yaw_, kPi);
    if (push_phase_ == PushPhase::kAbove && wrist_stuck(yaw_error(tcp, *push_yaw_)))
      *push_yaw_ = wrap_angle(*push_yaw_ + kPi);
    const double yaw = steady ? yaw_of(tcp.quat) : *push_yaw_;
    const Vec3 contact = inside ? obj + std::max(0.0, m.grasp.drag_radius - inward_) * dir
                                : obj - (m.radius + 0.024) * dir;
    // Fixed heights over the table: following a tilting plate upwards would lift it further.
    const double push_z = mj::kTableTop + (inside ? m.grasp.point[2] : 0.022);
    const double above_z = mj::kTableTop + std::max(0.12, m.height + 0.08);
    Vec3 goal = tcp.pos;
    if (!via_ && remaining < 0.008 && push_phase_ != PushPhase::kDone &&
        push_phase_ != PushPhase::kBackOff) {
      push_phase_ = PushPhase::kBackOff;
      counter_ = 0;
      back_dir_ = dir;
    }
    // Toppled (a plate on its rim): nothing more to do by pushing.
    if (uprightness(w.frame(c_.subject)) < 0.8) return true;
    switch (push_phase_) {
      case PushPhase::kAbove:
        goal = {contact[0], contact[1], above_z};
        if (tcp.pos[2] < above_z - 0.03 && dist_xy(tcp.pos, contact) > 0.02)
          goal = {tcp.pos[0], tcp.pos[1], above_z};
        if (dist_xy(tcp.pos, contact) < 0.008 && yaw_error(tcp, yaw) < 0.08) {
          push_phase_ = PushPhase::kDown;
          stall_ = 0;
          last_z_ = 1e9;
        }
        break;
      case PushPhase::kDown:
        goal = {contact[0], contact[1], push_z};
        if (std::abs(tcp.pos[2] - push_z) < 0.006) {
          push_phase_ = PushPhase::kPush;
        } else if (stalled(tcp.pos[2])) {
          // Resting on the rim: try again a centimetre further in.
          inward_ = std::min(inward_ + 0.01, 0.03);
          push_phase_ = PushPhase::kLift;
        }
        break;
      case PushPhase::kPush: {
        const Vec3 rel = tcp.pos - contact;
        const double along = dot(rel, dir);
        const double lateral = norm_xy(rel - along * dir);
        const double step = std::min(0.025, remaining + 0.006);
        goal = contact + (inside ? step : step - 0.012) * dir;
        goal[2] = push_z;
        if (lateral > (inside ? 0.02 : 0.03) || along > 0.03) {
          // Off the rim before rising, as at the end.
          push_phase_ = PushPhase::kBackOff;
          counter_ = 0;
          back_dir_ = dir;
          retry_ = true;
        }
        break;
      }
      case PushPhase::kLift:
        goal = {tcp.pos[0], tcp.pos[1], above_z};
        if (tcp.pos[2] > above_z - 0.02) {
          push_phase_ = PushPhase::kAbove;
          push_yaw_.reset();
        }
        break;
      case PushPhase::kBackOff:
        // Off the rim before rising: fingers lifted while touching it would
        // tip the plate up.
        goal = tcp.pos - 0.015 * back_dir_;
        goal[2] = push_z;
        if (++counter_ >= 4) {
          push_phase_ = retry_ ? PushPhase::kLift : PushPhase::kDone;
          retry_ = false;
        }
        break;
      case PushPhase::kDone:
        goal = {tcp.pos[0], tcp.pos[1], above_z};
        if (tcp.pos[2] > above_z - 0.02) return true;
        break;
    }
    servo_pose(tcp, goal, gripper_quat(yaw), a);
    a[6] = 1.0f;
    return false;
  }

  // A waypoint when sliding straight to the target would hit another object
  // or a fixture: the shortest two-leg detour that clears everything.
  void plan_push_route(const WorldView& w, const Vec3& from, double radius) {
    const Vec3 to = target_.world(w, target_.local);
    constexpr double kClear = 0.012;
    if (w.room_along(from, to, radius, c_.subject) >= kClear) return;
    Vec3 d = to - from;
    d[2] = 0;
    const double len = norm(d);
    if (len < 1e-6) return;
    const Vec3 u = (1.0 / len) * d;
    const Vec3 perp{-u[1], u[0], 0};
    double best = 1e9;
    for (const double along : {0.2, 0.4, 0.6, 0.8}) {
      for (const double side : {-0.2, -0.15, -0.1, -0.08, -0.06, 0.06, 0.08, 0.1, 0.15, 0.2}) {
        const Vec3 via = from + (along * len) * u + side * perp;
        if (std::abs(via[0]) > 0.45 || std::abs(via[1]) > 0.6) continue;
        // The hand pushes from a few centimetres past the object: a waypoint
        // near the edge of the arm's reach (at table height) is costly, one
        // beyond it never reached.
        const double reach = dist_xy(via, w.arm_base());
        if (reach > kPushReach) continue;
        const double route =
            dist_xy(from, via) + dist_xy(via, to) + 4.0 * std::max(0.0, reach - kPushReach + 0.05);
        if (route < best && w.room_along(from, via, radius, c_.subject) >= kClear &&
            w.room_along(via, to, radius, c_.subject) >= kClear) {
          best = route;
          via_ = via;
        }
      }
    }
  }

  Condition c_;
  std::optional<Vec3> spot_;
  std::optional<Vec3> via_;
  Vec3 back_dir_{1, 0, 0};
  Phase phase_ = Phase::kRise;
  PushPhase push_phase_ = PushPhase::kAbove;
  std::optional<double> push_yaw_;
  double inward_ = 0.0;  // the drag contact moved in from the rim after landing on it
  bool retry_ = false;   // backing off to push again (not done)
  bool planned_ = false;
  bool pushed_target_ = false;
  Target target_;
  double z_app_ = 0.2;
  double z_carry_ = 0.2;
  double z_retreat_ = 0.2;
  double clear_z_ = 0.0;  // the fingertips clear the released object above this
  Vec3 release_xy_{};     // where the fingers let go (x, y used)
  std::optional<double> preferred_;
  double grasp_offset_ = 0.0;  // gripper yaw relative to the object's for this attempt
  double hang_ = 0.0;
  double hold_yaw_ = 0.0;
  double tilt_ = 0.0;       // gripper tilt while going in through a front opening
  bool far_ = false;        // the grasp point is at the edge of the arm's reach
  double away_ = 0.0;       // heading from the arm's base to the grasp point
  double best_left_ = 1e9;  // closest the object came to its spot while going in
  double last_z_ = 1e9;
  double best_yaw_error_ = 1e9;
  int yaw_stall_ = 0;
  int stall_ = 0;
  int counter_ = 0;
  int steps_ = 0;
};

}  // namespace

std::unique_ptr<Skill> make_place_skill(const Condition& c) {
  return std::make_unique<PlaceSkill>(c, std::nullopt);
}

std::unique_ptr<Skill> make_move_skill(int subject, const geo::Vec3& spot) {
  Condition c;
  c.kind = PredicateKind::kOn;
  c.subject = subject;
  return std::make_unique<PlaceSkill>(c, spot);
}

}  // namespace gauntlet::suites::libero
