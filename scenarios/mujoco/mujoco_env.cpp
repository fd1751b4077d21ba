#include "scenarios/mujoco/mujoco_env.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "harness/errors.hpp"
#include "harness/rng.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/mujoco/sim.hpp"
#include "scenarios/mujoco/task.hpp"
#include "scenarios/render/overlay.hpp"

namespace gauntlet::mj {

struct MujocoEnv::Instance {
  mjModel* model = nullptr;  // this worker's copy: perturbations may edit it
  mjData* data = nullptr;
  std::unique_ptr<RobotController> controller;
  std::unique_ptr<render::SceneRenderer> renderer;
  std::vector<int> camera_ids;
  std::vector<std::pair<std::string, int>> bodies;
  std::vector<std::pair<std::string, int>> joints;
  bool model_edited = false;  // a perturbation changed `model`: restore it before reuse

  ~Instance() {
    renderer.reset();
    if (data) mj_deleteData(data);
    if (model) mj_deleteModel(model);
  }
};

MujocoEnv::MujocoEnv(const MujocoSuite& suite, ObservationRequest request)
    : suite_(suite), request_(std::move(request)) {
  const double control_period = 1.0 / suite_.info().control_hz;
  substeps_ =
      std::max(1, static_cast<int>(std::lround(control_period / suite_.config().scene.timestep)));
  const PerturbationProvider* perturbations = suite_.perturbations();
  instances_.resize(suite_.tasks().size() *
                    static_cast<std::size_t>(perturbations ? perturbations->variants() : 1));
  if (perturbations) perturber_ = perturbations->make_perturber();
  proprio_names_ = suite_.info().proprio_names;
  obs_.proprio_names = &proprio_names_;
  for (const auto& cam : request_.cameras) obs_.cameras.push_back(CameraFrame{cam, Image{}});
}

MujocoEnv::~MujocoEnv() {
  if (gl_) gl_->make_current();
  instances_.clear();
}

const ActionSpace& MujocoEnv::action_space() const {
  return suite_.action_space();
}
const mjModel* MujocoEnv::model() const {
  return current_ ? current_->model : nullptr;
}
mjData* MujocoEnv::data() const {
  return current_ ? current_->data : nullptr;
}

MujocoEnv::Instance& MujocoEnv::instance(int task_index) {
  auto& slot = instances_.at(static_cast<std::size_t>(variant_) * suite_.tasks().size() +
                             static_cast<std::size_t>(task_index));
  if (slot) return *slot;
  auto inst = std::make_unique<Instance>();
  const mjModel* base = suite_.model(task_index, variant_);
  inst->model = mj_copyModel(nullptr, base);
  inst->model->vis.global.offwidth = std::max(inst->model->vis.global.offwidth, request_.width);
  inst->model->vis.global.offheight = std::max(inst->model->vis.global.offheight, request_.height);
  inst->data = mj_makeData(inst->model);
  inst->controller = make_controller(inst->model, suite_.robot(), suite_.config().workspace);
  inst->controller->set_substeps(substeps_);
  inst->controller->set_joint_control(suite_.joint_control());
  for (const auto& cam : request_.cameras) {
    const int id = mj_name2id(inst->model, mjOBJ_CAMERA, cam.c_str());
    if (id < 0) {
      throw InputError("suite '" + suite_.info().name + "' has no camera '" + cam +
                       "'; cameras: " + join_names(suite_.info().cameras));
    }
    inst->camera_ids.push_back(id);
  }
  if (!request_.cameras.empty()) renderer(*inst);
  const MjSim sim(inst->model, inst->data);
  const MjTask& task = suite_.task(task_index);
  for (const auto& b : task.privileged_bodies()) inst->bodies.emplace_back(b, sim.body(b));
  for (const auto& j : task.privileged_joints()) inst->joints.emplace_back(j, sim.joint(j));
  slot = std::move(inst);
  return *slot;
}

render::SceneRenderer& MujocoEnv::renderer(Instance& inst) {
  if (!inst.renderer) {
    if (!gl_) gl_ = render::GlContext::create_offscreen();
    inst.renderer = std::make_unique<render::SceneRenderer>(*gl_, inst.model);
  }
  return *inst.renderer;
}

bool MujocoEnv::render(const std::string& camera, int width, int height, Image& out) {
  if (!current_) return false;
  const int id = mj_name2id(current_->model, mjOBJ_CAMERA, camera.c_str());
  if (id < 0 || width > current_->model->vis.global.offwidth ||
      height > current_->model->vis.global.offheight) {
    return false;
  }
  renderer(*current_).render(current_->model, current_->data, id, width, height, out);
  return true;
}

const Observation& MujocoEnv::reset(const EpisodeSpec& spec) {
  perturbed_ = !spec.perturbation.nominal();
  if (perturbed_ && !perturber_) {
    throw SimulationError("suite '" + suite_.info().name + "' has no perturbations ('" +
                          spec.perturbation.id() + "')");
  }
  variant_ = perturbed_ ? suite_.perturbations()->scene_variant(spec.perturbation) : 0;
  Instance& inst = instance(spec.task_index);
  current_ = &inst;
  task_ = &suite_.task(spec.task_index);
  overlay_ = suite_.config().overlay ? suite_.config().overlay.get() : task_->overlay(spec);
  compositor_.invalidate();
  mjModel* m = inst.model;
  mjData* d = inst.data;
  if (inst.model_edited) restore_model(inst, spec.task_index);
  const MjSim sim(m, d);
  if (perturbed_) {
    inst.model_edited = perturber_->edit_model(spec, *task_, sim, inst.renderer.get());
  }
  mj_resetData(m, d);
  Rng rng(derive_seed(spec.seed, RngStream::kInitialState));
  memory_ = TaskMemory{};
  task_->initialize_episode(sim, spec, rng, memory_);
  GripperStart start{suite_.config().scene.gripper_home, {1, 0, 0, 0}, -1.0, {}};
  if (perturbed_) {
    mj_kinematics(m, d);
    inst.model_edited = perturber_->edit_state(spec, *task_, sim, start) || inst.model_edited;
  }
  inst.controller->place(m, d, start);
  mj_forward(m, d);
  warnings_.fill(0);
  obs_.instruction = suite_.instruction(spec);
  obs_.step = 0;
  // Settling holds the start pose: a zero ee_delta, or the start joints.
  std::vector<float> noop(static_cast<std::size_t>(suite_.action_space().dim), 0.0f);
  if (suite_.joint_control()) {
    mj_kinematics(m, d);
    std::vector<float> state;
    inst.controller->proprio(d, state);  // 8 numbers, then the joint positions
    const auto dof = static_cast<std::size_t>(inst.controller->dof());
    for (std::size_t j = 0; j < dof; ++j) noop[j] = state[8 + j];
  }
  noop.back() = static_cast<float>(start.command);
  for (int i = 0; i < suite_.config().settle_steps; ++i) control_step(noop);
  std::string why;
  if (physics_unstable(why)) {
    throw SimulationError("task '" + task_->info().id + "' is unstable while settling: " + why);
  }
  observe();
  return obs_;
}

// Back to the suite's model after a perturbed episode, textures included.
void MujocoEnv::restore_model(Instance& inst, int task_index) {
  const int offwidth = inst.model->vis.global.offwidth;
  const int offheight = inst.model->vis.global.offheight;
  mj_copyModel(inst.model, suite_.model(task_index, variant_));
  inst.model->vis.global.offwidth = offwidth;
  inst.model->vis.global.offheight = offheight;
  if (inst.renderer) {
    for (int t = 0; t < inst.model->ntex; ++t) inst.renderer->upload_texture(inst.model, t);
  }
  inst.model_edited = false;
}

void MujocoEnv::control_step(std::span<const float> action) {
  mjModel* m = current_->model;
  mjData* d = current_->data;
  RobotController& controller = *current_->controller;
  controller.apply(m, d, action);
  if (control_step_hook_) control_step_hook_(m, d);
  // mj_step split in two so the servo loop sees this step's kinematics and
  // bias forces (the same work as mj_step with the Euler integrator).
  for (int i = 0; i < substeps_; ++i) {
    mj_step1(m, d);
    controller.servo(m, d);
    if (physics_step_hook_) physics_step_hook_(m, d);
    mj_step2(m, d);
  }
}

bool MujocoEnv::physics_unstable(std::string& why) {
  const mjData* d = current_->data;
  for (int i = 0; i < mjNWARNING; ++i) {
    if (i == mjWARN_VGEOMFULL) continue;  // visual only
    if (d->warning[i].number > warnings_[static_cast<std::size_t>(i)]) {
      static const char* kNames[] = {"near-singular inertia",  "contact buffer full",
                                     "constraint buffer full", "visual geom buffer full",
                                     "bad qpos (NaN/Inf)",     "bad qvel (NaN/Inf)",
                                     "bad qacc (NaN/Inf)",     "bad ctrl"};
      why = std::string("MuJoCo warning: ") + kNames[i] + " at time " + std::to_string(d->time) +
            " s";
      return true;
    }
  }
  for (int i = 0; i < current_->model->nq; ++i) {
    if (!std::isfinite(d->qpos[i])) {
      why = "non-finite joint position at time " + std::to_string(d->time) + " s";
      return true;
    }
  }
  return false;
}

StepResult MujocoEnv::step(std::span<const float> action, bool want_observation) {
  StepResult result;
  const ActionSpace& space = suite_.action_space();
  if (perturbed_) {
    action_buffer_.assign(action.begin(), action.end());
    perturber_->edit_action(obs_.step, action_buffer_);
    action = action_buffer_;
  }
  clipped_.resize(static_cast<std::size_t>(space.dim));
  for (std::size_t i = 0; i < clipped_.size(); ++i) {
    clipped_[i] = std::clamp(action[i], space.low[i], space.high[i]);
  }
  control_step(clipped_);
  ++obs_.step;
  if (physics_unstable(result.error)) {
    result.sim_error = true;
    return result;
  }
  const TaskStatus status = task_->evaluate(MjSim(current_->model, current_->data), memory_);
  result.success = status.success;
  result.progress = status.progress;
  result.reward = status.success ? 1.0 : 0.0;
  if (want_observation) observe();
  return result;
}

// SimplerEnv's green screen: the robot and objects as rendered, the rest
// from the overlay (render::OverlayCompositor: one render per frame).
void MujocoEnv::composite_overlay(Instance& inst, int camera_id, Image& out) {
  compositor_.render(*inst.renderer, inst.model, inst.data, camera_id, request_.width,
                     request_.height, *overlay_, out);
}

void MujocoEnv::observe() {
  Instance& inst = *current_;
  inst.controller->proprio(inst.data, obs_.proprio);
  for (std::size_t c = 0; c < inst.camera_ids.size(); ++c) {
    if (overlay_ && obs_.cameras[c].name == "agentview") {
      composite_overlay(inst, inst.camera_ids[c], obs_.cameras[c].image);
    } else {
      inst.renderer->render(inst.model, inst.data, inst.camera_ids[c], request_.width,
                            request_.height, obs_.cameras[c].image);
    }
    if (perturbed_) perturber_->edit_image(obs_.cameras[c].name, obs_.step, obs_.cameras[c].image);
  }
  if (request_.privileged) {
    privileged_.ee = inst.controller->tcp_pose(inst.data);
    privileged_.gripper_opening = inst.controller->opening(inst.data);
    privileged_.bodies.clear();
    const MjSim sim(inst.model, inst.data);
    for (const auto& [name, id] : inst.bodies)
      privileged_.bodies.emplace_back(name, sim.body_pose(id));
    privileged_.joints.clear();
    for (const auto& [name, id] : inst.joints)
      privileged_.joints.emplace_back(name, sim.joint_pos(id));
    obs_.privileged = &privileged_;
  } else {
    obs_.privileged = nullptr;
  }
}

}  // namespace gauntlet::mj
