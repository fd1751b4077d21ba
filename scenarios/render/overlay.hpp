// Visual matching (SimplerEnv's "green screen"): a background image (the real
// camera's view of the empty scene) replaces every pixel the rendered
// foreground (robot and task objects) does not cover. The foreground comes
// from one render's depth against the depth of the world body alone
// (OverlayCompositor), which equals MuJoCo's segmentation rendering
// (SceneRenderer::render_foreground) without its second pass per frame.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/observation.hpp"
#include "scenarios/render/scene_renderer.hpp"

namespace gauntlet::render {

// Reads an overlay: "standin:NAME" (an image the project generates, see
// standin_overlay) or a PNG file (8/16-bit, grey, RGB, palette; alpha
// dropped). InputError naming the path and what is wrong.
std::shared_ptr<const Image> load_overlay(const std::string& name);
Image read_png(const std::string& path);

// The stand-in overlays shipped instead of real photographs (nothing is
// downloaded): a deterministic wall, table and clutter pattern per NAME.
Image standin_overlay(const std::string& name, int width = 640, int height = 512);
std::vector<std::string> standin_names();

// Nearest-neighbour resize (SimplerEnv resizes the overlay to the camera).
void resize_nearest(const Image& in, int width, int height, Image& out);

// out = mask ? rendered : background, per pixel; all three the same size
// (background resized by the caller). mask has width*height entries.
void composite(const Image& rendered, const std::vector<std::uint8_t>& foreground,
               const Image& background, Image& out);

// foreground[i] = 1 where the full render's depth is nearer than the world
// body's alone (both width*height, OpenGL order: row 0 = the bottom); the
// mask is row 0 = top, as render_foreground's.
void foreground_from_depth(const std::vector<float>& depth, const std::vector<float>& world,
                           int width, int height, std::vector<std::uint8_t>& foreground);

// The green screen of one camera: one render per frame (colour and depth)
// and, once per episode and camera pose, the depth of the world body alone.
class OverlayCompositor {
 public:
  // out = the camera's image where a geom of a body other than the world
  // body is seen, `overlay` (resized to width x height) everywhere else.
  void render(SceneRenderer& renderer, const mjModel* model, mjData* data, int camera_id, int width,
              int height, const Image& overlay, Image& out);
  // The world's depth must be rendered again (a new episode: the model may
  // have been edited).
  void invalidate() { world_valid_ = false; }
  // The last frame's foreground mask (row 0 = top).
  const std::vector<std::uint8_t>& foreground() const { return foreground_; }

 private:
  const Image* overlay_source_ = nullptr;
  Image overlay_resized_;
  Image rendered_;
  std::vector<float> depth_;
  std::vector<float> world_;
  std::vector<std::uint8_t> foreground_;
  bool world_valid_ = false;
  // What the world's depth was rendered for.
  const mjModel* world_model_ = nullptr;
  int world_camera_ = -1;
  int world_width_ = 0;
  int world_height_ = 0;
  std::array<double, 13> world_pose_{};  // camera position, orientation, fovy
};

}  // namespace gauntlet::render
