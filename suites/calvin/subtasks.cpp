#include "suites/calvin/subtasks.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gauntlet::suites::calvin {

using namespace geo;

namespace {

namespace desk = bullet::desk;

constexpr double kDeg = std::numbers::pi / 180.0;
// CALVIN's thresholds (calvin_env's tasks config): rotation, push, lift, doors.
constexpr double kRotateZ = 60 * kDeg;
constexpr double kRotateTilt = 30 * kDeg;
constexpr double kRotateMove = 0.1;
constexpr double kPush = 0.1;
constexpr double kLift = 0.05;
constexpr double kLiftFromSlider = 0.03;
constexpr double kSlider = 0.15;
constexpr double kDrawer = 0.12;

enum Kind {
  kRotateLeft,
  kRotateRight,
  kPushLeft,
  kPushRight,
  kSliderLeft,
  kSliderRight,
  kOpenDrawer,
  kCloseDrawer,
  kLiftTable,
  kLiftSlider,
  kLiftDrawer,
  kPlaceSlider,
  kPlaceDrawer,
  kStack,
  kUnstack,
  kBulbOn,
  kBulbOff,
  kLedOn,
  kLedOff,
  kPushIntoDrawer,
};

struct Def {
  Subtask info;
  Kind kind;
  int block;  // -1: none
};

std::vector<Def> build() {
  std::vector<Def> d;
  const char* colours[kBlocks] = {"red", "blue", "pink"};
  for (int b = 0; b < kBlocks; ++b) {
    const std::string c = colours[b];
    d.push_back({{"rotate_" + c + "_block_right", "rotate",
                  "take the " + c + " block and rotate it to the right"},
                 kRotateRight,
                 b});
    d.push_back({{"rotate_" + c + "_block_left", "rotate",
                  "take the " + c + " block and rotate it to the left"},
                 kRotateLeft,
                 b});
  }
  for (int b = 0; b < kBlocks; ++b) {
    const std::string c = colours[b];
    d.push_back({{"push_" + c + "_block_right", "push", "go push the " + c + " block right"},
                 kPushRight,
                 b});
    d.push_back(
        {{"push_" + c + "_block_left", "push", "go push the " + c + " block left"}, kPushLeft, b});
  }
  d.push_back(
      {{"move_slider_left", "slider", "push the sliding door to the left side"}, kSliderLeft, -1});
  d.push_back({{"move_slider_right", "slider", "push the sliding door to the right side"},
               kSliderRight,
               -1});
  d.push_back({{"open_drawer", "drawer", "open the drawer"}, kOpenDrawer, -1});
  d.push_back({{"close_drawer", "drawer", "close the drawer"}, kCloseDrawer, -1});
  for (int b = 0; b < kBlocks; ++b) {
    const std::string c = colours[b];
    d.push_back({{"lift_" + c + "_block_table", "lift", "lift the " + c + " block from the table"},
                 kLiftTable,
                 b});
    d.push_back(
        {{"lift_" + c + "_block_slider", "lift", "lift the " + c + " block in the sliding cabinet"},
         kLiftSlider,
         b});
    d.push_back({{"lift_" + c + "_block_drawer", "lift", "lift the " + c + " block in the drawer"},
                 kLiftDrawer,
                 b});
  }
  d.push_back({{"place_in_slider", "place", "put the grasped object in the sliding cabinet"},
               kPlaceSlider,
               -1});
  d.push_back(
      {{"place_in_drawer", "place", "put the grasped object in the drawer"}, kPlaceDrawer, -1});
  d.push_back({{"stack_block", "stack", "stack the blocks on top of each other"}, kStack, -1});
  d.push_back({{"unstack_block", "unstack", "remove the top block from the stack"}, kUnstack, -1});
  d.push_back({{"turn_on_lightbulb", "lightbulb", "use the switch to turn on the light bulb"},
               kBulbOn,
               -1});
  d.push_back({{"turn_off_lightbulb", "lightbulb", "use the switch to turn off the light bulb"},
               kBulbOff,
               -1});
  d.push_back({{"turn_on_led", "led", "press the button to turn on the led light"}, kLedOn, -1});
  d.push_back({{"turn_off_led", "led", "press the button to turn off the led light"}, kLedOff, -1});
  d.push_back({{"push_into_drawer", "push_into_drawer", "push the object into the drawer"},
               kPushIntoDrawer,
               -1});
  return d;
}

const std::vector<Def>& defs() {
  static const std::vector<Def> d = build();
  return d;
}

bool grasping(const Symbolic& s) {
  return std::any_of(s.blocks.begin(), s.blocks.end(),
                     [](Place p) { return p == Place::kGrasped; });
}
int grasped(const Symbolic& s) {
  for (int b = 0; b < kBlocks; ++b) {
    if (s.blocks[static_cast<std::size_t>(b)] == Place::kGrasped) return b;
  }
  return -1;
}
int count(const Symbolic& s, Place p) {
  return static_cast<int>(std::count(s.blocks.begin(), s.blocks.end(), p));
}
// A table block with another stacked on it cannot be moved on its own.
bool free_on_table(const Symbolic& s, int b) {
  return s.blocks[static_cast<std::size_t>(b)] == Place::kTable &&
         !(count(s, Place::kStacked) > 0 && count(s, Place::kTable) == 1);
}
// The compartment the open door leaves free.
Place open_compartment(const Symbolic& s) {
  return s.slider_left ? Place::kSliderRight : Place::kSliderLeft;
}

double angle_between_z(const geo::Quat& rel) {
  const Vec3 z = geo::rotate(rel, {0, 0, 1});
  return std::acos(std::clamp(z[2], -1.0, 1.0));
}

bool resting(const bullet::BlockState& b) {
  return !b.touch_left && !b.touch_right;
}

}  // namespace

const char* to_string(Place p) {
  switch (p) {
    case Place::kTable:
      return "table";
    case Place::kSliderLeft:
      return "slider_left";
    case Place::kSliderRight:
      return "slider_right";
    case Place::kDrawer:
      return "drawer";
    case Place::kStacked:
      return "stacked";
    case Place::kGrasped:
      return "grasped";
    case Place::kOther:
      return "other";
  }
  return "other";
}

const std::vector<Subtask>& subtasks() {
  static const std::vector<Subtask> list = [] {
    std::vector<Subtask> out;
    for (const auto& d : defs()) out.push_back(d.info);
    return out;
  }();
  return list;
}

int subtask_index(const std::string& name) {
  const auto& all = subtasks();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> subtask_names() {
  std::vector<std::string> out;
  for (const auto& s : subtasks()) out.push_back(s.name);
  return out;
}

int push_into_drawer_block(const Symbolic& s) {
  for (int b = 0; b < kBlocks; ++b) {
    if (free_on_table(s, b)) return b;
  }
  return -1;
}

bool feasible(int task, const Symbolic& s) {
  const Def& d = defs().at(static_cast<std::size_t>(task));
  const bool hold = grasping(s);
  const auto at = [&](Place p) {
    return d.block >= 0 && s.blocks[static_cast<std::size_t>(d.block)] == p;
  };
  switch (d.kind) {
    case kRotateLeft:
    case kRotateRight:
    case kPushLeft:
    case kPushRight:
    case kLiftTable:
      return !hold && free_on_table(s, d.block);
    case kSliderLeft:
      return !hold && !s.slider_left;
    case kSliderRight:
      return !hold && s.slider_left;
    case kOpenDrawer:
      return !hold && !s.drawer_open;
    case kCloseDrawer:
      return !hold && s.drawer_open;
    case kLiftSlider:
      return !hold && at(open_compartment(s));
    case kLiftDrawer:
      return !hold && s.drawer_open && at(Place::kDrawer);
    case kPlaceSlider:
      return hold && count(s, open_compartment(s)) == 0;
    case kPlaceDrawer:
      return hold && s.drawer_open;
    case kStack:
      return hold && count(s, Place::kTable) >= 1 && count(s, Place::kStacked) == 0;
    case kUnstack:
      return !hold && count(s, Place::kStacked) == 1;
    case kBulbOn:
      return !hold && !s.bulb;
    case kBulbOff:
      return !hold && s.bulb;
    case kLedOn:
      return !hold && !s.led;
    case kLedOff:
      return !hold && s.led;
    case kPushIntoDrawer:
      return !hold && s.drawer_open && push_into_drawer_block(s) >= 0;
  }
  return false;
}

Symbolic apply(int task, const Symbolic& in) {
  Symbolic s = in;
  const Def& d = defs().at(static_cast<std::size_t>(task));
  const auto set = [&](int b, Place p) {
    if (b >= 0) s.blocks[static_cast<std::size_t>(b)] = p;
  };
  switch (d.kind) {
    case kSliderLeft:
      s.slider_left = true;
      break;
    case kSliderRight:
      s.slider_left = false;
      break;
    case kOpenDrawer:
      s.drawer_open = true;
      break;
    case kCloseDrawer:
      s.drawer_open = false;
      break;
    case kLiftTable:
    case kLiftSlider:
    case kLiftDrawer:
      set(d.block, Place::kGrasped);
      break;
    case kPlaceSlider:
      set(grasped(s), open_compartment(s));
      break;
    case kPlaceDrawer:
      set(grasped(s), Place::kDrawer);
      break;
    case kStack:
      set(grasped(s), Place::kStacked);
      break;
    case kUnstack:
      for (auto& p : s.blocks) {
        if (p == Place::kStacked) p = Place::kTable;
      }
      break;
    case kBulbOn:
      s.bulb = true;
      break;
    case kBulbOff:
      s.bulb = false;
      break;
    case kLedOn:
      s.led = true;
      break;
    case kLedOff:
      s.led = false;
      break;
    case kPushIntoDrawer:
      set(push_into_drawer_block(in), Place::kDrawer);
      break;
    default:
      break;
  }
  return s;
}

std::array<double, 2> compartment_centre(bool left, const DeskLayout& layout) {
  return {layout.slider_x + desk::kCabinetDepth / 2,
          layout.cabinet_y + (left ? 1.0 : -1.0) * desk::kCabinetHalfWidth / 2};
}

Place place_of(int block, const PlayState& s, const DeskLayout& layout) {
  const auto& b = s.blocks[static_cast<std::size_t>(block)];
  if (b.held()) return Place::kGrasped;
  const Vec3& p = b.pose.pos;
  if (p[2] < -0.04) {
    const double dx = p[0] - (0.45 - s.drawer);
    if (std::abs(dx) < desk::kDrawerHalf[0] + 0.01 &&
        std::abs(p[1] - layout.drawer_y) < desk::kDrawerHalf[1] + 0.01) {
      return Place::kDrawer;
    }
    return Place::kOther;
  }
  for (int o = 0; o < kBlocks; ++o) {
    if (o == block) continue;
    const auto& ob = s.blocks[static_cast<std::size_t>(o)];
    if (geo::dist_xy(p, ob.pose.pos) < 0.05 && p[2] > ob.pose.pos[2] + 0.03 && p[2] < 0.14) {
      return Place::kStacked;
    }
  }
  if (p[2] > 0.07 || p[2] < 0.0) return Place::kOther;
  if (p[0] > layout.slider_x && p[0] < layout.slider_x + desk::kCabinetDepth + 0.01 &&
      std::abs(p[1] - layout.cabinet_y) < desk::kCabinetHalfWidth) {
    return p[1] > layout.cabinet_y ? Place::kSliderLeft : Place::kSliderRight;
  }
  if (p[0] > desk::kTableFront && p[0] < 0.9 && std::abs(p[1]) < 0.6) return Place::kTable;
  return Place::kOther;
}

Symbolic classify(const PlayState& s, const DeskLayout& layout) {
  Symbolic out;
  out.led = s.led;
  out.bulb = s.bulb;
  out.slider_left = s.slider > desk::kSliderTravel / 2;
  out.drawer_open = s.drawer > desk::kDrawerTravel / 2;
  for (int b = 0; b < kBlocks; ++b)
    out.blocks[static_cast<std::size_t>(b)] = place_of(b, s, layout);
  return out;
}

bool achieved(int task, const PlayState& start, const PlayState& now, const DeskLayout& layout) {
  const Def& d = defs().at(static_cast<std::size_t>(task));
  const auto k = static_cast<std::size_t>(d.block >= 0 ? d.block : 0);
  const auto& b0 = start.blocks[k];
  const auto& b1 = now.blocks[k];
  switch (d.kind) {
    case kRotateLeft:
    case kRotateRight: {
      const geo::Quat rel = geo::quat_mul(b1.pose.quat, geo::quat_conj(b0.pose.quat));
      const double z = geo::yaw_of(rel);
      const bool turned = d.kind == kRotateLeft ? z > kRotateZ : z < -kRotateZ;
      return turned && angle_between_z(rel) < kRotateTilt &&
             geo::norm(b1.pose.pos - b0.pose.pos) < kRotateMove;
    }
    case kPushLeft:
    case kPushRight: {
      const double dy = b1.pose.pos[1] - b0.pose.pos[1];
      const bool moved = d.kind == kPushLeft ? dy > kPush : dy < -kPush;
      return moved && place_of(d.block, start, layout) == Place::kTable &&
             place_of(d.block, now, layout) == Place::kTable && resting(b1);
    }
    case kSliderLeft:
      return now.slider - start.slider > kSlider;
    case kSliderRight:
      return now.slider - start.slider < -kSlider;
    case kOpenDrawer:
      return now.drawer - start.drawer > kDrawer;
    case kCloseDrawer:
      return now.drawer - start.drawer < -kDrawer;
    case kLiftTable:
    case kLiftSlider:
    case kLiftDrawer: {
      const Place from = place_of(d.block, start, layout);
      const bool right_place = d.kind == kLiftTable ? from == Place::kTable
                               : d.kind == kLiftDrawer
                                   ? from == Place::kDrawer
                                   : (from == Place::kSliderLeft || from == Place::kSliderRight);
      const double h = d.kind == kLiftSlider ? kLiftFromSlider : kLift;
      return right_place && b1.held() && b1.pose.pos[2] - b0.pose.pos[2] > h;
    }
    case kPlaceSlider:
    case kPlaceDrawer:
    case kStack: {
      for (int i = 0; i < kBlocks; ++i) {
        const auto u = static_cast<std::size_t>(i);
        if (!start.blocks[u].held() || !resting(now.blocks[u]) || !now.blocks[u].touch_other)
          continue;
        const Place p = place_of(i, now, layout);
        if (d.kind == kPlaceDrawer && p == Place::kDrawer) return true;
        if (d.kind == kPlaceSlider && (p == Place::kSliderLeft || p == Place::kSliderRight))
          return true;
        if (d.kind == kStack && p == Place::kStacked) return true;
      }
      return false;
    }
    case kUnstack:
      for (int i = 0; i < kBlocks; ++i) {
        if (place_of(i, start, layout) == Place::kStacked &&
            place_of(i, now, layout) != Place::kStacked &&
            place_of(i, now, layout) != Place::kOther) {
          // CALVIN: the top block no longer rests on the one below (held or put down).
          return true;
        }
      }
      return false;
    case kBulbOn:
      return !start.bulb && now.bulb;
    case kBulbOff:
      return start.bulb && !now.bulb;
    case kLedOn:
      return !start.led && now.led;
    case kLedOff:
      return start.led && !now.led;
    case kPushIntoDrawer:
      for (int i = 0; i < kBlocks; ++i) {
        if (place_of(i, start, layout) == Place::kTable &&
            place_of(i, now, layout) == Place::kDrawer)
          return true;
      }
      return false;
  }
  return false;
}

}  // namespace gauntlet::suites::calvin
