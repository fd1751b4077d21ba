#include "scenarios/perturb/placement.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "scenarios/perturb/levels.hpp"
#include "scenarios/perturb/streams.hpp"

namespace gauntlet::perturb {

using namespace geo;  // Vec3 arithmetic
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kOverlapMargin = 0.02;  // m between footprints of displaced objects
constexpr int kCandidates = 16;          // directions tried per object

bool in_subtree(const mjModel* m, int body, int root) {
  for (int b = body; b > 0; b = m->body_parentid[b]) {
    if (b == root) return true;
  }
  return root == 0;
}

bool has_free_joint(const mjModel* m, int body) {
  return m->body_jntnum[body] >= 1 && m->jnt_type[m->body_jntadr[body]] == mjJNT_FREE;
}

}  // namespace

std::vector<int> task_bodies(const mj::MjSim& sim, const mj::MjTask& task) {
  const mjModel* m = sim.model();
  std::vector<int> roots;
  for (const auto& name : task.privileged_bodies()) roots.push_back(sim.body(name));
  std::vector<int> out;
  for (int b = 1; b < m->nbody; ++b) {
    if (std::any_of(roots.begin(), roots.end(), [&](int r) { return in_subtree(m, b, r); })) {
      out.push_back(b);
    }
  }
  return out;
}

std::vector<int> task_root_bodies(const mj::MjSim& sim, const mj::MjTask& task) {
  const mjModel* m = sim.model();
  std::vector<int> out;
  for (const auto& name : task.privileged_bodies()) {
    const int b = sim.body(name);
    const bool movable = has_free_joint(m, b) || m->body_jntnum[b] == 0;
    if (m->body_parentid[b] == 0 && movable && std::find(out.begin(), out.end(), b) == out.end()) {
      out.push_back(b);
    }
  }
  return out;
}

double footprint_radius(const mj::MjSim& sim, int body) {
  const mjModel* m = sim.model();
  const mjData* d = sim.data();
  const Vec3 origin = sim.body_pos(body);
  double r = 0.0;
  for (int g = 0; g < m->ngeom; ++g) {
    if (!in_subtree(m, m->geom_bodyid[g], body)) continue;
    const Vec3 c{d->geom_xpos[3 * g], d->geom_xpos[3 * g + 1], d->geom_xpos[3 * g + 2]};
    r = std::max(r, dist_xy(c, origin) + m->geom_rbound[g]);
  }
  return r;
}

bool displace_layout(const mj::MjSim& sim, const mj::MjTask& task, int level, Rng& rng) {
  const LayoutLevel p = layout_level(level);
  const std::vector<int> roots = task_root_bodies(sim, task);
  struct Item {
    int body;
    Vec3 pos;
    double radius;
    double u, yaw;
    std::array<double, kCandidates> angle;
  };
  std::vector<Item> items;
  for (const int b : roots) {
    Item it{
        b, sim.body_pos(b), footprint_radius(sim, b), draw_fraction(rng), draw_signed_fraction(rng),
        {}};
    for (auto& a : it.angle) a = rng.uniform(0.0, 2.0 * std::numbers::pi);
    items.push_back(it);
  }
  const TableArea area;
  mjModel* m = sim.model();
  mjData* d = sim.data();
  bool edited = false;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Item& it = items[i];
    const double distance = p.displacement_m * it.u;
    for (const double a : it.angle) {
      const Vec3 candidate = it.pos + distance * Vec3{std::cos(a), std::sin(a), 0};
      if (!area.contains(candidate[0], candidate[1], it.radius)) continue;
      // Others: already moved ones where they went, the rest where they are.
      const bool clear = std::all_of(items.begin(), items.end(), [&](const Item& o) {
        return &o == &it || dist_xy(candidate, o.pos) >= it.radius + o.radius + kOverlapMargin;
      });
      if (!clear) continue;
      it.pos = candidate;
      break;
    }
    const Quat turn = quat_from_yaw(p.yaw_deg * kDeg * it.yaw);
    if (has_free_joint(m, it.body)) {
      const int q = m->jnt_qposadr[m->body_jntadr[it.body]];
      const Quat old{d->qpos[q + 3], d->qpos[q + 4], d->qpos[q + 5], d->qpos[q + 6]};
      sim.set_free_pose(it.body, {it.pos[0], it.pos[1], d->qpos[q + 2]},
                        quat_normalize(quat_mul(turn, old)));
    } else {
      // Fixtures move but keep their orientation: a task may assume it (the
      // push task checks its goal square axis-aligned).
      const Quat kept{m->body_quat[4 * it.body], m->body_quat[4 * it.body + 1],
                      m->body_quat[4 * it.body + 2], m->body_quat[4 * it.body + 3]};
      sim.set_static_pose(it.body, {it.pos[0], it.pos[1], m->body_pos[3 * it.body + 2]}, kept);
      edited = true;
    }
  }
  return edited;
}

namespace {
constexpr std::size_t kMaxArmJoints = 9;
}

void perturb_gripper_start(mj::GripperStart& start, int level, Rng& rng) {
  const RobotInitLevel p = robot_init_level(level);
  const double u = draw_fraction(rng), heading = rng.uniform(0.0, 2.0 * std::numbers::pi),
               rise = rng.uniform(-0.6, 0.6);
  const double yaw = draw_signed_fraction(rng);
  const double tilt = draw_fraction(rng), tilt_axis = rng.uniform(0.0, 2.0 * std::numbers::pi);
  const double closed = draw_fraction(rng);
  Vec3 dir{std::cos(heading), std::sin(heading), rise};
  dir = (1.0 / norm(dir)) * dir;
  Vec3 pos = start.pos + (p.offset_m * u) * dir;
  // Reachable, and high enough to clear every object and fixture on the table.
  pos = {std::clamp(pos[0], -0.40, 0.40), std::clamp(pos[1], -0.50, 0.50),
         std::clamp(pos[2], 0.17, 0.42)};
  start.pos = pos;
  const Quat tilt_q = quat_from_rotvec((p.tilt_deg * kDeg * tilt) *
                                       Vec3{std::cos(tilt_axis), std::sin(tilt_axis), 0});
  start.quat =
      quat_normalize(quat_mul(tilt_q, quat_mul(quat_from_yaw(p.yaw_deg * kDeg * yaw), start.quat)));
  start.command = std::clamp(start.command + 2.0 * p.closed_frac * closed, -1.0, 1.0);
  // Arms also start off their solved posture, joint by joint (drawn after the
  // pose, so the floating gripper's perturbed starts are unchanged).
  start.joint_offsets.resize(kMaxArmJoints);
  for (double& q : start.joint_offsets) q = p.joint_rad * draw_signed_fraction(rng);
}

void perturb_dynamics(const mj::MjSim& sim, const mj::MjTask& task, int level, Rng& rng) {
  const DynamicsLevel p = dynamics_level(level);
  const double friction = std::exp(p.friction_log * draw_signed_fraction(rng));
  const double mass = std::exp(p.mass_log * draw_signed_fraction(rng));
  const double damping = std::exp(p.damping_log * draw_fraction(rng));
  mjModel* m = sim.model();
  // MuJoCo takes the larger friction of two touching geoms: scaling only the
  // objects' would leave a slippery object gripped by grippy pads unchanged.
  for (int g = 0; g < m->ngeom; ++g) {
    for (int k = 0; k < 3; ++k) m->geom_friction[3 * g + k] *= friction;
  }
  for (const int b : task_bodies(sim, task)) {
    m->body_mass[b] *= mass;
    for (int k = 0; k < 3; ++k) m->body_inertia[3 * b + k] *= mass;
  }
  for (int j = 0; j < m->njnt; ++j) {
    if (m->jnt_type[j] == mjJNT_HINGE || m->jnt_type[j] == mjJNT_SLIDE) {
      m->dof_damping[m->jnt_dofadr[j]] *= damping;
    }
  }
  mj_setConst(m, sim.data());  // masses feed the constraint solver's scaling
}

}  // namespace gauntlet::perturb
