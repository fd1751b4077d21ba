#include "harness/policy_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "harness/action_convention.hpp"
#include "harness/errors.hpp"
#include "harness/geometry.hpp"
#include "harness/image_ops.hpp"

namespace gauntlet {
namespace {

// robosuite's LIBERO table top is at z = 0.90 (Libero_Tabletop_Manipulation's
// table_offset); gauntlet's is at z = 0.
constexpr double kLiberoTableTop = 0.90;

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// A finite number, the whole of `text`.
bool parse_finite(const std::string& text, double& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

std::vector<double> parse_numbers(const PolicySpec& spec, const std::string& key,
                                  const std::string& text) {
  std::vector<double> out;
  const auto items = split_commas(text);
  for (std::size_t i = 0; i < items.size(); ++i) {
    double v = 0.0;
    if (!parse_finite(items[i], v)) {
      throw InputError(spec.quoted() + ": " + key +
                       ": expected one finite number or a comma list of finite numbers (one per "
                       "action dimension), got '" +
                       items[i] + "'" +
                       (items.size() > 1 ? " (item " + std::to_string(i + 1) + " of '" + text + "')"
                                         : std::string()));
    }
    out.push_back(v);
  }
  return out;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// "" for the identity (every number equal to `neutral`), one number when all
// are equal, else the list.
std::string canonical(const std::vector<double>& values, double neutral) {
  if (values.empty()) return "";
  const bool all_equal =
      std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
  if (all_equal && values.front() == neutral) return "";
  if (all_equal) return number_text(values.front());
  std::string out;
  for (const double v : values) out += (out.empty() ? "" : ",") + number_text(v);
  return out;
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? names.size() : static_cast<std::size_t>(it - names.begin());
}

const std::vector<std::string> kNative8 = {
    "eef_pos_x",        "eef_pos_y",        "eef_pos_z",         "eef_axis_angle_x",
    "eef_axis_angle_y", "eef_axis_angle_z", "gripper_qpos_left", "gripper_qpos_right"};

bool has_native8(const std::vector<std::string>& names) {
  return names.size() >= 8 && std::equal(kNative8.begin(), kNative8.end(), names.begin());
}

std::vector<std::size_t> joint_indices(const std::vector<std::string>& names) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].rfind("joint_pos_", 0) == 0) out.push_back(i);
  }
  return out;
}

// Scales and offsets the actions of the (converted) policy, and hands it
// observations in the requested layout.
class PolicyIoPolicy final : public Policy {
 public:
  PolicyIoPolicy(std::unique_ptr<Policy> inner, PolicyIo io)
      : inner_(std::move(inner)), io_(std::move(io)) {}

  PolicyRequirements requirements() const override { return inner_->requirements(); }

  void prepare(int slots, const ActionSpace& space) override {
    const auto expand = [&](const std::vector<double>& v, double neutral, const char* key) {
      if (v.empty())
        return std::vector<float>(static_cast<std::size_t>(space.dim), static_cast<float>(neutral));
      if (v.size() == 1)
        return std::vector<float>(static_cast<std::size_t>(space.dim), static_cast<float>(v[0]));
      if (v.size() != static_cast<std::size_t>(space.dim)) {
        throw InputError(io_.where + ": " + key + " has " + std::to_string(v.size()) +
                         " numbers; the suite's " + to_string(space.kind) + " action space has " +
                         std::to_string(space.dim) + " (" + join_names(space.names) +
                         "): give one number per dimension or a single number for all");
      }
      return std::vector<float>(v.begin(), v.end());
    };
    scale_ = expand(io_.action_scale, 1.0, "action_scale");
    offset_ = expand(io_.action_offset, 0.0, "action_offset");
    inner_->prepare(slots, space);
  }

  void reset(int slot, const EpisodeContext& ctx) override { inner_->reset(slot, ctx); }

  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    std::span<const Observation* const> seen = obs;
    if (io_.affects_observations()) {
      converted_.resize(obs.size());
      pointers_.resize(obs.size());
      for (std::size_t i = 0; i < obs.size(); ++i) {
        convert(*obs[i], converted_[i]);
        pointers_[i] = &converted_[i];
      }
      seen = pointers_;
    }
    inner_->act(slots, seen, out);
    if (scale_.empty()) return;
    for (ActionChunk& chunk : out) {
      if (!chunk.error.empty() || chunk.dim != static_cast<int>(scale_.size())) continue;
      for (int h = 0; h < chunk.horizon; ++h) {
        const std::span<float> a = chunk.action(h);
        for (std::size_t d = 0; d < a.size(); ++d) a[d] = a[d] * scale_[d] + offset_[d];
      }
    }
  }

  std::string identity() const override {
    std::string id = inner_->identity();
    if (!io_.scale_text().empty()) id += "+action_scale=" + io_.scale_text();
    if (!io_.offset_text().empty()) id += "+action_offset=" + io_.offset_text();
    if (io_.state != "default") id += "+state=" + io_.state;
    if (!io_.image_text().empty()) id += "+" + io_.image_text();
    return id;
  }
  int replan_every() const override { return inner_->replan_every(); }

 private:
  void convert(const Observation& in, Observation& o) {
    o.instruction = in.instruction;
    o.step = in.step;
    o.privileged = in.privileged;
    o.cameras.resize(in.cameras.size());
    for (std::size_t c = 0; c < in.cameras.size(); ++c) {
      o.cameras[c].name = in.cameras[c].name;
      Image& img = o.cameras[c].image;
      if (io_.flip_180) {
        flipped_ = in.cameras[c].image;
        rotate_180(flipped_);
        if (io_.pad_height > 0) {
          resize_with_pad(flipped_, io_.pad_height, io_.pad_width, img);
        } else {
          img = flipped_;
        }
      } else if (io_.pad_height > 0) {
        resize_with_pad(in.cameras[c].image, io_.pad_height, io_.pad_width, img);
      } else {
        img = in.cameras[c].image;
      }
    }
    if (io_.state == "default" || !in.proprio_names) {
      o.proprio = in.proprio;
      o.proprio_names = in.proprio_names;
      return;
    }
    if (in.proprio_names != names_for_) {
      names_ = state_layout_names(io_.state, *in.proprio_names, "state=" + io_.state);
      names_for_ = in.proprio_names;
    }
    apply_state_layout(io_.state, *in.proprio_names, in.proprio, o.proprio);
    o.proprio_names = &names_;
  }

  std::unique_ptr<Policy> inner_;
  PolicyIo io_;
  std::vector<float> scale_;
  std::vector<float> offset_;
  std::vector<Observation> converted_;
  std::vector<const Observation*> pointers_;
  Image flipped_;
  std::vector<std::string> names_;
  const std::vector<std::string>* names_for_ = nullptr;
};

}  // namespace

std::string PolicyIo::scale_text() const {
  return canonical(action_scale, 1.0);
}

std::string PolicyIo::offset_text() const {
  return canonical(action_offset, 0.0);
}

std::string PolicyIo::image_text() const {
  std::string out;
  if (flip_180) out = "flip=180";
  if (pad_height > 0) {
    out += (out.empty() ? "" : ";") + std::string("resize_with_pad=") + std::to_string(pad_height) +
           "," + std::to_string(pad_width);
  }
  return out;
}

const std::vector<std::string>& policy_io_options() {
  static const std::vector<std::string> names = {"actions", "action_scale", "action_offset",
                                                 "state",   "flip",         "resize_with_pad"};
  return names;
}

PolicyIo parse_policy_io(const PolicySpec& spec) {
  PolicyIo io;
  io.where = spec.quoted();
  if (const auto a = spec.option("actions")) {
    std::vector<std::string> names;
    for (const auto& c : action_conventions()) names.push_back(c.name);
    names.push_back("raw");
    if (std::find(names.begin(), names.end(), *a) == names.end()) {
      throw InputError(spec.quoted() + ": actions: unknown action convention '" + *a +
                       "'; expected one of: " + join_names(names) +
                       " (raw: the suite's own action space, no conversion)");
    }
    io.actions = *a;
  }
  if (const auto s = spec.option("action_scale"))
    io.action_scale = parse_numbers(spec, "action_scale", *s);
  if (const auto s = spec.option("action_offset")) {
    io.action_offset = parse_numbers(spec, "action_offset", *s);
  }
  if (const auto s = spec.option("state")) {
    if (*s != "default" && *s != "libero" && *s != "joints") {
      throw InputError(spec.quoted() + ": state: unknown layout '" + *s +
                       "'; expected one of: default, libero, joints");
    }
    io.state = *s;
  }
  if (const auto f = spec.option("flip")) {
    if (*f != "180" && *f != "0") {
      throw InputError(spec.quoted() +
                       ": flip: expected 180 (rotate every image by 180 degrees) "
                       "or 0, got '" +
                       *f + "'");
    }
    io.flip_180 = *f == "180";
  }
  if (const auto r = spec.option("resize_with_pad")) {
    const auto items = split_commas(*r);
    const auto side = [&](const std::string& text, int& out) {
      double v = 0.0;
      if (!parse_finite(text, v) || v != std::floor(v) || v < 1 || v > 4096) return false;
      out = static_cast<int>(v);
      return true;
    };
    if (items.size() != 2 || !side(items[0], io.pad_height) || !side(items[1], io.pad_width)) {
      throw InputError(spec.quoted() +
                       ": resize_with_pad: expected HEIGHT,WIDTH in pixels (two "
                       "integers in 1..4096, e.g. 224,224), got '" +
                       *r + "'");
    }
  }
  return io;
}

void libero_state_from_native(const float* native8, float* out8) {
  out8[0] = native8[0];
  out8[1] = native8[1];
  out8[2] = static_cast<float>(native8[2] + kLiberoTableTop);
  // robosuite's hand frame: z points from the wrist to the fingertips, where
  // gauntlet's TCP z points back to the wrist; a fingers-down gripper is
  // gauntlet's identity and LIBERO's 180 degrees about x. So q = q_native * Rx(pi),
  // with q_native's w >= 0 (its rotation vector's angle <= pi).
  const geo::Quat qn = geo::quat_from_rotvec({native8[3], native8[4], native8[5]});
  const geo::Quat q = geo::quat_mul(qn, geo::Quat{0.0, 1.0, 0.0, 0.0});
  // robosuite.utils.transform_utils.quat2axisangle, sign of w kept: angle in [0, 2 pi].
  const double w = std::clamp(q[0], -1.0, 1.0);
  const double den = std::sqrt(1.0 - w * w);
  if (den < 1e-12) {
    out8[3] = out8[4] = out8[5] = 0.0f;
  } else {
    const double angle = 2.0 * std::acos(w);
    for (int i = 0; i < 3; ++i) out8[3 + i] = static_cast<float>(q[1 + i] * angle / den);
  }
  // robot0_gripper_qpos: left finger +, right finger - (both opening); gauntlet's
  // native entries already have these signs.
  out8[6] = native8[6];
  out8[7] = native8[7];
}

std::vector<std::string> state_layout_names(const std::string& layout,
                                            const std::vector<std::string>& native,
                                            const std::string& what) {
  if (layout == "default") return native;
  if (!has_native8(native)) {
    throw InputError(what +
                     ": the suite's proprio does not start with the 8 end-effector and "
                     "finger entries (" +
                     join_names(kNative8) + ")");
  }
  if (layout == "libero") return kNative8;
  if (layout == "joints") {
    const auto joints = joint_indices(native);
    if (joints.empty()) {
      throw InputError(what + ": the robot has no arm joints (its state is " + join_names(native) +
                       "); run on an arm (e.g. --robot panda) or use state=libero or default");
    }
    std::vector<std::string> out;
    for (const std::size_t j : joints) out.push_back(native[j]);
    out.push_back(kNative8[6]);
    out.push_back(kNative8[7]);
    return out;
  }
  throw InputError(what + ": unknown state layout '" + layout +
                   "'; expected one of: default, libero, joints");
}

void apply_state_layout(const std::string& layout, const std::vector<std::string>& native_names,
                        const std::vector<float>& native, std::vector<float>& out) {
  if (layout == "default" || native.size() < 8) {
    out = native;
    return;
  }
  if (layout == "libero") {
    out.resize(8);
    libero_state_from_native(native.data(), out.data());
    return;
  }
  out.clear();
  for (const std::size_t j : joint_indices(native_names)) {
    if (j < native.size()) out.push_back(native[j]);
  }
  out.push_back(native[index_of(native_names, kNative8[6])]);
  out.push_back(native[index_of(native_names, kNative8[7])]);
}

std::unique_ptr<Policy> with_policy_io(std::unique_ptr<Policy> inner, const PolicyIo& io) {
  if (io.action_scale.empty() && io.action_offset.empty() && !io.affects_observations()) {
    return inner;
  }
  return std::make_unique<PolicyIoPolicy>(std::move(inner), io);
}

}  // namespace gauntlet
