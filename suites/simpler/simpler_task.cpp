// The `simpler` task family: SimplerEnv's Google-robot and WidowX tasks on
// fixed tables of layouts (episode i uses layout i mod N and arm colouring
// (i mod N + i / N) mod C, as SimplerEnv's grids and URDF recolourings), geometric
// success predicates, and an optional visual-matching overlay per layout.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "harness/errors.hpp"
#include "scenarios/mujoco/robot.hpp"
#include "scenarios/render/overlay.hpp"
#include "suites/simpler/expert.hpp"
#include "suites/simpler/families.hpp"
#include "suites/simpler/simpler_scene.hpp"

namespace gauntlet::suites::simpler {
namespace {

using namespace geo;

constexpr double kPi = 3.14159265358979323846;

struct Placement {
  Vec3 pose{};  // x, y, yaw
  bool shown = true;
};

struct Layout {
  std::vector<Placement> objects;  // one per spec.objects
  Vec3 cabinet{};                  // x, y, yaw
  int subject = 0;                 // move near: A and B
  int target = 1;
  std::size_t overlay = 0;  // index into the task's overlays
};

// Close tasks start with the drawer this far open (m).
constexpr double kCloseStart = 0.20;

// Memory slots: initial xy of up to 6 objects.
constexpr std::size_t kInitialXY = 0;

class SimplerTask final : public mj::MjTask {
 public:
  SimplerTask(TaskInfo info, TaskSpec spec, std::vector<Layout> layouts,
              std::vector<mj::Rgba> arm_colors, std::vector<std::shared_ptr<const Image>> overlays)
      : MjTask(std::move(info)),
        spec_(std::move(spec)),
        layouts_(std::move(layouts)),
        arm_colors_(std::move(arm_colors)),
        overlays_(std::move(overlays)) {}

  const Layout& layout(int episode) const {
    return layouts_[static_cast<std::size_t>(episode) % layouts_.size()];
  }

  void build(mj::SceneBuilder& scene) const override {
    for (std::size_t i = 0; i < spec_.objects.size(); ++i) {
      const Rest rest = spec_.kind == Kind::kPick ? spec_.rest : default_rest(spec_.object(i));
      add_catalog_object(scene, spec_.objects[i], spec_.object(i), rest);
    }
    if (spec_.kind == Kind::kDrawer || spec_.kind == Kind::kDrawerPlace) add_cabinet(scene);
  }

  static Rest default_rest(const CatalogObject& o) {
    return o.shape == ObjectShape::kCapsule ? Rest::kLying : Rest::kUpright;
  }
  Rest rest_of(std::size_t i) const {
    return spec_.kind == Kind::kPick ? spec_.rest : default_rest(spec_.object(i));
  }

  void initialize(const mj::MjSim& sim, Rng& rng, mj::TaskMemory& memory) const override {
    EpisodeSpec spec;
    initialize_episode(sim, spec, rng, memory);
  }

  void initialize_episode(const mj::MjSim& sim, const EpisodeSpec& episode, Rng& /*rng*/,
                          mj::TaskMemory& memory) const override {
    const Layout& l = layout(episode.episode_index);
    double cabinet_top = 0.0;
    if (spec_.kind == Kind::kDrawer || spec_.kind == Kind::kDrawerPlace) {
      sim.set_static_pose(sim.body("cabinet"), {l.cabinet[0], l.cabinet[1], 0},
                          quat_from_yaw(l.cabinet[2]));
      for (int k = 0; k < 3; ++k) {
        const bool open_start = spec_.kind == Kind::kDrawer && !spec_.open && k == spec_.level;
        sim.set_joint_pos(sim.joint(cabinet::slide_joint(k)), open_start ? kCloseStart : 0.0);
      }
      cabinet_top = cabinet::kHeight;
    }
    for (std::size_t i = 0; i < spec_.objects.size(); ++i) {
      const Placement& p = l.objects[i];
      const CatalogObject& o = spec_.object(i);
      Vec3 at{p.pose[0], p.pose[1], cabinet_top + rest_height(o, rest_of(i)) + 0.002};
      Vec3 world = at;
      if (spec_.kind == Kind::kDrawerPlace) {
        // On the cabinet's top, in the cabinet's frame.
        const Quat q = quat_from_yaw(l.cabinet[2]);
        world = Vec3{l.cabinet[0], l.cabinet[1], 0} + rotate(q, at);
      }
      if (!p.shown)
        world = {2.0 + 0.3 * static_cast<double>(i), 3.0, -0.8 + rest_height(o, rest_of(i))};
      if (is_fixed(o))
        sim.set_static_pose(sim.body(spec_.objects[i]), world, quat_from_yaw(p.pose[2]));
      else
        sim.set_free_pose(sim.body(spec_.objects[i]), world, quat_from_yaw(p.pose[2]));
      if (i < 6) {
        memory.values[kInitialXY + 2 * i] = world[0];
        memory.values[kInitialXY + 2 * i + 1] = world[1];
      }
    }
    memory.values[12] = l.subject;
    memory.values[13] = l.target;
    // SimplerEnv averages over recoloured arms: colouring (i mod N + i / N) mod C,
    // so that any N consecutive episodes cycle through the colourings and
    // N * C episodes give every layout every colouring once.
    if (!arm_colors_.empty()) {
      const auto i = static_cast<std::size_t>(episode.episode_index);
      const auto c = (i % layouts_.size() + i / layouts_.size()) % arm_colors_.size();
      const mj::Rgba& rgba = arm_colors_[c];
      mjModel* m = sim.model();
      for (int g = 0; g < m->ngeom; ++g) {
        const char* body = mj_id2name(m, mjOBJ_BODY, m->geom_bodyid[g]);
        if (body && std::string_view(body).starts_with("robot_link_") &&
            m->geom_type[g] == mjGEOM_CAPSULE) {
          for (int k = 0; k < 4; ++k)
            m->geom_rgba[4 * g + k] = static_cast<float>(rgba[static_cast<std::size_t>(k)]);
        }
      }
    }
  }

  std::string instruction(const EpisodeSpec& episode) const override {
    if (spec_.kind != Kind::kMoveNear) return info().instruction;
    const Layout& l = layout(episode.episode_index);
    return "move " + spec_.object(static_cast<std::size_t>(l.subject)).display + " near " +
           spec_.object(static_cast<std::size_t>(l.target)).display;
  }

  const Image* overlay(const EpisodeSpec& episode) const override {
    if (overlays_.empty()) return nullptr;
    const Layout& l = layout(episode.episode_index);
    return overlays_[l.overlay % overlays_.size()].get();
  }

  bool touched(const mj::MjSim& sim, int body, bool both) const {
    const bool left = sim.bodies_touch(body, sim.body(mj::robot::kLeftFinger));
    const bool right = sim.bodies_touch(body, sim.body(mj::robot::kRightFinger));
    return both ? (left && right) : (left || right);
  }

  mj::TaskStatus evaluate(const mj::MjSim& sim, mj::TaskMemory& memory) const override {
    mj::TaskStatus status;
    const Vec3 tcp = sim.body_pos(sim.body(mj::robot::kBody));
    switch (spec_.kind) {
      case Kind::kPick: {
        const int b = sim.body(spec_.objects[0]);
        const Vec3 p = sim.body_pos(b);
        const bool grasped = touched(sim, b, true);
        const double rise = p[2] - rest_height(spec_.object(0), spec_.rest);
        status.success = grasped && rise > 0.02;
        status.progress = grasped ? 0.5 + std::clamp(rise / 0.04, 0.0, 0.5)
                                  : 0.4 * std::clamp(1.0 - norm(tcp - p) / 0.3, 0.0, 1.0);
        break;
      }
      case Kind::kMoveNear: {
        // The episode's A and B, recorded by initialize_episode(). SimplerEnv's
        // predicate: A moved more than 3 cm and more than any other object (a
        // neighbour nudged less than A is not the wrong object), A ends near B
        // and closer to B than any other object; here A must also be let go
        // and back on the table.
        const int a = static_cast<int>(memory.values[12]);
        const int t = static_cast<int>(memory.values[13]);
        const int ab = sim.body(spec_.objects[static_cast<std::size_t>(a)]);
        const Vec3 pa = sim.body_pos(ab);
        const Vec3 pt = sim.body_pos(sim.body(spec_.objects[static_cast<std::size_t>(t)]));
        const auto moved = [&](std::size_t i, const Vec3& p) {
          return std::hypot(p[0] - memory.values[kInitialXY + 2 * i],
                            p[1] - memory.values[kInitialXY + 2 * i + 1]);
        };
        const double moved_a = moved(static_cast<std::size_t>(a), pa);
        const double d = dist_xy(pa, pt);
        bool wrong = false;
        bool closest = true;
        for (std::size_t i = 0; i < spec_.objects.size() && i < 6; ++i) {
          if (static_cast<int>(i) == a) continue;
          const Vec3 p = sim.body_pos(sim.body(spec_.objects[i]));
          if (p[2] < -0.5) continue;  // off stage
          const double m = moved(i, p);
          if (m > 0.03 && m >= moved_a) wrong = true;
          if (static_cast<int>(i) != t && dist_xy(p, pt) < d) closest = false;
        }
        const bool released = !touched(sim, ab, false);
        status.success =
            moved_a > 0.03 && !wrong && d < spec_.near && closest && released && pa[2] < 0.1;
        const double d0 = std::max(
            std::hypot(memory.values[kInitialXY + 2 * static_cast<std::size_t>(a)] - pt[0],
                       memory.values[kInitialXY + 2 * static_cast<std::size_t>(a) + 1] - pt[1]),
            1e-6);
        status.progress = std::clamp(1.0 - d / d0, 0.0, 0.95);
        break;
      }
      case Kind::kDrawer: {
        const double q = sim.joint_pos(sim.joint(cabinet::slide_joint(spec_.level)));
        status.success = spec_.open ? q >= spec_.open_at : q <= spec_.closed_at;
        status.progress =
            spec_.open ? std::clamp(q / spec_.open_at, 0.0, 0.95)
                       : std::clamp((kCloseStart - q) / (kCloseStart - spec_.closed_at), 0.0, 0.95);
        break;
      }
      case Kind::kDrawerPlace: {
        const int b = sim.body(spec_.objects[0]);
        const Vec3 p = sim.body_pos(b);
        const int d = sim.body(cabinet::drawer_body(spec_.level));
        const Pose dp = sim.body_pose(d);
        const Vec3 local = rotate(quat_conj(dp.quat), p - dp.pos);
        const bool inside = local[0] > 0.015 && local[0] < cabinet::kDrawerDepth &&
                            std::abs(local[1]) < cabinet::kWidth / 2 - 0.035 && local[2] > -0.06 &&
                            local[2] < 0.05;
        const double q = sim.joint_pos(sim.joint(cabinet::slide_joint(spec_.level)));
        status.success = inside && !touched(sim, b, false);
        status.progress = inside ? 0.9 : 0.5 * std::clamp(q / spec_.open_at, 0.0, 1.0);
        break;
      }
      case Kind::kPlaceOn: {
        const int b = sim.body(spec_.objects[0]);
        const Vec3 p = sim.body_pos(b);
        const CatalogObject& t = *find_object(spec_.target);
        const Vec3 tp = sim.body_pos(sim.body(spec_.target));
        const double bottom = p[2] - rest_height(spec_.object(0), Rest::kLying);
        bool on = false;
        if (t.shape == ObjectShape::kBasket) {
          on = std::abs(p[0] - tp[0]) < t.size[0] - 0.01 &&
               std::abs(p[1] - tp[1]) < t.size[1] - 0.01 &&
               p[2] < tp[2] + top_height(t, Rest::kUpright);
        } else {
          const double top = tp[2] + rest_height(t, Rest::kUpright);
          const double tol = std::max(support_half(t) - 0.005, 0.018);
          on = dist_xy(p, tp) < tol && bottom > top - 0.012 && bottom < top + 0.03;
        }
        status.success = on && !touched(sim, b, false);
        const double d0 =
            std::max(std::hypot(memory.values[0] - tp[0], memory.values[1] - tp[1]), 1e-6);
        status.progress = std::clamp(1.0 - dist_xy(p, tp) / d0, 0.0, 0.95);
        break;
      }
    }
    if (status.success) status.progress = 1.0;
    return status;
  }

  std::unique_ptr<Expert> make_expert() const override { return simpler::make_expert(spec_, 3); }

  std::vector<std::string> privileged_bodies() const override {
    std::vector<std::string> b = spec_.objects;
    if (spec_.kind == Kind::kDrawer || spec_.kind == Kind::kDrawerPlace) {
      b.push_back("cabinet");
      for (int k = 0; k < 3; ++k) b.push_back(cabinet::drawer_body(k));
    }
    return b;
  }
  std::vector<std::string> privileged_joints() const override {
    if (spec_.kind != Kind::kDrawer && spec_.kind != Kind::kDrawerPlace) return {};
    return {cabinet::slide_joint(0), cabinet::slide_joint(1), cabinet::slide_joint(2)};
  }
  std::string code_version() const override { return "simpler/3"; }

  const std::vector<Layout>& layouts() const { return layouts_; }

 private:
  TaskSpec spec_;
  std::vector<Layout> layouts_;
  std::vector<mj::Rgba> arm_colors_;
  std::vector<std::shared_ptr<const Image>> overlays_;
};

std::vector<double> linspace(double lo, double hi, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(n == 1 ? lo : lo + (hi - lo) * i / (n - 1));
  return v;
}

// {x: [lo, hi, n], y: [lo, hi, n]}: SimplerEnv's obj-init grids.
std::vector<std::array<double, 2>> read_grid(const YamlFields& g) {
  g.only_keys({"x", "y"});
  const auto x = g.numbers("x", 3);
  const auto y = g.numbers("y", 3);
  const int nx = static_cast<int>(x[2]);
  const int ny = static_cast<int>(y[2]);
  if (nx < 1 || ny < 1 || nx > 50 || ny > 50 || x[2] != nx || y[2] != ny)
    g.fail("grid counts must be whole numbers in 1..50");
  std::vector<std::array<double, 2>> out;
  for (double xv : linspace(x[0], x[1], nx)) {
    for (double yv : linspace(y[0], y[1], ny)) out.push_back({xv, yv});
  }
  return out;
}

std::vector<Vec3> read_poses(const YamlFields& t, const std::string& key) {
  const YAML::Node list = t.node()[key];
  if (!list || !list.IsSequence() || list.size() == 0)
    t.fail_at(list, key, "expected a list of [x, y, yaw] poses");
  std::vector<Vec3> out;
  for (const auto& item : list) {
    if (!item.IsSequence() || item.size() != 3) t.fail_at(item, key, "expected [x, y, yaw]");
    out.push_back({item[0].as<double>(), item[1].as<double>(), item[2].as<double>()});
  }
  return out;
}

std::vector<std::shared_ptr<const Image>> read_overlays(const YamlFields& t) {
  std::vector<std::string> names;
  if (t.has("overlay")) names.push_back(t.string("overlay"));
  if (t.has("overlays")) {
    for (const auto& n : t.strings("overlays")) names.push_back(n);
  }
  std::vector<std::shared_ptr<const Image>> out;
  for (const auto& n : names) {
    try {
      out.push_back(render::load_overlay(n));
    } catch (const InputError& e) {
      t.fail(std::string("overlay: ") + e.what());
    }
  }
  return out;
}

std::shared_ptr<const mj::MjTask> make_task(const YamlFields& t, TaskInfo info) {
  t.only_keys({"id",         "family",      "instruction",   "max_steps",  "kind",
               "objects",    "object",      "target",        "rest",       "yaw",
               "grid",       "center",      "spacing",       "half_edge",  "yaws",
               "level",      "open",        "cabinet_poses", "overlay",    "overlays",
               "arm_colors", "object_grid", "target_at",     "half_edges", "episodes"});
  TaskSpec spec;
  const std::string kind = t.string("kind");
  static const std::map<std::string, Kind> kinds{{"pick", Kind::kPick},
                                                 {"move_near", Kind::kMoveNear},
                                                 {"drawer", Kind::kDrawer},
                                                 {"drawer_place", Kind::kDrawerPlace},
                                                 {"place_on", Kind::kPlaceOn}};
  const auto k = kinds.find(kind);
  if (k == kinds.end())
    t.fail_at(
        t.node()["kind"], "kind",
        "unknown kind '" + kind + "'; expected: pick, move_near, drawer, drawer_place, place_on");
  spec.kind = k->second;
  auto object = [&](const std::string& key, const std::string& name) {
    if (!find_object(name))
      t.fail_at(t.node()[key], key,
                "unknown object '" + name + "'; expected one of: " + join_names(object_names()));
    return name;
  };
  if (t.has("objects")) {
    for (const auto& n : t.strings("objects")) spec.objects.push_back(object("objects", n));
  } else if (t.has("object")) {
    spec.objects.push_back(object("object", t.string("object")));
  }
  if (spec.objects.empty()) t.fail("a task needs `object` or `objects`");
  std::set<std::string> unique(spec.objects.begin(), spec.objects.end());
  if (unique.size() != spec.objects.size()) t.fail("objects must be distinct");
  std::vector<Layout> layouts;
  switch (spec.kind) {
    case Kind::kPick: {
      const std::string rest = t.string_or("rest", "upright");
      if (rest != "upright" && rest != "lying") t.fail("rest must be upright or lying");
      spec.rest = rest == "upright" ? Rest::kUpright : Rest::kLying;
      const double yaw = t.number_or("yaw", 0.0);
      for (const auto& xy : read_grid(t.child("grid"))) {
        Layout l;
        l.objects.push_back({{xy[0], xy[1], yaw}, true});
        layouts.push_back(l);
      }
      break;
    }
    case Kind::kMoveNear: {
      if (spec.objects.size() < 3 || spec.objects.size() > 6)
        t.fail("move_near needs 3..6 objects");
      const auto c = t.numbers("center", 2);
      const double r = t.number_in("spacing", 0.13, 0.08, 0.3, "[0.08, 0.3] m");
      const std::size_t n = spec.objects.size();
      // Every triplet, two triangle orientations, three (A, B) pairs.
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
          for (std::size_t m = j + 1; m < n; ++m) {
            for (int orient = 0; orient < 2; ++orient) {
              for (int role = 0; role < 3; ++role) {
                Layout l;
                l.objects.assign(n, Placement{{0, 0, 0}, false});
                const std::array<std::size_t, 3> tri{i, j, m};
                for (int v = 0; v < 3; ++v) {
                  const double ang = orient * kPi / 3 + v * 2 * kPi / 3 + kPi / 2;
                  l.objects[tri[static_cast<std::size_t>(v)]] = {
                      {c[0] + r * std::cos(ang), c[1] + r * std::sin(ang), 0.3 * v}, true};
                }
                l.subject = static_cast<int>(tri[static_cast<std::size_t>(role)]);
                l.target = static_cast<int>(tri[static_cast<std::size_t>((role + 1) % 3)]);
                layouts.push_back(l);
              }
            }
          }
        }
      }
      spec.near = 0.11;
      break;
    }
    case Kind::kDrawer:
    case Kind::kDrawerPlace: {
      const std::string level = t.string_or("level", "top");
      spec.level = cabinet::level_index(level);
      if (spec.level < 0) t.fail("level must be bottom, middle or top");
      spec.open = t.string_or("open", "true") == "true";
      const auto poses = read_poses(t, "cabinet_poses");
      std::vector<std::array<double, 2>> grid{{0.0, 0.0}};
      if (spec.kind == Kind::kDrawerPlace) grid = read_grid(t.child("grid"));
      for (std::size_t p = 0; p < poses.size(); ++p) {
        for (const auto& xy : grid) {
          Layout l;
          l.cabinet = poses[p];
          l.overlay = p;
          // Drawer tasks list no object to move: the apple waits off stage.
          for (std::size_t o = 0; o < spec.objects.size(); ++o)
            l.objects.push_back({{xy[0], xy[1], 0}, spec.kind == Kind::kDrawerPlace});
          layouts.push_back(l);
        }
      }
      break;
    }
    case Kind::kPlaceOn: {
      spec.target = object("target", t.string("target"));
      if (spec.objects.size() != 1) t.fail("place_on moves one `object`");
      spec.objects.push_back(spec.target);
      const std::vector<double> yaws =
          t.has("yaws") ? t.numbers("yaws", 0) : std::vector<double>{0.0, kPi / 2};
      if (yaws.empty() || yaws.size() > 8) t.fail("yaws must list 1..8 angles (rad)");
      // SimplerEnv's order: episode i takes position pair i / |yaws| and yaw i mod |yaws|.
      std::vector<std::array<std::array<double, 2>, 2>> pairs;
      if (t.has("object_grid")) {
        // The sink scene: the object on a small grid, the target fixed.
        const auto at = t.numbers("target_at", 2);
        for (const auto& xy : read_grid(t.child("object_grid")))
          pairs.push_back({{{xy[0], xy[1]}, {at[0], at[1]}}});
      } else {
        // The table scenes: ordered pairs of the corners of squares about
        // `center`, listed as SimplerEnv lists them (its robot faces -x, so
        // its corner (-h, -h) is our (+h, +h)).
        const auto c = t.numbers("center", 2);
        const std::vector<double> halves =
            t.has("half_edges")
                ? t.numbers("half_edges", 0)
                : std::vector<double>{t.number_in("half_edge", 0.075, 0.03, 0.2, "[0.03, 0.2] m")};
        if (halves.empty() || halves.size() > 4) t.fail("half_edges must list 1..4 lengths (m)");
        for (const double h : halves) {
          if (h < 0.03 || h > 0.2) t.fail("half_edges must lie in [0.03, 0.2] m");
          const std::array<std::array<double, 2>, 4> corners{{{c[0] + h, c[1] + h},
                                                              {c[0] + h, c[1] - h},
                                                              {c[0] - h, c[1] + h},
                                                              {c[0] - h, c[1] - h}}};
          for (std::size_t a = 0; a < 4; ++a) {
            for (std::size_t b = 0; b < 4; ++b) {
              if (a != b) pairs.push_back({corners[a], corners[b]});
            }
          }
        }
      }
      for (const auto& pair : pairs) {
        for (const double yaw : yaws) {
          Layout l;
          l.objects.push_back({{pair[0][0], pair[0][1], yaw}, true});
          l.objects.push_back({{pair[1][0], pair[1][1], 0.0}, true});
          layouts.push_back(l);
        }
      }
      break;
    }
  }
  std::vector<mj::Rgba> colors;
  if (t.has("arm_colors")) {
    const YAML::Node list = t.node()["arm_colors"];
    for (const auto& c : list) {
      if (!c.IsSequence() || c.size() != 3)
        t.fail_at(c, "arm_colors", "expected [r, g, b] in 0..1");
      colors.push_back({c[0].as<double>(), c[1].as<double>(), c[2].as<double>(), 1.0});
    }
  }
  auto task = std::make_shared<SimplerTask>(std::move(info), std::move(spec), std::move(layouts),
                                            std::move(colors), read_overlays(t));
  return task;
}

}  // namespace

TaskFamily simpler_family() {
  TaskFamily f;
  f.name = "simpler";
  f.code_version = "simpler/3";
  f.make = make_task;
  return f;
}

}  // namespace gauntlet::suites::simpler
