#include "suites/libero/expert/targets.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "scenarios/mujoco/scene.hpp"

namespace gauntlet::suites::libero {
namespace {

using namespace geo;

constexpr double kHalfPi = 1.57079632679489661923;

// Room between a circle of radius r at p and the nearest other movable object.
double room(const WorldView& w, int subject, const Vec3& p, double r) {
  double best = 1.0;
  for (std::size_t e = 0; e < w.scene().entities.size(); ++e) {
    const Entity& ent = w.scene().entities[e];
    if (static_cast<int>(e) == subject || ent.is_fixture()) continue;
    const Frame f = w.frame(static_cast<int>(e));
    if (std::abs(f.pos[2] - p[2]) > 0.08) continue;
    best = std::min(best, dist_xy(f.pos, p) - r - ent.model->radius);
  }
  return best;
}

// How far `p` lies outside a model's root footprint (negative: inside).
double outside(const Frame& root, const ObjectModel& m, const Vec3& p) {
  const Vec3 l = to_local(root, p);
  return std::max(std::abs(l[0]) - m.half_x, std::abs(l[1]) - m.half_y);
}

// Grid over a rectangle (half sizes hx, hy) around local centre c, in frame f.
void grid(std::vector<Vec3>& out, const Frame& f, const Vec3& c, double hx, double hy) {
  if (hx <= 0 || hy <= 0) {
    out.push_back(to_world(f, c));
    return;
  }
  const double sx = std::max(hx / 6, 0.005), sy = std::max(hy / 6, 0.005);
  for (double x = -hx; x <= hx + 1e-9; x += sx) {
    for (double y = -hy; y <= hy + 1e-9; y += sy) out.push_back(to_world(f, {c[0] + x, c[1] + y, c[2]}));
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

}  // namespace

Target choose_target(const WorldView& w, const Condition& c, double gripper_yaw) {
  const ObjectModel& m = w.model(c.subject);
  const Frame object = w.frame(c.subject);
  const double r = m.radius;
  const Place& p = c.place;
  Target t;
  std::vector<Vec3> candidates;
  Vec3 center{};
  // Table regions and fixture surfaces leave the fingers room; objects and
  // container walls may not.
  std::vector<bool> fits;
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
      t.local = {k.center[0] - 0.2 * k.half[0] * k.front[0], k.center[1] - 0.2 * k.half[0] * k.front[1],
                 k.center[2] - k.half[2]};
      t.entry_local = {k.center[0] + (k.half[0] + 0.12) * k.front[0],
                       k.center[1] + (k.half[0] + 0.12) * k.front[1], k.center[2] - k.half[2]};
      t.drop = center[2] + 0.008;
      t.finger_floor = center[2] + 0.002;
      return t;
    }
    choose_turn(t, m, object, pf, k.half[0], k.half[1]);
    const Vec3 floor_local{k.center[0], k.center[1], k.center[2] - k.half[2]};
    grid(candidates, pf, floor_local, k.half[0] - r - 0.004, k.half[1] - r - 0.004);
    // Where the fingers open at release: along the gripper's y axis.
    double release_yaw = gripper_yaw;
    if (t.turn) release_yaw += wrap_angle(t.yaw - yaw_of(object.quat));
    const Vec3 closing{-std::sin(release_yaw), std::cos(release_yaw), 0};
    const Frame root = w.frame(p.owner);
    const ObjectModel& owner = w.model(p.owner);
    for (const Vec3& q : candidates) {
      bool ok = true;
      for (const double s : {-1.0, 1.0}) {
        const Vec3 pad = q + (s * kOpenHalf) * closing;
        const Vec3 l = to_local(pf, pad) - floor_local;
        ok = ok && std::abs(l[0]) <= k.half[0] - 0.004 && std::abs(l[1]) <= k.half[1] - 0.004;
        if (!k.part.empty()) ok = ok && outside(root, owner, pad) > 0.004;
      }
      fits.push_back(ok);
    }
    const double top = w.place_top(p);
    // Filled in below once the spot is chosen.
    t.drop = top + 0.012;
    t.finger_floor = top + 0.005;
  }
  // Score: room to the other objects (up to 2 cm), a spot where the fingers
  // fit, then closeness to the centre; a drawer's spot must stick out of the
  // cabinet (only that part can be reached from above).
  const bool drawer = p.kind == Place::Kind::kContainer && !p.container->part.empty();
  const Frame root = p.owner >= 0 ? w.frame(p.owner) : Frame{};
  double best = -1e18;
  std::size_t chosen = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Vec3& q = candidates[i];
    double score = 10.0 * std::min(room(w, c.subject, q, r), 0.02) - dist_xy(q, center);
    if (!fits.empty() && fits[i]) score += 0.1;
    if (drawer) score += 10.0 * std::min(outside(root, w.model(p.owner), q) - r - 0.008, 0.0);
    if (score > best) {
      best = score;
      chosen = i;
    }
  }
  const Vec3 q = candidates[chosen];
  t.local = t.owner < 0 ? q : to_local(w.frame(t.owner, t.part), q);
  if (!fits.empty() && fits[chosen]) {
    t.drop = center[2] + 0.008;
    t.finger_floor = center[2] + 0.002;
  }
  return t;
}

}  // namespace gauntlet::suites::libero
