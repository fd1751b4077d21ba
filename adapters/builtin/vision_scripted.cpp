#include "adapters/builtin/vision_scripted.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <memory>
#include <sstream>
#include <vector>

#include "harness/errors.hpp"

namespace gauntlet::adapters {

using namespace geo;  // Vec3 arithmetic
namespace {

constexpr double kPi = 3.14159265358979323846;

struct CameraFrame {
  Vec3 right, up, forward;
};

CameraFrame frame_of(const PinholeCamera& c) {
  Vec3 f = c.target - c.pos;
  f = (1.0 / norm(f)) * f;
  Vec3 r = cross(f, {0, 0, 1});
  r = (1.0 / norm(r)) * r;
  return {r, cross(r, f), f};
}

// Hue in degrees [0, 360), saturation and value in [0, 1].
std::array<double, 3> hsv(const std::uint8_t* p) {
  const double r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0;
  const double mx = std::max({r, g, b}), mn = std::min({r, g, b}), d = mx - mn;
  double h = 0.0;
  if (d > 1e-9) {
    if (mx == r)
      h = 60.0 * std::fmod((g - b) / d, 6.0);
    else if (mx == g)
      h = 60.0 * ((b - r) / d + 2.0);
    else
      h = 60.0 * ((r - g) / d + 4.0);
  }
  if (h < 0) h += 360.0;
  return {h, mx > 0 ? d / mx : 0.0, mx};
}

// Optimal string alignment distance <= 1 (the typos a reader forgives).
bool within_one_edit(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const std::size_t n = a.size(), m = b.size();
  if (n + 1 < m || m + 1 < n) return false;
  if (n == m) {
    std::vector<std::size_t> diff;
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) diff.push_back(i);
    }
    return diff.size() == 1 || (diff.size() == 2 && diff[1] == diff[0] + 1 &&
                                a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]);
  }
  const std::string& longer = n > m ? a : b;
  const std::string& shorter = n > m ? b : a;
  for (std::size_t i = 0; i < longer.size(); ++i) {
    if (longer.substr(0, i) + longer.substr(i + 1) == shorter) return true;
  }
  return false;
}

class VisionScriptedPolicy final : public Policy {
 public:
  VisionScriptedPolicy(PinholeCamera camera, double object_height, std::string identity)
      : camera_(camera), object_height_(object_height), identity_(std::move(identity)) {}

  PolicyRequirements requirements() const override {
    PolicyRequirements r;
    r.cameras = {"agentview"};
    r.privileged = true;  // the gripper and every body but the target
    return r;
  }

  void prepare(int slots, const ActionSpace& space) override {
    space_ = space;
    slots_.clear();
    slots_.resize(static_cast<std::size_t>(slots));
  }

  void reset(int slot, const EpisodeContext& ctx) override {
    SlotState& s = slots_.at(static_cast<std::size_t>(slot));
    s = SlotState{};
    s.expert = ctx.make_expert ? ctx.make_expert() : nullptr;
    if (!s.expert)
      throw std::runtime_error("task '" + ctx.spec->task_id + "' has no scripted expert");
    s.colour = colour_in_instruction(ctx.instruction);
  }

  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      SlotState& s = slots_[static_cast<std::size_t>(slots[i])];
      out[i].resize(1, space_.dim);
      if (!s.colour) {
        out[i].error = "vision-scripted: the instruction '" + obs[i]->instruction +
                       "' names no colour to look for";
        continue;
      }
      if (!obs[i]->privileged || obs[i]->privileged->bodies.empty()) {
        out[i].error = "vision-scripted: needs privileged state with the task's bodies";
        continue;
      }
      act_one(s, *obs[i], out[i].action(0));
    }
  }

  std::string identity() const override { return identity_; }

 private:
  struct SlotState {
    std::unique_ptr<Expert> expert;
    std::optional<ColourClass> colour;
    std::optional<Vec3> estimate;  // where the target object is believed to be
    bool in_hand = false;          // grasped: it moves with the gripper
    int full_view_pixels = 0;      // blob size while the gripper was away
    Vec3 grasp_offset{};
    PrivilegedState seen;  // privileged state with the target replaced
  };

  void act_one(SlotState& s, const Observation& obs, std::span<float> action) {
    const PrivilegedState& truth = *obs.privileged;
    const Vec3 ee = truth.ee.pos;
    if (s.in_hand) {
      s.estimate = ee + s.grasp_offset;
    } else {
      if (const Image* image = obs.camera("agentview")) {
        const auto blob = largest_blob(*image, *s.colour);
        const bool gripper_away = !s.estimate || dist_xy(ee, *s.estimate) > 0.08;
        if (blob && gripper_away) s.full_view_pixels = blob->pixels;
        // Fingers over the object hide part of it and shift the blob's
        // centroid: trust a blob only while most of the object is in view.
        if (blob && (gripper_away || blob->pixels >= 0.6 * s.full_view_pixels)) {
          if (auto p = camera_.pixel_to_plane(blob->row, blob->col, image->width, image->height,
                                              object_height_)) {
            s.estimate = *p;
          }
        }
      }
    }
    if (!s.estimate) {
      // Nothing of that colour in view: wait with the gripper open.
      std::fill(action.begin(), action.end(), 0.0f);
      action[action.size() - 1] = -1.0f;
      return;
    }
    s.seen = truth;
    Pose& target = s.seen.bodies.front().second;  // task families list the manipulated object first
    target.pos = *s.estimate;
    Observation view = obs;
    view.privileged = &s.seen;
    s.expert->act(view, action);
    const bool closing = action[action.size() - 1] > 0.0f;
    if (!s.in_hand && closing && truth.gripper_opening > 0.004 && dist_xy(ee, *s.estimate) < 0.03) {
      s.in_hand = true;  // fingers closed on something where the object is
      s.grasp_offset = *s.estimate - ee;
    } else if (s.in_hand && !closing) {
      s.in_hand = false;
    }
  }

  PinholeCamera camera_;
  double object_height_;
  std::string identity_;
  ActionSpace space_;
  std::vector<SlotState> slots_;
};

}  // namespace

std::optional<Vec3> PinholeCamera::pixel_to_plane(double row, double col, int width, int height,
                                                  double z) const {
  const CameraFrame f = frame_of(*this);
  const double focal = 0.5 * height / std::tan(0.5 * fovy_deg * kPi / 180.0);
  const double x = (col + 0.5 - 0.5 * width) / focal;
  const double y = -(row + 0.5 - 0.5 * height) / focal;
  const Vec3 dir = f.forward + x * f.right + y * f.up;
  if (std::abs(dir[2]) < 1e-9) return std::nullopt;
  const double t = (z - pos[2]) / dir[2];
  if (t <= 0) return std::nullopt;
  return pos + t * dir;
}

std::array<double, 2> PinholeCamera::project(const Vec3& p, int width, int height) const {
  const CameraFrame f = frame_of(*this);
  const Vec3 d = p - pos;
  const double depth = dot(d, f.forward);
  const double focal = 0.5 * height / std::tan(0.5 * fovy_deg * kPi / 180.0);
  const double col = 0.5 * width + focal * dot(d, f.right) / depth - 0.5;
  const double row = 0.5 * height - focal * dot(d, f.up) / depth - 0.5;
  return {row, col};
}

std::optional<ColourClass> colour_in_instruction(const std::string& instruction) {
  static const std::vector<std::pair<std::string, ColourClass>> kWords = {
      {"red", ColourClass::kRed},       {"green", ColourClass::kGreen},
      {"blue", ColourClass::kBlue},     {"yellow", ColourClass::kYellow},
      {"orange", ColourClass::kOrange}, {"purple", ColourClass::kPurple},
      {"white", ColourClass::kWhite},   {"black", ColourClass::kBlack}};
  std::string lowered;
  for (const char c : instruction) {
    lowered += std::isalpha(static_cast<unsigned char>(c))
                   ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                   : ' ';
  }
  std::istringstream words(lowered);
  for (std::string w; words >> w;) {
    for (const auto& [name, colour] : kWords) {
      if (w == name || (w.size() >= 4 && within_one_edit(w, name))) return colour;
    }
  }
  return std::nullopt;
}

bool matches_colour(const std::uint8_t* rgb, ColourClass colour) {
  const auto [h, s, v] = hsv(rgb);
  switch (colour) {
    case ColourClass::kRed:
      return s > 0.55 && v > 0.2 && (h < 15 || h > 340);
    case ColourClass::kGreen:
      return s > 0.45 && v > 0.2 && h > 90 && h < 160;
    case ColourClass::kBlue:
      return s > 0.45 && v > 0.2 && h > 200 && h < 260;
    case ColourClass::kYellow:
      return s > 0.55 && v > 0.35 && h > 45 && h < 70;
    case ColourClass::kOrange:
      return s > 0.75 && v > 0.35 && h > 18 && h < 40;
    case ColourClass::kPurple:
      return s > 0.35 && v > 0.2 && h > 265 && h < 320;
    case ColourClass::kWhite:
      return s < 0.12 && v > 0.85;
    case ColourClass::kBlack:
      return v < 0.12;
  }
  return false;
}

std::optional<Blob> largest_blob(const Image& image, ColourClass colour, int min_pixels) {
  const int w = image.width, h = image.height;
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      mask[static_cast<std::size_t>(r * w + c)] = matches_colour(image.pixel(r, c), colour) ? 1 : 0;
    }
  }
  Blob best;
  std::vector<int> stack;
  for (int start = 0; start < w * h; ++start) {
    if (mask[static_cast<std::size_t>(start)] != 1) continue;
    Blob blob;
    double sum_r = 0, sum_c = 0;
    stack.assign(1, start);
    mask[static_cast<std::size_t>(start)] = 2;
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int r = p / w, c = p % w;
      sum_r += r;
      sum_c += c;
      ++blob.pixels;
      const int neighbours[4][2] = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
      for (const auto& n : neighbours) {
        if (n[0] < 0 || n[1] < 0 || n[0] >= h || n[1] >= w) continue;
        const auto k = static_cast<std::size_t>(n[0] * w + n[1]);
        if (mask[k] == 1) {
          mask[k] = 2;
          stack.push_back(n[0] * w + n[1]);
        }
      }
    }
    if (blob.pixels > best.pixels) {
      blob.row = sum_r / blob.pixels;
      blob.col = sum_c / blob.pixels;
      best = blob;
    }
  }
  if (best.pixels < min_pixels) return std::nullopt;
  return best;
}

void register_vision_scripted_policy(Registry& registry) {
  registry.add_policy(PolicyKind{
      "vision-scripted", "vision-scripted[,height=H]",
      "the expert, but the target object is found by colour in the agentview image (nominal camera "
      "calibration)",
      [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
        spec.require_known_options({"height"});
        if (!spec.arg.empty())
          throw InputError(spec.quoted() + ": vision-scripted takes no argument");
        const double height = spec.option_double("height", 0.02);
        if (!(height >= 0.0 && height <= 0.3)) {
          throw InputError(spec.quoted() +
                           ": height (of the object's centre, m) must be in [0, 0.3]");
        }
        std::ostringstream id;
        id << "builtin:vision-scripted/1:height=" << height;
        return std::make_unique<VisionScriptedPolicy>(PinholeCamera{}, height, id.str());
      }});
}

}  // namespace gauntlet::adapters
