#include "reports/png.hpp"

#include <png.h>

#include <algorithm>
#include <cstring>

#include "harness/errors.hpp"

namespace gauntlet::reports {
namespace {

void append_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void flush_nothing(png_structp) {}

}  // namespace

std::string encode_png(const Image& image) {
  if (image.width <= 0 || image.height <= 0) throw RuntimeFailure("PNG: empty image");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    throw RuntimeFailure("PNG: cannot allocate the encoder");
  }
  std::string out;
  std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
  for (int r = 0; r < image.height; ++r) {
    rows[static_cast<std::size_t>(r)] = const_cast<png_bytep>(image.pixel(r, 0));
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw RuntimeFailure("PNG: encoding failed");
  }
  png_set_write_fn(png, &out, append_bytes, flush_nothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

void write_png(const std::filesystem::path& path, const Image& image) {
  const std::string bytes = encode_png(image);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw InputError("cannot write '" + path.string() + "'");
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) throw InputError("cannot write '" + path.string() + "'");
}

Image tile_images(const std::vector<const Image*>& images, int columns, int gap,
                  std::uint8_t background) {
  Image out;
  if (images.empty()) return out;
  int cell_w = 0, cell_h = 0;
  for (const Image* im : images) {
    cell_w = std::max(cell_w, im->width);
    cell_h = std::max(cell_h, im->height);
  }
  columns = std::max(1, std::min(columns, static_cast<int>(images.size())));
  const int rows = (static_cast<int>(images.size()) + columns - 1) / columns;
  out.resize(columns * cell_w + (columns + 1) * gap, rows * cell_h + (rows + 1) * gap);
  std::fill(out.rgb.begin(), out.rgb.end(), background);
  for (std::size_t i = 0; i < images.size(); ++i) {
    const Image& im = *images[i];
    const int x0 = gap + static_cast<int>(i % static_cast<std::size_t>(columns)) * (cell_w + gap);
    const int y0 = gap + static_cast<int>(i / static_cast<std::size_t>(columns)) * (cell_h + gap);
    for (int r = 0; r < im.height; ++r) {
      std::memcpy(out.pixel(y0 + r, x0), im.pixel(r, 0), static_cast<std::size_t>(im.width) * 3);
    }
  }
  return out;
}

}  // namespace gauntlet::reports
