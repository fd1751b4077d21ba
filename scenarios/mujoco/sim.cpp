#include "scenarios/mujoco/sim.hpp"

#include <string>

#include "harness/errors.hpp"

namespace gauntlet::mj {
namespace {

int lookup(const mjModel* m, mjtObj type, std::string_view name, const char* what) {
  const std::string n(name);
  const int id = mj_name2id(m, type, n.c_str());
  if (id < 0) throw RuntimeFailure(std::string("scene has no ") + what + " named '" + n + "'");
  return id;
}

}  // namespace

int MjSim::body(std::string_view name) const {
  return lookup(model_, mjOBJ_BODY, name, "body");
}
int MjSim::joint(std::string_view name) const {
  return lookup(model_, mjOBJ_JOINT, name, "joint");
}
int MjSim::geom(std::string_view name) const {
  return lookup(model_, mjOBJ_GEOM, name, "geom");
}
int MjSim::site(std::string_view name) const {
  return lookup(model_, mjOBJ_SITE, name, "site");
}
bool MjSim::has_body(std::string_view name) const {
  return mj_name2id(model_, mjOBJ_BODY, std::string(name).c_str()) >= 0;
}

geo::Vec3 MjSim::body_pos(int b) const {
  return {data_->xpos[3 * b], data_->xpos[3 * b + 1], data_->xpos[3 * b + 2]};
}
geo::Quat MjSim::body_quat(int b) const {
  return {data_->xquat[4 * b], data_->xquat[4 * b + 1], data_->xquat[4 * b + 2],
          data_->xquat[4 * b + 3]};
}
Pose MjSim::body_pose(int b) const {
  return Pose{body_pos(b), body_quat(b)};
}
geo::Vec3 MjSim::site_pos(int s) const {
  return {data_->site_xpos[3 * s], data_->site_xpos[3 * s + 1], data_->site_xpos[3 * s + 2]};
}
geo::Vec3 MjSim::geom_pos(int g) const {
  return {data_->geom_xpos[3 * g], data_->geom_xpos[3 * g + 1], data_->geom_xpos[3 * g + 2]};
}

geo::Vec3 MjSim::body_linear_velocity(int b) const {
  const int j = model_->body_jntadr[b];
  if (j < 0 || model_->jnt_type[j] != mjJNT_FREE) return {0, 0, 0};
  const int v = model_->jnt_dofadr[j];
  return {data_->qvel[v], data_->qvel[v + 1], data_->qvel[v + 2]};
}

void MjSim::set_free_pose(int b, const geo::Vec3& pos, const geo::Quat& quat) const {
  const int j = model_->body_jntadr[b];
  if (j < 0 || model_->jnt_type[j] != mjJNT_FREE) {
    throw RuntimeFailure(std::string("body '") + mj_id2name(model_, mjOBJ_BODY, b) +
                         "' has no free joint to place it with");
  }
  const int q = model_->jnt_qposadr[j];
  for (int i = 0; i < 3; ++i) data_->qpos[q + i] = pos[static_cast<std::size_t>(i)];
  for (int i = 0; i < 4; ++i) data_->qpos[q + 3 + i] = quat[static_cast<std::size_t>(i)];
  const int v = model_->jnt_dofadr[j];
  for (int i = 0; i < 6; ++i) data_->qvel[v + i] = 0.0;
}

void MjSim::set_static_pose(int b, const geo::Vec3& pos, const geo::Quat& quat) const {
  if (model_->body_jntnum[b] != 0 || model_->body_parentid[b] != 0) {
    throw RuntimeFailure(std::string("body '") + mj_id2name(model_, mjOBJ_BODY, b) +
                         "' is not a fixture on the worldbody");
  }
  for (int i = 0; i < 3; ++i) model_->body_pos[3 * b + i] = pos[static_cast<std::size_t>(i)];
  for (int i = 0; i < 4; ++i) model_->body_quat[4 * b + i] = quat[static_cast<std::size_t>(i)];
}

double MjSim::joint_pos(int j) const {
  return data_->qpos[model_->jnt_qposadr[j]];
}
void MjSim::set_joint_pos(int j, double value) const {
  data_->qpos[model_->jnt_qposadr[j]] = value;
}

bool MjSim::bodies_touch(int a, int b) const {
  for (int i = 0; i < data_->ncon; ++i) {
    const mjContact& c = data_->contact[i];
    const int ba = model_->geom_bodyid[c.geom1];
    const int bb = model_->geom_bodyid[c.geom2];
    if ((ba == a && bb == b) || (ba == b && bb == a)) return true;
  }
  return false;
}

}  // namespace gauntlet::mj
