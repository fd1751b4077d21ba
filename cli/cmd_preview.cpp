// `gauntlet preview --suite S --task T --perturb DIM --out sheet.png`: a contact
// sheet of a task's first observation at perturbation levels 0..5 for a few
// episodes (rows: episode x camera, columns: levels), so a person can judge
// that level 5 is hard but fair. Reworded instructions are printed on stdout.
#include <cstdio>
#include <sstream>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "reports/contact_sheet.hpp"
#include "reports/png.hpp"
#include "scenarios/perturb/preview.hpp"

namespace gauntlet::cli {
namespace {

struct PreviewOptions {
  std::string suite;
  std::string task;
  std::string perturb;
  std::string out;
  int seeds = 3;
  std::string levels = "0,1,2,3,4,5";
  std::vector<std::string> cameras;
  int width = 0;
  int height = 0;
  std::string seed;
};

std::vector<int> parse_preview_levels(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.size() != 1 || item[0] < '0' || item[0] > '5') {
      throw InputError("--levels: expected levels 0..5 separated by commas (e.g. 0,3,5), got '" +
                       text + "'");
    }
    out.push_back(item[0] - '0');
  }
  if (out.empty()) throw InputError("--levels: give at least one level");
  return out;
}

void preview_command(const PreviewOptions& o, CliContext& ctx) {
  const auto suite = ctx.registry.load_suite(o.suite);
  perturb::PreviewRequest request;
  request.task_id = o.task.empty() ? suite->tasks().front().id : o.task;
  std::stringstream dims(o.perturb);
  for (std::string d; std::getline(dims, d, ',');) {
    if (d.find(':') != std::string::npos) {
      throw InputError(
          "--perturb: preview takes dimension names (e.g. camera or camera,lighting); the "
          "levels are the columns (--levels), got '" +
          o.perturb + "'");
    }
    request.dimensions.push_back(d);
  }
  request.levels = parse_preview_levels(o.levels);
  request.episodes = o.seeds;
  request.cameras = o.cameras;
  if (o.width < 0 || o.height < 0 || o.width > 1024 || o.height > 1024) {
    throw InputError("--width/--height must be in 1..1024");
  }
  request.width = o.width;
  request.height = o.height;
  if (!o.seed.empty()) {
    if (o.seed.find_first_not_of("0123456789") != std::string::npos || o.seed.size() > 19) {
      throw InputError("--seed: expected a non-negative integer, got '" + o.seed + "'");
    }
    request.suite_seed = std::stoull(o.seed);
  }
  const perturb::PreviewImages images = perturb::render_preview(*suite, request);

  reports::ContactSheet sheet;
  for (const int l : images.levels)
    sheet.column_labels.push_back(l == 0 ? "NOMINAL" : "LEVEL " + std::to_string(l));
  for (std::size_t e = 0; e < images.seeds.size(); ++e) {
    for (std::size_t c = 0; c < images.cameras.size(); ++c) {
      sheet.row_labels.push_back("EP" + std::to_string(e) + " " + images.cameras[c]);
      std::vector<const Image*> row;
      for (std::size_t l = 0; l < images.levels.size(); ++l) row.push_back(&images.at(e, c, l));
      sheet.rows.push_back(std::move(row));
    }
  }
  const Image png = reports::render_contact_sheet(sheet);
  reports::write_png(o.out, png);
  for (std::size_t e = 0; e < images.seeds.size(); ++e) {
    std::printf("episode %zu (seed %llu)\n", e, static_cast<unsigned long long>(images.seeds[e]));
    for (std::size_t l = 0; l < images.levels.size(); ++l) {
      std::printf("  level %d: %s\n", images.levels[l], images.instructions[e][l].c_str());
    }
  }
  for (const auto& err : images.errors) std::fprintf(stderr, "warning: %s\n", err.c_str());
  std::fprintf(stderr, "wrote %s (%dx%d: %zu episodes x %zu cameras, levels %s)\n", o.out.c_str(),
               png.width, png.height, images.seeds.size(), images.cameras.size(), o.levels.c_str());
}

}  // namespace

void add_preview_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<PreviewOptions>();
  CLI::App* preview = app.add_subcommand(
      "preview", "Contact sheet of a task's images under a perturbation, levels 0..5");
  preview->add_option("--suite", opts->suite, "suite name or PATH.yaml")->required();
  preview->add_option("--task", opts->task, "task id (default: the suite's first task)");
  preview
      ->add_option("--perturb", opts->perturb,
                   "dimension(s) to preview, e.g. camera or camera,lighting")
      ->required();
  preview->add_option("--out", opts->out, "PNG file to write")->required();
  preview->add_option("--seeds", opts->seeds,
                      "episodes (rows), each with its run seed (default 3)");
  preview->add_option("--levels", opts->levels, "levels (columns), default 0,1,2,3,4,5");
  preview->add_option("--camera", opts->cameras,
                      "cameras to show (repeatable; default: all of the suite's)");
  preview->add_option("--width", opts->width, "image width (default: the suite's)");
  preview->add_option("--height", opts->height, "image height (default: the suite's)");
  preview->add_option("--seed", opts->seed, "suite seed override, as for run");
  preview->callback([opts, &ctx] { preview_command(*opts, ctx); });
}

}  // namespace gauntlet::cli
