#include "reports/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gauntlet::reports {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Colour-blind-safe palette (Okabe-Ito) for series.
const char* series_colour(std::size_t i) {
  static const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                   "#56B4E9", "#D55E00", "#F0E442", "#000000"};
  return kColours[i % 8];
}

std::string rgb(double r, double g, double b) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x",
                static_cast<int>(std::lround(255 * std::clamp(r, 0.0, 1.0))),
                static_cast<int>(std::lround(255 * std::clamp(g, 0.0, 1.0))),
                static_cast<int>(std::lround(255 * std::clamp(b, 0.0, 1.0))));
  return buf;
}

std::string scale_colour(double t, bool diverging) {
  t = std::clamp(t, 0.0, 1.0);
  if (!diverging) return rgb(1 - 0.85 * t, 1 - 0.6 * t, 1 - 0.25 * t);  // white -> blue
  if (t < 0.5) {
    const double u = (0.5 - t) * 2;  // 0 at centre, 1 at the low end: red
    return rgb(1 - 0.1 * u, 1 - 0.65 * u, 1 - 0.65 * u);
  }
  const double u = (t - 0.5) * 2;  // blue
  return rgb(1 - 0.7 * u, 1 - 0.45 * u, 1 - 0.1 * u);
}

std::string header(int width, int height, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
         " " + std::to_string(height) +
         "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"" +
         escape_xml(title) + "\">\n<title>" + escape_xml(title) +
         "</title>\n<text x=\"4\" y=\"16\" font-size=\"14\" font-weight=\"bold\">" +
         escape_xml(title) + "</text>\n";
}

std::string shorten(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "\u2026";
}

}  // namespace

std::string escape_xml(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') continue;
        out += c;
    }
  }
  return out;
}

std::string forest_plot_svg(const std::string& title, const std::vector<ForestRow>& rows,
                            int width) {
  const int label_w = 190, note_w = 150, row_h = 22, top = 30, axis_h = 26;
  const int plot_w = width - label_w - note_w - 10;
  const int height = top + row_h * static_cast<int>(rows.size()) + axis_h;
  auto x = [&](double v) { return label_w + plot_w * std::clamp(v, 0.0, 1.0); };
  std::string s = header(width, height, title);
  for (int t = 0; t <= 10; t += 2) {
    const double xv = x(t / 10.0);
    s += "<line x1=\"" + num(xv) + "\" y1=\"" + std::to_string(top - 4) + "\" x2=\"" + num(xv) +
         "\" y2=\"" + std::to_string(height - axis_h + 2) + "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + num(xv) + "\" y=\"" + std::to_string(height - 8) +
         "\" text-anchor=\"middle\" fill=\"#555\">" + std::to_string(t * 10) + "%</text>\n";
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ForestRow& r = rows[i];
    const double y = top + row_h * static_cast<double>(i) + row_h / 2.0;
    s += "<g><title>" + escape_xml(r.label + ": " + r.note) + "</title>\n";
    s += "<text x=\"" + std::to_string(label_w - 6) + "\" y=\"" + num(y + 4) +
         "\" text-anchor=\"end\">" + escape_xml(shorten(r.label, 28)) + "</text>\n";
    s += "<line x1=\"" + num(x(r.lo)) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x(r.hi)) +
         "\" y2=\"" + num(y) + "\" stroke=\"" + series_colour(0) + "\" stroke-width=\"2\"/>\n";
    for (const double e : {r.lo, r.hi}) {
      s += "<line x1=\"" + num(x(e)) + "\" y1=\"" + num(y - 5) + "\" x2=\"" + num(x(e)) +
           "\" y2=\"" + num(y + 5) + "\" stroke=\"" + series_colour(0) +
           "\" stroke-width=\"2\"/>\n";
    }
    s += "<circle cx=\"" + num(x(r.estimate)) + "\" cy=\"" + num(y) + "\" r=\"4.5\" fill=\"" +
         series_colour(0) + "\"/>\n";
    s += "<text x=\"" + std::to_string(label_w + plot_w + 8) + "\" y=\"" + num(y + 4) +
         "\" fill=\"#333\">" + escape_xml(r.note) + "</text>\n</g>\n";
  }
  return s + "</svg>\n";
}

std::string heatmap_svg(const std::string& title, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& col_labels,
                        const std::vector<std::vector<HeatmapCell>>& cells, double vmin,
                        double vmax, bool diverging, int cell_width) {
  const int label_w = 170, top = 64, cell_h = 26;
  const int width = label_w + cell_width * static_cast<int>(col_labels.size()) + 10;
  const int height = top + cell_h * static_cast<int>(row_labels.size()) + 8;
  std::string s = header(width, height, title);
  for (std::size_t c = 0; c < col_labels.size(); ++c) {
    const double cx = label_w + cell_width * (static_cast<double>(c) + 0.5);
    s += "<text x=\"" + num(cx) + "\" y=\"" + std::to_string(top - 8) +
         "\" text-anchor=\"start\" transform=\"rotate(-30 " + num(cx) + " " +
         std::to_string(top - 8) + ")\">" + escape_xml(shorten(col_labels[c], 16)) + "</text>\n";
  }
  for (std::size_t r = 0; r < row_labels.size(); ++r) {
    const int y = top + cell_h * static_cast<int>(r);
    s += "<text x=\"" + std::to_string(label_w - 6) + "\" y=\"" +
         std::to_string(y + cell_h / 2 + 4) + "\" text-anchor=\"end\">" +
         escape_xml(shorten(row_labels[r], 26)) + "</text>\n";
    for (std::size_t c = 0; c < col_labels.size() && c < cells[r].size(); ++c) {
      const HeatmapCell& cell = cells[r][c];
      const double t = vmax > vmin ? (cell.value - vmin) / (vmax - vmin) : 0.5;
      const int x = label_w + cell_width * static_cast<int>(c);
      const std::string fill = std::isnan(cell.value) ? "#f4f4f4" : scale_colour(t, diverging);
      s += "<g><title>" + escape_xml(cell.tooltip) + "</title><rect x=\"" + std::to_string(x) +
           "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(cell_width - 2) +
           "\" height=\"" + std::to_string(cell_h - 2) + "\" fill=\"" + fill + "\"/>";
      s += "<text x=\"" + std::to_string(x + cell_width / 2 - 1) + "\" y=\"" +
           std::to_string(y + cell_h / 2 + 3) + "\" text-anchor=\"middle\" font-size=\"11\">" +
           escape_xml(cell.text) + "</text></g>\n";
    }
  }
  return s + "</svg>\n";
}

std::string grouped_bar_svg(const std::string& title, const std::vector<std::string>& series,
                            const std::vector<BarGroup>& groups, int width) {
  const int left = 44, top = 48, bottom = 40, height = 260;
  const int plot_h = height - top - bottom;
  const int plot_w = width - left - 10;
  const double group_w =
      groups.empty() ? plot_w : static_cast<double>(plot_w) / static_cast<double>(groups.size());
  const double bar_w = std::max(2.0, (group_w - 10) / std::max<std::size_t>(1, series.size()));
  std::string s = header(width, height, title);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const double lx = left + 110.0 * static_cast<double>(i);
    s += "<rect x=\"" + num(lx) + "\" y=\"24\" width=\"10\" height=\"10\" fill=\"" +
         series_colour(i) + "\"/>";
    s += "<text x=\"" + num(lx + 14) + "\" y=\"33\">" + escape_xml(shorten(series[i], 14)) +
         "</text>\n";
  }
  auto y = [&](double v) { return top + plot_h * (1 - std::clamp(v, 0.0, 1.0)); };
  for (int t = 0; t <= 10; t += 5) {
    s += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + num(y(t / 10.0)) + "\" x2=\"" +
         std::to_string(left + plot_w) + "\" y2=\"" + num(y(t / 10.0)) +
         "\" stroke=\"#ddd\"/><text x=\"" + std::to_string(left - 4) + "\" y=\"" +
         num(y(t / 10.0) + 4) + "\" text-anchor=\"end\" fill=\"#555\">" + std::to_string(t * 10) +
         "%</text>\n";
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const BarGroup& grp = groups[g];
    const double gx = left + group_w * static_cast<double>(g) + 5;
    for (std::size_t i = 0; i < grp.values.size(); ++i) {
      const double bx = gx + bar_w * static_cast<double>(i);
      s += "<g><title>" +
           escape_xml(grp.label + " / " + (i < series.size() ? series[i] : "") + ": " +
                      num(100 * grp.values[i]) + "%") +
           "</title><rect x=\"" + num(bx) + "\" y=\"" + num(y(grp.values[i])) + "\" width=\"" +
           num(bar_w - 1) + "\" height=\"" + num(top + plot_h - y(grp.values[i])) + "\" fill=\"" +
           series_colour(i) + "\"/>";
      if (i < grp.lo.size() && i < grp.hi.size()) {
        const double cx = bx + (bar_w - 1) / 2;
        s += "<line x1=\"" + num(cx) + "\" y1=\"" + num(y(grp.lo[i])) + "\" x2=\"" + num(cx) +
             "\" y2=\"" + num(y(grp.hi[i])) + "\" stroke=\"#222\"/>";
      }
      s += "</g>\n";
    }
    s += "<text x=\"" + num(gx + group_w / 2 - 5) + "\" y=\"" +
         std::to_string(height - bottom + 16) + "\" text-anchor=\"middle\">" +
         escape_xml(shorten(grp.label, 18)) + "</text>\n";
  }
  return s + "</svg>\n";
}

}  // namespace gauntlet::reports
