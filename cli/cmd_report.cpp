// `gauntlet report FILE.h5... --out DIR [--format md,json,csv]`.
#include <cstdio>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "reports/writers.hpp"

namespace gauntlet::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> files;
  std::string out;
  std::string formats = "html,md,json,csv";
  bool print = false;
};

void report_command(const ReportOptions& o) {
  auto writers = reports::make_writers(o.formats);
  std::vector<std::filesystem::path> files(o.files.begin(), o.files.end());
  const reports::ReportModel model = reports::build_report_model(files);
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec || !std::filesystem::is_directory(o.out)) {
    throw InputError("--out '" + o.out + "': cannot create the report directory");
  }
  for (const auto& w : writers) {
    w->write(model, o.out);
    std::fprintf(stderr, "wrote %s\n", (std::filesystem::path(o.out) / w->file_name()).c_str());
  }
  if (o.print) {
    std::printf("\n%s (%s episodes per task; success with 95%% Wilson interval)\n\n%s", model.suite.c_str(),
                model.policies.empty() ? "?" : std::to_string(model.policies.front().header.episodes_per_task).c_str(),
                reports::markdown_ranking_table(model).c_str());
  }
}

}  // namespace

void add_report_command(CLI::App& app, CliContext& /*ctx*/) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* report = app.add_subcommand("report", "Rank policies from results files and write reports");
  report->add_option("files", opts->files, "results files (.h5), one per policy, same suite")->required();
  report->add_option("--out", opts->out, "output directory")->required();
  report->add_option("--format", opts->formats, "comma-separated: html,md,json,csv,junit");
  report->add_flag("--print", opts->print, "also print the ranking table on stdout");
  report->callback([opts] { report_command(*opts); });
}

}  // namespace gauntlet::cli
