// A read/write view of one MuJoCo simulation (model + data) with name lookups,
// for task code: placing objects at reset and evaluating predicates.
#pragma once

#include <mujoco/mujoco.h>

#include <string_view>

#include "harness/geometry.hpp"
#include "harness/observation.hpp"

namespace gauntlet::mj {

class MjSim {
 public:
  // `model` is the worker's own copy: tasks may move static bodies in it.
  MjSim(mjModel* model, mjData* data) : model_(model), data_(data) {}

  mjModel* model() const { return model_; }
  mjData* data() const { return data_; }

  // Ids; throw RuntimeFailure naming the missing part.
  int body(std::string_view name) const;
  int joint(std::string_view name) const;
  int geom(std::string_view name) const;
  int site(std::string_view name) const;
  bool has_body(std::string_view name) const;

  geo::Vec3 body_pos(int body) const;
  geo::Quat body_quat(int body) const;
  Pose body_pose(int body) const;
  geo::Vec3 site_pos(int site) const;
  geo::Vec3 geom_pos(int geom) const;
  geo::Vec3 body_linear_velocity(int body) const;  // world frame, from the body's free joint

  // Sets the pose of a body that has a free joint (its first joint).
  void set_free_pose(int body, const geo::Vec3& pos, const geo::Quat& quat) const;
  // Moves a body without joints (a fixture) by editing the model copy.
  void set_static_pose(int body, const geo::Vec3& pos, const geo::Quat& quat) const;
  double joint_pos(int joint) const;
  void set_joint_pos(int joint, double value) const;

  // True when any geom of body a touches any geom of body b.
  bool bodies_touch(int a, int b) const;

 private:
  mjModel* model_;
  mjData* data_;
};

}  // namespace gauntlet::mj
