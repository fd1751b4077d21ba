// The CALVIN-like play table on Bullet (btMultiBodyDynamicsWorld): a desk with
// a sliding door, a drawer, a button (LED) and a switch (light bulb) as
// prismatic links of one btMultiBody, three dynamic blocks, and the arm of a
// robots/ description. The only Bullet user in gauntlet: this header names no
// Bullet type, so the rest of the code never includes Bullet headers.
//
// The arm is a second fixed-base btMultiBody (docs/calvin.md): damped least
// squares turns the ee_delta target into a joint goal each control step, joint
// motors capped at the joints' efforts track it, and force-capped finger
// motors hold grasped blocks by friction. Its links collide with the table,
// the cabinet, the desk's parts and the blocks.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/geometry.hpp"
#include "harness/observation.hpp"
#include "robots/robot_description.hpp"

namespace gauntlet::bullet {

// Where the desk's parts are; environments A..D differ here (and in colours).
struct DeskLayout {
  double slider_x = 0.5;                         // front face of the cabinet (m, world x)
  double cabinet_y = 0.0;                        // centre of the cabinet across y
  double drawer_y = -0.2;                        // centre of the drawer across y
  std::array<double, 2> button{0.4, 0.36};       // x, y on the table
  std::array<double, 2> switch_xy{0.42, -0.44};  // x, y of the switch knob at 0
  std::vector<std::array<double, 2>> sockets;    // block positions on the table (x, y)
};

inline constexpr int kBlocks = 3;
inline constexpr const char* kBlockNames[kBlocks] = {"red", "blue", "pink"};

// Geometry constants of the desk (shared by the world, the oracles and the expert).
namespace desk {
inline constexpr double kTableFront = 0.3;        // x of the table's front edge
inline constexpr double kCabinetDepth = 0.22;     // interior depth behind the door
inline constexpr double kCabinetHalfWidth = 0.3;  // interior spans cabinet_y +- this
inline constexpr double kCabinetHeight = 0.2;
inline constexpr double kSliderTravel = 0.3;  // door travel (m); > half: door on the left
inline constexpr double kDrawerTravel = 0.22;
inline constexpr double kDrawerFloor = -0.13;           // z of the drawer's floor (table top is 0)
inline constexpr double kDrawerHalf[2] = {0.13, 0.14};  // interior half sizes x, y
inline constexpr double kButtonTravel = 0.012;
inline constexpr double kButtonTop = 0.035;  // z of the released button's top
inline constexpr double kSwitchTravel = 0.06;
inline constexpr double kSwitchBase = 0.05;  // z of the knob's centre (it slides along +y)
}  // namespace desk

struct BlockState {
  Pose pose;
  std::array<double, 3> half{0.025, 0.025, 0.025};
  bool touch_left = false;  // contacts with the left / right finger
  bool touch_right = false;
  bool touch_other = false;  // with anything but the fingers (table, desk, blocks)
  bool held() const { return touch_left && touch_right && !touch_other; }
};

// Everything the oracles and the expert read: the privileged state.
struct PlayState {
  double slider = 0.0;      // door offset (0: door on the right .. kSliderTravel: on the left)
  double drawer = 0.0;      // opening (0 closed .. kDrawerTravel)
  double button = 0.0;      // depression (0 .. kButtonTravel)
  double switch_pos = 0.0;  // 0 (off) .. kSwitchTravel (on, slid towards +y)
  bool led = false;
  bool bulb = false;
  std::array<BlockState, kBlocks> blocks;
  Pose tcp;
  double opening = 0.0;  // finger gap, m
  std::vector<double> joints;
};

// One primitive of the visual mirror: `body` indexes PlayTable::poses().
struct VisualGeom {
  std::string name;
  int body = 0;
  enum class Type { kBox, kCapsule, kCylinder, kSphere } type = Type::kBox;
  std::array<double, 3> size{};  // box half sizes; capsule/cylinder radius, half length; sphere r
  Pose local;                    // in the body frame
  std::array<float, 4> rgba{0.5f, 0.5f, 0.5f, 1.0f};
};

// An extra object of the `distractors` perturbation: a dynamic box, cylinder
// or sphere standing on the table top, which the arm and the blocks can push.
// It is not a block: the oracles and the expert never see it.
inline constexpr int kMaxDistractors = 5;
struct Distractor {
  VisualGeom::Type type = VisualGeom::Type::kBox;  // kBox, kCylinder or kSphere
  std::array<double, 3> size{};  // as VisualGeom::size (box half sizes; radius, half height; r)
  double x = 0.0, y = 0.0, yaw = 0.0;
  std::array<float, 4> rgba{0.5f, 0.5f, 0.5f, 1.0f};
  // Height of its centre above the table top when it stands upright.
  double rest_height() const {
    return type == VisualGeom::Type::kBox      ? size[2]
           : type == VisualGeom::Type::kSphere ? size[0]
                                               : size[1];
  }
  // Radius of its footprint on the table (about its centre, any yaw).
  double footprint() const;
};

// The state an episode starts from (what a chain file gives): articulations,
// lights, and block poses (x, y, yaw; z rests the block on its support).
struct PlayInit {
  double slider = 0.0;
  double drawer = 0.0;
  double switch_pos = 0.0;
  bool led = false;
  std::array<std::array<double, 4>, kBlocks> blocks{};  // x, y, z, yaw
  // The arm's start (the `robot_init` perturbation; nominal: all zero): the
  // TCP's start moved and turned, the joints offset after the IK solve, the
  // fingers this fraction closed.
  geo::Vec3 tcp_offset{0, 0, 0};
  geo::Quat tcp_turn{1, 0, 0, 0};
  std::vector<double> joint_offsets;
  double closed = 0.0;
  // The `distractors` perturbation's objects (nominal: none; at most kMaxDistractors).
  std::vector<Distractor> distractors;
};

// Physical properties an episode scales (the `dynamics` perturbation; 1: nominal).
struct PhysicsScales {
  double friction = 1.0;  // every contact's friction (each body's by the square root)
  double mass = 1.0;      // the blocks' mass and inertia
  double damping = 1.0;   // the resisting force of the door, drawer and switch joints
  bool nominal() const { return friction == 1.0 && mass == 1.0 && damping == 1.0; }
};

// The physical parameters as Bullet holds them now (tests, docs).
struct PhysicsReadout {
  std::array<double, kBlocks> block_mass{};
  std::array<double, kBlocks> block_friction{};
  double table_friction = 0.0;
  std::array<double, 3> joint_resistance{};  // N: door, drawer, switch
};

class PlayTable {
 public:
  PlayTable(const robots::RobotDescription& robot, const DeskLayout& layout);
  ~PlayTable();
  PlayTable(const PlayTable&) = delete;
  PlayTable& operator=(const PlayTable&) = delete;

  static constexpr double kPhysicsHz = 240.0;
  static constexpr int kSubsteps = 8;  // physics steps per control step (30 Hz)

  // Puts the desk, lights and blocks in `init`, the arm at its start pose
  // (gripper open, pointing down), and settles the blocks.
  void reset(const PlayInit& init);
  // Scales applied from the next reset on (and kept by restore()).
  void set_physics(const PhysicsScales& scales);
  PhysicsReadout physics() const;
  // The whole simulation state as numbers (layout: state_layout()); restore()
  // rebuilds the world (no contact history) and sets that state.
  std::vector<double> save() const;
  void restore(std::span<const double> state);
  static std::string state_layout(int dof);
  // `distractors`: how many the episode has (13 numbers each: pose, velocities).
  static std::size_t state_size(int dof, std::size_t distractors = 0) {
    return 61 + 3 * static_cast<std::size_t>(dof) + 13 * distractors;
  }
  // The current episode's distractors (PlayInit::distractors) and their poses now.
  const std::vector<Distractor>& distractors() const;
  std::vector<Pose> distractor_poses() const;
  // The visual body of distractor slot `slot` (0..kMaxDistractors-1): every
  // table has them, parked under the table when the episode has fewer.
  int distractor_body(int slot) const;
  // One control step: ee_delta action (dx dy dz droll dpitch dyaw gripper),
  // kSubsteps physics steps.
  void control_step(std::span<const float> action);
  // kSubsteps bare physics steps (benchmarks).
  void physics_steps();
  PlayState state() const;
  // The joints' goal the motors track (the IK's, after this control step).
  std::vector<double> joint_goal() const;
  // Body poses of the visual mirror, indexed as VisualGeom::body.
  void poses(std::vector<Pose>& out) const;
  const std::vector<VisualGeom>& visual_geoms() const;
  int body_count() const;
  // Index of the TCP body among poses() (the gripper camera rides on it).
  int tcp_body() const;
  bool finite() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gauntlet::bullet
