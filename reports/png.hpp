// PNG encoding of RGB images (contact sheets, report thumbnails) via libpng.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/observation.hpp"

namespace gauntlet::reports {

// Encodes `image` as PNG bytes.
std::string encode_png(const Image& image);
void write_png(const std::filesystem::path& path, const Image& image);

// Tiles images into a grid of `columns` with a `gap`-pixel border of `background`.
Image tile_images(const std::vector<const Image*>& images, int columns, int gap = 2,
                  std::uint8_t background = 255);

}  // namespace gauntlet::reports
