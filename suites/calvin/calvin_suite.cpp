#include "suites/calvin/calvin_suite.hpp"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/perturb/action_noise.hpp"
#include "scenarios/perturb/appearance.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/perturb/image_noise.hpp"
#include "scenarios/perturb/language.hpp"
#include "scenarios/perturb/levels.hpp"
#include "scenarios/perturb/mujoco_perturbations.hpp"
#include "scenarios/perturb/streams.hpp"
#include "scenarios/render/scene_renderer.hpp"
#include "suites/calvin/expert.hpp"
#include "suites/calvin/mirror.hpp"
#include "suites/calvin/perturb_draws.hpp"
#include "suites/common/yaml_fields.hpp"

namespace gauntlet::suites::calvin {

using namespace geo;

namespace {

// /2: coupled gripper pads and the matrix kinematics (the dynamics changed).
constexpr const char* kCodeVersion = "calvin-play-table/2";

bool calvin_supports(const std::string& dim) {
  return perturb::is_dimension(dim);
}

// The oracles' view of a subtask's start state, as numbers (replay restores it).
constexpr std::size_t kSnapshotSize = 6 + 10 * kBlocks;
void append_snapshot(const PlayState& s, std::vector<double>& out) {
  for (const double v :
       {s.slider, s.drawer, s.button, s.switch_pos, s.led ? 1.0 : 0.0, s.bulb ? 1.0 : 0.0})
    out.push_back(v);
  for (const auto& b : s.blocks) {
    out.insert(out.end(), b.pose.pos.begin(), b.pose.pos.end());
    out.insert(out.end(), b.pose.quat.begin(), b.pose.quat.end());
    for (const bool t : {b.touch_left, b.touch_right, b.touch_other}) out.push_back(t ? 1.0 : 0.0);
  }
}
void read_snapshot(std::span<const double> in, PlayState& s) {
  std::size_t i = 0;
  s.slider = in[i++];
  s.drawer = in[i++];
  s.button = in[i++];
  s.switch_pos = in[i++];
  s.led = in[i++] != 0.0;
  s.bulb = in[i++] != 0.0;
  for (auto& b : s.blocks) {
    for (double& v : b.pose.pos) v = in[i++];
    for (double& v : b.pose.quat) v = in[i++];
    b.touch_left = in[i++] != 0.0;
    b.touch_right = in[i++] != 0.0;
    b.touch_other = in[i++] != 0.0;
  }
}

class CalvinEnv : public Env {
 public:
  CalvinEnv(const CalvinSuite& suite, ObservationRequest request)
      : suite_(suite), request_(std::move(request)), table_(suite.robot(), suite.config().layout) {
    names_ = suite.info().proprio_names;
    obs_.proprio_names = &names_;
    for (const auto& c : request_.cameras) {
      if (c != "static" && c != "gripper") {
        throw InputError("suite '" + suite.info().name + "' has no camera '" + c +
                         "'; cameras: static, gripper");
      }
      obs_.cameras.push_back(CameraFrame{c, Image{}});
    }
  }
  ~CalvinEnv() override {
    if (gl_) gl_->make_current();
    renderer_.reset();
    if (data_) mj_deleteData(data_);
    if (model_) mj_deleteModel(model_);
    if (pristine_) mj_deleteModel(pristine_);
  }

  const ActionSpace& action_space() const override { return suite_.action_space(); }

  const Observation& reset(const EpisodeSpec& spec) override {
    // Plans are validated against the suite (exit 2); this guards programmatic specs.
    for (const auto& item : spec.perturbation.items) {
      if (!calvin_supports(item.first)) {
        throw SimulationError("suite '" + suite_.info().name +
                              "' does not support perturbation dimension '" + item.first + "'");
      }
    }
    try {
      chain_ = suite_.chain(spec.episode_index);
    } catch (const InputError& e) {
      throw SimulationError(e.what());
    }
    spec_ = spec;
    const PerturbationSet& set = spec.perturbation;
    bullet::PlayInit init =
        realize(chain_.init, suite_.info().seed, spec.episode_index, suite_.config().layout);
    if (const int level = perturb::level_of(set, "layout"); level > 0) {
      Rng rng(perturb::dimension_seed(spec.seed, "layout"));
      displace_blocks(init, chain_.init, suite_.config().layout, level, rng);
    }
    if (const int level = perturb::level_of(set, "robot_init"); level > 0) {
      Rng rng(perturb::dimension_seed(spec.seed, "robot_init"));
      perturb_arm_start(init, level, rng);
    }
    if (const int level = perturb::level_of(set, "distractors"); level > 0) {
      Rng rng(perturb::dimension_seed(spec.seed, "distractors"));
      place_distractors(init, suite_.config().layout, level, rng);
    }
    bullet::PhysicsScales physics;
    if (const int level = perturb::level_of(set, "dynamics"); level > 0) {
      Rng rng(perturb::dimension_seed(spec.seed, "dynamics"));
      physics = draw_physics(level, rng);
    }
    table_.set_physics(physics);
    sensor_level_ = perturb::level_of(set, "sensor_noise");
    sensor_seed_ = perturb::dimension_seed(spec.seed, "sensor_noise");
    action_noise_.reset(perturb::level_of(set, "action"),
                        perturb::dimension_seed(spec.seed, "action"), suite_.action_space(),
                        {0, 0, 0, 0, 0, 0, -1});
    visuals_pending_ = true;
    mirror_synced_ = false;
    table_.reset(init);
    physics_ = table_.physics();
    start_ = table_.state();
    if (!table_.finite()) throw SimulationError("the play table is unstable after reset");
    current_ = 0;
    in_subtask_ = 0;
    outcomes_.clear();
    prev_joints_ = start_.joints;
    obs_.step = 0;
    obs_.instruction = annotation();
    now_ = start_;
    observe();
    return obs_;
  }

  StepResult step(std::span<const float> action, bool want) override {
    StepResult r;
    const ActionSpace& space = suite_.action_space();
    clipped_.assign(action.begin(), action.begin() + space.dim);
    if (action_noise_.active()) action_noise_.apply(obs_.step, clipped_);
    for (std::size_t i = 0; i < clipped_.size(); ++i)
      clipped_[i] = std::clamp(clipped_[i], space.low[i], space.high[i]);
    prev_joints_ = now_.joints;
    table_.control_step(clipped_);
    ++obs_.step;
    if (!table_.finite()) {
      r.sim_error = true;
      r.error = "non-finite Bullet state at step " + std::to_string(obs_.step);
      return r;
    }
    now_ = table_.state();
    mirror_synced_ = false;
    ++in_subtask_;
    if (current_ < kChainLength) {
      const int task = chain_.tasks[static_cast<std::size_t>(current_)];
      const std::string& name = calvin::subtasks()[static_cast<std::size_t>(task)].name;
      if (achieved(task, start_, now_, suite_.config().layout)) {
        outcomes_.push_back(SubtaskOutcome{name, true, in_subtask_});
        ++current_;
        in_subtask_ = 0;
        start_ = now_;
        obs_.instruction = annotation();
      } else if (in_subtask_ >= kStepsPerSubtask) {
        outcomes_.push_back(SubtaskOutcome{name, false, in_subtask_});
        r.failed = true;
      }
    }
    r.success = current_ >= kChainLength;
    r.progress = static_cast<double>(current_) / kChainLength;
    r.reward = r.success ? 1.0 : 0.0;
    if (want) observe();
    return r;
  }

  const Observation& observation() const override { return obs_; }
  std::vector<SubtaskOutcome> subtasks() const override { return outcomes_; }

  bool render(const std::string& camera, int width, int height, Image& out) override {
    if (camera != "static" && camera != "gripper") return false;
    ensure_mirror();
    if (width > model_->vis.global.offwidth || height > model_->vis.global.offheight) return false;
    sync_mirror();
    renderer_->render(model_, data_, mj_name2id(model_, mjOBJ_CAMERA, camera.c_str()), width,
                      height, out);
    return true;
  }

  bullet::PlayTable& table() { return table_; }

  // The episode's state for demonstrations and replay: the chain's progress,
  // the oracles' start snapshot, the previous joints (proprioception) and
  // the Bullet world (PlayTable::save).
  std::vector<double> save_state() const {
    std::vector<double> s{static_cast<double>(obs_.step), static_cast<double>(current_),
                          static_cast<double>(in_subtask_)};
    for (int i = 0; i < kChainLength; ++i) {
      s.push_back(i < static_cast<int>(outcomes_.size())
                      ? outcomes_[static_cast<std::size_t>(i)].steps
                      : 0.0);
    }
    append_snapshot(start_, s);
    s.insert(s.end(), prev_joints_.begin(), prev_joints_.end());
    const std::vector<double> world = table_.save();
    s.insert(s.end(), world.begin(), world.end());
    return s;
  }

  void restore_state(std::span<const double> s) {
    const std::size_t dof = prev_joints_.size();
    const std::size_t head = 3 + kChainLength + kSnapshotSize + dof;
    const std::size_t want =
        head + bullet::PlayTable::state_size(static_cast<int>(dof), table_.distractors().size());
    if (s.size() != want) {
      throw InputError("CALVIN state: expected " + std::to_string(want) + " numbers, got " +
                       std::to_string(s.size()));
    }
    table_.restore(s.subspan(head));
    now_ = table_.state();
    mirror_synced_ = false;
    obs_.step = static_cast<int>(s[0]);
    current_ = std::clamp(static_cast<int>(s[1]), 0, kChainLength);
    in_subtask_ = static_cast<int>(s[2]);
    outcomes_.clear();
    for (int i = 0; i < current_; ++i) {
      const int task = chain_.tasks[static_cast<std::size_t>(i)];
      outcomes_.push_back(SubtaskOutcome{calvin::subtasks()[static_cast<std::size_t>(task)].name,
                                         true,
                                         static_cast<int>(s[3 + static_cast<std::size_t>(i)])});
    }
    start_ = now_;
    read_snapshot(s.subspan(3 + kChainLength, kSnapshotSize), start_);
    const auto prev = s.subspan(3 + kChainLength + kSnapshotSize, dof);
    prev_joints_.assign(prev.begin(), prev.end());
    obs_.instruction = annotation();
    observe();
  }

 private:
  std::string annotation() const {
    if (current_ >= kChainLength) return "";
    return subtask_instruction(
        calvin::subtasks()[static_cast<std::size_t>(
                               chain_.tasks[static_cast<std::size_t>(current_)])]
            .annotation,
        spec_, current_);
  }

  // The visual perturbations edit this worker's mirror model; the next episode
  // starts from the suite's (pristine_) again.
  void apply_visuals() {
    if (!visuals_pending_) return;
    visuals_pending_ = false;
    if (visuals_edited_) {
      mj_copyModel(model_, pristine_);
      for (const int tex : uploaded_) renderer_->upload_texture(model_, tex);
      uploaded_.clear();
      visuals_edited_ = false;
    }
    const PerturbationSet& set = spec_.perturbation;
    if (const int level = perturb::level_of(set, "camera"); level > 0) {
      Rng rng(perturb::dimension_seed(spec_.seed, "camera"));
      perturb::perturb_camera(model_, level, rng, "static");
      visuals_edited_ = true;
    }
    if (const int level = perturb::level_of(set, "lighting"); level > 0) {
      Rng rng(perturb::dimension_seed(spec_.seed, "lighting"));
      perturb::perturb_lighting(model_, level, rng);
      visuals_edited_ = true;
    }
    if (const int level = perturb::level_of(set, "texture"); level > 0) {
      Rng rng(perturb::dimension_seed(spec_.seed, "texture"));
      for (const int tex : perturb::perturb_textures(model_, level, rng)) {
        renderer_->upload_texture(model_, tex);
        uploaded_.push_back(tex);
      }
      visuals_edited_ = true;
    }
    // `distractors`: each placed object's slot shows the geom of its shape,
    // sized and coloured as drawn (the others stay hidden).
    const auto& placed = table_.distractors();
    for (std::size_t k = 0; k < placed.size() && k < distractor_geoms_.size(); ++k) {
      const bullet::Distractor& d = placed[k];
      const int g = distractor_geoms_[k][static_cast<std::size_t>(d.type)];
      if (g < 0) continue;
      model_->geom_group[g] = 0;
      for (int i = 0; i < 3; ++i)
        model_->geom_size[3 * g + i] = d.size[static_cast<std::size_t>(i)];
      for (int i = 0; i < 4; ++i)
        model_->geom_rgba[4 * g + i] = d.rgba[static_cast<std::size_t>(i)];
      visuals_edited_ = true;
    }
  }

  void ensure_mirror() {
    if (model_) return;
    model_ = mj::compile_mjcf(suite_.mirror_xml(), "the CALVIN mirror model");
    model_->vis.global.offwidth = std::max(model_->vis.global.offwidth, request_.width);
    model_->vis.global.offheight = std::max(model_->vis.global.offheight, request_.height);
    data_ = mj_makeData(model_);
    pristine_ = mj_copyModel(nullptr, model_);
    if (!gl_) gl_ = render::GlContext::create_offscreen();
    renderer_ = std::make_unique<render::SceneRenderer>(*gl_, model_);
    led_geom_ = -1;
    bulb_geom_ = -1;
    const auto& geoms = table_.visual_geoms();
    for (std::size_t i = 0; i < geoms.size(); ++i) {
      const std::string n = geoms[i].name + "_" + std::to_string(i);
      if (geoms[i].name == "led") led_geom_ = mj_name2id(model_, mjOBJ_GEOM, n.c_str());
      if (geoms[i].name == "bulb") bulb_geom_ = mj_name2id(model_, mjOBJ_GEOM, n.c_str());
    }
    for (int slot = 0; slot < bullet::kMaxDistractors; ++slot) {
      auto& ids = distractor_geoms_[static_cast<std::size_t>(slot)];
      ids.fill(-1);
      for (const auto type : {bullet::VisualGeom::Type::kBox, bullet::VisualGeom::Type::kCylinder,
                              bullet::VisualGeom::Type::kSphere}) {
        const std::string n = distractor_geom_name(slot, type);
        ids[static_cast<std::size_t>(type)] = mj_name2id(model_, mjOBJ_GEOM, n.c_str());
      }
    }
  }

  void sync_mirror() {
    // Once per state: the cameras of one observation (or Env::render calls
    // between steps) share it.
    if (mirror_synced_ && !visuals_pending_) return;
    mirror_synced_ = true;
    apply_visuals();
    table_.poses(poses_);
    for (int b = 1; b < static_cast<int>(poses_.size()); ++b) {
      const int id = model_->body_mocapid[b];
      if (id < 0) continue;
      const auto& p = poses_[static_cast<std::size_t>(b)];
      for (int k = 0; k < 3; ++k) data_->mocap_pos[3 * id + k] = p.pos[static_cast<std::size_t>(k)];
      for (int k = 0; k < 4; ++k)
        data_->mocap_quat[4 * id + k] = p.quat[static_cast<std::size_t>(k)];
    }
    const auto light = [&](int geom, bool on, std::array<float, 3> rgb) {
      if (geom < 0) return;
      for (int k = 0; k < 3; ++k)
        model_->geom_rgba[4 * geom + k] = on ? rgb[static_cast<std::size_t>(k)] : 0.3f;
    };
    light(led_geom_, now_.led, {0.2f, 1.0f, 0.2f});
    light(bulb_geom_, now_.bulb, {1.0f, 0.95f, 0.5f});
    mj_kinematics(model_, data_);
  }

  void observe() {
    // Proprioception: TCP position, axis-angle, finger positions, joints and their velocities.
    const Vec3 aa = geo::rotvec_from_quat(now_.tcp.quat);
    obs_.proprio.assign(names_.size(), 0.0f);
    for (std::size_t i = 0; i < 3; ++i) {
      obs_.proprio[i] = static_cast<float>(now_.tcp.pos[i]);
      obs_.proprio[3 + i] = static_cast<float>(aa[i]);
    }
    obs_.proprio[6] = static_cast<float>(now_.opening / 2);
    obs_.proprio[7] = static_cast<float>(now_.opening / 2);
    const std::size_t n = now_.joints.size();
    for (std::size_t j = 0; j < n && 8 + n + j < obs_.proprio.size(); ++j) {
      obs_.proprio[8 + j] = static_cast<float>(now_.joints[j]);
      obs_.proprio[8 + n + j] =
          static_cast<float>((now_.joints[j] - prev_joints_[j]) * suite_.info().control_hz);
    }
    if (!obs_.cameras.empty()) {
      ensure_mirror();
      sync_mirror();
      for (auto& frame : obs_.cameras) {
        renderer_->render(model_, data_, mj_name2id(model_, mjOBJ_CAMERA, frame.name.c_str()),
                          request_.width, request_.height, frame.image);
        if (sensor_level_ > 0) {
          const std::uint64_t camera_seed =
              derive_seed(sensor_seed_, perturb::name_hash(frame.name));
          perturb::apply_sensor_noise(
              frame.image, sensor_level_, camera_seed,
              derive_seed(camera_seed, static_cast<std::uint64_t>(obs_.step) + 1));
        }
      }
    }
    if (request_.privileged) {
      privileged_.ee = now_.tcp;
      privileged_.gripper_opening = now_.opening;
      privileged_.bodies.clear();
      privileged_.scalars.clear();
      for (int b = 0; b < kBlocks; ++b) {
        const auto& bs = now_.blocks[static_cast<std::size_t>(b)];
        privileged_.bodies.emplace_back(std::string("block_") + bullet::kBlockNames[b], bs.pose);
        privileged_.scalars.emplace_back(std::string("held_") + bullet::kBlockNames[b],
                                         bs.held() ? 1.0 : 0.0);
      }
      // Distractors are not blocks: reported after them, under their own names.
      const std::vector<Pose> distractors = table_.distractor_poses();
      for (std::size_t k = 0; k < distractors.size(); ++k)
        privileged_.bodies.emplace_back("distractor_" + std::to_string(k), distractors[k]);
      privileged_.joints = {{"slider", now_.slider},
                            {"drawer", now_.drawer},
                            {"button", now_.button},
                            {"switch", now_.switch_pos}};
      privileged_.scalars.emplace_back("led", now_.led ? 1.0 : 0.0);
      privileged_.scalars.emplace_back("bulb", now_.bulb ? 1.0 : 0.0);
      privileged_.scalars.emplace_back(
          "subtask", current_ < kChainLength
                         ? static_cast<double>(chain_.tasks[static_cast<std::size_t>(current_)])
                         : -1.0);
      privileged_.scalars.emplace_back("subtask_position", static_cast<double>(current_));
      // Bullet's physical parameters now (the `dynamics` perturbation scales them).
      for (std::size_t b = 0; b < kBlocks; ++b) {
        const std::string colour = bullet::kBlockNames[b];
        privileged_.scalars.emplace_back("mass_" + colour, physics_.block_mass[b]);
        privileged_.scalars.emplace_back("friction_" + colour, physics_.block_friction[b]);
      }
      privileged_.scalars.emplace_back("friction_table", physics_.table_friction);
      privileged_.scalars.emplace_back("resistance_drawer", physics_.joint_resistance[1]);
      obs_.privileged = &privileged_;
    } else {
      obs_.privileged = nullptr;
    }
  }

  const CalvinSuite& suite_;
  ObservationRequest request_;
  bullet::PlayTable table_;
  EpisodeSpec spec_;
  Chain chain_;
  int sensor_level_ = 0;
  std::uint64_t sensor_seed_ = 0;
  perturb::ActionPerturbation action_noise_;
  bool visuals_pending_ = false;  // the episode's visual edits are not applied yet
  bool visuals_edited_ = false;   // model_ differs from pristine_
  bool mirror_synced_ = false;    // the mirror shows the current Bullet state
  std::vector<int> uploaded_;     // textures sent to the renderer since
  mjModel* pristine_ = nullptr;
  bullet::PhysicsReadout physics_;
  PlayState start_, now_;
  int current_ = 0;
  int in_subtask_ = 0;
  std::vector<SubtaskOutcome> outcomes_;
  std::vector<double> prev_joints_;
  std::vector<float> clipped_;
  std::vector<std::string> names_;
  Observation obs_;
  PrivilegedState privileged_;
  // The visual mirror (built on first render).
  mjModel* model_ = nullptr;
  mjData* data_ = nullptr;
  std::unique_ptr<render::GlContext> gl_;
  std::unique_ptr<render::SceneRenderer> renderer_;
  std::vector<Pose> poses_;
  int led_geom_ = -1, bulb_geom_ = -1;
  // Per distractor slot, the mirror's geom of each shape (VisualGeom::Type).
  std::array<std::array<int, 4>, bullet::kMaxDistractors> distractor_geoms_{};
};

class CalvinStates final : public SimulatorStates {
 public:
  explicit CalvinStates(const CalvinSuite& suite) : suite_(suite) {}
  std::vector<double> save(const Env& env) const override { return of(env).save_state(); }
  void restore(Env& env, std::span<const double> state) const override {
    of(env).restore_state(state);
  }
  std::string model_file(int) const override { return suite_.mirror_xml(); }
  std::string layout(int) const override {
    const int dof = suite_.robot().dof();
    return "step:1,subtask_position:1,subtask_steps:1,completed_steps:" +
           std::to_string(kChainLength) +
           ",subtask_start_snapshot:" + std::to_string(kSnapshotSize) +
           ",prev_joints:" + std::to_string(dof) + "," + bullet::PlayTable::state_layout(dof);
  }

 private:
  static const CalvinEnv& of(const Env& env) {
    const auto* e = dynamic_cast<const CalvinEnv*>(&env);
    if (!e) throw RuntimeFailure("CALVIN simulator states: the environment is not a CALVIN one");
    return *e;
  }
  static CalvinEnv& of(Env& env) {
    auto* e = dynamic_cast<CalvinEnv*>(&env);
    if (!e) throw RuntimeFailure("CALVIN simulator states: the environment is not a CALVIN one");
    return *e;
  }
  const CalvinSuite& suite_;
};

std::array<double, 2> xy(const YamlFields& f, const std::string& key,
                         std::array<double, 2> fallback) {
  if (!f.has(key)) return fallback;
  const auto v = f.numbers(key, 2);
  return {v[0], v[1]};
}

}  // namespace

CalvinSuite::CalvinSuite(CalvinConfig config, std::shared_ptr<const robots::RobotDescription> robot)
    : config_(std::move(config)), robot_(std::move(robot)) {
  TaskInfo t;
  t.id = "chains";
  t.instruction = "chains of five CALVIN subtasks (the instruction changes per subtask)";
  t.max_steps = kChainLength * kStepsPerSubtask;
  t.family = "calvin_chain";
  tasks_.push_back(t);
  space_ = ee_delta_action_space();
  const bullet::PlayTable probe(*robot_, config_.layout);
  mirror_xml_ = build_mirror(probe, *robot_, config_.look,
                             std::max({config_.info.image_width, config_.info.image_height, 256}));
  states_ = std::make_unique<CalvinStates>(*this);
}

std::vector<std::string> CalvinSuite::perturbation_dimensions() const {
  std::vector<std::string> out;
  for (const auto& d : perturb::dimension_names()) {
    if (calvin_supports(d)) out.push_back(d);
  }
  return out;
}

std::string subtask_instruction(const std::string& annotation, const EpisodeSpec& spec,
                                int position) {
  const int level = perturb::level_of(spec.perturbation, "language");
  if (level == 0) return annotation;
  return perturb::perturb_instruction(annotation, level,
                                      derive_seed(perturb::dimension_seed(spec.seed, "language"),
                                                  static_cast<std::uint64_t>(position)));
}

std::unique_ptr<Env> CalvinSuite::make_env(const ObservationRequest& request) const {
  return std::make_unique<CalvinEnv>(*this, request);
}

std::unique_ptr<Expert> CalvinSuite::make_expert(int) const {
  return make_calvin_expert(config_.layout);
}

std::string CalvinSuite::instruction(const EpisodeSpec& spec) const {
  try {
    const Chain c = chain(spec.episode_index);
    return subtask_instruction(calvin::subtasks()[static_cast<std::size_t>(c.tasks[0])].annotation,
                               spec, 0);
  } catch (const InputError&) {
    return tasks_[0].instruction;
  }
}

Chain CalvinSuite::chain(int index) const {
  if (config_.chains.empty()) return sample_chain(config_.info.seed, index);
  if (index < 0 || index >= static_cast<int>(config_.chains.size())) {
    throw InputError("--chains '" + config_.chains_file + "' has " +
                     std::to_string(config_.chains.size()) + " chains; episode " +
                     std::to_string(index) + " has none (use --episodes " +
                     std::to_string(config_.chains.size()) + " or fewer)");
  }
  return config_.chains[static_cast<std::size_t>(index)];
}

std::shared_ptr<const Suite> load_calvin_yaml(const std::string& text, const std::string& source,
                                              const SuiteOptions& options) {
  const YAML::Node root = parse_yaml(text, source);
  const YamlFields top(root, source, "");
  top.only_keys({"name", "version", "description", "backend", "robot", "seed", "episodes_per_task",
                 "image", "desk"});
  CalvinConfig config;
  SuiteInfo& info = config.info;
  info.name = top.string("name");
  info.version = top.string_or("version", "1");
  info.description = top.string_or("description", "");
  info.backend = "bullet";
  info.source = source;
  info.seed = top.unsigned_integer("seed");
  info.default_episodes = top.integer_in("episodes_per_task", 1000, 1, 1000000);
  info.control_hz = 30;
  info.cameras = {"static", "gripper"};
  info.image_width = 200;
  info.image_height = 200;
  if (top.has("image")) {
    const YamlFields image = top.child("image");
    image.only_keys({"width", "height"});
    info.image_width = image.integer_in("width", 200, 8, 2048);
    info.image_height = image.integer_in("height", 200, 8, 2048);
  }
  const std::string robot_name = top.string_or("robot", "panda");
  if (robot_name != "panda")
    top.fail("the play table is built for robot 'panda'; got '" + robot_name + "'");
  if (!options.robot.empty() && options.robot != "panda") {
    throw InputError("--robot '" + options.robot + "': suite '" + info.name +
                     "' runs on 'panda' only");
  }
  auto robot = robots::find_robot("panda", source);
  info.robot = "panda";
  info.actions = "ee_delta";
  info.proprio_names = robot->proprio_names();
  if (top.has("desk")) {
    const YamlFields d = top.child("desk");
    d.only_keys({"rgba", "texture", "rgb2", "slider_x", "cabinet_y", "drawer_y", "button", "switch",
                 "sockets"});
    const auto rgba = d.rgba_or("rgba", {0.55, 0.4, 0.28, 1.0});
    for (std::size_t i = 0; i < 4; ++i) config.look.rgba[i] = static_cast<float>(rgba[i]);
    config.look.texture = d.string_or("texture", "none");
    if (config.look.texture != "none" && config.look.texture != "checker" &&
        config.look.texture != "gradient") {
      d.fail_at(d.node()["texture"], "texture", "expected none, checker or gradient");
    }
    if (d.has("rgb2")) {
      const auto v = d.numbers("rgb2", 3);
      for (std::size_t i = 0; i < 3; ++i) config.look.rgb2[i] = static_cast<float>(v[i]);
    }
    DeskLayout& l = config.layout;
    l.slider_x = d.number_in("slider_x", l.slider_x, 0.44, 0.56, "[0.44, 0.56] m");
    l.cabinet_y = d.number_in("cabinet_y", l.cabinet_y, -0.08, 0.08, "[-0.08, 0.08] m");
    l.drawer_y = d.number_in("drawer_y", l.drawer_y, -0.3, 0.3, "[-0.3, 0.3] m");
    l.button = xy(d, "button", l.button);
    l.switch_xy = xy(d, "switch", l.switch_xy);
    if (d.has("sockets")) {
      const YAML::Node n = d.node()["sockets"];
      if (!n.IsSequence()) d.fail_at(n, "sockets", "expected a list of [x, y]");
      for (const auto& s : n) {
        if (!s.IsSequence() || s.size() != 2) d.fail_at(s, "sockets", "expected [x, y]");
        try {
          l.sockets.push_back({s[0].as<double>(), s[1].as<double>()});
        } catch (const YAML::Exception&) {
          d.fail_at(s, "sockets", "expected two numbers");
        }
      }
    }
  }
  if (config.layout.sockets.size() < 3) {
    top.fail("desk.sockets: expected at least 3 block positions on the table");
  }
  std::string hashed = text + "\n#code " + kCodeVersion + "\n#robot panda " +
                       sha256_hex(robot->content) + "\n#perturb " +
                       perturb::kPerturbationCodeVersion + " calvin-bullet/1";
  if (!options.chains.empty()) {
    config.chains = load_chain_file(options.chains);
    config.chains_file = options.chains;
    info.default_episodes = static_cast<int>(config.chains.size());
    hashed += "\n#chains " + sha256_hex(chains_to_json(config.chains));
  }
  info.content_hash = sha256_hex(hashed);
  return std::make_shared<CalvinSuite>(std::move(config), std::move(robot));
}

}  // namespace gauntlet::suites::calvin
