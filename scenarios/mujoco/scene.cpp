#include "scenarios/mujoco/scene.hpp"

#include <algorithm>
#include <cmath>

#include "scenarios/mujoco/robot.hpp"

namespace gauntlet::mj {

using namespace geo;  // Vec3 arithmetic
namespace {

std::string rgba_text(const Rgba& c) {
  return format_numbers(c);
}

// The robot's cameras mounted on `parent` ("tcp", "base" or a joint's link).
void add_robot_cameras(XmlElement& body, const robots::RobotDescription& robot,
                       const std::string& parent) {
  for (const auto& cam : robot.cameras) {
    if (cam.parent != parent) continue;
    body.add("camera")
        .set("name", cam.name)
        .set("mode", "fixed")
        .set("pos", cam.pos)
        .set("xyaxes", look_at_xyaxes(cam.pos, cam.look_at, cam.up))
        .set("fovy", cam.fovy_deg);
  }
}

}  // namespace

XmlElement& add_box(XmlElement& body, std::string_view name, const geo::Vec3& half_size,
                    const geo::Vec3& pos, const Rgba& rgba) {
  XmlElement& g = body.add("geom");
  if (!name.empty()) g.set("name", name);
  g.set("type", "box").set("size", half_size).set("pos", pos).set("rgba", rgba_text(rgba));
  return g;
}

XmlElement& add_cylinder(XmlElement& body, std::string_view name, double radius, double half_height,
                         const geo::Vec3& pos, const Rgba& rgba) {
  XmlElement& g = body.add("geom");
  if (!name.empty()) g.set("name", name);
  g.set("type", "cylinder").set("size", {radius, half_height}).set("pos", pos);
  g.set("rgba", rgba_text(rgba));
  return g;
}

XmlElement& add_sphere(XmlElement& body, std::string_view name, double radius, const geo::Vec3& pos,
                       const Rgba& rgba) {
  XmlElement& g = body.add("geom");
  if (!name.empty()) g.set("name", name);
  g.set("type", "sphere").set("size", {radius}).set("pos", pos).set("rgba", rgba_text(rgba));
  return g;
}

XmlElement& make_visual_only(XmlElement& geom) {
  return geom.set("contype", 0.0).set("conaffinity", 0.0).set("group", 1.0).set("mass", 0.0);
}

std::string look_at_xyaxes(const geo::Vec3& pos, const geo::Vec3& target, const geo::Vec3& up) {
  const geo::Vec3 f = target - pos;
  const double fn = geo::norm(f);
  const geo::Vec3 forward = (1.0 / fn) * f;
  geo::Vec3 right = geo::cross(forward, up);
  if (geo::norm(right) < 1e-9) right = {0, 1, 0};  // looking straight down
  right = (1.0 / geo::norm(right)) * right;
  const geo::Vec3 image_up = geo::cross(right, forward);
  return format_numbers(
      std::array<double, 6>{right[0], right[1], right[2], image_up[0], image_up[1], image_up[2]});
}

SceneBuilder::SceneBuilder(const SceneOptions& options) : options_(options) {
  root_.set("model", "gauntlet");
  root_.add("compiler").set("angle", "radian").set("autolimits", "true");
  root_.add("option")
      .set("timestep", options_.timestep)
      .set("cone", "elliptic")
      .set("impratio", 10.0)
      .set("noslip_iterations", 2.0);
  root_.add("size")
      .set("nconmax", static_cast<double>(options_.nconmax))
      .set("njmax", static_cast<double>(options_.njmax));
  XmlElement& visual = root_.add("visual");
  visual.add("global")
      .set("offwidth", static_cast<double>(options_.offscreen_width))
      .set("offheight", static_cast<double>(options_.offscreen_height));
  // A 1024 shadow map and no multisampling: ~10x faster on a CPU rasteriser
  // than MuJoCo's 4096/4x defaults, indistinguishable at 128x128.
  visual.add("quality").set("shadowsize", 1024.0).set("offsamples", 0.0);
  visual.add("headlight")
      .set("ambient", {0.25, 0.25, 0.25})
      .set("diffuse", {0.35, 0.35, 0.35})
      .set("specular", {0.05, 0.05, 0.05});
  visual.add("map").set("znear", 0.01);
  XmlElement& def = root_.add("default");
  def.add("geom").set("friction", {1.0, 0.005, 0.0001}).set("solref", {0.005, 1.0});
  asset_ = &root_.add("asset");
  worldbody_ = &root_.add("worldbody");
  contact_ = &root_.add("contact");
  equality_ = &root_.add("equality");
  actuator_ = &root_.add("actuator");
  add_environment();
  add_robot();
}

void SceneBuilder::add_environment() {
  asset_->add("texture")
      .set("name", "sky")
      .set("type", "skybox")
      .set("builtin", "gradient")
      .set("rgb1", {0.75, 0.8, 0.86})
      .set("rgb2", {0.3, 0.32, 0.36})
      .set("width", 32.0)
      .set("height", 32.0);
  asset_->add("texture")
      .set("name", "floor_tex")
      .set("type", "2d")
      .set("builtin", "checker")
      .set("rgb1", {options_.floor_rgba[0], options_.floor_rgba[1], options_.floor_rgba[2]})
      .set("rgb2", {options_.floor_rgba[0] * 0.8, options_.floor_rgba[1] * 0.8,
                    options_.floor_rgba[2] * 0.8})
      .set("width", 64.0)
      .set("height", 64.0);
  asset_->add("material")
      .set("name", "floor_mat")
      .set("texture", "floor_tex")
      .set("texrepeat", {6, 6});
  asset_->add("material")
      .set("name", "table_mat")
      .set("rgba", rgba_text(options_.table_rgba))
      .set("specular", 0.1);
  asset_->add("material").set("name", "wall_mat").set("rgba", rgba_text(options_.wall_rgba));

  XmlElement& wb = *worldbody_;
  wb.add("light")
      .set("name", "key")
      .set("pos", {0.4, -0.4, 2.2})
      .set("dir", {-0.2, 0.2, -1})
      .set("directional", "true")
      .set("castshadow", "true")
      .set("diffuse", {0.6, 0.6, 0.6})
      .set("specular", {0.2, 0.2, 0.2});
  wb.add("light")
      .set("name", "fill")
      .set("pos", {1.2, 0.6, 1.5})
      .set("dir", {-0.6, -0.3, -0.7})
      .set("directional", "true")
      .set("castshadow", "false")
      .set("diffuse", {0.25, 0.25, 0.25});
  const double thickness = 0.03;
  wb.add("geom")
      .set("name", "floor")
      .set("type", "plane")
      .set("size", {3, 3, 0.1})
      .set("pos", {0, 0, kTableTop - 0.8})
      .set("material", "floor_mat");
  XmlElement& table =
      add_box(wb, "table", {options_.table_half_size[0], options_.table_half_size[1], thickness},
              {0, 0, kTableTop - thickness}, options_.table_rgba);
  table.set("material", "table_mat");
  for (const double sx : {-1.0, 1.0}) {
    for (const double sy : {-1.0, 1.0}) {
      add_box(wb, "", {0.025, 0.025, 0.385},
              {sx * (options_.table_half_size[0] - 0.05), sy * (options_.table_half_size[1] - 0.05),
               kTableTop - 0.415},
              {0.3, 0.25, 0.2, 1});
    }
  }
  make_visual_only(
      add_box(wb, "backdrop", {0.02, 2.0, 1.2}, {-1.4, 0, kTableTop + 0.2}, options_.wall_rgba))
      .set("material", "wall_mat");
  wb.add("camera")
      .set("name", "agentview")
      .set("mode", "fixed")
      .set("pos", options_.agentview_pos)
      .set("xyaxes", look_at_xyaxes(options_.agentview_pos, options_.agentview_target))
      .set("fovy", options_.agentview_fovy);
}

void SceneBuilder::add_robot() {
  const auto robot =
      options_.robot ? options_.robot : robots::find_robot("floating_gripper", "scene");
  if (robot->floating) {
    const geo::Vec3& home = options_.gripper_home;
    worldbody_->add("body").set("name", robot::kTarget).set("mocap", "true").set("pos", home);
    XmlElement& g = worldbody_->add("body").set("name", robot::kBody).set("pos", home);
    g.add("freejoint").set("name", "gripper_root");
    add_hand(g, *robot, false);
    equality_->add("weld")
        .set("body1", robot::kTarget)
        .set("body2", robot::kBody)
        .set("solref", {0.01, 1})
        .set("solimp", {0.95, 0.99, 0.001});
  } else {
    add_arm(*robot);
  }
}

// The parallel-jaw hand in the TCP frame (z towards the wrist): palm, two
// sliding fingers with position servos, the TCP site and the wrist camera.
void SceneBuilder::add_hand(XmlElement& g, const robots::RobotDescription& robot, bool arm) {
  const robots::Gripper& grip = robot.gripper;
  const double travel = grip.stroke / 2.0;
  const double pads_mass = 0.1;
  const double body_mass = std::max(0.05, grip.mass - pads_mass);
  add_box(g, "palm", grip.palm_half_size, {0, 0, grip.palm_height}, {0.22, 0.22, 0.25, 1})
      .set("mass", arm ? body_mass : body_mass * 0.75);
  if (!arm) {
    add_cylinder(g, "wrist_link", 0.03, 0.05, {0, 0, grip.palm_height + 0.065}, {0.3, 0.3, 0.34, 1})
        .set("mass", body_mass * 0.25);
  }
  g.add("site")
      .set("name", robot::kTcpSite)
      .set("pos", {0, 0, 0})
      .set("size", {0.004})
      .set("rgba", {1, 0, 0, 0});
  add_robot_cameras(g, robot, "tcp");
  const geo::Vec3& pad = grip.pad_half_size;
  for (const double side : {1.0, -1.0}) {
    const char* name = side > 0 ? robot::kLeftFinger : robot::kRightFinger;
    XmlElement& f = g.add("body").set("name", name).set("pos", {0, 0, 0});
    f.add("joint")
        .set("name", name)
        .set("type", "slide")
        .set("axis", {0, side, 0})
        .set("range", {0, travel})
        .set("damping", 4.0)
        .set("armature", 0.01);
    add_box(f, std::string(name) + "_pad", pad, {0, side * pad[1], pad[2] - 0.02},
            {0.15, 0.15, 0.17, 1})
        .set("mass", pads_mass / 2.0)
        .set("friction", {1.5, 0.02, 0.001})
        .set("condim", 4.0);
    actuator_->add("position")
        .set("name", name)
        .set("joint", name)
        .set("kp", 400.0)
        .set("ctrlrange", {-robot::kFingerSqueeze, travel})
        .set("forcerange", {-grip.force, grip.force});
  }
  contact_->add("exclude").set("body1", robot::kLeftFinger).set("body2", robot::kRightFinger);
}

namespace {

// Arm links never collide with each other (capsules of neighbouring links
// overlap at the joints, as the real link shells nest); they collide with the
// world (contype 1) through conaffinity.
XmlElement& add_link_capsule(XmlElement& body, const robots::Capsule& c, double mass,
                             const Rgba& rgba) {
  XmlElement& g = body.add("geom");
  g.set("type", "capsule")
      .set("fromto",
           std::array<double, 6>{c.from[0], c.from[1], c.from[2], c.to[0], c.to[1], c.to[2]})
      .set("size", {c.radius})
      .set("contype", 2.0)
      .set("conaffinity", 1.0)
      .set("rgba", format_numbers(rgba));
  if (mass > 0) g.set("mass", mass);
  return g;
}

}  // namespace

void SceneBuilder::add_arm(const robots::RobotDescription& robot) {
  const Rgba white{0.92, 0.92, 0.92, 1};
  const Rgba dark{0.25, 0.25, 0.28, 1};
  const geo::Vec3& base_pos = options_.robot_base;
  XmlElement& base = worldbody_->add("body").set("name", "robot_base").set("pos", base_pos);
  if (options_.robot_base_yaw != 0.0) base.set("quat", geo::quat_from_yaw(options_.robot_base_yaw));
  const double floor_z = kTableTop - 0.8;
  if (robot.base_radius > 0.0 && base_pos[2] > floor_z + 0.01) {
    const double half = (base_pos[2] - floor_z) / 2.0;
    add_cylinder(base, "robot_pedestal", robot.base_radius, half, {0, 0, -half}, dark)
        .set("contype", 2.0)
        .set("conaffinity", 1.0);
  }
  for (const auto& c : robot.base_capsules) add_link_capsule(base, c, 0.0, white);
  add_robot_cameras(base, robot, "base");
  XmlElement* parent = &base;
  std::vector<std::string> links{"robot_base"};
  for (std::size_t i = 0; i < robot.joints.size(); ++i) {
    const robots::Joint& j = robot.joints[i];
    const std::string link = "robot_link_" + j.name;
    XmlElement& body =
        parent->add("body").set("name", link).set("pos", j.origin.xyz).set("quat", j.origin.quat());
    body.add("joint")
        .set("name", "robot_" + j.name)
        .set("type", "hinge")
        .set("axis", j.axis)
        .set("range", {j.lower, j.upper})
        .set("damping", j.damping)
        .set("armature", j.armature);
    const double each = j.mass / static_cast<double>(std::max<std::size_t>(1, j.capsules.size()));
    for (const auto& capsule : j.capsules) add_link_capsule(body, capsule, each, white);
    if (j.capsules.empty()) {
      body.add("inertial")
          .set("pos", {0, 0, 0})
          .set("mass", j.mass)
          .set("diaginertia", {1e-3, 1e-3, 1e-3});
    }
    add_robot_cameras(body, robot, j.name);
    actuator_->add("position")
        .set("name", "robot_" + j.name)
        .set("joint", "robot_" + j.name)
        .set("kp", j.kp)
        .set("ctrlrange", {j.lower, j.upper})
        .set("forcerange", {-j.effort, j.effort});
    links.push_back(link);
    parent = &body;
  }
  XmlElement& flange = parent->add("body")
                           .set("name", "robot_flange")
                           .set("pos", robot.flange.xyz)
                           .set("quat", robot.flange.quat());
  add_cylinder(flange, "robot_flange_disc", 0.035, 0.006, {0, 0, 0}, dark)
      .set("contype", 2.0)
      .set("conaffinity", 1.0)
      .set("mass", 0.05);
  links.push_back("robot_flange");
  XmlElement& hand = flange.add("body")
                         .set("name", robot::kBody)
                         .set("pos", robot.tcp.xyz)
                         .set("quat", robot.tcp.quat());
  add_hand(hand, robot, true);
  // The hand's palm and fingers sit against the last links: no contacts there.
  const std::size_t nearest = std::min<std::size_t>(links.size(), 3);
  for (std::size_t k = links.size() - nearest; k < links.size(); ++k) {
    for (const char* h : {robot::kBody, robot::kLeftFinger, robot::kRightFinger}) {
      exclude_contact(links[k], h);
    }
  }
}

XmlElement& SceneBuilder::add_body(std::string_view name, const geo::Vec3& pos, bool free,
                                   double yaw) {
  XmlElement& b = worldbody_->add("body").set("name", name).set("pos", pos);
  if (yaw != 0.0) {
    const geo::Quat q = geo::quat_from_yaw(yaw);
    b.set("quat", q);
  }
  if (free) b.add("freejoint").set("name", std::string(name) + "_joint");
  return b;
}

void SceneBuilder::exclude_contact(std::string_view body1, std::string_view body2) {
  contact_->add("exclude").set("body1", body1).set("body2", body2);
}

std::string SceneBuilder::xml() const {
  std::string out;
  root_.write(out);
  return out;
}

}  // namespace gauntlet::mj
