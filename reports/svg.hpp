// Deterministic SVG charts for reports (forest plots, heatmaps, bars): plain
// strings, fixed number formatting, every label escaped, no scripts.
#pragma once

#include <string>
#include <vector>

namespace gauntlet::reports {

std::string escape_xml(const std::string& text);

struct ForestRow {
  std::string label;
  double estimate = 0.0;  // in [0, 1]
  double lo = 0.0;
  double hi = 0.0;
  std::string note;  // printed right of the interval, e.g. "82.0% [75.1, 87.3]"
};

// Horizontal interval plot on a 0..100% axis.
std::string forest_plot_svg(const std::string& title, const std::vector<ForestRow>& rows,
                            int width = 640);

struct HeatmapCell {
  double value = 0.0;   // drives the colour
  std::string text;     // printed in the cell
  std::string tooltip;  // <title>
};

// rows x cols matrix; colour from `value` in [vmin, vmax] on a diverging
// (blue-white-red) or sequential (white-blue) scale.
std::string heatmap_svg(const std::string& title, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& col_labels,
                        const std::vector<std::vector<HeatmapCell>>& cells, double vmin,
                        double vmax, bool diverging, int cell_width = 64);

struct BarGroup {
  std::string label;           // x axis group (e.g. a perturbation dimension)
  std::vector<double> values;  // one bar per series, in [0, 1]
  std::vector<double> lo, hi;  // optional intervals (same size as values or empty)
};

std::string grouped_bar_svg(const std::string& title, const std::vector<std::string>& series,
                            const std::vector<BarGroup>& groups, int width = 720);

}  // namespace gauntlet::reports
