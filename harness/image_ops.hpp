// Image operations shared by the adapters and backends that feed frames to
// models: one bilinear resize, so a policy and a world model see the same pixels.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/observation.hpp"

namespace gauntlet {

// Resizes an RGB image with bilinear interpolation at pixel centres
// (OpenCV INTER_LINEAR / torch align_corners=False), rounding to uint8.
void resize_bilinear(const Image& src, int width, int height, std::vector<std::uint8_t>& out);

}  // namespace gauntlet
