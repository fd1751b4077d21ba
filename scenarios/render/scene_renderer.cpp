#include "scenarios/render/scene_renderer.hpp"

#include <algorithm>
#include <cstring>

#include "harness/errors.hpp"

namespace gauntlet::render {

SceneRenderer::SceneRenderer(GlContext& gl, const mjModel* model)
    : gl_(gl), process_(gl.process()) {
  mjv_defaultScene(&scene_);
  mjv_makeScene(model, &scene_, 2000);
  mjr_defaultContext(&context_);
  if (process_ != nullptr) {
    remote_ = process_->create(model);
    off_width_ = model->vis.global.offwidth;
    off_height_ = model->vis.global.offheight;
  } else {
    gl_.make_current();
    mjr_makeContext(model, &context_, mjFONTSCALE_100);
    mjr_setBuffer(mjFB_OFFSCREEN, &context_);
    if (context_.currentBuffer != mjFB_OFFSCREEN) {
      mjr_freeContext(&context_);
      mjv_freeScene(&scene_);
      throw RuntimeFailure("MuJoCo renderer: offscreen framebuffer not available");
    }
    off_width_ = context_.offWidth;
    off_height_ = context_.offHeight;
  }
  mjv_defaultOption(&option_);
  mjv_defaultCamera(&camera_);
  camera_.type = mjCAMERA_FIXED;
}

SceneRenderer::~SceneRenderer() {
  if (process_ != nullptr) {
    process_->destroy(remote_);
  } else {
    gl_.make_current();
    mjr_freeContext(&context_);
  }
  mjv_freeScene(&scene_);
}

void SceneRenderer::check_size(int width, int height, const char* what) const {
  if (width > off_width_ || height > off_height_) {
    throw RuntimeFailure(std::string("renderer: ") + what + " " + std::to_string(width) + "x" +
                         std::to_string(height) + " exceeds the offscreen buffer " +
                         std::to_string(off_width_) + "x" + std::to_string(off_height_));
  }
}

void SceneRenderer::draw(int width, int height, std::uint8_t* rgb, float* depth) {
  if (process_ != nullptr) {
    process_->render(remote_, scene_, width, height, rgb, depth);
    return;
  }
  gl_.make_current();
  // Several renderers (one per task model) share one GL context: bind ours.
  mjr_setBuffer(mjFB_OFFSCREEN, &context_);
  const mjrRect viewport{0, 0, width, height};
  mjr_render(viewport, &scene_, &context_);
  mjr_readPixels(rgb, depth, viewport, &context_);
}

void SceneRenderer::render(const mjModel* model, mjData* data, int camera_id, int width, int height,
                           Image& out) {
  check_size(width, height, "image");
  camera_.fixedcamid = camera_id;
  mjv_updateScene(model, data, &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
  out.resize(width, height);
  draw(width, height, out.rgb.data(), nullptr);
  // OpenGL's row 0 is the bottom; ours is the top.
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3;
  for (int r = 0; r < height / 2; ++r) {
    std::swap_ranges(out.pixel(r, 0), out.pixel(r, 0) + row_bytes, out.pixel(height - 1 - r, 0));
  }
}

void SceneRenderer::render_foreground(const mjModel* model, mjData* data, int camera_id, int width,
                                      int height, std::vector<std::uint8_t>& foreground) {
  check_size(width, height, "segmentation image");
  camera_.fixedcamid = camera_id;
  mjv_updateScene(model, data, &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
  scene_.flags[mjRND_SEGMENT] = 1;
  scene_.flags[mjRND_IDCOLOR] = 1;
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  segment_rgb_.resize(3 * n);
  try {
    draw(width, height, segment_rgb_.data(), nullptr);
  } catch (...) {
    scene_.flags[mjRND_SEGMENT] = 0;
    scene_.flags[mjRND_IDCOLOR] = 0;
    throw;
  }
  scene_.flags[mjRND_SEGMENT] = 0;
  scene_.flags[mjRND_IDCOLOR] = 0;
  // segid + 1 in the colour (0: nothing); the scene geom says which model geom.
  foreground.assign(n, 0);
  for (int r = 0; r < height; ++r) {
    const std::uint8_t* row = segment_rgb_.data() + 3 * static_cast<std::size_t>(height - 1 - r) *
                                                        static_cast<std::size_t>(width);
    std::uint8_t* out =
        foreground.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(width);
    for (int c = 0; c < width; ++c) {
      const std::uint8_t* p = row + 3 * c;
      const int id = p[0] | (p[1] << 8) | (p[2] << 16);
      if (id == 0 || id > scene_.ngeom) continue;
      const mjvGeom& g = scene_.geoms[id - 1];
      out[c] = g.objtype == mjOBJ_GEOM && g.objid >= 0 && g.objid < model->ngeom &&
               model->geom_bodyid[g.objid] != 0;
    }
  }
}

void SceneRenderer::render_depth(const mjModel* model, mjData* data, int camera_id, int width,
                                 int height, Image* out, std::vector<float>& depth,
                                 bool world_only) {
  check_size(width, height, "depth image");
  camera_.fixedcamid = camera_id;
  mjv_updateScene(model, data, &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
  if (world_only) {
    // Keep everything but the geoms of moving bodies, in the same order, so
    // that the world's fragments get the same depth as in the full render.
    int kept = 0;
    for (int i = 0; i < scene_.ngeom; ++i) {
      const mjvGeom& g = scene_.geoms[i];
      const bool body_geom = g.objtype == mjOBJ_GEOM && g.objid >= 0 && g.objid < model->ngeom &&
                             model->geom_bodyid[g.objid] != 0;
      if (!body_geom) scene_.geoms[kept++] = g;
    }
    scene_.ngeom = kept;
  }
  depth.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  if (out) out->resize(width, height);
  draw(width, height, out ? out->rgb.data() : nullptr, depth.data());
  if (!out) return;
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3;
  for (int r = 0; r < height / 2; ++r) {
    std::swap_ranges(out->pixel(r, 0), out->pixel(r, 0) + row_bytes, out->pixel(height - 1 - r, 0));
  }
}

void SceneRenderer::upload_texture(const mjModel* model, int texture_id) {
  if (process_ != nullptr) {
    process_->upload_texture(remote_, model, texture_id);
    return;
  }
  gl_.make_current();
  mjr_uploadTexture(model, &context_, texture_id);
}

}  // namespace gauntlet::render
