#include "suites/common/suite_loader.hpp"

#include <algorithm>
#include <set>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"
#include "robots/robot_description.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/perturb/mujoco_perturbations.hpp"
#include "scenarios/render/overlay.hpp"
#include "suites/calvin/calvin_suite.hpp"

namespace gauntlet::suites {

void TaskFamilies::add(TaskFamily family) {
  const std::string key = family.name;
  families_[key] = std::move(family);
}

const TaskFamily& TaskFamilies::get(const std::string& name, const YamlFields& at) const {
  const auto it = families_.find(name);
  if (it == families_.end()) {
    std::vector<std::string> names;
    for (const auto& [n, f] : families_) names.push_back(n);
    at.fail_at(at.node()["family"], "family",
               "unknown task family '" + name + "'; expected one of: " + join_names(names));
  }
  return it->second;
}

std::string apply_robot(mj::MujocoSuiteConfig& config, const std::string& robot,
                        const std::vector<std::string>& allowed, const std::string& what) {
  const auto description = robots::find_robot(robot, what);
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), robot) == allowed.end()) {
    throw InputError(what + ": suite '" + config.info.name + "' cannot run on robot '" + robot +
                     "'; it allows: " + join_names(allowed));
  }
  const std::string actions = config.joint_control ? "joint_pos" : "ee_delta";
  if (std::find(description->actions.begin(), description->actions.end(), actions) ==
      description->actions.end()) {
    throw InputError(what + ": robot '" + robot + "' has no '" + actions +
                     "' actions; it accepts: " + join_names(description->actions));
  }
  config.scene.robot = description;
  config.info.robot = robot;
  config.info.actions = actions;
  config.info.action_conventions = description->actions;
  config.info.proprio_names = description->proprio_names();
  if (description->floating) return "";
  return "\n#robot " + robot + " " + sha256_hex(description->content) + " controller dls/2";
}

std::shared_ptr<const Suite> load_suite_yaml(const std::string& text, const std::string& source,
                                             const TaskFamilies& families,
                                             const SuiteOptions& options) {
  const YAML::Node root = parse_yaml(text, source);
  if (!root || !root.IsMap()) {
    throw InputError(source + ":1: expected a suite definition (a mapping with name, tasks, ...)");
  }
  const YamlFields top(root, source, "");
  if (top.string_or("backend", "mujoco") == "bullet") {
    return calvin::load_calvin_yaml(text, source, options);
  }
  top.only_keys({"name", "version", "description", "backend", "seed", "episodes_per_task",
                 "control_hz", "settle_steps", "image", "cameras", "tasks", "scene",
                 "perturbations", "variants", "robot", "robots", "actions"});
  mj::MujocoSuiteConfig config;
  SuiteInfo& info = config.info;
  info.name = top.string("name");
  info.version = top.string_or("version", "1");
  info.description = top.string_or("description", "");
  info.backend = top.string_or("backend", "mujoco");
  if (info.backend != "mujoco") {
    top.fail_at(
        root["backend"], "backend",
        "unsupported backend '" + info.backend + "' for YAML suites; expected: mujoco or bullet");
  }
  info.source = source;
  info.seed = top.unsigned_integer("seed");
  info.default_episodes = top.integer_in("episodes_per_task", 50, 1, 100000);
  info.control_hz = top.integer_or("control_hz", 20);
  if (info.control_hz < 1 || info.control_hz > 500) top.fail("control_hz must be in 1..500");
  config.settle_steps = top.integer_in("settle_steps", 10, 0, 10000);
  info.cameras = top.strings_or("cameras", {"agentview", "wrist"});
  for (const auto& c : info.cameras) {
    if (c != "agentview" && c != "wrist") {
      top.fail_at(root["cameras"], "cameras",
                  "unknown camera '" + c + "'; the tabletop scene has: agentview, wrist");
    }
  }
  if (top.has("image")) {
    const YamlFields image = top.child("image");
    image.only_keys({"width", "height"});
    info.image_width = image.integer_or("width", 128);
    info.image_height = image.integer_or("height", 128);
    if (info.image_width < 8 || info.image_height < 8 || info.image_width > 2048 ||
        info.image_height > 2048) {
      image.fail("image width and height must be in 8..2048");
    }
  }
  config.scene.offscreen_width = std::max(config.scene.offscreen_width, info.image_width);
  config.scene.offscreen_height = std::max(config.scene.offscreen_height, info.image_height);
  if (top.has("scene")) {
    const YamlFields scene = top.child("scene");
    scene.only_keys({"gripper_home", "agentview_pos", "agentview_target", "agentview_fovy",
                     "table_rgba", "workspace", "robot_base", "robot_base_yaw"});
    config.scene.robot_base = scene.vec3_or("robot_base", config.scene.robot_base);
    config.scene.robot_base_yaw =
        scene.number_in("robot_base_yaw", 0.0, -7.0, 7.0, "[-7, 7] radians");
    config.scene.gripper_home = scene.vec3_or("gripper_home", config.scene.gripper_home);
    config.scene.agentview_pos = scene.vec3_or("agentview_pos", config.scene.agentview_pos);
    config.scene.agentview_target =
        scene.vec3_or("agentview_target", config.scene.agentview_target);
    config.scene.agentview_fovy = scene.number_in("agentview_fovy", config.scene.agentview_fovy,
                                                  1.0, 179.0, "[1, 179] degrees");
    config.scene.table_rgba = scene.rgba_or("table_rgba", config.scene.table_rgba);
    if (scene.has("workspace")) {
      // Where the tool centre point may go: {lo: [x, y, z], hi: [x, y, z]}.
      const YamlFields ws = scene.child("workspace");
      ws.only_keys({"lo", "hi"});
      config.workspace.lo = ws.vec3("lo");
      config.workspace.hi = ws.vec3("hi");
      for (std::size_t i = 0; i < 3; ++i) {
        if (!(config.workspace.lo[i] < config.workspace.hi[i]))
          ws.fail("workspace needs lo < hi on every axis");
      }
    }
    for (std::size_t i = 0; i < 3; ++i) {
      const double h = config.scene.gripper_home[i];
      if (!(h >= config.workspace.lo[i] && h <= config.workspace.hi[i])) {
        scene.fail("gripper_home must lie inside the workspace (lo..hi on every axis)");
      }
    }
  }
  // Every dimension unless the suite restricts them (`perturbations: []` for none).
  config.perturbation_dimensions = top.strings_or("perturbations", perturb::dimension_names());
  for (const auto& d : config.perturbation_dimensions) {
    if (!perturb::is_dimension(d)) {
      top.fail_at(root["perturbations"], "perturbations",
                  "unknown perturbation dimension '" + d +
                      "'; expected some of: " + join_names(perturb::dimension_names()));
    }
  }
  if (!config.perturbation_dimensions.empty()) {
    config.perturbations = perturb::make_mujoco_perturbations(config.perturbation_dimensions);
  }
  // Variant aggregation: the perturbation sets a plain run evaluates.
  for (const auto& v : top.strings_or("variants", {})) {
    try {
      const PerturbationSet set = PerturbationSet::parse(v);
      perturb::validate_set(set, config.perturbation_dimensions, config.info.name, "a variant");
      if (std::find(config.variants.begin(), config.variants.end(), set.id()) !=
          config.variants.end())
        throw InputError("'" + set.id() + "' is listed twice");
      config.variants.push_back(set.id());
    } catch (const InputError& e) {
      top.fail_at(root["variants"], "variants", e.what());
    }
  }
  // The robot: `robot:` names the default, `robots:` the ones --robot may choose.
  const std::string actions = top.string_or("actions", "ee_delta");
  if (actions != "ee_delta" && actions != "joint_pos") {
    top.fail_at(root["actions"], "actions",
                "unknown action space '" + actions + "'; expected: ee_delta, joint_pos");
  }
  config.joint_control = actions == "joint_pos";
  const std::string default_robot = top.string_or("robot", "floating_gripper");
  std::vector<std::string> allowed = top.strings_or("robots", {});
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), default_robot) == allowed.end())
    top.fail_at(root["robots"], "robots",
                "the list must include the suite's robot '" + default_robot + "'");
  for (const auto& r : allowed) robots::find_robot(r, source + ": robots");
  if (allowed.empty()) allowed = {default_robot};  // no `robots:` list: the robot is pinned
  std::string robot_hash;
  try {
    robot_hash = apply_robot(config, default_robot, {}, "robot");
  } catch (const InputError& e) {
    top.fail_at(root["robot"], "robot", e.what());
  }
  if (!options.robot.empty()) robot_hash = apply_robot(config, options.robot, allowed, "--robot");

  std::set<std::string> ids;
  std::set<std::string> code_versions;
  for (const YamlFields& t : top.list("tasks")) {
    TaskInfo task;
    task.id = t.string("id");
    if (task.id.empty() || task.id.find_first_of(" /,:") != std::string::npos) {
      t.fail_at(t.node()["id"], "id", "task ids must be non-empty without spaces, '/', ',' or ':'");
    }
    if (!ids.insert(task.id).second)
      t.fail_at(t.node()["id"], "id", "duplicate task id '" + task.id + "'");
    task.family = t.string("family");
    task.instruction = t.string("instruction");
    task.max_steps = t.integer_in("max_steps", 200, 1, 100000);
    // The task's default episode count (families that accept the key); 0 = episodes_per_task.
    if (t.has("episodes")) task.episodes = t.integer_in("episodes", 0, 1, 100000);
    const TaskFamily& family = families.get(task.family, t);
    code_versions.insert(family.code_version);
    config.tasks.push_back(family.make(t, task));
  }
  if (config.tasks.empty()) top.fail("a suite needs at least one task");

  // The hash covers the definition and the code that interprets it.
  std::string hashed = text;
  for (const auto& v : code_versions) hashed += "\n#code " + v;
  hashed += "\n#scene tabletop/1";
  hashed += robot_hash;
  if (config.perturbations) hashed += "\n#perturbations " + config.perturbations->version();
  if (!options.overlay.empty()) {
    try {
      config.overlay = render::load_overlay(options.overlay);
    } catch (const InputError& e) {
      throw InputError(std::string("--overlay: ") + e.what());
    }
    // Another background is another experiment: its pixels are part of the hash.
    hashed += "\n#overlay " +
              sha256_hex(std::string(config.overlay->rgb.begin(), config.overlay->rgb.end()));
  }
  info.content_hash = sha256_hex(hashed);
  return std::make_shared<mj::MujocoSuite>(std::move(config));
}

}  // namespace gauntlet::suites
