// Visual matching (SimplerEnv's "green screen"): a background image (the real
// camera's view of the empty scene) replaces every pixel the rendered
// foreground (robot and task objects) does not cover. The foreground comes
// from MuJoCo's segmentation rendering (SceneRenderer::render_segmentation).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/observation.hpp"

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

}  // namespace gauntlet::render
