// `gauntlet merge OUT.h5 IN.h5...`: join the shards of one experiment.
#include <cstdio>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "harness/results_store.hpp"
#include "reports/episode_video.hpp"

namespace gauntlet::cli {
namespace {

struct MergeOptions {
  std::string out;
  std::vector<std::string> inputs;
  bool force = false;
};

void merge_command(const MergeOptions& o) {
  std::vector<std::filesystem::path> inputs(o.inputs.begin(), o.inputs.end());
  for (const auto& in : inputs) {
    if (std::filesystem::exists(o.out) && std::filesystem::equivalent(in, o.out)) {
      throw InputError("merge: the output '" + o.out + "' is also an input");
    }
  }
  if (std::filesystem::exists(o.out) && !o.force) {
    throw InputError("merge: '" + o.out + "' exists; pass --force to replace it");
  }
  const RunResults merged = merge_results(inputs);
  ResultsStore::write(o.out, merged);
  // Episode videos follow their episodes.
  int copied = 0;
  for (const auto& in : inputs) {
    const auto from = reports::media_dir(in);
    if (!std::filesystem::is_directory(from)) continue;
    const auto to = reports::media_dir(o.out);
    std::filesystem::create_directories(to);
    for (const auto& entry : std::filesystem::directory_iterator(from)) {
      std::filesystem::copy_file(entry.path(), to / entry.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
      ++copied;
    }
  }
  if (copied > 0) std::fprintf(stderr, "copied %d episode videos\n", copied);
  std::fprintf(stderr, "merged %zu files, %zu episodes -> %s\n", inputs.size(),
               merged.episodes.size(), o.out.c_str());
}

}  // namespace

void add_merge_command(CLI::App& app, CliContext& /*ctx*/) {
  auto opts = std::make_shared<MergeOptions>();
  CLI::App* merge = app.add_subcommand("merge", "Join shard results files of one experiment");
  merge->add_option("out", opts->out, "merged results file to write")->required();
  merge->add_option("inputs", opts->inputs, "shard results files")->required();
  merge->add_flag("--force", opts->force, "replace OUT if it exists");
  merge->callback([opts] { merge_command(*opts); });
}

}  // namespace gauntlet::cli
