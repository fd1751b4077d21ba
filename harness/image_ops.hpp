// Image operations shared by the adapters and backends that feed frames to
// models: one bilinear resize, so a policy and a world model see the same pixels.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/observation.hpp"

namespace gauntlet {

// Resizes an RGB image with bilinear interpolation at pixel centres
// (OpenCV INTER_LINEAR / torch align_corners=False), rounding to uint8.
void resize_bilinear(const Image& src, int width, int height, std::vector<std::uint8_t>& out);

// Resizes as Pillow's Image.resize(..., resample=BILINEAR) does for RGB
// images, bit for bit: a triangle filter widened by the scale factor when
// shrinking (antialiased), fixed-point coefficients (22 bits), a horizontal
// pass rounded to uint8, then a vertical pass. A side that keeps its size is
// not resampled.
void resize_pil_bilinear(const Image& src, int width, int height, Image& out);

// openpi_client.image_tools.resize_with_pad: scales by 1 / max(w / W, h / H)
// (each side truncated to an integer) with resize_pil_bilinear, then pastes
// the result at (int((W - w') / 2), int((H - h') / 2)) on a black H x W image.
// An image already H x W is copied unchanged.
void resize_with_pad(const Image& src, int height, int width, Image& out);

// Rotates by 180 degrees in place (rows and columns reversed: numpy's img[::-1, ::-1]).
void rotate_180(Image& image);

struct ImageSize {
  int width = 0;
  int height = 0;
};

// Parses "WxH" (e.g. 128x128), each side in [min_side, max_side]; InputError
// starting with `what` (e.g. "--image-size") otherwise.
ImageSize parse_image_size(std::string_view text, const std::string& what, int min_side = 8,
                           int max_side = 4096);

}  // namespace gauntlet
