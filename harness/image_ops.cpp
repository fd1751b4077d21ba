#include "harness/image_ops.hpp"

#include <charconv>

#include "harness/errors.hpp"

#include <algorithm>
#include <cmath>

namespace gauntlet {

void resize_bilinear(const Image& src, int width, int height, std::vector<std::uint8_t>& out) {
  out.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  const double sx = static_cast<double>(src.width) / width;
  const double sy = static_cast<double>(src.height) / height;
  for (int y = 0; y < height; ++y) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, static_cast<double>(src.height - 1));
    const int y0 = static_cast<int>(fy);
    const int y1 = std::min(y0 + 1, src.height - 1);
    const double wy = fy - y0;
    for (int x = 0; x < width; ++x) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, static_cast<double>(src.width - 1));
      const int x0 = static_cast<int>(fx);
      const int x1 = std::min(x0 + 1, src.width - 1);
      const double wx = fx - x0;
      const std::uint8_t* p00 = src.pixel(y0, x0);
      const std::uint8_t* p01 = src.pixel(y0, x1);
      const std::uint8_t* p10 = src.pixel(y1, x0);
      const std::uint8_t* p11 = src.pixel(y1, x1);
      std::uint8_t* d =
          out.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(x)) *
                           3;
      for (int k = 0; k < 3; ++k) {
        const double v =
            (1 - wy) * ((1 - wx) * p00[k] + wx * p01[k]) + wy * ((1 - wx) * p10[k] + wx * p11[k]);
        d[k] = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
}

ImageSize parse_image_size(std::string_view text, const std::string& what, int min_side,
                           int max_side) {
  ImageSize size;
  const std::size_t x = text.find('x');
  const auto parse = [](std::string_view part, int& out) {
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return !part.empty() && ec == std::errc() && ptr == part.data() + part.size();
  };
  if (x == std::string_view::npos || !parse(text.substr(0, x), size.width) ||
      !parse(text.substr(x + 1), size.height) || size.width < min_side || size.height < min_side ||
      size.width > max_side || size.height > max_side) {
    throw InputError(what + ": expected WxH with each side in " + std::to_string(min_side) + ".." +
                     std::to_string(max_side) + ", e.g. 128x128, got '" + std::string(text) + "'");
  }
  return size;
}

}  // namespace gauntlet
