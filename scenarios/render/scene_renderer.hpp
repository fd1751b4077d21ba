// Renders cameras of one MuJoCo model into RGB images with MuJoCo's own OpenGL
// renderer (mjr_*). Every backend draws through this, so images look alike.
#pragma once

#include <mujoco/mujoco.h>

#include <cstdint>
#include <vector>

#include "harness/observation.hpp"
#include "scenarios/render/gl_context.hpp"

namespace gauntlet::render {

class SceneRenderer {
 public:
  // `model` must outlive the renderer; its offscreen buffer size
  // (vis.global.offwidth/offheight) must hold the largest image rendered.
  SceneRenderer(GlContext& gl, const mjModel* model);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // Renders fixed camera `camera_id` of the current state into `out` (resized
  // to width x height), row 0 = top. One read from GL into `out`, flipped in place.
  void render(const mjModel* model, mjData* data, int camera_id, int width, int height, Image& out);
  // Visual matching: renders camera `camera_id` with MuJoCo's segmentation
  // (mjRND_SEGMENT + mjRND_IDCOLOR) and sets `foreground` (width*height,
  // row 0 = top) to 1 where a geom of any body but the world body (the
  // table, floor, walls) is seen: the robot and the task's objects.
  void render_foreground(const mjModel* model, mjData* data, int camera_id, int width, int height,
                         std::vector<std::uint8_t>& foreground);
  // Visual matching in one pass: renders like render() into `out` and reads
  // the depth buffer into `depth` (width*height, OpenGL order: row 0 = the
  // bottom). With `world_only` (and `out` null) it draws no geom of any body
  // but the world body: the depth of the table, floor and walls alone, which
  // a pixel of the full render is nearer than exactly where the robot or an
  // object is seen (OverlayCompositor, overlay.hpp).
  void render_depth(const mjModel* model, mjData* data, int camera_id, int width, int height,
                    Image* out, std::vector<float>& depth, bool world_only = false);
  // Re-sends a texture after a perturbation changed the model's texture data.
  void upload_texture(const mjModel* model, int texture_id);

  mjvOption& options() { return option_; }

 private:
  void check_size(int width, int height, const char* what) const;
  // Draws scene_ and reads width*height*3 RGB and width*height depths (bottom
  // row first) into those of `rgb` and `depth` that are not null.
  void draw(int width, int height, std::uint8_t* rgb, float* depth);

  GlContext& gl_;
  RenderProcess* process_ = nullptr;  // null: drawing in this process
  std::uint32_t remote_ = 0;          // our renderer in process_
  int off_width_ = 0;
  int off_height_ = 0;
  mjvScene scene_;
  mjrContext context_;
  mjvOption option_;
  mjvCamera camera_;
  std::vector<std::uint8_t> segment_rgb_;
};

}  // namespace gauntlet::render
