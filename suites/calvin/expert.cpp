#include "suites/calvin/expert.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "suites/calvin/subtasks.hpp"

namespace gauntlet::suites::calvin {

using namespace geo;

namespace {

namespace desk = bullet::desk;
constexpr double kPi = std::numbers::pi;
constexpr double kPadHalfX = 0.012;  // the panda's finger pads (robots/panda.yaml)
constexpr double kPadHalfY = 0.008;
// A block in the fingers is carried at half speed: faster, the pad behind it
// loses contact along the closing direction and the block slips out.
constexpr double kCarry = 0.015;
constexpr double kDrawerOpen = 0.18;  // how far open_drawer pulls (m)

struct Waypoint {
  Vec3 pos;
  double yaw = 0.0;
  double grip = -1.0;   // -1 open, +1 closed
  int hold = 0;         // steps to stay once reached
  double speed = 0.03;  // m per step
  double tilt = 0.0;    // about world y; negative: the wrist back towards the robot
};

struct BlockView {
  Vec3 pos;
  double yaw = 0.0;
  std::array<double, 3> half{};
  bool held = false;
};

double wrap_to(double a, double period) {
  // a modulo period into (-period/2, period/2].
  a = std::fmod(a + period / 2, period);
  if (a < 0) a += period;
  return a - period / 2;
}

class CalvinExpert : public Expert {
 public:
  explicit CalvinExpert(const bullet::DeskLayout& layout) : layout_(layout) {}

  void act(const Observation& obs, std::span<float> action) override {
    std::fill(action.begin(), action.end(), 0.0f);
    const PrivilegedState* p = obs.privileged;
    if (!p || action.size() < 7) return;
    const double* position = p->scalar("subtask_position");
    const double* subtask = p->scalar("subtask");
    if (!position || !subtask || *subtask < 0) {
      action[6] = static_cast<float>(grip_);
      return;
    }
    if (*position != position_) {
      // A subtask's oracle fires as soon as its threshold is crossed, often
      // mid-motion: a rotated block still in the fingers, a lifted one still in
      // the cabinet, the gripper still on the door. Finish the previous plan
      // (release, rise, back out) first; plan the new subtask from the state
      // that leaves.
      position_ = *position;
      plan_.erase(plan_.begin(),
                  plan_.begin() + static_cast<std::ptrdiff_t>(std::min(next_, plan_.size())));
      next_ = 0;
      held_for_ = 0;
      stuck_ = 0;
      pending_ = static_cast<int>(*subtask);
    }
    if (next_ >= plan_.size() && pending_ >= 0) {
      plan(pending_, *p);
      pending_ = -1;
      next_ = 0;
      held_for_ = 0;
    }
    if (next_ >= plan_.size()) {
      action[6] = static_cast<float>(grip_);
      return;
    }
    const Waypoint& w = plan_[next_];
    grip_ = w.grip;
    const Vec3 err = w.pos - p->ee.pos;
    const Vec3 d = geo::clamp_norm_inf(err, w.speed);
    const geo::Quat goal =
        geo::quat_mul(geo::quat_from_rotvec({0, w.tilt, 0}), geo::quat_from_yaw(w.yaw));
    const Vec3 r = geo::rotvec_from_quat(geo::quat_mul(goal, geo::quat_conj(p->ee.quat)));
    for (std::size_t i = 0; i < 3; ++i) {
      action[i] = static_cast<float>(d[i]);
      action[3 + i] = static_cast<float>(std::clamp(r[i], -0.2, 0.2));
    }
    action[6] = static_cast<float>(w.grip);
    if (geo::norm(err) < 0.006 && geo::norm(r) < 0.06) {
      if (held_for_++ >= w.hold) {
        ++next_;
        held_for_ = 0;
        stuck_ = 0;
      }
    } else if (++stuck_ > 90) {
      // Blocked (a joint limit, a collision): move on rather than wait out the subtask.
      ++next_;
      held_for_ = 0;
      stuck_ = 0;
    }
  }

 private:
  BlockView block(const PrivilegedState& p, int b) const {
    BlockView v;
    const Pose& pose = p.require_body(std::string("block_") + bullet::kBlockNames[b]);
    v.pos = pose.pos;
    v.yaw = geo::yaw_of(pose.quat);
    static const std::array<std::array<double, 3>, kBlocks> kHalf{
        {{0.025, 0.025, 0.025}, {0.04, 0.024, 0.024}, {0.025, 0.025, 0.018}}};
    v.half = kHalf[static_cast<std::size_t>(b)];
    const double* h = p.scalar(std::string("held_") + bullet::kBlockNames[b]);
    v.held = h && *h > 0.5;
    return v;
  }
  // TCP yaw that closes the fingers across the block's width.
  static double grasp_yaw(const BlockView& v, int b) {
    return b == 1 ? wrap_to(v.yaw, kPi) : wrap_to(v.yaw, kPi / 2);
  }
  int held_block(const PrivilegedState& p) const {
    for (int b = 0; b < kBlocks; ++b) {
      if (block(p, b).held) return b;
    }
    return -1;
  }
  PlayState physical(const PrivilegedState& p) const {
    PlayState s;
    s.slider = p.require_joint("slider");
    s.drawer = p.require_joint("drawer");
    for (int b = 0; b < kBlocks; ++b) {
      const BlockView v = block(p, b);
      auto& bs = s.blocks[static_cast<std::size_t>(b)];
      bs.pose = p.require_body(std::string("block_") + bullet::kBlockNames[b]);
      bs.touch_left = bs.touch_right = v.held;
    }
    return s;
  }

  void add(Vec3 pos, double yaw, double grip, int hold = 0, double speed = 0.03) {
    plan_.push_back(Waypoint{pos, yaw, grip, hold, speed, tilt_});
  }

  void grasp(const BlockView& v, int b) {
    const double yaw = grasp_yaw(v, b);
    const double zg = v.pos[2] - v.half[2] + 0.008;
    // A block on the table right in front of the door sits under its knob
    // (front face at slider_x - 0.06), where a pad would land on the knob:
    // grasp it up to 1.4 cm nearer the robot, the pads still on its faces.
    double x = v.pos[0];
    if (v.pos[2] < 0.05) x = std::max(std::min(x, layout_.slider_x - 0.076), x - 0.014);
    add({x, v.pos[1], v.pos[2] + 0.12}, yaw, -1);
    add({x, v.pos[1], zg}, yaw, -1, 0, 0.015);
    add({x, v.pos[1], zg}, yaw, 1, 12);
    grasp_x_ = x;
    grasp_offset_ = v.pos[2] - zg;
    grasp_yaw_ = yaw;
  }
  // Puts the held block (bottom `bottom` m above z) at (x, y), then opens and rises.
  void put(double x, double y, double bottom_z, double half_z, double yaw) {
    const double tz = bottom_z + half_z + 0.006 - grasp_offset_;
    add({x, y, std::max(tz + 0.1, 0.1)}, yaw, 1, 0, kCarry);
    add({x, y, tz}, yaw, 1, 0, 0.015);
    add({x, y, tz}, yaw, -1, 10);
    add({x, y, std::max(tz + 0.1, 0.1)}, yaw, -1);
  }

  void plan(int task, const PrivilegedState& p) {
    plan_.clear();
    stuck_ = 0;
    tilt_ = 0.0;
    const std::string& name = subtasks().at(static_cast<std::size_t>(task)).name;
    const Vec3 ee = p.ee.pos;
    const double yaw0 = 0.0;
    const auto colour = [&]() {
      for (int b = 0; b < kBlocks; ++b) {
        if (name.find(std::string("_") + bullet::kBlockNames[b] + "_") != std::string::npos)
          return b;
      }
      return -1;
    };
    // Rise first when low (leaving the drawer, the cabinet, a button).
    if (ee[2] < 0.1) add({ee[0], ee[1], 0.12}, geo::yaw_of(p.ee.quat), grip_, 0, kCarry);
    if (name.rfind("rotate_", 0) == 0) {
      const int b = colour();
      const BlockView v = block(p, b);
      grasp(v, b);
      const double turn = name.find("_left") != std::string::npos ? 1.6 : -1.6;
      // Most of the turn 1.5 cm up (on the table the block slips in the
      // pads), the last part back on the table: the subtask ends as soon as
      // the turn passes 60 degrees, and a block still in the air then has no
      // support, which the next subtask's oracle (push, stack) reads at its start.
      const double zg = v.pos[2] - v.half[2] + 0.008;
      const double sign = turn > 0 ? 1.0 : -1.0;
      const double gx = grasp_x_;
      add({gx, v.pos[1], zg + 0.015}, grasp_yaw_, 1);
      add({gx, v.pos[1], zg + 0.015}, grasp_yaw_ + sign * 0.7, 1);
      add({gx, v.pos[1], zg}, grasp_yaw_ + sign * 0.7, 1, 0, 0.01);
      add({gx, v.pos[1], zg}, grasp_yaw_ + turn, 1);
      add({gx, v.pos[1], zg}, grasp_yaw_ + turn, -1, 10);
      add({gx, v.pos[1], zg + 0.12}, grasp_yaw_ + turn, -1);
    } else if (name.rfind("push_", 0) == 0 && name != "push_into_drawer") {
      const int b = colour();
      const BlockView v = block(p, b);
      const double dir = name.find("_left") != std::string::npos ? 1.0 : -1.0;
      const double r = std::max({v.half[0], v.half[1]}) * 1.2;
      const double y0 = v.pos[1] - dir * (r + kPadHalfY * 2 + 0.025);
      const double z = 0.012;
      add({v.pos[0], y0, 0.12}, yaw0, 1);
      add({v.pos[0], y0, z}, yaw0, 1, 0, 0.02);
      add({v.pos[0], v.pos[1] + dir * 0.15, z}, yaw0, 1, 0, 0.012);
      add({v.pos[0], v.pos[1] + dir * 0.15 - dir * 0.02, z}, yaw0, 1);
      add({v.pos[0], v.pos[1] + dir * 0.13, 0.12}, yaw0, 1);
    } else if (name == "move_slider_left" || name == "move_slider_right") {
      const double s = p.require_joint("slider");
      const double kx = layout_.slider_x - 0.046;
      const double ky = layout_.cabinet_y - 0.15 + s;
      const double contact = 0.015 + 2 * kPadHalfY;
      const double z = 0.085;
      if (name == "move_slider_left") {
        add({kx, ky - 0.06, 0.2}, yaw0, 1);
        add({kx, ky - 0.06, z}, yaw0, 1, 0, 0.02);
        add({kx, ky + (desk::kSliderTravel - s) - contact + 0.004, z}, yaw0, 1, 0, 0.015);
        add({kx - 0.03, ky + (desk::kSliderTravel - s) - contact - 0.02, 0.2}, yaw0, 1);
      } else {
        add({kx, ky + 0.06, 0.2}, yaw0, 1);
        add({kx, ky + 0.06, z}, yaw0, 1, 0, 0.02);
        add({kx, ky - s + contact - 0.004, z}, yaw0, 1, 0, 0.015);
        add({kx - 0.03, ky - s + contact + 0.02, 0.2}, yaw0, 1);
      }
    } else if (name == "open_drawer" || name == "close_drawer") {
      // Fingers closed in the gap between the handle bar and the drawer's front.
      const double d = p.require_joint("drawer");
      // 5 mm nearer the handle bar than the gap's middle: the pads clear the
      // table's front edge (x 0.3), which the dynamic arm no longer passes through.
      const double gx = 0.28 - d;
      const double y = layout_.drawer_y;
      const double z = -0.1;
      if (d > desk::kDrawerTravel / 2) {
        // An open drawer's handle is 0.2 m from the arm's base: reached from
        // above, the arm folds against joint 4's limit (the IK then runs off);
        // in low over the open drawer it is not folded.
        add({gx + 0.1, y, 0.0}, yaw0, 1);
        add({gx, y, -0.02}, yaw0, 1, 0, 0.02);
      } else {
        add({gx, y, 0.08}, yaw0, 1);
      }
      add({gx, y, z}, yaw0, 1, 0, 0.02);
      if (name == "open_drawer") {
        // Out to 0.18 m (CALVIN counts 0.12), not to the stop, and up out of
        // the gap before backing away: the same folded pose otherwise.
        const double x = gx - (kDrawerOpen - d) - 0.009;
        add({x, y, z}, yaw0, 1, 0, 0.015);
        add({x, y, -0.02}, yaw0, 1);
        add({x + 0.1, y, 0.05}, yaw0, 1);
      } else {
        const double x = gx + d + 0.009;
        add({x, y, z}, yaw0, 1, 0, 0.015);
        add({x - 0.01, y, 0.08}, yaw0, 1);
      }
    } else if (name.rfind("lift_", 0) == 0) {
      const int b = colour();
      const BlockView v = block(p, b);
      if (name.find("_slider") != std::string::npos) {
        add({layout_.slider_x - 0.08, v.pos[1], 0.14}, yaw0, -1);
      }
      // A block on the table in front of the door is grasped with the hand
      // tilted 23 degrees, the wrist back: upright, the wrist (9 cm ahead of
      // the TCP) lands on the door's top edge.
      if (v.pos[2] < 0.05 && v.pos[0] > layout_.slider_x - 0.09) tilt_ = -0.4;
      grasp(v, b);
      add({grasp_x_, v.pos[1], v.pos[2] + 0.1 - grasp_offset_}, grasp_yaw_, 1, 0, kCarry);
      tilt_ = 0.0;
      if (name.find("_slider") != std::string::npos) {
        add({layout_.slider_x - 0.08, v.pos[1], 0.14}, grasp_yaw_, 1, 0, kCarry);
      }
    } else if (name == "place_in_slider") {
      const int b = held_block(p);
      const bool door_left = p.require_joint("slider") > desk::kSliderTravel / 2;
      const auto c = compartment_centre(!door_left, layout_);
      const double half = b >= 0 ? block(p, b).half[2] : 0.025;
      const double yaw = geo::yaw_of(p.ee.quat);
      add({layout_.slider_x - 0.08, c[1], 0.14}, yaw, 1, 0, kCarry);
      add({c[0], c[1], 0.14}, yaw, 1, 0, kCarry);
      put(c[0], c[1], 0.0, half, yaw);
      add({layout_.slider_x - 0.08, c[1], 0.14}, yaw, -1);
    } else if (name == "place_in_drawer" || name == "push_into_drawer") {
      int b = held_block(p);
      double yaw = geo::yaw_of(p.ee.quat);
      if (name == "push_into_drawer") {
        const Symbolic s = classify(physical(p), layout_);
        b = push_into_drawer_block(s);
        if (b < 0) return;
        const BlockView v = block(p, b);
        grasp(v, b);
        yaw = grasp_yaw_;
      }
      const double half = b >= 0 ? block(p, b).half[2] : 0.025;
      const double dx = 0.45 - p.require_joint("drawer");
      put(std::min(dx, 0.2), layout_.drawer_y, desk::kDrawerFloor, half, yaw);
    } else if (name == "stack_block") {
      const int b = held_block(p);
      int t = -1;
      const Symbolic s = classify(physical(p), layout_);
      for (int o = 0; o < kBlocks; ++o) {
        if (o != b && s.blocks[static_cast<std::size_t>(o)] == Place::kTable) {
          t = o;
          break;
        }
      }
      if (t < 0 || b < 0) return;
      const BlockView tv = block(p, t);
      const BlockView bv = block(p, b);
      const double yaw = geo::yaw_of(p.ee.quat);
      put(tv.pos[0], tv.pos[1], tv.pos[2] + tv.half[2], bv.half[2], yaw);
    } else if (name == "unstack_block") {
      const Symbolic s = classify(physical(p), layout_);
      int b = -1;
      for (int o = 0; o < kBlocks; ++o) {
        if (s.blocks[static_cast<std::size_t>(o)] == Place::kStacked) b = o;
      }
      if (b < 0) return;
      const BlockView v = block(p, b);
      grasp(v, b);
      // The free socket farthest from every block.
      std::array<double, 2> best = layout_.sockets.front();
      double best_d = -1;
      for (const auto& sk : layout_.sockets) {
        double dmin = 1e9;
        for (int o = 0; o < kBlocks; ++o) {
          const BlockView ov = block(p, o);
          dmin = std::min(dmin, std::hypot(ov.pos[0] - sk[0], ov.pos[1] - sk[1]));
        }
        if (dmin > best_d) {
          best_d = dmin;
          best = sk;
        }
      }
      add({v.pos[0], v.pos[1], 0.15}, grasp_yaw_, 1, 0, kCarry);
      put(best[0], best[1], 0.0, v.half[2], grasp_yaw_);
    } else if (name == "turn_on_led" || name == "turn_off_led") {
      const auto& b = layout_.button;
      add({b[0], b[1], 0.12}, yaw0, 1);
      add({b[0], b[1], desk::kButtonTop - 0.011}, yaw0, 1, 2, 0.015);
      add({b[0], b[1], 0.12}, yaw0, 1);
    } else if (name == "turn_on_lightbulb" || name == "turn_off_lightbulb") {
      const double s = p.require_joint("switch");
      const auto& sw = layout_.switch_xy;
      const double ky = sw[1] + s;
      const double contact = 0.015 + 2 * kPadHalfY;
      const double z = 0.04;
      // Turning off, from the cabinet's side of a switch within 9 cm of its
      // front: the hand tilted, the wrist back, which upright meets the
      // cabinet's side wall.
      if (name == "turn_off_lightbulb" && sw[0] > layout_.slider_x - 0.09) tilt_ = -0.4;
      if (name == "turn_on_lightbulb") {
        add({sw[0], ky - 0.06, 0.12}, yaw0, 1);
        add({sw[0], ky - 0.06, z}, yaw0, 1, 0, 0.02);
        add({sw[0], sw[1] + desk::kSwitchTravel - contact + 0.003, z}, yaw0, 1, 0, 0.012);
        add({sw[0], sw[1] + desk::kSwitchTravel - contact - 0.02, 0.12}, yaw0, 1);
      } else {
        add({sw[0], ky + 0.06, 0.12}, yaw0, 1);
        add({sw[0], ky + 0.06, z}, yaw0, 1, 0, 0.02);
        add({sw[0], sw[1] + contact - 0.003, z}, yaw0, 1, 0, 0.012);
        add({sw[0], sw[1] + contact + 0.02, 0.12}, yaw0, 1);
      }
    }
    (void)kPadHalfX;
  }

  bullet::DeskLayout layout_;
  std::vector<Waypoint> plan_;
  std::size_t next_ = 0;
  int held_for_ = 0;
  int stuck_ = 0;
  double position_ = -1;
  int pending_ = -1;  // the subtask to plan once the previous plan is finished
  double grip_ = -1.0;
  double grasp_offset_ = 0.02;
  double grasp_yaw_ = 0.0;
  double grasp_x_ = 0.0;
  double tilt_ = 0.0;  // of the waypoints add() appends
};

}  // namespace

std::unique_ptr<Expert> make_calvin_expert(const bullet::DeskLayout& layout) {
  return std::make_unique<CalvinExpert>(layout);
}

}  // namespace gauntlet::suites::calvin
