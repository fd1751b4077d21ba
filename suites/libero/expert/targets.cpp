#include "suites/libero/expert/targets.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "scenarios/mujoco/scene.hpp"
#include "suites/common/expert_kit.hpp"

namespace gauntlet::suites::libero {
namespace {

using namespace geo;

constexpr double kHalfPi = 1.57079632679489661923;
constexpr double kSharedMargin = 0.02;  // m, object centres inside a shared support's edges

// Room between a circle of radius r at p and the nearest other movable object
// (not the place's owner `owner`: the basket the object goes into).
double room(const WorldView& w, int subject, int owner, const Vec3& p, double r) {
  double best = 1.0;
  for (std::size_t e = 0; e < w.scene().entities.size(); ++e) {
    const Entity& ent = w.scene().entities[e];
    if (static_cast<int>(e) == subject || static_cast<int>(e) == owner || ent.is_fixture())
      continue;
    const Frame f = w.frame(static_cast<int>(e));
    if (std::abs(f.pos[2] - p[2]) > 0.08) continue;
    best = std::min(best, dist_xy(f.pos, p) - r - ent.model->radius);
  }
  return best;
}

// Room between a circle (p, r) and the owner's obstacle boxes that stand
// above `floor`, other than those of `part` (the drawer the object goes in):
// an open drawer's content must lie clear of the cabinet and of the handles
// of the drawers above, or nothing could reach it from above.
double room_under(const WorldView& w, int owner, const std::string& part, double floor,
                  const Vec3& p, double r) {
  double best = 1.0;
  for (const ObstacleBox& o : w.model(owner).obstacles) {
    if (o.part == part) continue;
    const Frame f = w.frame(owner, o.part);
    const Vec3 c = to_world(f, o.center);
    if (c[2] + o.half[2] <= floor + 0.005) continue;
    const Vec3 l = to_local(f, p) - o.center;
    const double dx = std::abs(l[0]) - o.half[0], dy = std::abs(l[1]) - o.half[1];
    const double d =
        dx > 0 || dy > 0 ? std::hypot(std::max(dx, 0.0), std::max(dy, 0.0)) : std::max(dx, dy);
    best = std::min(best, d - r);
  }
  return best;
}

// Grid over a rectangle (half sizes hx, hy) around local centre c, in frame f.
void grid(std::vector<Vec3>& out, const Frame& f, const Vec3& c, double hx, double hy) {
  if (hx <= 0 || hy <= 0) {
    out.push_back(to_world(f, c));
    return;
  }
  const double sx = std::max(hx / 6, 0.005), sy = std::max(hy / 6, 0.005);
  for (double x = -hx; x <= hx + 1e-9; x += sx) {
    for (double y = -hy; y <= hy + 1e-9; y += sy)
      out.push_back(to_world(f, {c[0] + x, c[1] + y, c[2]}));
  }
}

// The object's yaw when its footprint only fits the place's rectangle one way.
void choose_turn(Target& t, const ObjectModel& m, const Frame& object, const Frame& place,
                 double area_x, double area_y) {
  if (std::abs(m.half_x - m.half_y) < 0.01) return;
  const double place_yaw = yaw_of(place.quat);
  const double obj_yaw = yaw_of(object.quat);
  const auto overflow = [&](double yaw) {
    const bool swapped = std::abs(std::sin(wrap_angle(yaw - place_yaw))) > 0.7;
    const double ex = swapped ? m.half_y : m.half_x, ey = swapped ? m.half_x : m.half_y;
    return std::max(0.0, ex - area_x + 0.004) + std::max(0.0, ey - area_y + 0.004);
  };
  if (overflow(obj_yaw) <= 0) return;
  double best_turn = 1e9;
  for (int k = 0; k < 4; ++k) {
    const double y = place_yaw + k * kHalfPi;
    const double turn = std::abs(wrap_angle(y - obj_yaw));
    if (overflow(y) <= 1e-9 && turn < best_turn) {
      best_turn = turn;
      t.yaw = wrap_angle(y);
      t.turn = true;
    }
  }
}

// Whether another goal puts a different object on the same support as `c`
// (LIBERO-10's two moka pots on one stove).
bool shared_support(const WorldView& w, const Condition& c) {
  return std::any_of(w.scene().goal.begin(), w.scene().goal.end(), [&](const Condition& o) {
    return o.is_placement() && o.subject != c.subject && o.place.kind == Place::Kind::kSupport &&
           o.place.owner == c.place.owner && o.place.support == c.place.support;
  });
}

}  // namespace

Target choose_target(const WorldView& w, const Condition& c, double gripper_yaw) {
  const ObjectModel& m = w.model(c.subject);
  const Frame object = w.frame(c.subject);
  const double r = m.radius;
  const Place& p = c.place;
  Target t;
  std::vector<Vec3> candidates;
  Vec3 center{};
  bool spread = false;
  if (p.kind == Place::Kind::kTableRegion) {
    center = w.place_center(p);
    if (p.region) {
      for (const auto& a : p.region->ranges) {
        const double mx = std::min(0.01, (a[2] - a[0]) / 4), my = std::min(0.01, (a[3] - a[1]) / 4);
        for (double x = a[0] + mx; x <= a[2] - mx + 1e-9; x += 0.005) {
          for (double y = a[1] + my; y <= a[3] - my + 1e-9; y += 0.005) {
            candidates.push_back({x, y, mj::kTableTop});
          }
        }
      }
    }
    if (candidates.empty()) candidates.push_back(center);
    t.drop = mj::kTableTop + 0.006;
    t.finger_floor = mj::kTableTop + 0.002;
  } else if (p.kind == Place::Kind::kSupport) {
    const SupportSpec& s = *p.support;
    const Frame pf = w.frame(p.owner, s.part);
    t.owner = p.owner;
    t.part = s.part;
    center = support_center(s, pf);
    const bool on_object = !w.scene().entities[static_cast<std::size_t>(p.owner)].is_fixture();
    const double ax = s.round ? s.half_x / std::sqrt(2.0) : s.half_x;
    const double ay = s.round ? s.half_x / std::sqrt(2.0) : s.half_y;
    if (on_object) {
      candidates.push_back(center);  // stacked: centred
    } else if (shared_support(w, c)) {
      // Two objects on one region (0.15 m square) do not both fit whole
      // footprints inside it; LIBERO's On checks the centre, so the centres
      // spread to its corners: the first away from the middle, the next as
      // far as it can from the first.
      grid(candidates, pf, s.center, ax - kSharedMargin, ay - kSharedMargin);
      spread = true;
    } else {
      grid(candidates, pf, s.center, ax - r, ay - r);
      choose_turn(t, m, object, pf, ax, ay);
    }
    t.drop = center[2] + 0.006;
    // Open fingers do not fit inside an object (a bowl, a plate's rim): they
    // stay above its top, and the object drops the rest of the way.
    t.finger_floor = on_object ? pf.pos[2] + w.model(p.owner).height + 0.008 : center[2] + 0.002;
  } else {
    const ContainerSpec& k = *p.container;
    const Frame pf = w.frame(p.owner, k.part);
    t.owner = p.owner;
    t.part = k.part;
    center = container_floor_center(k, pf);
    if (k.entry == Entry::kFront) {
      // Deeper than the middle, so that the door closes in front of it.
      t.front = true;
      const double depth = std::abs(k.front[0]) * k.half[0] + std::abs(k.front[1]) * k.half[1];
      t.local = {k.center[0] - 0.2 * depth * k.front[0], k.center[1] - 0.2 * depth * k.front[1],
                 k.center[2] - k.half[2]};
      t.entry_local = {k.center[0] + (depth + 0.12) * k.front[0],
                       k.center[1] + (depth + 0.12) * k.front[1], k.center[2] - k.half[2]};
      // The fingers close across the opening (the gripper's x along the way
      // in), so that once open they slide out past the object instead of
      // dragging it: the object turns in the hand while carried if need be.
      const Vec3 way_in = rotate(pf.quat, k.front);
      const double across =
          closest_symmetric_yaw(std::atan2(way_in[1], way_in[0]), gripper_yaw, 2 * kHalfPi);
      const double turn = wrap_angle(across - gripper_yaw);
      if (std::abs(turn) > 0.05) {
        t.turn = true;
        t.yaw = wrap_angle(yaw_of(object.quat) + turn);
      }
      // Set down on the floor, not dropped: a dropped mug tips against a pad.
      t.drop = center[2] + 0.002;
      t.finger_floor = center[2] + 0.002;
      return t;
    }
    choose_turn(t, m, object, pf, k.half[0], k.half[1]);
    const Vec3 floor_local{k.center[0], k.center[1], k.center[2] - k.half[2]};
    grid(candidates, pf, floor_local, k.half[0] - r - 0.004, k.half[1] - r - 0.004);
    // The fingers open along the gripper's y axis at release. Unless the
    // object must be turned, the gripper may turn while carrying so that they
    // open along one of the container's axes.
    std::vector<double> yaws;
    if (t.turn) {
      yaws.push_back(gripper_yaw + wrap_angle(t.yaw - yaw_of(object.quat)));
    } else {
      yaws.push_back(gripper_yaw);
      for (const double extra : {0.0, kHalfPi}) {
        yaws.push_back(closest_symmetric_yaw(yaw_of(pf.quat) + extra, gripper_yaw, 2 * kHalfPi));
      }
    }
    const bool drawer = !k.part.empty();
    const double rim = w.place_top(p);
    double best = -1e18;
    bool best_fits = false;
    for (const double yaw : yaws) {
      const Vec3 closing{-std::sin(yaw), std::cos(yaw), 0};
      for (const Vec3& q : candidates) {
        bool fits = true;
        for (const double side : {-1.0, 1.0}) {
          const Vec3 pad = q + (side * kOpenHalf) * closing;
          const Vec3 l = to_local(pf, pad) - floor_local;
          fits = fits && std::abs(l[0]) <= k.half[0] - 0.004 && std::abs(l[1]) <= k.half[1] - 0.004;
          if (drawer) fits = fits && room_under(w, p.owner, k.part, center[2], pad, 0.0) > 0.004;
        }
        // Room to the other objects (up to 2 cm), fingers that fit, little
        // turning, then closeness to the centre; a drawer's spot must lie
        // clear of the cabinet and, by 2 cm, of the handles above it (a bowl
        // hanging tilted in the fingers swings out further).
        double score = 10.0 * std::min(room(w, c.subject, p.owner, q, r), 0.02) +
                       (fits ? 0.3 : 0.0) - 0.02 * std::abs(wrap_angle(yaw - gripper_yaw)) -
                       dist_xy(q, center);
        if (drawer)
          score += 10.0 * std::min(room_under(w, p.owner, k.part, center[2], q, r) - 0.02, 0.0);
        if (score > best) {
          best = score;
          best_fits = fits;
          t.local = to_local(pf, q);
          t.release_yaw = yaw;
        }
      }
    }
    t.set_release_yaw = !t.turn;
    // Fingers that fit lower the object to the floor; otherwise it is let go
    // just above the rim.
    t.drop = best_fits ? center[2] + 0.008 : rim + 0.012;
    t.finger_floor = best_fits ? center[2] + 0.002 : rim + 0.005;
    return t;
  }
  double best = -1e18;
  std::size_t chosen = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Vec3& q = candidates[i];
    const double score = 10.0 * std::min(room(w, c.subject, p.owner, q, r), 0.02) +
                         (spread ? 1.0 : -1.0) * dist_xy(q, center);
    if (score > best) {
      best = score;
      chosen = i;
    }
  }
  const Vec3 q = candidates[chosen];
  t.local = t.owner < 0 ? q : to_local(w.frame(t.owner, t.part), q);
  return t;
}

double choose_grasp_yaw(const WorldView& w, int subject, double reference) {
  const ObjectModel& m = w.model(subject);
  const Frame f = w.frame(subject);
  const Vec3 gp = to_world(f, m.grasp.point);
  const double pad_bottom = gp[2] - kFingerTip;
  constexpr double kPadRadius = 0.014;  // a pad's footprint, as a circle
  constexpr double kPadCentre = 0.053;  // open pads' centres from the tool centre point
  const double base = yaw_of(f.quat) + m.grasp.yaw;
  const int n = std::max(1, static_cast<int>(std::lround(3.14159265358979323846 / m.grasp.period)));
  double best_yaw = closest_symmetric_yaw(base, reference, m.grasp.period);
  double best_score = -1e18;
  for (int k = 0; k < n; ++k) {
    const double yaw =
        closest_symmetric_yaw(base + k * m.grasp.period, reference, 3.14159265358979323846);
    const Vec3 axis{-std::sin(yaw), std::cos(yaw), 0};
    double clear = 1.0;
    for (const double side : {-1.0, 1.0}) {
      const Vec3 pad = gp + (side * kPadCentre) * axis;
      for (std::size_t e = 0; e < w.scene().entities.size(); ++e) {
        const Entity& ent = w.scene().entities[e];
        if (static_cast<int>(e) == subject || ent.is_table()) continue;
        if (!ent.is_fixture()) {
          const Frame g = w.frame(static_cast<int>(e));
          // Under the object (it stands on it) or below the pads: no matter.
          if (dist_xy(g.pos, gp) < ent.model->radius || g.pos[2] + ent.model->height < pad_bottom)
            continue;
          clear = std::min(clear, dist_xy(g.pos, pad) - ent.model->radius - kPadRadius);
          continue;
        }
        for (const ObstacleBox& o : ent.model->obstacles) {
          const Frame g = w.frame(static_cast<int>(e), o.part);
          if (to_world(g, o.center)[2] + o.half[2] < pad_bottom) continue;
          const Vec3 lg = to_local(g, gp) - o.center;
          if (std::abs(lg[0]) <= o.half[0] && std::abs(lg[1]) <= o.half[1])
            continue;  // it stands in/on it
          const Vec3 l = to_local(g, pad) - o.center;
          const double dx = std::abs(l[0]) - o.half[0], dy = std::abs(l[1]) - o.half[1];
          const double d = dx > 0 || dy > 0 ? std::hypot(std::max(dx, 0.0), std::max(dy, 0.0))
                                            : std::max(dx, dy);
          clear = std::min(clear, d - kPadRadius);
        }
        // Inside a container (a drawer): the pads must stay within its walls.
        for (const ContainerSpec& c : ent.model->containers) {
          const Frame g = w.frame(static_cast<int>(e), c.part);
          if (!inside_container(c, g, gp, 0.0, 0.02)) continue;
          const Vec3 l = to_local(g, pad) - c.center;
          clear = std::min(
              clear, std::min(c.half[0] - std::abs(l[0]), c.half[1] - std::abs(l[1])) - kPadRadius);
        }
      }
    }
    const double score = std::min(clear, 0.015) - 0.001 * std::abs(wrap_angle(yaw - reference));
    if (score > best_score) {
      best_score = score;
      best_yaw = yaw;
    }
  }
  return best_yaw;
}

std::optional<double> preferred_carry_yaw(const WorldView& w, const Condition& c) {
  const Place& p = c.place;
  if (p.kind != Place::Kind::kContainer || p.container->part.empty()) return std::nullopt;
  // Into a drawer: the palm's long side (the gripper's y) along the cabinet's
  // front keeps the palm and wrist off the handles above.
  return yaw_of(w.frame(p.owner).quat);
}

double distance_to_drawer(const WorldView& w, int owner, int articulation, double q,
                          const Vec3& p) {
  const ObjectModel& m = w.model(owner);
  const ArticulationSpec& a = m.articulations[static_cast<std::size_t>(articulation)];
  const Frame root = w.frame(owner);
  const Frame part = w.frame(owner, a.part);
  // The part's frame now; pulled to q, everything in it moves along `out`.
  const Vec3 shift = (q - w.joint(owner, articulation)) * rotate(root.quat, a.out);
  double best = 1.0;
  for (const ObstacleBox& o : m.obstacles) {
    if (o.part != a.part) continue;
    const Vec3 l = to_local(part, p - shift) - o.center;
    const double dx = std::abs(l[0]) - o.half[0], dy = std::abs(l[1]) - o.half[1];
    best = std::min(best, dx > 0 || dy > 0 ? std::hypot(std::max(dx, 0.0), std::max(dy, 0.0))
                                           : std::max(dx, dy));
  }
  return best;
}

std::optional<Vec3> spot_clear_of_drawer(const WorldView& w, int subject, int owner,
                                         int articulation, double q) {
  constexpr double kRoom = 0.035;  // m between footprints: room for the fingers
  const ObjectModel& m = w.model(subject);
  const Vec3 from = w.frame(subject).pos;
  std::optional<Vec3> best;
  double best_d = 1e9;
  for (double x = -0.3; x <= 0.2 + 1e-9; x += 0.01) {
    for (double y = -0.35; y <= 0.35 + 1e-9; y += 0.01) {
      const Vec3 p{x, y, mj::kTableTop};
      const double d = dist_xy(p, from);
      if (d >= best_d || distance_to_drawer(w, owner, articulation, q, p) < kHandRoomToDrawer)
        continue;
      bool free = true;
      for (std::size_t e = 0; e < w.scene().entities.size() && free; ++e) {
        const Entity& ent = w.scene().entities[e];
        if (static_cast<int>(e) == subject || ent.is_table()) continue;
        if (!ent.is_fixture()) {
          free =
              dist_xy(w.frame(static_cast<int>(e)).pos, p) - ent.model->radius - m.radius >= kRoom;
          continue;
        }
        for (const ObstacleBox& o : ent.model->obstacles) {
          const Vec3 l = to_local(w.frame(static_cast<int>(e), o.part), p) - o.center;
          const double dx = std::abs(l[0]) - o.half[0], dy = std::abs(l[1]) - o.half[1];
          if (std::hypot(std::max(dx, 0.0), std::max(dy, 0.0)) < m.radius + kRoom) free = false;
        }
      }
      if (free) {
        best = p;
        best_d = d;
      }
    }
  }
  return best;
}

}  // namespace gauntlet::suites::libero
