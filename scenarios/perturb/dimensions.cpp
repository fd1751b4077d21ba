#include "scenarios/perturb/dimensions.hpp"

#include <algorithm>
#include <charconv>

#include "harness/errors.hpp"
#include "scenarios/perturb/levels.hpp"

namespace gauntlet::perturb {
namespace {

using Params = std::vector<LevelParameter>;

template <typename F>
std::vector<Params> table(F f) {
  std::vector<Params> out;
  for (int l = 1; l <= kMaxLevel; ++l) out.push_back(f(l));
  return out;
}

std::vector<DimensionInfo> build() {
  std::vector<DimensionInfo> d;
  d.push_back({"camera",
               "agentview camera orbited, moved closer/farther, rolled, zoomed and panned", "image",
               true, table([](int l) {
                 const CameraLevel c = camera_level(l);
                 return Params{{"azimuth", c.azimuth_deg, "deg"},
                               {"elevation", c.elevation_deg, "deg"},
                               {"distance", c.distance_frac, "fraction"},
                               {"roll", c.roll_deg, "deg"},
                               {"fovy", c.fovy_deg, "deg"},
                               {"target_shift", c.target_shift_m, "m"}};
               })});
  d.push_back({"lighting", "light intensity, direction and colour; shadows on/off", "image", true,
               table([](int l) {
                 const LightingLevel x = lighting_level(l);
                 return Params{{"intensity", x.intensity_log, "log-factor"},
                               {"direction", x.direction_deg, "deg"},
                               {"tint", x.tint, "fraction"},
                               {"shadow_off_probability", x.shadow_off_prob, "probability"}};
               })});
  d.push_back({"texture", "table, wall and floor colours and procedural textures", "image", true,
               table([](int l) {
                 const TextureLevel x = texture_level(l);
                 return Params{{"colour_shift", x.colour_shift, "fraction"},
                               {"pattern_contrast", x.contrast, "fraction"}};
               })});
  d.push_back({"distractors",
               "extra objects placed on the table clear of the task's objects and paths", "scene",
               false, table([](int l) {
                 const DistractorsLevel x = distractors_level(l);
                 return Params{{"count", static_cast<double>(x.count), "objects"},
                               {"clearance", x.clearance_m, "m"}};
               })});
  d.push_back({"layout",
               "task objects and fixtures displaced beyond their nominal regions, no overlaps",
               "scene", false, table([](int l) {
                 const LayoutLevel x = layout_level(l);
                 return Params{{"displacement", x.displacement_m, "m"}, {"yaw", x.yaw_deg, "deg"}};
               })});
  d.push_back({"robot_init",
               "start pose of the end effector and gripper opening; on arms also the joints",
               "scene", false, table([](int l) {
                 const RobotInitLevel x = robot_init_level(l);
                 return Params{{"offset", x.offset_m, "m"},
                               {"yaw", x.yaw_deg, "deg"},
                               {"tilt", x.tilt_deg, "deg"},
                               {"closed", x.closed_frac, "fraction"},
                               {"joints", x.joint_rad, "rad"}};
               })});
  d.push_back({"language",
               "synonyms, paraphrase templates, reordered clauses, distractor clause, typos",
               "instruction", false, table([](int l) {
                 const LanguageLevel x = language_level(l);
                 return Params{{"synonyms", static_cast<double>(x.synonyms), "count"},
                               {"paraphrase", x.paraphrase ? 1.0 : 0.0, "flag"},
                               {"reorder", x.reorder ? 1.0 : 0.0, "flag"},
                               {"distractor_clause", x.distractor_clause ? 1.0 : 0.0, "flag"},
                               {"typos", static_cast<double>(x.typos), "count"}};
               })});
  d.push_back({"sensor_noise",
               "Gaussian noise, blur, JPEG-like compression, dropout patches, colour jitter",
               "sensor", true, table([](int l) {
                 const SensorNoiseLevel x = sensor_noise_level(l);
                 return Params{{"gaussian_sigma", x.gaussian_sigma, "0-255"},
                               {"blur_sigma", x.blur_sigma_px, "px"},
                               {"jpeg_quality", static_cast<double>(x.jpeg_quality), "quality"},
                               {"dropout_patches", static_cast<double>(x.dropout_patches), "count"},
                               {"patch_size", static_cast<double>(x.patch_px), "px"},
                               {"colour_jitter", x.colour_jitter, "fraction"}};
               })});
  d.push_back(
      {"dynamics", "friction, object mass and joint damping", "physics", false, table([](int l) {
         const DynamicsLevel x = dynamics_level(l);
         return Params{{"friction", x.friction_log, "log-factor"},
                       {"mass", x.mass_log, "log-factor"},
                       {"damping", x.damping_log, "log-factor"}};
       })});
  d.push_back(
      {"action", "Gaussian action noise and control latency", "control", false, table([](int l) {
         const ActionLevel x = action_level(l);
         return Params{{"noise", x.noise_frac, "fraction of bound"},
                       {"latency", static_cast<double>(x.latency_steps), "steps"}};
       })});
  return d;
}

}  // namespace

const std::vector<DimensionInfo>& all_dimensions() {
  static const std::vector<DimensionInfo> dims = build();
  return dims;
}

std::vector<std::string> dimension_names() {
  std::vector<std::string> out;
  for (const auto& d : all_dimensions()) out.push_back(d.name);
  return out;
}

bool is_dimension(std::string_view name) {
  const auto& dims = all_dimensions();
  return std::any_of(dims.begin(), dims.end(),
                     [&](const DimensionInfo& d) { return d.name == name; });
}

const DimensionInfo& dimension_info(std::string_view name) {
  for (const auto& d : all_dimensions()) {
    if (d.name == name) return d;
  }
  throw InputError("unknown perturbation dimension '" + std::string(name) +
                   "'; valid dimensions: " + join_names(dimension_names()));
}

int level_of(const PerturbationSet& set, std::string_view dimension) {
  for (const auto& [d, l] : set.items) {
    if (d == dimension) return l;
  }
  return 0;
}

void validate_set(const PerturbationSet& set, const std::vector<std::string>& supported,
                  const std::string& suite_name, const std::string& what) {
  for (const auto& [dim, level] : set.items) {
    if (!is_dimension(dim)) {
      throw InputError(what + ": unknown perturbation dimension '" + dim +
                       "'; valid dimensions: " + join_names(dimension_names()));
    }
    if (std::find(supported.begin(), supported.end(), dim) == supported.end()) {
      throw InputError(what + ": suite '" + suite_name + "' does not support dimension '" + dim +
                       "'" +
                       (supported.empty() ? std::string(" (it supports none)")
                                          : "; supported: " + join_names(supported)));
    }
  }
}

std::vector<int> parse_levels(std::string_view text, const std::string& what) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    int level = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), level);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || level < 1 ||
        level > kMaxLevel) {
      throw InputError(what + ": expected levels in 1..5 separated by commas (e.g. 1,3,5), got '" +
                       std::string(text) + "'");
    }
    if (std::find(out.begin(), out.end(), level) == out.end()) out.push_back(level);
    if (comma == text.size()) break;
    start = comma + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gauntlet::perturb
