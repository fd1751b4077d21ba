// What a policy sees at one control step: camera images, proprioception, the
// instruction, and (for scripted experts only) a read-only view of simulator state.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gauntlet {

// An RGB image, uint8, height x width x 3, row-major, row 0 = top.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;

  void resize(int w, int h) {
    width = w;
    height = h;
    rgb.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  }
  std::uint8_t* pixel(int row, int col) {
    return rgb.data() + (static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(col)) *
                            3;
  }
  const std::uint8_t* pixel(int row, int col) const {
    return rgb.data() + (static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(col)) *
                            3;
  }
};

struct CameraFrame {
  std::string name;
  Image image;
};

// Position (m) and orientation (unit quaternion w, x, y, z) in the world frame.
struct Pose {
  std::array<double, 3> pos{};
  std::array<double, 4> quat{1.0, 0.0, 0.0, 0.0};
};

// Simulator ground truth handed to scripted policies. Policies that learn from
// pixels must not read it; the runner only fills it when a policy asks.
struct PrivilegedState {
  Pose ee;                       // tool centre point between the fingertips
  double gripper_opening = 0.0;  // distance between the fingers, metres
  std::vector<std::pair<std::string, Pose>> bodies;
  std::vector<std::pair<std::string, double>> joints;   // articulation positions
  std::vector<std::pair<std::string, double>> scalars;  // task-specific facts

  const Pose* body(std::string_view name) const {
    for (const auto& [n, p] : bodies) {
      if (n == name) return &p;
    }
    return nullptr;
  }
  const double* joint(std::string_view name) const {
    for (const auto& [n, q] : joints) {
      if (n == name) return &q;
    }
    return nullptr;
  }
  // As body()/joint(), but throws std::out_of_range naming what is missing.
  const Pose& require_body(std::string_view name) const {
    if (const Pose* p = body(name)) return *p;
    throw std::out_of_range("privileged state has no body '" + std::string(name) + "'");
  }
  double require_joint(std::string_view name) const {
    if (const double* q = joint(name)) return *q;
    throw std::out_of_range("privileged state has no joint '" + std::string(name) + "'");
  }
  const double* scalar(std::string_view name) const {
    for (const auto& [n, v] : scalars) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

struct Observation {
  std::vector<CameraFrame> cameras;  // only the cameras the policy asked for
  std::vector<float> proprio;        // see proprio_names for the layout
  const std::vector<std::string>* proprio_names = nullptr;
  std::string instruction;
  int step = 0;  // control steps since the policy started acting
  const PrivilegedState* privileged = nullptr;

  const Image* camera(std::string_view name) const {
    for (const auto& c : cameras) {
      if (c.name == name) return &c.image;
    }
    return nullptr;
  }
};

}  // namespace gauntlet
