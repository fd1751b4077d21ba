#include "scenarios/mujoco/sim_state.hpp"

#include <algorithm>

#include "harness/errors.hpp"
#include "scenarios/mujoco/mujoco_env.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"

namespace gauntlet::mj {
namespace {

const MujocoEnv& mujoco_env(const Env& env) {
  const auto* e = dynamic_cast<const MujocoEnv*>(&env);
  if (!e || !e->model() || !e->data()) {
    throw RuntimeFailure("simulator state: not a MuJoCo environment with a running episode");
  }
  return *e;
}

}  // namespace

int state_size(const mjModel* m) {
  return 1 + m->nq + m->nv + m->na + 3 * m->nmocap + 4 * m->nmocap + m->nu;
}

std::vector<double> flatten_state(const mjModel* m, const mjData* d) {
  std::vector<double> s;
  s.reserve(static_cast<std::size_t>(state_size(m)));
  s.push_back(d->time);
  s.insert(s.end(), d->qpos, d->qpos + m->nq);
  s.insert(s.end(), d->qvel, d->qvel + m->nv);
  s.insert(s.end(), d->act, d->act + m->na);
  s.insert(s.end(), d->mocap_pos, d->mocap_pos + 3 * m->nmocap);
  s.insert(s.end(), d->mocap_quat, d->mocap_quat + 4 * m->nmocap);
  s.insert(s.end(), d->ctrl, d->ctrl + m->nu);
  return s;
}

void unflatten_state(const mjModel* m, mjData* d, std::span<const double> s) {
  if (static_cast<int>(s.size()) != state_size(m)) {
    throw InputError("simulator state has " + std::to_string(s.size()) +
                     " numbers; the scene's model needs " + std::to_string(state_size(m)));
  }
  const double* p = s.data();
  const auto take = [&p](double* dst, int n) {
    std::copy(p, p + n, dst);
    p += n;
  };
  d->time = *p++;
  take(d->qpos, m->nq);
  take(d->qvel, m->nv);
  take(d->act, m->na);
  take(d->mocap_pos, 3 * m->nmocap);
  take(d->mocap_quat, 4 * m->nmocap);
  take(d->ctrl, m->nu);
  mj_forward(m, d);
}

std::vector<double> MujocoStates::save(const Env& env) const {
  const MujocoEnv& e = mujoco_env(env);
  return flatten_state(e.model(), e.data());
}

void MujocoStates::restore(Env& env, std::span<const double> state) const {
  const MujocoEnv& e = mujoco_env(env);
  unflatten_state(e.model(), e.data(), state);
}

std::string MujocoStates::model_file(int task_index) const {
  return suite_.scene_xml(task_index);
}

std::string MujocoStates::layout(int task_index) const {
  const mjModel* m = suite_.model(task_index);
  return "time:1,qpos:" + std::to_string(m->nq) + ",qvel:" + std::to_string(m->nv) +
         ",act:" + std::to_string(m->na) + ",mocap_pos:" + std::to_string(3 * m->nmocap) +
         ",mocap_quat:" + std::to_string(4 * m->nmocap) + ",ctrl:" + std::to_string(m->nu);
}

}  // namespace gauntlet::mj
