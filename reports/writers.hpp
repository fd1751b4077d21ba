// Report writers behind one interface, each formatting the same ReportModel:
// adding a format is one writer file and one line in writers.cpp's table.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "reports/report_model.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {

class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual std::string format() const = 0;     // "md", "json", "csv", ...
  virtual std::string file_name() const = 0;  // written inside the output directory
  virtual void write(const ReportModel& model, const std::filesystem::path& dir) const = 0;
};

std::unique_ptr<ReportWriter> make_markdown_writer();
std::unique_ptr<ReportWriter> make_json_writer();
std::unique_ptr<ReportWriter> make_csv_writer();
std::unique_ptr<ReportWriter> make_html_writer();
std::unique_ptr<ReportWriter> make_junit_writer();
std::unique_ptr<ReportWriter> make_pr_comment_writer();

// Writers for a comma-separated list of formats; InputError naming the valid ones.
std::vector<std::unique_ptr<ReportWriter>> make_writers(const std::string& formats);
std::vector<std::string> available_formats();

// The Markdown ranking table alone (also printed by `make demo`): one row per
// policy and a fixed set of columns, however many tasks the suite has.
std::string markdown_ranking_table(const ReportModel& model);
// Success per task: one row per task, one column per policy headed by its rank.
std::string markdown_task_table(const ReportModel& model);
struct MarkdownOptions {
  // Inline-safe for a pull-request comment: the success chart as text instead
  // of a relative link to success.svg (which a comment cannot resolve).
  bool inline_charts = false;
  bool details = true;  // the per-task, termination and provenance tables
};
std::string markdown_report(const ReportModel& model, const MarkdownOptions& options = {});
// Each policy's success and 95% interval as a fenced text chart (what
// success.svg shows), for places that cannot show an image file.
std::string text_forest_plot(const ReportModel& model);
// report.md for a pull-request comment (`--format pr`): no relative links,
// no files beside it, under GitHub's 65536-character limit.
std::string pr_comment_markdown(const ReportModel& model);

}  // namespace gauntlet::reports
