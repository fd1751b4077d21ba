#include "scenarios/perturb/image_noise.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "harness/rng.hpp"
#include "scenarios/perturb/streams.hpp"

namespace gauntlet::perturb {
namespace {

std::uint8_t to_byte(double v) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

// The quantisation tables of the JPEG standard (Annex K), row-major.
constexpr std::array<int, 64> kLumaTable = {
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
    14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
    18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr std::array<int, 64> kChromaTable = {
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
    99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

// cos((2x + 1) u pi / 16) scaled by C(u) / 2, so F = T f T' is the orthonormal DCT-II.
const std::array<double, 64>& dct_matrix() {
  static const std::array<double, 64> t = [] {
    std::array<double, 64> m{};
    for (int u = 0; u < 8; ++u) {
      const double c = u == 0 ? std::sqrt(0.125) : 0.5;
      for (int x = 0; x < 8; ++x) {
        m[static_cast<std::size_t>(u * 8 + x)] =
            c * std::cos((2 * x + 1) * u * std::numbers::pi / 16.0);
      }
    }
    return m;
  }();
  return t;
}

// Quantises one 8x8 block in place: forward DCT, round to multiples of q, inverse DCT.
void quantise_block(std::array<double, 64>& block, const std::array<int, 64>& q) {
  const auto& t = dct_matrix();
  std::array<double, 64> tmp{}, coef{};
  for (int u = 0; u < 8; ++u) {
    for (int y = 0; y < 8; ++y) {
      double s = 0;
      for (int x = 0; x < 8; ++x)
        s += t[static_cast<std::size_t>(u * 8 + x)] * block[static_cast<std::size_t>(x * 8 + y)];
      tmp[static_cast<std::size_t>(u * 8 + y)] = s;
    }
  }
  for (int u = 0; u < 8; ++u) {
    for (int v = 0; v < 8; ++v) {
      double s = 0;
      for (int y = 0; y < 8; ++y)
        s += tmp[static_cast<std::size_t>(u * 8 + y)] * t[static_cast<std::size_t>(v * 8 + y)];
      const double step = q[static_cast<std::size_t>(u * 8 + v)];
      coef[static_cast<std::size_t>(u * 8 + v)] = std::round(s / step) * step;
    }
  }
  for (int x = 0; x < 8; ++x) {
    for (int v = 0; v < 8; ++v) {
      double s = 0;
      for (int u = 0; u < 8; ++u)
        s += t[static_cast<std::size_t>(u * 8 + x)] * coef[static_cast<std::size_t>(u * 8 + v)];
      tmp[static_cast<std::size_t>(x * 8 + v)] = s;
    }
  }
  for (int x = 0; x < 8; ++x) {
    for (int y = 0; y < 8; ++y) {
      double s = 0;
      for (int v = 0; v < 8; ++v)
        s += tmp[static_cast<std::size_t>(x * 8 + v)] * t[static_cast<std::size_t>(v * 8 + y)];
      block[static_cast<std::size_t>(x * 8 + y)] = s;
    }
  }
}

std::array<int, 64> scaled_table(const std::array<int, 64>& base, int quality) {
  quality = std::clamp(quality, 1, 100);
  const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  std::array<int, 64> out{};
  for (std::size_t i = 0; i < 64; ++i) out[i] = std::clamp((base[i] * scale + 50) / 100, 1, 255);
  return out;
}

}  // namespace

void apply_colour_jitter(Image& image, const ColourJitter& j) {
  const double contrast = 1.0 + j.contrast;
  const double saturation = 1.0 + j.saturation;
  const double brightness = 255.0 * j.brightness;
  for (std::size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    const double r = image.rgb[i], g = image.rgb[i + 1], b = image.rgb[i + 2];
    const double grey = 0.299 * r + 0.587 * g + 0.114 * b;
    for (std::size_t c = 0; c < 3; ++c) {
      double v =
          grey + saturation * (image.rgb[i + c] - grey);  // saturation about the pixel's grey
      v = 128.0 + contrast * (v - 128.0) + brightness;
      image.rgb[i + c] = to_byte(v);
    }
  }
}

void apply_gaussian_blur(Image& image, double sigma) {
  if (sigma <= 0.05 || image.width < 2 || image.height < 2) return;
  const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
  std::vector<float> kernel(static_cast<std::size_t>(2 * radius + 1));
  double sum = 0;
  for (int k = -radius; k <= radius; ++k) {
    sum += kernel[static_cast<std::size_t>(k + radius)] =
        static_cast<float>(std::exp(-0.5 * k * k / (sigma * sigma)));
  }
  for (auto& k : kernel) k = static_cast<float>(k / sum);
  const int w = image.width, h = image.height;
  const auto at = [w](int r, int c) {
    return (static_cast<std::size_t>(r) * static_cast<std::size_t>(w) +
            static_cast<std::size_t>(c)) *
           3;
  };
  std::vector<float> src(image.rgb.begin(), image.rgb.end()), tmp(image.rgb.size());
  // Horizontal then vertical; edges clamped (only the border columns/rows pay for it).
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      const bool inside = c >= radius && c + radius < w;
      float acc[3] = {0, 0, 0};
      for (int k = -radius; k <= radius; ++k) {
        const std::size_t i = at(r, inside ? c + k : std::clamp(c + k, 0, w - 1));
        const float kv = kernel[static_cast<std::size_t>(k + radius)];
        acc[0] += kv * src[i];
        acc[1] += kv * src[i + 1];
        acc[2] += kv * src[i + 2];
      }
      const std::size_t o = at(r, c);
      tmp[o] = acc[0], tmp[o + 1] = acc[1], tmp[o + 2] = acc[2];
    }
  }
  for (int r = 0; r < h; ++r) {
    const bool inside = r >= radius && r + radius < h;
    for (int c = 0; c < w; ++c) {
      float acc[3] = {0, 0, 0};
      for (int k = -radius; k <= radius; ++k) {
        const std::size_t i = at(inside ? r + k : std::clamp(r + k, 0, h - 1), c);
        const float kv = kernel[static_cast<std::size_t>(k + radius)];
        acc[0] += kv * tmp[i];
        acc[1] += kv * tmp[i + 1];
        acc[2] += kv * tmp[i + 2];
      }
      std::uint8_t* p = image.pixel(r, c);
      for (int ch = 0; ch < 3; ++ch) p[ch] = to_byte(acc[ch]);
    }
  }
}

void apply_gaussian_noise(Image& image, double sigma, Rng& rng) {
  if (sigma <= 0) return;
  // Standard normal values drawn once (fixed seed): 12 random bits pick one,
  // five per 64-bit draw, far cheaper than Box-Muller per pixel.
  static const std::array<float, 4096> normals = [] {
    std::array<float, 4096> t{};
    Rng table_rng(0x5eed5eedULL);
    for (auto& v : t) v = static_cast<float>(table_rng.normal());
    return t;
  }();
  const auto s = static_cast<float>(sigma);
  std::size_t i = 0;
  while (i < image.rgb.size()) {
    std::uint64_t bits = rng.next_u64();
    for (int k = 0; k < 5 && i < image.rgb.size(); ++k, ++i, bits >>= 12) {
      image.rgb[i] = to_byte(image.rgb[i] + s * normals[bits & 4095]);
    }
  }
}

void apply_jpeg_like(Image& image, int quality) {
  if (quality >= 100 || image.width < 1 || image.height < 1) return;
  const auto luma = scaled_table(kLumaTable, quality);
  const auto chroma = scaled_table(kChromaTable, quality);
  const int w = image.width, h = image.height;
  const std::size_t n = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  std::vector<double> plane[3];
  for (auto& p : plane) p.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double r = image.rgb[3 * i], g = image.rgb[3 * i + 1], b = image.rgb[3 * i + 2];
    plane[0][i] = 0.299 * r + 0.587 * g + 0.114 * b - 128.0;
    plane[1][i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    plane[2][i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  std::array<double, 64> block{};
  for (int ch = 0; ch < 3; ++ch) {
    for (int by = 0; by < h; by += 8) {
      for (int bx = 0; bx < w; bx += 8) {
        for (int y = 0; y < 8; ++y) {
          for (int x = 0; x < 8; ++x) {
            const int yy = std::min(by + y, h - 1), xx = std::min(bx + x, w - 1);
            block[static_cast<std::size_t>(y * 8 + x)] =
                plane[ch][static_cast<std::size_t>(yy) * static_cast<std::size_t>(w) +
                          static_cast<std::size_t>(xx)];
          }
        }
        quantise_block(block, ch == 0 ? luma : chroma);
        for (int y = 0; y < 8 && by + y < h; ++y) {
          for (int x = 0; x < 8 && bx + x < w; ++x) {
            plane[ch][static_cast<std::size_t>(by + y) * static_cast<std::size_t>(w) +
                      static_cast<std::size_t>(bx + x)] =
                block[static_cast<std::size_t>(y * 8 + x)];
          }
        }
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double y = plane[0][i] + 128.0, cb = plane[1][i], cr = plane[2][i];
    image.rgb[3 * i] = to_byte(y + 1.402 * cr);
    image.rgb[3 * i + 1] = to_byte(y - 0.344136 * cb - 0.714136 * cr);
    image.rgb[3 * i + 2] = to_byte(y + 1.772 * cb);
  }
}

void apply_dropout(Image& image, int patches, int size, Rng& rng) {
  if (image.width < 1 || image.height < 1) return;
  size = std::min({size, image.width, image.height});
  for (int p = 0; p < patches; ++p) {
    const int r0 = static_cast<int>(rng.below(static_cast<std::uint64_t>(image.height - size + 1)));
    const int c0 = static_cast<int>(rng.below(static_cast<std::uint64_t>(image.width - size + 1)));
    for (int r = r0; r < r0 + size; ++r) {
      std::fill(image.pixel(r, c0), image.pixel(r, c0) + 3 * size, static_cast<std::uint8_t>(128));
    }
  }
}

void apply_sensor_noise(Image& image, int level, std::uint64_t episode_seed,
                        std::uint64_t frame_seed) {
  if (level <= 0) return;
  const SensorNoiseLevel p = sensor_noise_level(level);
  Rng episode(episode_seed);
  const ColourJitter jitter{p.colour_jitter * draw_signed_fraction(episode),
                            p.colour_jitter * draw_signed_fraction(episode),
                            1.5 * p.colour_jitter * draw_signed_fraction(episode)};
  Rng frame(frame_seed);
  apply_colour_jitter(image, jitter);
  apply_gaussian_blur(image, p.blur_sigma_px);
  apply_gaussian_noise(image, p.gaussian_sigma, frame);
  apply_jpeg_like(image, p.jpeg_quality);
  apply_dropout(image, p.dropout_patches, p.patch_px, frame);
}

}  // namespace gauntlet::perturb
