// pr-comment.md (`report --format pr`): report.md made safe to paste as a
// pull-request comment: charts as text, no links to files beside it, and
// short enough for GitHub's comment limit.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

// GitHub refuses comments over 65536 characters; keep a margin for a CI's own lines.
constexpr std::size_t kCommentLimit = 60000;
constexpr int kChartWidth = 40;

// A name for a fenced block: one line, no backtick fence, at most `width` characters.
std::string plain_label(const std::string& name, std::size_t width) {
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || c == 0x7f) ? ' ' : (c == '`' ? '\'' : c);
  }
  if (out.size() > width) out = out.substr(0, width - 3) + "...";
  return out;
}

class PrCommentWriter final : public ReportWriter {
 public:
  std::string format() const override { return "pr"; }
  std::string file_name() const override { return "pr-comment.md"; }
  void write(const ReportModel& model, const std::filesystem::path& dir) const override {
    write_text_file(dir / file_name(), pr_comment_markdown(model));
  }
};

}  // namespace

std::string text_forest_plot(const ReportModel& model) {
  std::size_t width = 6;
  for (const auto& p : model.policies) width = std::max(width, plain_label(p.name, 28).size());
  const auto column = [](double v) {
    return std::clamp(static_cast<int>(std::lround(v * kChartWidth)), 0, kChartWidth);
  };
  std::string out = "```text\n";
  out += std::string(width, ' ') + "  0%" + std::string(kChartWidth - 6, ' ') + "100%\n";
  for (const auto& p : model.policies) {
    std::string bar(kChartWidth + 1, ' ');
    const int lo = column(p.success.ci95.lo);
    const int hi = column(p.success.ci95.hi);
    for (int i = lo; i <= hi; ++i) bar[static_cast<std::size_t>(i)] = '-';
    bar[static_cast<std::size_t>(lo)] = '[';
    bar[static_cast<std::size_t>(hi)] = ']';
    bar[static_cast<std::size_t>(column(p.success.rate))] = '*';
    std::string label = plain_label(p.name, 28);
    label.resize(width, ' ');
    char numbers[64];
    std::snprintf(numbers, sizeof numbers, "  %5.1f%% [%.1f, %.1f]", 100.0 * p.success.rate,
                  100.0 * p.success.ci95.lo, 100.0 * p.success.ci95.hi);
    out += label + " |" + bar + "|" + numbers + "\n";
  }
  out += "```\n`*` success, `[ ]` 95% Wilson interval\n";
  return out;
}

std::string pr_comment_markdown(const ReportModel& model) {
  MarkdownOptions options;
  options.inline_charts = true;
  std::string out = markdown_report(model, options);
  if (out.size() > kCommentLimit) {
    options.details = false;
    out = markdown_report(model, options) +
          "\n_Per-task, termination and provenance tables left out to fit a comment; see "
          "report.md or report.html._\n";
  }
  if (out.size() > kCommentLimit) {
    out = out.substr(0, out.rfind('\n', kCommentLimit - 80) + 1) +
          "\n_Truncated to fit a comment; see report.md or report.html._\n";
  }
  return out;
}

std::unique_ptr<ReportWriter> make_pr_comment_writer() {
  return std::make_unique<PrCommentWriter>();
}

}  // namespace gauntlet::reports
