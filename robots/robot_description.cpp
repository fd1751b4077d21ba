#include "robots/robot_description.hpp"

#include <cmath>
#include <set>

#include "harness/errors.hpp"
#include "suites/common/yaml_fields.hpp"

namespace gauntlet {
const std::vector<std::pair<std::string, std::string>>& embedded_robot_files();
}

namespace gauntlet::robots {

using suites::YamlFields;
using namespace geo;  // Vec3 arithmetic

namespace {

Origin read_origin(const YamlFields& f) {
  f.only_keys({"xyz", "rpy"});
  Origin o;
  o.xyz = f.vec3_or("xyz", {0, 0, 0});
  o.rpy = f.vec3_or("rpy", {0, 0, 0});
  return o;
}

Capsule read_capsule(const YamlFields& f) {
  f.only_keys({"from", "to", "radius"});
  Capsule c;
  c.from = f.vec3("from");
  c.to = f.vec3("to");
  c.radius = f.number_in("radius", 0.0, 0.001, 1.0, "(0.001, 1] m");
  if (!f.has("radius")) f.fail("a capsule needs a radius");
  return c;
}

std::vector<Capsule> read_capsules(const YamlFields& f) {
  std::vector<Capsule> out;
  if (!f.has("capsules")) return out;
  for (const YamlFields& c : f.list("capsules")) out.push_back(read_capsule(c));
  return out;
}

Gripper read_gripper(const YamlFields& f) {
  f.only_keys({"stroke", "force", "mass", "palm_half_size", "palm_height", "pad_half_size"});
  Gripper g;
  g.stroke = f.number_in("stroke", g.stroke, 0.01, 0.3, "[0.01, 0.3] m");
  g.force = f.number_in("force", g.force, 1.0, 1000.0, "[1, 1000] N");
  g.mass = f.number_in("mass", g.mass, 0.01, 20.0, "[0.01, 20] kg");
  g.palm_half_size = f.vec3_or("palm_half_size", g.palm_half_size);
  g.palm_height = f.number_in("palm_height", g.palm_height, 0.01, 0.5, "[0.01, 0.5] m");
  g.pad_half_size = f.vec3_or("pad_half_size", g.pad_half_size);
  return g;
}

Joint read_joint(const YamlFields& f) {
  f.only_keys(
      {"name", "origin", "axis", "limits", "velocity", "effort", "servo", "mass", "capsules"});
  Joint j;
  j.name = f.string("name");
  j.origin = read_origin(f.child("origin"));
  j.axis = f.vec3_or("axis", {0, 0, 1});
  const double n = norm(j.axis);
  if (!(n > 1e-9)) f.fail_at(f.node()["axis"], "axis", "a joint axis must be a non-zero vector");
  j.axis = (1.0 / n) * j.axis;
  const suites::Range limits = f.range("limits");
  if (!(limits.lo < limits.hi)) {
    f.fail_at(f.node()["limits"], "limits", "joint limits need lower < upper (radians)");
  }
  j.lower = limits.lo;
  j.upper = limits.hi;
  j.velocity = f.number_in("velocity", 2.0, 0.01, 100.0, "[0.01, 100] rad/s");
  j.effort = f.number_in("effort", 50.0, 0.1, 10000.0, "[0.1, 10000] N m");
  if (f.has("servo")) {
    const YamlFields s = f.child("servo");
    s.only_keys({"kp", "damping", "armature"});
    j.kp = s.number_in("kp", 1000.0, 1.0, 1e6, "[1, 1e6] N m/rad");
    j.damping = s.number_in("damping", 10.0, 0.0, 1e5, "[0, 1e5] N m s/rad");
    j.armature = s.number_in("armature", 0.01, 0.0, 10.0, "[0, 10] kg m^2");
  } else {
    j.kp = 1000.0;
    j.damping = 10.0;
    j.armature = 0.01;
  }
  j.mass = f.number_in("mass", 1.0, 0.001, 100.0, "[0.001, 100] kg");
  j.capsules = read_capsules(f);
  return j;
}

CameraMount read_camera(const YamlFields& f) {
  f.only_keys({"name", "parent", "pos", "look_at", "up", "fovy"});
  CameraMount c;
  c.name = f.string("name");
  c.parent = f.string_or("parent", "tcp");
  c.pos = f.vec3("pos");
  c.look_at = f.vec3("look_at");
  c.up = f.vec3_or("up", {0, 0, 1});
  c.fovy_deg = f.number_in("fovy", 60.0, 1.0, 179.0, "[1, 179] degrees");
  if (norm(c.look_at - c.pos) < 1e-6) f.fail("a camera's look_at must differ from its pos");
  return c;
}

Quat quat_from_rpy(const Vec3& rpy) {
  const Quat qx = quat_from_rotvec({rpy[0], 0, 0});
  const Quat qy = quat_from_rotvec({0, rpy[1], 0});
  const Quat qz = quat_from_rotvec({0, 0, rpy[2]});
  return quat_normalize(quat_mul(qz, quat_mul(qy, qx)));
}

const std::set<std::string>& known_conventions() {
  static const std::set<std::string> names{"ee_delta", "libero", "calvin",
                                           "bridge",   "rt1",    "joint_pos"};
  return names;
}

}  // namespace

Quat Origin::quat() const {
  return quat_from_rpy(rpy);
}

std::vector<std::string> RobotDescription::proprio_names() const {
  std::vector<std::string> names = {"eef_pos_x",         "eef_pos_y",         "eef_pos_z",
                                    "eef_axis_angle_x",  "eef_axis_angle_y",  "eef_axis_angle_z",
                                    "gripper_qpos_left", "gripper_qpos_right"};
  for (const auto& j : joints) names.push_back("joint_pos_" + j.name);
  for (const auto& j : joints) names.push_back("joint_vel_" + j.name);
  return names;
}

RobotDescription parse_robot(const std::string& text, const std::string& file) {
  const YAML::Node root = suites::parse_yaml(text, file);
  if (!root || !root.IsMap()) {
    throw InputError(file + ":1: expected a robot description (a mapping with name, joints, ...)");
  }
  const YamlFields top(root, file, "");
  top.only_keys({"name", "description", "source", "floating", "base", "joints", "flange", "tcp",
                 "gripper", "home", "cameras", "actions", "delta_from"});
  RobotDescription r;
  r.file = file;
  r.content = text;
  r.name = top.string("name");
  r.description = top.string_or("description", "");
  r.source = top.string_or("source", "");
  r.floating = root["floating"] && root["floating"].as<std::string>() == "true";
  if (top.has("base")) {
    const YamlFields base = top.child("base");
    base.only_keys({"pedestal_radius", "capsules"});
    r.base_radius = base.number_in("pedestal_radius", 0.0, 0.0, 1.0, "[0, 1] m");
    r.base_capsules = read_capsules(base);
  }
  std::set<std::string> names;
  if (!r.floating) {
    for (const YamlFields& j : top.list("joints")) {
      r.joints.push_back(read_joint(j));
      if (!names.insert(r.joints.back().name).second) {
        j.fail_at(j.node()["name"], "name", "duplicate joint '" + r.joints.back().name + "'");
      }
    }
    if (r.joints.empty()) top.fail("an arm needs at least one joint (or `floating: true`)");
    r.flange = read_origin(top.child("flange"));
    r.tcp = read_origin(top.child("tcp"));
    r.home = top.numbers("home", r.joints.size());
    for (std::size_t i = 0; i < r.joints.size(); ++i) {
      const Joint& j = r.joints[i];
      if (r.home[i] < j.lower || r.home[i] > j.upper) {
        top.fail_at(root["home"], "home",
                    "home position of " + j.name + " (" + std::to_string(r.home[i]) +
                        ") lies outside its limits [" + std::to_string(j.lower) + ", " +
                        std::to_string(j.upper) + "]");
      }
    }
  } else if (top.has("joints")) {
    top.fail_at(root["joints"], "joints", "a floating gripper has no joints");
  }
  r.gripper = top.has("gripper") ? read_gripper(top.child("gripper")) : Gripper{};
  if (top.has("cameras")) {
    for (const YamlFields& c : top.list("cameras")) {
      r.cameras.push_back(read_camera(c));
      const std::string& parent = r.cameras.back().parent;
      if (parent != "tcp" && parent != "base" && !names.count(parent)) {
        c.fail_at(c.node()["parent"], "parent",
                  "unknown camera parent '" + parent + "'; expected tcp, base or a joint name");
      }
    }
  }
  const std::string delta_from = top.string_or("delta_from", "target");
  if (delta_from != "target" && delta_from != "measured") {
    top.fail_at(root["delta_from"], "delta_from",
                "'" + delta_from + "' is not one of: target, measured");
  }
  r.delta_from_measured = delta_from == "measured";
  r.actions = top.strings("actions");
  for (const auto& a : r.actions) {
    if (!known_conventions().count(a)) {
      top.fail_at(root["actions"], "actions",
                  "unknown action convention '" + a +
                      "'; expected some of: ee_delta, libero, calvin, bridge, rt1, joint_pos");
    }
    if (a == "joint_pos" && r.floating) {
      top.fail_at(root["actions"], "actions", "a floating gripper has no joint_pos actions");
    }
  }
  if (r.actions.empty()) top.fail("a robot needs at least one action convention");
  return r;
}

const std::vector<std::shared_ptr<const RobotDescription>>& builtin_robots() {
  static const std::vector<std::shared_ptr<const RobotDescription>> robots = [] {
    std::vector<std::shared_ptr<const RobotDescription>> out;
    for (const auto& [path, text] : embedded_robot_files()) {
      out.push_back(std::make_shared<const RobotDescription>(parse_robot(text, "builtin:" + path)));
    }
    return out;
  }();
  return robots;
}

std::vector<std::string> robot_names() {
  std::vector<std::string> out;
  for (const auto& r : builtin_robots()) out.push_back(r->name);
  return out;
}

std::shared_ptr<const RobotDescription> find_robot(const std::string& name,
                                                   const std::string& what) {
  for (const auto& r : builtin_robots()) {
    if (r->name == name) return r;
  }
  throw InputError(what + ": unknown robot '" + name +
                   "'; expected one of: " + join_names(robot_names()));
}

Pose forward_kinematics(const RobotDescription& robot, const std::vector<double>& q,
                        std::vector<Pose>* frames) {
  if (q.size() != robot.joints.size()) {
    throw InputError("robot '" + robot.name + "' has " + std::to_string(robot.joints.size()) +
                     " joints; got " + std::to_string(q.size()) + " positions");
  }
  Pose p;
  if (frames) frames->clear();
  for (std::size_t i = 0; i < q.size(); ++i) {
    const Joint& j = robot.joints[i];
    p.pos = p.pos + rotate(p.quat, j.origin.xyz);
    p.quat = quat_normalize(quat_mul(p.quat, j.origin.quat()));
    p.quat = quat_normalize(quat_mul(p.quat, quat_from_rotvec(q[i] * j.axis)));
    if (frames) frames->push_back(p);
  }
  for (const Origin* o : {&robot.flange, &robot.tcp}) {
    p.pos = p.pos + rotate(p.quat, o->xyz);
    p.quat = quat_normalize(quat_mul(p.quat, o->quat()));
  }
  return p;
}

}  // namespace gauntlet::robots
