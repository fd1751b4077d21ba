// `gauntlet leaderboard FILE.h5... --out DIR`: a static leaderboard site.
#include <cstdio>

#include "cli/cli_context.hpp"
#include "reports/leaderboard.hpp"
#include "reports/leaderboard_site.hpp"

namespace gauntlet::cli {
namespace {

struct LeaderboardCliOptions {
  std::vector<std::string> files;
  std::string out;
  std::string title = "gauntlet leaderboard";
  bool skip_invalid = false;
  bool allow_incomplete = false;
};

void leaderboard_command(const LeaderboardCliOptions& o) {
  std::vector<std::filesystem::path> files(o.files.begin(), o.files.end());
  reports::LeaderboardOptions options;
  options.title = o.title;
  options.skip_invalid = o.skip_invalid;
  options.allow_incomplete = o.allow_incomplete;
  const reports::Leaderboard board = reports::build_leaderboard(files, options);
  const reports::LeaderboardSite r = reports::write_leaderboard_site(board, o.out);
  for (const auto& rej : board.rejected) std::fprintf(stderr, "rejected: %s\n", rej.c_str());
  std::fprintf(stderr, "leaderboard: %d suites, %d submissions -> %s/index.html\n", r.suites,
               r.submissions, o.out.c_str());
}

}  // namespace

void add_leaderboard_command(CLI::App& app, CliContext& /*ctx*/) {
  auto opts = std::make_shared<LeaderboardCliOptions>();
  CLI::App* lb =
      app.add_subcommand("leaderboard", "Write a static leaderboard site from results files");
  lb->add_option("files", opts->files, "results files (.h5), any suites")->required();
  lb->add_option("--out", opts->out, "output directory")->required();
  lb->add_option("--title", opts->title, "site title");
  lb->add_flag("--skip-invalid", opts->skip_invalid,
               "list invalid submissions as rejected instead of failing");
  lb->add_flag("--allow-incomplete", opts->allow_incomplete,
               "accept results files that do not hold their whole plan (lone shards, "
               "interrupted runs); the site marks them");
  lb->callback([opts] { leaderboard_command(*opts); });
}

}  // namespace gauntlet::cli
