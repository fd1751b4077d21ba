#include "scenarios/render/overlay.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "harness/errors.hpp"

namespace gauntlet::render {

namespace {

struct PngReader {
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::FILE* file = nullptr;
  ~PngReader() {
    if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    if (file) std::fclose(file);
  }
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* what = static_cast<std::string*>(png_get_error_ptr(png));
  *what = message;
  png_longjmp(png, 1);
}
void on_png_warning(png_structp /*png*/, png_const_charp /*message*/) {}

}  // namespace

Image read_png(const std::string& path) {
  PngReader r;
  r.file = std::fopen(path.c_str(), "rb");
  if (!r.file) throw InputError("overlay '" + path + "': cannot open the file");
  unsigned char sig[8];
  if (std::fread(sig, 1, 8, r.file) != 8 || png_sig_cmp(sig, 0, 8) != 0)
    throw InputError("overlay '" + path + "': not a PNG file (expected a PNG image)");
  std::string error;
  r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, on_png_error, on_png_warning);
  if (!r.png) throw RuntimeFailure("libpng: cannot create a reader");
  r.info = png_create_info_struct(r.png);
  Image img;
  std::vector<png_bytep> rows;
  if (setjmp(png_jmpbuf(r.png))) {
    throw InputError("overlay '" + path + "': damaged PNG (" + error + ")");
  }
  png_init_io(r.png, r.file);
  png_set_sig_bytes(r.png, 8);
  png_set_user_limits(r.png, 8192, 8192);
  png_read_info(r.png, r.info);
  const int w = static_cast<int>(png_get_image_width(r.png, r.info));
  const int h = static_cast<int>(png_get_image_height(r.png, r.info));
  const int type = png_get_color_type(r.png, r.info);
  if (png_get_bit_depth(r.png, r.info) == 16) png_set_strip_16(r.png);
  if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r.png);
  if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_expand_gray_1_2_4_to_8(r.png);
    png_set_gray_to_rgb(r.png);
  }
  if (png_get_valid(r.png, r.info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(r.png);
  png_set_strip_alpha(r.png);
  png_read_update_info(r.png, r.info);
  if (png_get_rowbytes(r.png, r.info) != static_cast<std::size_t>(w) * 3)
    throw InputError("overlay '" + path + "': unsupported PNG pixel format");
  img.resize(w, h);
  rows.resize(static_cast<std::size_t>(h));
  for (int y = 0; y < h; ++y) rows[static_cast<std::size_t>(y)] = img.pixel(y, 0);
  png_read_image(r.png, rows.data());
  png_read_end(r.png, nullptr);
  return img;
}

std::vector<std::string> standin_names() {
  return {"google_coke_can", "google_move_near", "google_drawer_a", "google_drawer_b",
          "google_drawer_c", "bridge_table",     "bridge_sink"};
}

Image standin_overlay(const std::string& name, int width, int height) {
  // A seed from the name: every stand-in differs, and is the same every build.
  std::uint32_t seed = 2166136261u;
  for (const char c : name) seed = (seed ^ static_cast<std::uint8_t>(c)) * 16777619u;
  auto hash = [](std::uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
  };
  const double wall[3] = {150.0 + (seed % 60), 140.0 + ((seed >> 8) % 60),
                          130.0 + ((seed >> 16) % 50)};
  const double table[3] = {120.0 + ((seed >> 4) % 60), 95.0 + ((seed >> 12) % 40),
                           70.0 + ((seed >> 20) % 40)};
  const double horizon = 0.35 + 0.1 * ((seed >> 24) % 8) / 8.0;
  Image img;
  img.resize(width, height);
  for (int y = 0; y < height; ++y) {
    const double v = static_cast<double>(y) / height;
    for (int x = 0; x < width; ++x) {
      const double u = static_cast<double>(x) / width;
      std::uint8_t* p = img.pixel(y, x);
      const double noise =
          static_cast<double>(hash(seed + static_cast<std::uint32_t>(y * width + x)) % 17) - 8.0;
      for (int c = 0; c < 3; ++c) {
        double value;
        if (v < horizon) {
          value = wall[c] * (0.8 + 0.2 * v / horizon) +
                  (std::fmod(u * 7.0 + (seed % 5), 1.0) < 0.04 ? -35.0 : 0.0);  // cabinets' edges
        } else {
          const double grain = 12.0 * std::sin(40.0 * u + 6.0 * std::sin(9.0 * v));
          value = table[c] * (0.75 + 0.35 * (v - horizon)) + grain;
        }
        p[c] = static_cast<std::uint8_t>(std::clamp(value + noise, 0.0, 255.0));
      }
    }
  }
  return img;
}

std::shared_ptr<const Image> load_overlay(const std::string& name) {
  if (name.rfind("standin:", 0) == 0) {
    const std::string key = name.substr(8);
    bool known = false;
    for (const auto& n : standin_names()) known = known || n == key;
    if (!known) {
      throw InputError("overlay '" + name + "': unknown stand-in; expected standin: followed by " +
                       join_names(standin_names()));
    }
    return std::make_shared<const Image>(standin_overlay(key));
  }
  return std::make_shared<const Image>(read_png(name));
}

void resize_nearest(const Image& in, int width, int height, Image& out) {
  out.resize(width, height);
  for (int y = 0; y < height; ++y) {
    const int sy = static_cast<int>(static_cast<long>(y) * in.height / height);
    for (int x = 0; x < width; ++x) {
      const int sx = static_cast<int>(static_cast<long>(x) * in.width / width);
      std::memcpy(out.pixel(y, x), in.pixel(sy, sx), 3);
    }
  }
}

void composite(const Image& rendered, const std::vector<std::uint8_t>& foreground,
               const Image& background, Image& out) {
  const std::size_t n = static_cast<std::size_t>(rendered.width) * rendered.height;
  if (background.width != rendered.width || background.height != rendered.height ||
      foreground.size() != n) {
    throw RuntimeFailure("composite: image, mask and background sizes differ");
  }
  out.resize(rendered.width, rendered.height);
  const std::uint8_t* r = rendered.rgb.data();
  const std::uint8_t* b = background.rgb.data();
  std::uint8_t* o = out.rgb.data();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* src = foreground[i] ? r + 3 * i : b + 3 * i;
    o[3 * i] = src[0];
    o[3 * i + 1] = src[1];
    o[3 * i + 2] = src[2];
  }
}

void foreground_from_depth(const std::vector<float>& depth, const std::vector<float>& world,
                           int width, int height, std::vector<std::uint8_t>& foreground) {
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (depth.size() != n || world.size() != n)
    throw RuntimeFailure("foreground_from_depth: depth sizes differ from the image");
  foreground.resize(n);
  for (int r = 0; r < height; ++r) {
    const std::size_t src =
        static_cast<std::size_t>(height - 1 - r) * static_cast<std::size_t>(width);
    const float* d = depth.data() + src;
    const float* w = world.data() + src;
    std::uint8_t* out =
        foreground.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(width);
    for (int c = 0; c < width; ++c) out[c] = d[c] < w[c] ? 1 : 0;
  }
}

void OverlayCompositor::render(SceneRenderer& renderer, const mjModel* model, mjData* data,
                               int camera_id, int width, int height, const Image& overlay,
                               Image& out) {
  if (overlay_source_ != &overlay || overlay_resized_.width != width ||
      overlay_resized_.height != height) {
    resize_nearest(overlay, width, height, overlay_resized_);
    overlay_source_ = &overlay;
  }
  // The world body never moves: its depth changes only with the camera (a
  // fixed camera on the world body; checked anyway) or an edited model.
  std::array<double, 13> pose{};
  std::copy_n(data->cam_xpos + 3 * camera_id, 3, pose.begin());
  std::copy_n(data->cam_xmat + 9 * camera_id, 9, pose.begin() + 3);
  pose[12] = model->cam_fovy[camera_id];
  if (!world_valid_ || world_model_ != model || world_camera_ != camera_id ||
      world_width_ != width || world_height_ != height || world_pose_ != pose) {
    renderer.render_depth(model, data, camera_id, width, height, nullptr, world_, true);
    world_valid_ = true;
    world_model_ = model;
    world_camera_ = camera_id;
    world_width_ = width;
    world_height_ = height;
    world_pose_ = pose;
  }
  renderer.render_depth(model, data, camera_id, width, height, &rendered_, depth_);
  foreground_from_depth(depth_, world_, width, height, foreground_);
  composite(rendered_, foreground_, overlay_resized_, out);
}

}  // namespace gauntlet::render
