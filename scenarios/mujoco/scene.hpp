// The standard tabletop scene every MuJoCo suite starts from: floor, table,
// backdrop, lights, the agentview camera and the robot (an arm from a robots/
// description on its pedestal, or the floating parallel-jaw gripper).
// Tasks add their objects and fixtures to it, then it is compiled once per task.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "harness/camera.hpp"
#include "harness/geometry.hpp"
#include "robots/robot_description.hpp"
#include "scenarios/mujoco/mjcf.hpp"

namespace gauntlet::mj {

inline constexpr double kTableTop = 0.0;  // world z of the table surface

using Rgba = std::array<double, 4>;

struct SceneOptions {
  double timestep = 0.002;    // 500 Hz physics
  int offscreen_width = 256;  // largest image the renderer can produce
  int offscreen_height = 256;
  std::array<double, 2> table_half_size{0.5, 0.7};  // x, y
  geo::Vec3 gripper_home{0.0, 0.0, 0.25};           // tool centre point at reset
  // The robot and where its base stands (world frame, yaw about z). null: the
  // floating gripper. robosuite mounts a Panda 0.16 m behind the table's edge
  // (x = -0.66 here), and the LIBERO-like suites stand it there
  // (suites/libero/protocol.hpp); this default stands 0.1 m closer.
  std::shared_ptr<const robots::RobotDescription> robot;
  geo::Vec3 robot_base{-0.56, 0.0, 0.0};
  double robot_base_yaw = 0.0;
  geo::Vec3 agentview_pos = kTabletopAgentview.pos;
  geo::Vec3 agentview_target = kTabletopAgentview.target;
  double agentview_fovy = kTabletopAgentview.fovy_deg;
  Rgba table_rgba{0.62, 0.48, 0.33, 1};
  Rgba floor_rgba{0.35, 0.35, 0.38, 1};
  Rgba wall_rgba{0.78, 0.80, 0.82, 1};
  // Contact and constraint buffers. MuJoCo 2.2 defaults to 100 contacts, and
  // a full buffer is a sim_error: cluttered scenes (ten objects, cabinets,
  // baskets) need more.
  int nconmax = 400;
  int njmax = 1600;
};

// Geometry helpers: each adds one geom to `body` and returns it for extra attributes.
XmlElement& add_box(XmlElement& body, std::string_view name, const geo::Vec3& half_size,
                    const geo::Vec3& pos, const Rgba& rgba);
XmlElement& add_cylinder(XmlElement& body, std::string_view name, double radius, double half_height,
                         const geo::Vec3& pos, const Rgba& rgba);
XmlElement& add_sphere(XmlElement& body, std::string_view name, double radius, const geo::Vec3& pos,
                       const Rgba& rgba);
// A geom that is drawn but never collides (markers, regions, decals).
XmlElement& make_visual_only(XmlElement& geom);

// xyaxes attribute for a camera at `pos` looking at `target` with `up` (in the
// same frame) pointing up in the image.
std::string look_at_xyaxes(const geo::Vec3& pos, const geo::Vec3& target,
                           const geo::Vec3& up = {0, 0, 1});

class SceneBuilder {
 public:
  explicit SceneBuilder(const SceneOptions& options);

  XmlElement& worldbody() { return *worldbody_; }
  XmlElement& asset() { return *asset_; }
  XmlElement& equality() { return *equality_; }
  XmlElement& actuator() { return *actuator_; }
  XmlElement& contact() { return *contact_; }

  // A body on the worldbody at `pos`, rotated by `yaw` about z; with a free
  // joint named "<name>_joint" when `free`.
  XmlElement& add_body(std::string_view name, const geo::Vec3& pos, bool free, double yaw = 0.0);

  // MuJoCo only filters parent-child contacts between moving bodies: a drawer
  // inside a static cabinet must be excluded explicitly.
  void exclude_contact(std::string_view body1, std::string_view body2);

  const SceneOptions& options() const { return options_; }
  std::string xml() const;

 private:
  void add_environment();
  void add_robot();
  void add_hand(XmlElement& tcp_body, const robots::RobotDescription& robot, bool arm);
  void add_arm(const robots::RobotDescription& robot);

  SceneOptions options_;
  XmlElement root_{"mujoco"};
  XmlElement* worldbody_ = nullptr;
  XmlElement* asset_ = nullptr;
  XmlElement* equality_ = nullptr;
  XmlElement* actuator_ = nullptr;
  XmlElement* contact_ = nullptr;
};

}  // namespace gauntlet::mj
