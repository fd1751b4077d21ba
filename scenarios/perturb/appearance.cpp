#include "scenarios/perturb/appearance.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>

#include "harness/errors.hpp"
#include "harness/geometry.hpp"
#include "scenarios/perturb/levels.hpp"
#include "scenarios/perturb/streams.hpp"

namespace gauntlet::perturb {

using namespace geo;  // Vec3 arithmetic
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

// Fully saturated colour of hue h in [0, 1).
Vec3 hue_colour(double h) {
  const double x = 6.0 * (h - std::floor(h));
  const double r = std::clamp(std::abs(x - 3.0) - 1.0, 0.0, 1.0);
  const double g = std::clamp(2.0 - std::abs(x - 2.0), 0.0, 1.0);
  const double b = std::clamp(2.0 - std::abs(x - 4.0), 0.0, 1.0);
  return {r, g, b};
}

Vec3 normalized(const Vec3& v) {
  const double n = norm(v);
  return n > 1e-12 ? (1.0 / n) * v : Vec3{0, 0, 1};
}

// Rodrigues rotation of v about unit axis k by angle a.
Vec3 rotate_about(const Vec3& v, const Vec3& k, double a) {
  return std::cos(a) * v + std::sin(a) * cross(k, v) + (dot(k, v) * (1.0 - std::cos(a))) * k;
}

// A grey pattern value in [0, 1] at texel (x, y).
double pattern_value(int pattern, int period, const std::vector<double>& grain, int x, int y) {
  switch (pattern) {
    case 0:
      return ((x / period + y / period) % 2) ? 1.0 : 0.0;  // checker
    case 1:
      return ((x + y) / period % 2) ? 1.0 : 0.0;  // diagonal stripes
    case 2:
      return (x % (2 * period) < 2 || y % (2 * period) < 2) ? 1.0 : 0.0;  // tiles
    default: {  // grain: bilinear value noise
      const int cells = 8;
      const double fx = static_cast<double>(x) * cells / kTextureSize,
                   fy = static_cast<double>(y) * cells / kTextureSize;
      const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
      const double tx = fx - x0, ty = fy - y0;
      auto at = [&](int i, int j) {
        return grain[static_cast<std::size_t>((j % cells) * cells + (i % cells))];
      };
      return (1 - ty) * ((1 - tx) * at(x0, y0) + tx * at(x0 + 1, y0)) +
             ty * ((1 - tx) * at(x0, y0 + 1) + tx * at(x0 + 1, y0 + 1));
    }
  }
}

struct SurfaceDraw {
  double shift_u, hue, saturation, value, contrast_u;
  int pattern, period, repeat;
  std::vector<double> grain;
};

// The same number of draws whatever the level, so levels share an episode's choices.
SurfaceDraw draw_surface(Rng& rng) {
  SurfaceDraw s{};
  s.shift_u = draw_fraction(rng);
  s.hue = rng.uniform();
  s.saturation = rng.uniform(0.4, 1.0);
  s.value = rng.uniform(0.35, 1.0);
  s.contrast_u = draw_fraction(rng);
  s.pattern = static_cast<int>(rng.below(4));
  s.period = 4 << rng.below(3);
  s.repeat = 2 + static_cast<int>(rng.below(5));
  s.grain.resize(64);
  for (auto& g : s.grain) g = rng.uniform();
  return s;
}

// The material's colour and that of every geom using it: a geom's own rgba
// (the scene sets one on the table and the wall) overrides its material's.
void blend_material(mjModel* m, int mat, const SurfaceDraw& s, double shift) {
  const Vec3 target =
      s.value * ((1.0 - s.saturation) * Vec3{1, 1, 1} + s.saturation * hue_colour(s.hue));
  const double a = std::min(1.0, shift * s.shift_u);
  const auto blend = [&](float* rgba) {
    for (int c = 0; c < 3; ++c) {
      rgba[c] = static_cast<float>((1.0 - a) * rgba[c] + a * target[static_cast<std::size_t>(c)]);
    }
  };
  blend(m->mat_rgba + 4 * mat);
  for (int g = 0; g < m->ngeom; ++g) {
    if (m->geom_matid[g] == mat) blend(m->geom_rgba + 4 * g);
  }
}

void paint_texture(mjModel* m, int tex, const SurfaceDraw& s, double contrast) {
  const int w = m->tex_width[tex], h = m->tex_height[tex];
  mjtByte* rgb = m->tex_rgb + m->tex_adr[tex];
  const double c = std::min(0.9, contrast * s.contrast_u);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const auto v = static_cast<mjtByte>(
          std::lround(255.0 * (1.0 - c * pattern_value(s.pattern, s.period, s.grain, x, y))));
      mjtByte* p = rgb + 3 * (y * w + x);
      p[0] = p[1] = p[2] = v;
    }
  }
}

}  // namespace

void add_texture_assets(mj::SceneBuilder& scene) {
  for (const char* name : {kTableTexture, kWallTexture}) {
    scene.asset()
        .add("texture")
        .set("name", name)
        .set("type", "2d")
        .set("builtin", "flat")
        .set("width", static_cast<double>(kTextureSize))
        .set("height", static_cast<double>(kTextureSize))
        .set("rgb1", {1, 1, 1});
  }
}

void perturb_camera(mjModel* m, int level, Rng& rng, const char* camera) {
  const int cam = mj_name2id(m, mjOBJ_CAMERA, camera);
  if (cam < 0 || m->cam_bodyid[cam] != 0) {
    throw RuntimeFailure(std::string("camera perturbation: the scene has no fixed '") + camera +
                         "' camera on the worldbody");
  }
  const CameraLevel p = camera_level(level);
  const double azimuth = draw_signed_fraction(rng), elevation = draw_signed_fraction(rng),
               distance = draw_signed_fraction(rng), roll = draw_signed_fraction(rng),
               fovy = draw_signed_fraction(rng), shift = draw_fraction(rng),
               shift_angle = rng.uniform(0.0, 2.0 * std::numbers::pi);

  const Vec3 pos{m->cam_pos[3 * cam], m->cam_pos[3 * cam + 1], m->cam_pos[3 * cam + 2]};
  mjtNum mat[9];
  mju_quat2Mat(mat, m->cam_quat + 4 * cam);
  const Vec3 forward{-mat[2], -mat[5], -mat[8]};  // cameras look along their -z axis
  // The point looked at on the table (or 1 m ahead when looking above it).
  const Vec3 target =
      forward[2] < -1e-3 ? pos + ((mj::kTableTop - pos[2]) / forward[2]) * forward : pos + forward;
  const Vec3 offset = pos - target;
  double radius = norm(offset);
  double az = std::atan2(offset[1], offset[0]);
  double el = std::asin(std::clamp(offset[2] / radius, -1.0, 1.0));
  az += p.azimuth_deg * kDeg * azimuth;
  el = std::clamp(el + p.elevation_deg * kDeg * elevation, 10.0 * kDeg, 85.0 * kDeg);
  radius *= 1.0 + p.distance_frac * distance;
  const Vec3 new_target =
      target + (p.target_shift_m * shift) * Vec3{std::cos(shift_angle), std::sin(shift_angle), 0};
  const Vec3 new_pos = new_target + radius * Vec3{std::cos(el) * std::cos(az),
                                                  std::cos(el) * std::sin(az), std::sin(el)};

  const Vec3 f = normalized(new_target - new_pos);
  Vec3 right = normalized(cross(f, {0, 0, 1}));
  Vec3 up = cross(right, f);
  const double r = p.roll_deg * kDeg * roll;
  right = rotate_about(right, f, r);
  up = rotate_about(up, f, r);
  const mjtNum frame[9] = {right[0], up[0], -f[0], right[1], up[1], -f[1], right[2], up[2], -f[2]};
  mju_mat2Quat(m->cam_quat + 4 * cam, frame);
  for (int i = 0; i < 3; ++i) m->cam_pos[3 * cam + i] = new_pos[static_cast<std::size_t>(i)];
  m->cam_fovy[cam] = std::clamp(m->cam_fovy[cam] + p.fovy_deg * fovy, 20.0, 100.0);
}

void perturb_lighting(mjModel* m, int level, Rng& rng) {
  const LightingLevel p = lighting_level(level);
  const double intensity = draw_signed_fraction(rng);
  const double turn = draw_fraction(rng), turn_axis = rng.uniform(0.0, 2.0 * std::numbers::pi);
  const double tint_u = draw_fraction(rng), hue = rng.uniform();
  const double shadow_u = rng.uniform();

  const double gain = std::exp(p.intensity_log * intensity);
  const Vec3 hue_rgb = hue_colour(hue);
  const double mean = (hue_rgb[0] + hue_rgb[1] + hue_rgb[2]) / 3.0;
  const double t = std::min(1.0, p.tint * tint_u);
  Vec3 colour{};
  for (std::size_t c = 0; c < 3; ++c) colour[c] = gain * ((1.0 - t) + t * hue_rgb[c] / mean);
  const Vec3 axis{std::cos(turn_axis), std::sin(turn_axis), 0};
  const double angle = p.direction_deg * kDeg * turn;
  const bool shadows_off = shadow_u < p.shadow_off_prob;
  for (int i = 0; i < m->nlight; ++i) {
    for (int c = 0; c < 3; ++c) {
      m->light_diffuse[3 * i + c] =
          static_cast<float>(m->light_diffuse[3 * i + c] * colour[static_cast<std::size_t>(c)]);
      m->light_specular[3 * i + c] =
          static_cast<float>(m->light_specular[3 * i + c] * colour[static_cast<std::size_t>(c)]);
      m->light_ambient[3 * i + c] =
          static_cast<float>(m->light_ambient[3 * i + c] * colour[static_cast<std::size_t>(c)]);
    }
    Vec3 dir = normalized({m->light_dir[3 * i], m->light_dir[3 * i + 1], m->light_dir[3 * i + 2]});
    dir = rotate_about(dir, axis, angle);
    if (dir[2] > -0.2) {
      dir = normalized({dir[0], dir[1], -0.2});  // keep lighting the table from above
    }
    for (int k = 0; k < 3; ++k) m->light_dir[3 * i + k] = dir[static_cast<std::size_t>(k)];
    if (shadows_off) m->light_castshadow[i] = 0;
  }
  for (int c = 0; c < 3; ++c) {
    m->vis.headlight.ambient[c] =
        static_cast<float>(m->vis.headlight.ambient[c] * colour[static_cast<std::size_t>(c)]);
    m->vis.headlight.diffuse[c] =
        static_cast<float>(m->vis.headlight.diffuse[c] * colour[static_cast<std::size_t>(c)]);
  }
}

std::vector<int> perturb_textures(mjModel* m, int level, Rng& rng) {
  const TextureLevel p = texture_level(level);
  const SurfaceDraw table = draw_surface(rng), wall = draw_surface(rng), floor = draw_surface(rng);
  std::vector<int> changed;
  const auto surface = [&](const char* material, const char* texture, const SurfaceDraw& s) {
    const int mat = mj_name2id(m, mjOBJ_MATERIAL, material);
    if (mat < 0) return;
    blend_material(m, mat, s, p.colour_shift);
    const int tex = texture ? mj_name2id(m, mjOBJ_TEXTURE, texture) : -1;
    if (tex < 0) return;
    paint_texture(m, tex, s, p.contrast);
    m->mat_texid[mat] = tex;
    m->mat_texrepeat[2 * mat] = static_cast<float>(s.repeat);
    m->mat_texrepeat[2 * mat + 1] = static_cast<float>(s.repeat);
    changed.push_back(tex);
  };
  surface("table_mat", kTableTexture, table);
  surface("wall_mat", kWallTexture, wall);
  surface("floor_mat", nullptr, floor);  // keeps its checker; the colour changes
  return changed;
}

}  // namespace gauntlet::perturb
