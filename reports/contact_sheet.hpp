// Contact sheets: a grid of images (tile_images) with column labels on top and
// row labels on the left, drawn with a small built-in pixel font (no font files).
#pragma once

#include <string>
#include <vector>

#include "harness/observation.hpp"

namespace gauntlet::reports {

struct ContactSheet {
  std::vector<std::string> column_labels;       // one per column (may be empty)
  std::vector<std::string> row_labels;          // one per row (may be empty)
  std::vector<std::vector<const Image*>> rows;  // rows[r][c]; every row as long as the first
  int gap = 2;
  int font_scale = 2;  // pixels per font dot
};

// Throws std::invalid_argument when rows are ragged or empty.
Image render_contact_sheet(const ContactSheet& sheet);

// Draws `text` (letters, digits, space and - _ : . , / = #) in black with its
// top-left corner at (row, col); characters outside the image are clipped.
void draw_text(Image& image, const std::string& text, int row, int col, int scale = 2);
// Width in pixels of `text` drawn at `scale`.
int text_width(const std::string& text, int scale = 2);

}  // namespace gauntlet::reports
