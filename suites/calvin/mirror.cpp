#include "suites/calvin/mirror.hpp"

#include <sstream>

#include "scenarios/perturb/appearance.hpp"

namespace gauntlet::suites::calvin {

using namespace geo;

namespace {

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
    o << " material=\"table_mat\"";
  } else {
    o << " rgba=\"" << vec({g.rgba[0], g.rgba[1], g.rgba[2], g.rgba[3]}) << "\"";
  }
  o << " contype=\"0\" conaffinity=\"0\"/>";
  return o.str();
}

}  // namespace

std::string distractor_geom_name(int slot, bullet::VisualGeom::Type type) {
  const char* shape = type == bullet::VisualGeom::Type::kBox        ? "box"
                      : type == bullet::VisualGeom::Type::kCylinder ? "cylinder"
                                                                    : "sphere";
  return "distractor" + std::to_string(slot) + "_" + shape;
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
  // The desk's material is the `texture` perturbation's table_mat; its
  // texture asset is painted only by perturbed episodes.
  x << "<texture name=\"" << perturb::kTableTexture << "\" type=\"2d\" builtin=\"flat\" width=\""
    << perturb::kTextureSize << "\" height=\"" << perturb::kTextureSize << "\" rgb1=\"1 1 1\"/>\n";
  if (look.texture == "none") {
    x << "<material name=\"table_mat\" rgba=\"" << rgb1 << " 1\"/>\n";
  } else {
    x << "<texture name=\"desk\" type=\"2d\" builtin=\"" << look.texture << "\" rgb1=\"" << rgb1
      << "\" rgb2=\"" << rgb2 << "\" width=\"64\" height=\"64\"/>\n"
      << "<material name=\"table_mat\" texture=\"desk\" texrepeat=\"6 6\" "
         "texuniform=\"true\"/>\n";
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
    for (int slot = 0; slot < bullet::kMaxDistractors; ++slot) {
      if (b != table.distractor_body(slot)) continue;
      // Sized for the largest draw; the episode sets its size and colour.
      using T = bullet::VisualGeom::Type;
      x << "<geom name=\"" << distractor_geom_name(slot, T::kBox)
        << "\" type=\"box\" size=\"0.04 0.04 0.04\" group=\"4\" contype=\"0\" "
           "conaffinity=\"0\"/>\n"
        << "<geom name=\"" << distractor_geom_name(slot, T::kCylinder)
        << "\" type=\"cylinder\" size=\"0.04 0.04\" group=\"4\" contype=\"0\" "
           "conaffinity=\"0\"/>\n"
        << "<geom name=\"" << distractor_geom_name(slot, T::kSphere)
        << "\" type=\"sphere\" size=\"0.04\" group=\"4\" contype=\"0\" conaffinity=\"0\"/>\n";
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

}  // namespace gauntlet::suites::calvin
