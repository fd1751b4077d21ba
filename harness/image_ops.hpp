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

struct ImageSize {
  int width = 0;
  int height = 0;
};

// Parses "WxH" (e.g. 128x128), each side in [min_side, max_side]; InputError
// starting with `what` (e.g. "--image-size") otherwise.
ImageSize parse_image_size(std::string_view text, const std::string& what, int min_side = 8,
                           int max_side = 4096);

}  // namespace gauntlet
