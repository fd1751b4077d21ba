#include "suites/calvin/calvin_suite.hpp"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/render/scene_renderer.hpp"
#include "suites/calvin/expert.hpp"
#include "suites/common/yaml_fields.hpp"

namespace gauntlet::suites::calvin {

using namespace geo;

namespace {

constexpr const char* kCodeVersion = "calvin-play-table/1";

std::string num(double v) {
  std::ostringstream o;
  o.precision(6);
  o << v;
  return o.str();
}
std::string vec(std::initializer_list<double> v) {
  std::string s;
  for (const double x : v) s += (s.empty() ? "" : " ") + num(x);
  return s;
}
Vec3 normalized(const Vec3& v) {
  const double n = geo::norm(v);
  return n > 0 ? (1.0 / n) * v : Vec3{0, 0, 1};
}
// MuJoCo's camera frame: x right, y up, looking along -z.
std::string xyaxes(const Vec3& pos, const Vec3& look_at, const Vec3& up) {
  const Vec3 f = normalized(look_at - pos);
  const Vec3 x = normalized(geo::cross(f, up));
  const Vec3 y = geo::cross(x, f);
  return vec({x[0], x[1], x[2], y[0], y[1], y[2]});
}

bool is_desk(const std::string& name) {
  return name == "table" || name == "leg" || name.rfind("cabinet", 0) == 0 || name == "door" ||
         (name.rfind("drawer", 0) == 0 && name.find("handle") == std::string::npos);
}

std::string geom_xml(const bullet::VisualGeom& g, int index) {
  std::ostringstream o;
  const char* type = g.type == bullet::VisualGeom::Type::kBox        ? "box"
                     : g.type == bullet::VisualGeom::Type::kCapsule  ? "capsule"
                     : g.type == bullet::VisualGeom::Type::kCylinder ? "cylinder"
                                                                     : "sphere";
  std::string size = g.type == bullet::VisualGeom::Type::kBox
                         ? vec({g.size[0], g.size[1], g.size[2]})
                     : g.type == bullet::VisualGeom::Type::kSphere ? vec({g.size[0]})
                                                                   : vec({g.size[0], g.size[1]});
  o << "<geom name=\"" << g.name << "_" << index << "\" type=\"" << type << "\" size=\"" << size
    << "\" pos=\"" << vec({g.local.pos[0], g.local.pos[1], g.local.pos[2]}) << "\" quat=\""
    << vec({g.local.quat[0], g.local.quat[1], g.local.quat[2], g.local.quat[3]}) << "\"";
  if (is_desk(g.name)) {
    o << " material=\"desk\"";
  } else {
    o << " rgba=\"" << vec({g.rgba[0], g.rgba[1], g.rgba[2], g.rgba[3]}) << "\"";
  }
  o << " contype=\"0\" conaffinity=\"0\"/>";
  return o.str();
}

std::string build_mirror(const bullet::PlayTable& table, const robots::RobotDescription& robot,
                         const DeskLook& look, int offscreen) {
  std::ostringstream x;
  x << "<mujoco model=\"calvin_mirror\">\n"
    << "<visual><global offwidth=\"" << offscreen << "\" offheight=\"" << offscreen
    << "\"/><quality shadowsize=\"2048\"/></visual>\n<asset>\n"
    << "<texture name=\"sky\" type=\"skybox\" builtin=\"gradient\" rgb1=\"0.7 0.75 0.8\" "
       "rgb2=\"0.2 0.22 0.25\" width=\"64\" height=\"64\"/>\n";
  const std::string rgb1 = vec({look.rgba[0], look.rgba[1], look.rgba[2]});
  const std::string rgb2 = vec({look.rgb2[0], look.rgb2[1], look.rgb2[2]});
  if (look.texture == "none") {
    x << "<material name=\"desk\" rgba=\"" << rgb1 << " 1\"/>\n";
  } else {
    x << "<texture name=\"desk\" type=\"2d\" builtin=\"" << look.texture << "\" rgb1=\"" << rgb1
      << "\" rgb2=\"" << rgb2 << "\" width=\"64\" height=\"64\"/>\n"
      << "<material name=\"desk\" texture=\"desk\" texrepeat=\"6 6\" texuniform=\"true\"/>\n";
  }
  x << "</asset>\n<worldbody>\n"
    << "<light name=\"key\" pos=\"0.3 -0.6 1.6\" dir=\"0.1 0.35 -1\" diffuse=\"0.75 0.75 0.75\" "
       "castshadow=\"true\"/>\n"
    << "<light name=\"fill\" pos=\"0.8 0.8 1.2\" dir=\"-0.3 -0.3 -1\" diffuse=\"0.3 0.3 0.3\" "
       "castshadow=\"false\"/>\n"
    << "<geom name=\"floor\" type=\"plane\" size=\"3 3 0.1\" pos=\"0 0 -0.64\" rgba=\"0.4 0.4 0.42 "
       "1\" "
       "contype=\"0\" conaffinity=\"0\"/>\n"
    << "<camera name=\"static\" pos=\"1.35 -0.55 0.85\" xyaxes=\""
    << xyaxes({1.35, -0.55, 0.85}, {0.35, 0.0, 0.0}, {0, 0, 1}) << "\" fovy=\"40\"/>\n";
  const auto& geoms = table.visual_geoms();
  for (std::size_t i = 0; i < geoms.size(); ++i) {
    if (geoms[i].body == 0) x << geom_xml(geoms[i], static_cast<int>(i)) << "\n";
  }
  for (int b = 1; b < table.body_count(); ++b) {
    x << "<body name=\"b" << b << "\" mocap=\"true\">\n";
    for (std::size_t i = 0; i < geoms.size(); ++i) {
      if (geoms[i].body == b) x << geom_xml(geoms[i], static_cast<int>(i)) << "\n";
    }
    if (b == table.tcp_body()) {
      // CALVIN's gripper camera: the robot's wrist mount, 75 degrees.
      Vec3 pos{-0.05, 0, 0.062}, look_at{0.015, 0, -0.1}, up{0, 0, 1};
      for (const auto& c : robot.cameras) {
        if (c.parent == "tcp") {
          pos = c.pos;
          look_at = c.look_at;
          up = c.up;
        }
      }
      x << "<camera name=\"gripper\" pos=\"" << vec({pos[0], pos[1], pos[2]}) << "\" xyaxes=\""
        << xyaxes(pos, look_at, up) << "\" fovy=\"75\"/>\n";
    }
    x << "</body>\n";
  }
  x << "</worldbody>\n</mujoco>\n";
  return x.str();
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
  }

  const ActionSpace& action_space() const override { return suite_.action_space(); }

  const Observation& reset(const EpisodeSpec& spec) override {
    if (!spec.perturbation.nominal()) {
      throw SimulationError("suite '" + suite_.info().name + "' has no perturbations ('" +
                            spec.perturbation.id() + "')");
    }
    try {
      chain_ = suite_.chain(spec.episode_index);
    } catch (const InputError& e) {
      throw SimulationError(e.what());
    }
    const bullet::PlayInit init =
        realize(chain_.init, suite_.info().seed, spec.episode_index, suite_.config().layout);
    table_.reset(init);
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
    clipped_.resize(static_cast<std::size_t>(space.dim));
    for (std::size_t i = 0; i < clipped_.size(); ++i)
      clipped_[i] = std::clamp(action[i], space.low[i], space.high[i]);
    prev_joints_ = now_.joints;
    table_.control_step(clipped_);
    ++obs_.step;
    if (!table_.finite()) {
      r.sim_error = true;
      r.error = "non-finite Bullet state at step " + std::to_string(obs_.step);
      return r;
    }
    now_ = table_.state();
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

 private:
  std::string annotation() const {
    if (current_ >= kChainLength) return "";
    return calvin::subtasks()[static_cast<std::size_t>(
                                  chain_.tasks[static_cast<std::size_t>(current_)])]
        .annotation;
  }

  void ensure_mirror() {
    if (model_) return;
    model_ = mj::compile_mjcf(suite_.mirror_xml(), "the CALVIN mirror model");
    model_->vis.global.offwidth = std::max(model_->vis.global.offwidth, request_.width);
    model_->vis.global.offheight = std::max(model_->vis.global.offheight, request_.height);
    data_ = mj_makeData(model_);
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
  }

  void sync_mirror() {
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
      obs_.privileged = &privileged_;
    } else {
      obs_.privileged = nullptr;
    }
  }

  const CalvinSuite& suite_;
  ObservationRequest request_;
  bullet::PlayTable table_;
  Chain chain_;
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
    return calvin::subtasks()[static_cast<std::size_t>(c.tasks[0])].annotation;
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
  std::string hashed =
      text + "\n#code " + kCodeVersion + "\n#robot panda " + sha256_hex(robot->content);
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
