#include "reports/contact_sheet.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "reports/png.hpp"

namespace gauntlet::reports {
namespace {

constexpr int kGlyphW = 3, kGlyphH = 5;

// A 3x5 pixel font: five rows of three dots per glyph ('#' = ink).
const char* glyph(char ch) {
  switch (std::toupper(static_cast<unsigned char>(ch))) {
    case '0':
      return "####.##.##.####";
    case '1':
      return ".#.##..#..#.###";
    case '2':
      return "###..#####..###";
    case '3':
      return "###..####..####";
    case '4':
      return "#.##.####..#..#";
    case '5':
      return "####..###..####";
    case '6':
      return "####..####.####";
    case '7':
      return "###..#..#.#..#.";
    case '8':
      return "####.#####.####";
    case '9':
      return "####.####..####";
    case 'A':
      return ".#.#.#####.##.#";
    case 'B':
      return "##.#.###.#.###.";
    case 'C':
      return ".###..#..#...##";
    case 'D':
      return "##.#.##.##.###.";
    case 'E':
      return "####..##.#..###";
    case 'F':
      return "####..##.#..#..";
    case 'G':
      return ".###..#.##.#.##";
    case 'H':
      return "#.##.#####.##.#";
    case 'I':
      return "###.#..#..#.###";
    case 'J':
      return "..#..#..##.#.#.";
    case 'K':
      return "#.##.###.#.##.#";
    case 'L':
      return "#..#..#..#..###";
    case 'M':
      return "#.########.##.#";
    case 'N':
      return "##.#.##.##.##.#";
    case 'O':
      return ".#.#.##.##.#.#.";
    case 'P':
      return "##.#.###.#..#..";
    case 'Q':
      return ".#.#.##.###..##";
    case 'R':
      return "##.#.###.#.##.#";
    case 'S':
      return ".###...#...###.";
    case 'T':
      return "###.#..#..#..#.";
    case 'U':
      return "#.##.##.##.####";
    case 'V':
      return "#.##.##.##.#.#.";
    case 'W':
      return "#.##.########.#";
    case 'X':
      return "#.##.#.#.#.##.#";
    case 'Y':
      return "#.##.#.#..#..#.";
    case 'Z':
      return "###..#.#.#..###";
    case ':':
      return "....#.....#....";
    case '-':
      return "......###......";
    case '.':
      return ".............#.";
    case ',':
      return "..........#.#..";
    case '_':
      return "............###";
    case '/':
      return "..#..#.#.#..#..";
    case '=':
      return "...###...###...";
    case '#':
      return "#.#####.#####.#";
    default:
      return "...............";
  }
}

}  // namespace

int text_width(const std::string& text, int scale) {
  return text.empty() ? 0 : static_cast<int>(text.size()) * (kGlyphW + 1) * scale - scale;
}

void draw_text(Image& image, const std::string& text, int row, int col, int scale) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* g = glyph(text[i]);
    const std::size_t len = std::strlen(g);
    const int x0 = col + static_cast<int>(i) * (kGlyphW + 1) * scale;
    for (int gy = 0; gy < kGlyphH; ++gy) {
      for (int gx = 0; gx < kGlyphW; ++gx) {
        const auto k = static_cast<std::size_t>(gy * kGlyphW + gx);
        if (k >= len || g[k] != '#') continue;
        for (int dy = 0; dy < scale; ++dy) {
          for (int dx = 0; dx < scale; ++dx) {
            const int r = row + gy * scale + dy, c = x0 + gx * scale + dx;
            if (r < 0 || c < 0 || r >= image.height || c >= image.width) continue;
            std::uint8_t* p = image.pixel(r, c);
            p[0] = p[1] = p[2] = 0;
          }
        }
      }
    }
  }
}

Image render_contact_sheet(const ContactSheet& sheet) {
  if (sheet.rows.empty() || sheet.rows.front().empty())
    throw std::invalid_argument("contact sheet: no images");
  const std::size_t columns = sheet.rows.front().size();
  std::vector<const Image*> cells;
  for (const auto& row : sheet.rows) {
    if (row.size() != columns)
      throw std::invalid_argument("contact sheet: rows of different lengths");
    cells.insert(cells.end(), row.begin(), row.end());
  }
  const Image grid = tile_images(cells, static_cast<int>(columns), sheet.gap);
  int cell_w = 0, cell_h = 0;
  for (const Image* im : cells) {
    cell_w = std::max(cell_w, im->width);
    cell_h = std::max(cell_h, im->height);
  }
  const int s = sheet.font_scale;
  const int line = (kGlyphH + 2) * s;
  int left = 0;
  for (const auto& l : sheet.row_labels) left = std::max(left, text_width(l, s) + 2 * s);
  const int top = sheet.column_labels.empty() ? 0 : line + s;
  Image out;
  out.resize(grid.width + left, grid.height + top);
  std::fill(out.rgb.begin(), out.rgb.end(), 255);
  for (int r = 0; r < grid.height; ++r) {
    std::memcpy(out.pixel(r + top, left), grid.pixel(r, 0),
                static_cast<std::size_t>(grid.width) * 3);
  }
  for (std::size_t c = 0; c < sheet.column_labels.size() && c < columns; ++c) {
    const int x = left + sheet.gap + static_cast<int>(c) * (cell_w + sheet.gap);
    draw_text(out, sheet.column_labels[c], s,
              x + std::max(0, (cell_w - text_width(sheet.column_labels[c], s)) / 2), s);
  }
  for (std::size_t r = 0; r < sheet.row_labels.size() && r < sheet.rows.size(); ++r) {
    const int y = top + sheet.gap + static_cast<int>(r) * (cell_h + sheet.gap);
    draw_text(out, sheet.row_labels[r], y + (cell_h - kGlyphH * s) / 2, s, s);
  }
  return out;
}

}  // namespace gauntlet::reports
