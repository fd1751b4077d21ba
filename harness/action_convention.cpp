#include "harness/action_convention.hpp"

#include <algorithm>
#include <cmath>

#include "harness/errors.hpp"
#include "harness/geometry.hpp"

namespace gauntlet {
namespace {

float clip1(float v) {
  return std::clamp(v, -1.0f, 1.0f);
}

// Fixed-axis roll, pitch, yaw (R = Rz Ry Rx, as pybullet's and transforms3d's
// 'sxyz' Euler angles) as a rotation vector.
void rpy_to_rotvec(float roll, float pitch, float yaw, std::span<float> out) {
  const geo::Quat q = geo::quat_normalize(geo::quat_mul(
      geo::quat_from_rotvec({0, 0, yaw}),
      geo::quat_mul(geo::quat_from_rotvec({0, pitch, 0}), geo::quat_from_rotvec({roll, 0, 0}))));
  const geo::Vec3 r = geo::rotvec_from_quat(q);
  for (std::size_t i = 0; i < 3; ++i) out[i] = static_cast<float>(r[i]);
}

ActionSpace space_of(std::vector<float> low, std::vector<float> high,
                     std::vector<std::string> names) {
  ActionSpace s;
  s.kind = ActionKind::kEeDelta;
  s.dim = static_cast<int>(low.size());
  s.low = std::move(low);
  s.high = std::move(high);
  s.names = std::move(names);
  return s;
}

const std::vector<std::string> kNames = {"dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"};

std::vector<ActionConvention> make_conventions() {
  std::vector<ActionConvention> out;
  out.push_back({"ee_delta",
                 "native: metres, world-frame rotation vector (rad), gripper -1 open/+1 closed",
                 ee_delta_action_space(), [](std::span<const float> in, std::span<float> o) {
                   std::copy(in.begin(), in.begin() + 7, o.begin());
                 }});
  // robosuite OSC_POSE as LIBERO configures it: inputs clipped to [-1, 1],
  // scaled to output_max 0.05 m and 0.5 rad (axis-angle); gripper -1 open.
  out.push_back(
      {"libero",
       "robosuite OSC_POSE: [-1,1] -> 0.05 m and 0.5 rad per step, gripper -1 open/+1 closed",
       space_of(std::vector<float>(7, -1.0f), std::vector<float>(7, 1.0f), kNames),
       [](std::span<const float> in, std::span<float> o) {
         for (std::size_t i = 0; i < 3; ++i) o[i] = 0.05f * clip1(in[i]);
         for (std::size_t i = 3; i < 6; ++i) o[i] = 0.5f * clip1(in[i]);
         o[6] = clip1(in[6]);
       }});
  // CALVIN's relative actions: clipped to [-1, 1], max_rel_pos 0.02 m and
  // max_rel_orn 0.05 rad (Euler xyz); gripper +1 open, -1 close.
  out.push_back(
      {"calvin",
       "CALVIN relative: [-1,1] -> 0.02 m and 0.05 rad (Euler), gripper +1 open/-1 closed",
       space_of(std::vector<float>(7, -1.0f), std::vector<float>(7, 1.0f), kNames),
       [](std::span<const float> in, std::span<float> o) {
         for (std::size_t i = 0; i < 3; ++i) o[i] = 0.02f * clip1(in[i]);
         rpy_to_rotvec(0.05f * clip1(in[3]), 0.05f * clip1(in[4]), 0.05f * clip1(in[5]),
                       o.subspan(3, 3));
         o[6] = -clip1(in[6]);
       }});
  // Bridge / SimplerEnv WidowX: world_vector (m), rotation_delta roll-pitch-yaw
  // (rad), open_gripper in [0, 1] with 1 open.
  out.push_back(
      {"bridge",
       "Bridge (SimplerEnv WidowX): metres, roll-pitch-yaw (rad), open_gripper 1 open/0 closed",
       space_of({-0.05f, -0.05f, -0.05f, -0.5f, -0.5f, -0.5f, 0.0f},
                {0.05f, 0.05f, 0.05f, 0.5f, 0.5f, 0.5f, 1.0f},
                {"dx", "dy", "dz", "droll", "dpitch", "dyaw", "open_gripper"}),
       [](std::span<const float> in, std::span<float> o) {
         for (std::size_t i = 0; i < 3; ++i) o[i] = in[i];
         rpy_to_rotvec(in[3], in[4], in[5], o.subspan(3, 3));
         o[6] = std::clamp(1.0f - 2.0f * in[6], -1.0f, 1.0f);
       }});
  // RT-1 / SimplerEnv Google robot: world_vector (m), rotation_delta
  // roll-pitch-yaw (rad), gripper_closedness_action in [-1, 1] with +1 closing.
  out.push_back(
      {"rt1", "RT-1 (SimplerEnv Google robot): metres, roll-pitch-yaw (rad), closedness +1 closed",
       space_of({-0.05f, -0.05f, -0.05f, -0.5f, -0.5f, -0.5f, -1.0f},
                {0.05f, 0.05f, 0.05f, 0.5f, 0.5f, 0.5f, 1.0f},
                {"dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper_closedness"}),
       [](std::span<const float> in, std::span<float> o) {
         for (std::size_t i = 0; i < 3; ++i) o[i] = in[i];
         rpy_to_rotvec(in[3], in[4], in[5], o.subspan(3, 3));
         o[6] = clip1(in[6]);
       }});
  return out;
}

class ConventionPolicy final : public Policy {
 public:
  ConventionPolicy(std::unique_ptr<Policy> inner, const ActionConvention& convention)
      : inner_(std::move(inner)), convention_(convention) {}

  PolicyRequirements requirements() const override { return inner_->requirements(); }
  void prepare(int slots, const ActionSpace& space) override {
    if (space.kind != ActionKind::kEeDelta) {
      throw InputError("actions=" + convention_.name +
                       " converts to ee_delta actions, but the suite "
                       "takes " +
                       to_string(space.kind) + " actions; drop actions= or use actions=ee_delta");
    }
    inner_->prepare(slots, convention_.space);
  }
  void reset(int slot, const EpisodeContext& ctx) override { inner_->reset(slot, ctx); }
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    inner_->act(slots, obs, out);
    for (ActionChunk& chunk : out) {
      if (!chunk.error.empty()) continue;
      if (chunk.dim != convention_.space.dim) {
        chunk.error = "actions=" + convention_.name + " expects " +
                      std::to_string(convention_.space.dim) + " numbers per action (" +
                      join_names(convention_.space.names) + "); the policy returned " +
                      std::to_string(chunk.dim);
        continue;
      }
      converted_.resize(static_cast<std::size_t>(chunk.horizon) * 7);
      for (int i = 0; i < chunk.horizon; ++i) {
        convention_.to_native(
            chunk.action(i),
            std::span<float>(converted_).subspan(static_cast<std::size_t>(i) * 7, 7));
      }
      chunk.dim = 7;
      chunk.values = converted_;
    }
  }
  std::string identity() const override {
    return inner_->identity() + "+actions=" + convention_.name;
  }
  int replan_every() const override { return inner_->replan_every(); }

 private:
  std::unique_ptr<Policy> inner_;
  const ActionConvention& convention_;
  std::vector<float> converted_;
};

}  // namespace

const std::vector<ActionConvention>& action_conventions() {
  static const std::vector<ActionConvention> conventions = make_conventions();
  return conventions;
}

const ActionConvention& find_action_convention(const std::string& name, const std::string& what) {
  std::vector<std::string> names;
  for (const auto& c : action_conventions()) {
    if (c.name == name) return c;
    names.push_back(c.name);
  }
  throw InputError(what + ": unknown action convention '" + name +
                   "'; expected one of: " + join_names(names));
}

std::unique_ptr<Policy> with_action_convention(std::unique_ptr<Policy> inner,
                                               const ActionConvention& convention) {
  if (convention.name == "ee_delta") return inner;
  return std::make_unique<ConventionPolicy>(std::move(inner), convention);
}

}  // namespace gauntlet
