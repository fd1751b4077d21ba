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

namespace {

// Pillow's Resample.c (ImagingResample, 8 bits per channel).
constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coefficients {
  int ksize = 0;
  std::vector<int> bounds;  // per output pixel: first input pixel, count
  std::vector<int> k;       // per output pixel: ksize fixed-point weights
};

Coefficients pil_coefficients(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;  // the bilinear (triangle) filter's support is 1
  Coefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(static_cast<std::size_t>(out_size) * 2);
  c.k.assign(static_cast<std::size_t>(out_size) * static_cast<std::size_t>(c.ksize), 0);
  std::vector<double> w(static_cast<std::size_t>(c.ksize));
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    // Pillow truncates towards zero here ((int) casts), it does not round.
    const int xmin = std::max(static_cast<int>(std::trunc(center - support + 0.5)), 0);
    const int xmax = std::min(static_cast<int>(std::trunc(center + support + 0.5)), in_size) - xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double t = std::abs((x + xmin - center + 0.5) * ss);
      w[static_cast<std::size_t>(x)] = t < 1.0 ? 1.0 - t : 0.0;
      ww += w[static_cast<std::size_t>(x)];
    }
    for (int x = 0; x < xmax; ++x) {
      const double v = ww != 0.0 ? w[static_cast<std::size_t>(x)] / ww : 0.0;
      const double f = v * (1 << kPrecisionBits);
      c.k[static_cast<std::size_t>(xx * c.ksize + x)] =
          static_cast<int>(v < 0 ? -0.5 + f : 0.5 + f);
    }
    c.bounds[static_cast<std::size_t>(xx) * 2] = xmin;
    c.bounds[static_cast<std::size_t>(xx) * 2 + 1] = xmax;
  }
  return c;
}

std::uint8_t clip8(int v) {
  return static_cast<std::uint8_t>(std::clamp(v >> kPrecisionBits, 0, 255));
}

}  // namespace

void resize_pil_bilinear(const Image& src, int width, int height, Image& out) {
  Image tmp;
  const Image* in = &src;
  if (width != src.width) {
    const Coefficients c = pil_coefficients(src.width, width);
    tmp.resize(width, src.height);
    for (int y = 0; y < src.height; ++y) {
      for (int xx = 0; xx < width; ++xx) {
        const int xmin = c.bounds[static_cast<std::size_t>(xx) * 2];
        const int xmax = c.bounds[static_cast<std::size_t>(xx) * 2 + 1];
        const int* k = c.k.data() + static_cast<std::size_t>(xx) * c.ksize;
        for (int ch = 0; ch < 3; ++ch) {
          int ss = 1 << (kPrecisionBits - 1);
          for (int x = 0; x < xmax; ++x) ss += src.pixel(y, x + xmin)[ch] * k[x];
          tmp.pixel(y, xx)[ch] = clip8(ss);
        }
      }
    }
    in = &tmp;
  }
  if (height == in->height) {
    if (in == &tmp) {
      out = std::move(tmp);
    } else {
      out = src;
    }
    return;
  }
  const Coefficients c = pil_coefficients(in->height, height);
  Image result;
  result.resize(in->width, height);
  for (int yy = 0; yy < height; ++yy) {
    const int ymin = c.bounds[static_cast<std::size_t>(yy) * 2];
    const int ymax = c.bounds[static_cast<std::size_t>(yy) * 2 + 1];
    const int* k = c.k.data() + static_cast<std::size_t>(yy) * c.ksize;
    for (int x = 0; x < in->width; ++x) {
      for (int ch = 0; ch < 3; ++ch) {
        int ss = 1 << (kPrecisionBits - 1);
        for (int y = 0; y < ymax; ++y) ss += in->pixel(y + ymin, x)[ch] * k[y];
        result.pixel(yy, x)[ch] = clip8(ss);
      }
    }
  }
  out = std::move(result);
}

void resize_with_pad(const Image& src, int height, int width, Image& out) {
  if (src.width == width && src.height == height) {
    out = src;
    return;
  }
  const double ratio =
      std::max(static_cast<double>(src.width) / width, static_cast<double>(src.height) / height);
  // Python's int() truncates; a side never shrinks below one pixel.
  const int rh = std::max(1, static_cast<int>(src.height / ratio));
  const int rw = std::max(1, static_cast<int>(src.width / ratio));
  Image resized;
  resize_pil_bilinear(src, rw, rh, resized);
  const int pad_h = std::max(0, static_cast<int>((height - rh) / 2.0));
  const int pad_w = std::max(0, static_cast<int>((width - rw) / 2.0));
  out.resize(width, height);
  std::fill(out.rgb.begin(), out.rgb.end(), std::uint8_t{0});
  for (int y = 0; y < rh && y + pad_h < height; ++y) {
    for (int x = 0; x < rw && x + pad_w < width; ++x) {
      std::copy_n(resized.pixel(y, x), 3, out.pixel(y + pad_h, x + pad_w));
    }
  }
}

void rotate_180(Image& image) {
  const std::size_t n =
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  for (std::size_t i = 0; i < n / 2; ++i) {
    std::swap_ranges(image.rgb.begin() + static_cast<std::ptrdiff_t>(3 * i),
                     image.rgb.begin() + static_cast<std::ptrdiff_t>(3 * i + 3),
                     image.rgb.begin() + static_cast<std::ptrdiff_t>(3 * (n - 1 - i)));
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
