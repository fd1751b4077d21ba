// `gauntlet report FILE.h5... --out DIR [--format md,json,csv]`.
#include <algorithm>
#include <cstdio>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "harness/temp_files.hpp"
#include "reports/png.hpp"
#include "reports/report_model.hpp"
#include "reports/writers.hpp"
#include "scenarios/perturb/preview.hpp"

namespace gauntlet::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> files;
  std::string out;
  std::string formats = "html,md,json,csv";
  bool print = false;
};

// What each perturbed dimension looks like, for the HTML report: the first
// task's agentview at levels 0..5 of the first episode seed. Only when this
// build still has the suite the files were made with (same content hash).
void add_previews(reports::ReportModel& model, CliContext& ctx) {
  if (model.robustness.empty() || model.policies.empty()) return;
  std::shared_ptr<const Suite> suite;
  try {
    suite = ctx.registry.load_suite(model.suite);
  } catch (const std::exception&) {
    return;
  }
  if (suite->info().content_hash != model.suite_hash || suite->tasks().empty()) return;
  std::vector<std::string> dims;
  for (const auto& p : model.robustness) {
    for (const auto& d : p.dimensions) {
      if (std::find(dims.begin(), dims.end(), d.dimension) == dims.end())
        dims.push_back(d.dimension);
    }
  }
  for (const auto& dim : dims) {
    perturb::PreviewRequest req;
    req.task_id = suite->tasks().front().id;
    req.dimensions = {dim};
    req.episodes = 1;
    req.cameras = {"agentview"};
    req.suite_seed = model.policies.front().header.suite_seed;
    try {
      const auto images = perturb::render_preview(*suite, req);
      std::vector<const Image*> row;
      for (std::size_t l = 0; l < images.levels.size(); ++l) row.push_back(&images.at(0, 0, l));
      model.robustness_previews.emplace_back(
          dim, reports::encode_png(reports::tile_images(row, static_cast<int>(row.size()))));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "note: no preview for %s: %s\n", dim.c_str(), e.what());
    }
  }
}

void report_command(const ReportOptions& o, CliContext& ctx) {
  auto writers = reports::make_writers(o.formats);
  std::vector<std::filesystem::path> files(o.files.begin(), o.files.end());
  reports::ReportModel model = reports::build_report_model(files);
  if (o.formats.find("html") != std::string::npos) add_previews(model, ctx);
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec || !std::filesystem::is_directory(o.out)) {
    throw InputError("--out '" + o.out + "': cannot create the report directory");
  }
  for (const auto& note : reports::correction_notes(model)) {
    std::fprintf(stderr, "note: %s\n", note.c_str());
  }
  for (const auto& note : reports::incomplete_run_notes(model)) {
    std::fprintf(stderr, "warning: %s\n", note.c_str());
  }
  for (const auto& w : writers) {
    // A report killed mid-write left FILE.tmp: remove it before writing again.
    remove_stale_temp_files(std::filesystem::path(o.out) / w->file_name());
    w->write(model, o.out);
    std::fprintf(stderr, "wrote %s\n", (std::filesystem::path(o.out) / w->file_name()).c_str());
  }
  if (o.print) {
    std::printf(
        "\n%s (%s episodes per task; success with 95%% Wilson interval)\n\n%s", model.suite.c_str(),
        model.policies.empty() ? "?" : model.policies.front().header.episodes_text().c_str(),
        reports::markdown_ranking_table(model).c_str());
    std::printf("\nSuccess per task (columns: ranks above)\n\n%s",
                reports::markdown_task_table(model).c_str());
  }
}

}  // namespace

void add_report_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* report =
      app.add_subcommand("report", "Rank policies from results files and write reports");
  report->add_option("files", opts->files, "results files (.h5), one per policy, same suite")
      ->required();
  report->add_option("--out", opts->out, "output directory")->required();
  report->add_option("--format", opts->formats,
                     "comma-separated: html,md,json,csv,junit,pr (pr-comment.md: inline-safe "
                     "Markdown for a pull-request comment)");
  report->add_flag("--print", opts->print, "also print the ranking table on stdout");
  report->callback([opts, &ctx] { report_command(*opts, ctx); });
}

}  // namespace gauntlet::cli
