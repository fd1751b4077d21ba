#include "suites/common/suite_loader.hpp"

#include <set>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"
#include "scenarios/mujoco/mujoco_suite.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/perturb/mujoco_perturbations.hpp"

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

std::shared_ptr<const Suite> load_suite_yaml(const std::string& text, const std::string& source,
                                             const TaskFamilies& families) {
  const YAML::Node root = parse_yaml(text, source);
  if (!root || !root.IsMap()) {
    throw InputError(source + ":1: expected a suite definition (a mapping with name, tasks, ...)");
  }
  const YamlFields top(root, source, "");
  top.only_keys({"name", "version", "description", "backend", "seed", "episodes_per_task",
                 "control_hz", "settle_steps", "image", "cameras", "tasks", "scene",
                 "perturbations"});
  mj::MujocoSuiteConfig config;
  SuiteInfo& info = config.info;
  info.name = top.string("name");
  info.version = top.string_or("version", "1");
  info.description = top.string_or("description", "");
  info.backend = top.string_or("backend", "mujoco");
  if (info.backend != "mujoco") {
    top.fail_at(root["backend"], "backend",
                "unsupported backend '" + info.backend + "' for YAML suites; expected: mujoco");
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
                     "table_rgba", "workspace"});
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
  info.proprio_names = {"eef_pos_x",         "eef_pos_y",         "eef_pos_z",
                        "eef_axis_angle_x",  "eef_axis_angle_y",  "eef_axis_angle_z",
                        "gripper_qpos_left", "gripper_qpos_right"};

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
    const TaskFamily& family = families.get(task.family, t);
    code_versions.insert(family.code_version);
    config.tasks.push_back(family.make(t, task));
  }
  if (config.tasks.empty()) top.fail("a suite needs at least one task");

  // The hash covers the definition and the code that interprets it.
  std::string hashed = text;
  for (const auto& v : code_versions) hashed += "\n#code " + v;
  hashed += "\n#scene tabletop/1";
  if (config.perturbations) hashed += "\n#perturbations " + config.perturbations->version();
  info.content_hash = sha256_hex(hashed);
  return std::make_shared<mj::MujocoSuite>(std::move(config));
}

}  // namespace gauntlet::suites
