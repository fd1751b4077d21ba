#include "suites/libero/placement.hpp"

#include <algorithm>
#include <cmath>

#include "harness/errors.hpp"

namespace gauntlet::suites::libero {

using namespace geo;

namespace {

constexpr int kTries = 64;
constexpr double kGap = 0.006;       // clearance wanted between footprints
constexpr double kLift = 0.0015;     // objects start this far above their surface
constexpr double kLowDrawer = 0.05;  // m: a drawer whose bottom is lower stands in objects' way
// Room kept beside an object that starts in a container (a drawer) for a
// gripper's open fingers to reach in.
constexpr double kReachMargin = 0.065;

struct Footprint {  // an oriented rectangle (fixtures) or a circle (hx = hy = radius, round)
  Vec3 c;
  double yaw = 0;
  double hx = 0, hy = 0;
  bool round = false;
  double level = 0;  // z of the surface it stands on
};

// Distance between a circle (p, r) and a footprint; negative when they overlap.
double clearance(const Footprint& f, const Vec3& p, double r) {
  if (f.round) return dist_xy(f.c, p) - f.hx - r;
  const double c = std::cos(-f.yaw), s = std::sin(-f.yaw);
  const double dx0 = p[0] - f.c[0], dy0 = p[1] - f.c[1];
  const double lx = c * dx0 - s * dy0, ly = s * dx0 + c * dy0;
  const double dx = std::max(std::abs(lx) - f.hx, 0.0), dy = std::max(std::abs(ly) - f.hy, 0.0);
  if (dx == 0 && dy == 0) return -std::min(f.hx - std::abs(lx), f.hy - std::abs(ly)) - r;
  return std::hypot(dx, dy) - r;
}

class Placer {
 public:
  Placer(const ResolvedScene& scene, const SceneIds& ids, const mj::MjSim& sim, Rng& rng)
      : scene_(scene), ids_(ids), sim_(sim), rng_(rng), eval_(scene, ids, sim) {}

  void run() {
    articulations();
    fixtures();
    mj_kinematics(sim_.model(), sim_.data());
    open_drawers();
    objects();
    update_glow(scene_, ids_, sim_);
  }

 private:
  void articulations() {
    for (std::size_t e = 0; e < scene_.entities.size(); ++e) {
      const ObjectModel& m = *scene_.entities[e].model;
      for (std::size_t a = 0; a < m.articulations.size(); ++a) {
        bool open = false;
        for (const Condition& c : scene_.init) {
          if (!c.is_placement() && c.subject == static_cast<int>(e) &&
              c.articulation == static_cast<int>(a)) {
            open = c.kind == PredicateKind::kOpen || c.kind == PredicateKind::kTurnOn;
          }
        }
        const Range& r = open ? m.articulations[a].init_open : m.articulations[a].init_closed;
        sim_.set_joint_pos(ids_.entities[e].joints[a], rng_.uniform(r.lo, r.hi));
      }
    }
  }

  void fixtures() {
    for (const Condition& c : scene_.init) {
      const Entity& e = scene_.entities[static_cast<std::size_t>(c.subject)];
      if (!c.is_placement() || !e.is_fixture()) continue;
      const Vec3 p = region_point(c.place.region);
      const double yaw = region_yaw(c.place.region);
      sim_.set_static_pose(ids_.entities[static_cast<std::size_t>(c.subject)].body,
                           {p[0], p[1], mj::kTableTop}, quat_from_yaw(yaw));
      for (const ObstacleBox& o : e.model->obstacles) {
        if (!o.part.empty()) continue;
        Footprint f;
        f.c = p + rotate(quat_from_yaw(yaw), o.center);
        f.yaw = yaw;
        f.hx = o.half[0];
        f.hy = o.half[1];
        f.level = mj::kTableTop;
        taken_.push_back(f);
      }
    }
  }

  // A drawer that starts pulled out low over the table (a bottom drawer)
  // takes its footprint there: an object drawn under its front or handle
  // would be shoved aside or tipped by it. Drawers higher up stand over the
  // objects, as LIBERO's do.
  void open_drawers() {
    for (std::size_t e = 0; e < scene_.entities.size(); ++e) {
      const ObjectModel& m = *scene_.entities[e].model;
      if (!m.fixture) continue;
      for (std::size_t a = 0; a < m.articulations.size(); ++a) {
        const ArticulationSpec& spec = m.articulations[a];
        if (spec.kind != ArticulationKind::kDrawer ||
            eval_.joint(static_cast<int>(e), static_cast<int>(a)) < spec.closed_at)
          continue;
        const Frame f = eval_.frame(static_cast<int>(e), spec.part);
        for (const ObstacleBox& o : m.obstacles) {
          const Vec3 c = to_world(f, o.center);
          if (o.part != spec.part || c[2] - o.half[2] > mj::kTableTop + kLowDrawer) continue;
          Footprint fp;
          fp.c = c;
          fp.yaw = yaw_of(f.quat);
          fp.hx = o.half[0];
          fp.hy = o.half[1];
          fp.level = mj::kTableTop;
          taken_.push_back(fp);
        }
      }
    }
  }

  void objects() {
    std::vector<bool> done(scene_.entities.size(), false);
    for (std::size_t e = 0; e < scene_.entities.size(); ++e) {
      if (scene_.entities[e].is_fixture()) done[e] = true;
    }
    poses_.assign(scene_.entities.size(), Frame{});
    for (std::size_t pass = 0; pass <= scene_.entities.size(); ++pass) {
      bool progress = false;
      for (const Condition& c : scene_.init) {
        const auto s = static_cast<std::size_t>(c.subject);
        if (!c.is_placement() || done[s]) continue;
        if (c.place.owner >= 0 && !done[static_cast<std::size_t>(c.place.owner)]) continue;
        place(c);
        done[s] = true;
        progress = true;
      }
      if (!progress) break;
    }
    for (std::size_t e = 0; e < scene_.entities.size(); ++e) {
      if (!done[e]) throw RuntimeFailure("could not place '" + scene_.entities[e].name + "'");
    }
  }

  // The frame of an owner: a placed object's pose, or a fixture's (part) body.
  Frame owner_frame(int owner, const std::string& part) const {
    const Entity& e = scene_.entities[static_cast<std::size_t>(owner)];
    if (!e.is_fixture()) {
      return poses_[static_cast<std::size_t>(owner)];  // objects have no parts
    }
    return eval_.frame(owner, part);
  }

  // A draw for best_of: uniform within +-(wx, wy) of `c`, in frame `f`.
  auto uniform_around(const Frame& f, const Vec3& c, double wx, double wy) {
    return [this, f, c, wx, wy] {
      return to_world(f, {c[0] + rng_.uniform(-wx, wx), c[1] + rng_.uniform(-wy, wy), c[2]});
    };
  }

  void place(const Condition& c) {
    const Entity& e = scene_.entities[static_cast<std::size_t>(c.subject)];
    const double r = e.model->radius;
    const Place& p = c.place;
    Vec3 pos{};
    double yaw = 0;
    if (p.kind == Place::Kind::kTableRegion) {
      pos = best_of([&] { return region_point(p.region); }, r, mj::kTableTop, nullptr);
      yaw = region_yaw(p.region);
    } else if (p.kind == Place::Kind::kSupport) {
      const Frame f = owner_frame(p.owner, p.support->part);
      const SupportSpec& s = *p.support;
      const double level = support_center(s, f)[2];
      const bool on_object = !scene_.entities[static_cast<std::size_t>(p.owner)].is_fixture();
      if (on_object) {
        pos = support_center(s, f);  // stacked on an object: centred, for stability
      } else {
        // LIBERO (bddl_base_domain.py, SiteRegionRandomSampler) draws an
        // object on a fixture's site within +-(size / 2 - r) of the site's
        // centre: the site's half extents halved, less the object's radius,
        // numpy's uniform taking the reversed range when the radius is the
        // larger. A bowl on the wooden cabinet so stays within a few cm of
        // the top's centre instead of anywhere on it (the far corner lies
        // beyond the Panda's fingers-down reach). The whole surface is the
        // fallback when that window has no room.
        const double hx = s.round ? s.half_x / std::sqrt(2.0) : s.half_x;
        const double hy = s.round ? s.half_x / std::sqrt(2.0) : s.half_y;
        bool fits = false;
        pos = best_of(uniform_around(f, s.center, std::abs(hx / 2 - r), std::abs(hy / 2 - r)), r,
                      level, nullptr, &fits);
        if (!fits) {
          pos = best_of(uniform_around(f, s.center, std::max(0.0, hx - r), std::max(0.0, hy - r)),
                        r, level, nullptr);
        }
      }
      pos[2] = level;
      yaw = yaw_of(f.quat);
    } else {
      const Frame f = owner_frame(p.owner, p.container->part);
      const ContainerSpec& k = *p.container;
      const double margin = std::max(r + kGap, kReachMargin);
      const double ax = std::max(0.0, k.half[0] - margin), ay = std::max(0.0, k.half[1] - margin);
      const Vec3 floor = container_floor_center(k, f);
      // A drawer's content starts in the part sticking out of the cabinet
      // when the drawer is open, so that it can be reached from above.
      const Frame* root = nullptr;
      Frame root_frame;
      if (!k.part.empty()) {
        root_frame = eval_.frame(p.owner);
        root = &root_frame;
      }
      // LIBERO (InSiteRegionRandomSampler, ranges (0, 0)) puts the object
      // at the region's centre. Here the centre when it has room (and, in a
      // drawer, lies outside the cabinet), else across the drawer's width
      // centred, else anywhere in the floor less the margin.
      const Footprint* outside = root ? &exposure(p.owner, *root, r) : nullptr;
      const Vec3 bottom{k.center[0], k.center[1], k.center[2] - k.half[2]};
      bool fits = false;
      pos = best_of(uniform_around(f, bottom, 0, 0), r, floor[2], outside, &fits);
      if (!fits) pos = best_of(uniform_around(f, bottom, 0, ay), r, floor[2], outside, &fits);
      if (!fits) pos = best_of(uniform_around(f, bottom, ax, ay), r, floor[2], outside);
      pos[2] = floor[2];
      yaw = yaw_of(f.quat);
    }
    const Frame placed{{pos[0], pos[1], pos[2] + kLift}, quat_from_yaw(yaw)};
    poses_[static_cast<std::size_t>(c.subject)] = placed;
    sim_.set_free_pose(ids_.entities[static_cast<std::size_t>(c.subject)].body, placed.pos,
                       placed.quat);
    taken_.push_back(Footprint{pos, 0, r, r, true, pos[2]});
  }

  // The owner's root footprint: a drawer's content must lie outside it.
  const Footprint& exposure(int owner, const Frame& root, double) {
    const ObjectModel& m = *scene_.entities[static_cast<std::size_t>(owner)].model;
    exposure_ = Footprint{root.pos, yaw_of(root.quat), m.half_x, m.half_y, false, 0};
    return exposure_;
  }

  // Draws candidates until one clears everything on the same level (and lies
  // outside `outside` when given); else the candidate with the most room,
  // saying so through `fits`.
  template <typename Draw>
  Vec3 best_of(Draw draw, double r, double level, const Footprint* outside, bool* fits = nullptr) {
    Vec3 best{};
    double best_room = -1e9;
    if (fits) *fits = true;
    for (int i = 0; i < kTries; ++i) {
      const Vec3 p = draw();
      double room = 1e9;
      for (const Footprint& f : taken_) {
        if (std::abs(f.level - level) < 0.03) room = std::min(room, clearance(f, p, r));
      }
      if (outside) room = std::min(room, clearance(*outside, p, 0.0) - r);
      if (room >= kGap) return p;
      if (room > best_room) {
        best_room = room;
        best = p;
      }
    }
    if (fits) *fits = false;
    return best;
  }

  Vec3 region_point(const SpecRegion* region) {
    if (!region || region->ranges.empty()) return {0, 0, mj::kTableTop};
    const auto& a = region->ranges[rng_.below(region->ranges.size())];
    return {rng_.uniform(a[0], a[2]), rng_.uniform(a[1], a[3]), mj::kTableTop};
  }

  double region_yaw(const SpecRegion* region) {
    if (!region || region->yaws.empty()) return 0.0;
    const Range& y = region->yaws[rng_.below(region->yaws.size())];
    return rng_.uniform(y.lo, y.hi);
  }

  const ResolvedScene& scene_;
  const SceneIds& ids_;
  const mj::MjSim& sim_;
  Rng& rng_;
  GoalEvaluator eval_;
  std::vector<Footprint> taken_;
  std::vector<Frame> poses_;
  Footprint exposure_;
};

}  // namespace

void place_initial_state(const ResolvedScene& scene, const SceneIds& ids, const mj::MjSim& sim,
                         Rng& rng) {
  Placer(scene, ids, sim, rng).run();
}

}  // namespace gauntlet::suites::libero
