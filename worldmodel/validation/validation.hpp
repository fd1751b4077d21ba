// What `gauntlet wm validate` computes over finished runs: pairing simulator
// and world-model episodes, then ranking and per-episode agreement, ensemble
// uncertainty (statistics from metrics/), open-loop fidelity and side-by-side strips.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/demo_reader.hpp"
#include "harness/episode.hpp"
#include "harness/world_model.hpp"
#include "metrics/bootstrap.hpp"
#include "metrics/image_fidelity.hpp"
#include "reports/wm_report_card.hpp"

namespace gauntlet::worldmodel {

// One episode key of one policy, run in the simulator and by every ensemble member.
struct PairedEpisode {
  std::string task;
  int episode = 0;
  bool sim = false;
  std::vector<bool> wm;          // per world model
  std::vector<double> progress;  // the judge's progress per world model
};

struct PolicyEpisodes {
  std::string name;
  std::vector<PairedEpisode>
      episodes;                // counted for the policy in every run, sorted by (task, episode)
  std::int64_t wm_errors = 0;  // episodes a world model or judge failed (left out)
};

// Episodes present in `sim` and every `wm` run that none ended by a simulator,
// model or judge error.
PolicyEpisodes pair_episodes(const std::string& name, const std::vector<EpisodeResult>& sim,
                             const std::vector<std::vector<EpisodeResult>>& wm,
                             const std::vector<std::string>& tasks);

// Which world-model verdict an agreement row uses.
enum class Verdict { kPrimary, kEnsembleVote };

// Ranking agreement of the world model (x) with the simulator (y) over the
// episodes `keep` selects (all when empty); the simulator always uses all.
reports::WmAgreement ranking_agreement(const std::string& label,
                                       const std::vector<PolicyEpisodes>& policies,
                                       const std::vector<std::string>& tasks, Verdict verdict,
                                       const metrics::BootstrapOptions& bootstrap,
                                       const std::vector<std::vector<bool>>& keep = {});

// Per-episode agreement of the primary model's judge with the simulator.
metrics::BinaryAgreement episode_agreement(const std::vector<PairedEpisode>& episodes);

// The rows "discard the most uncertain q" for each fraction
// (metrics::selective_accuracy), uncertainty being the ensemble's
// disagreement about each episode (metrics::vote_disagreement), ties broken
// by the spread of the members' progress; `keep` gets the kept masks (per
// policy, per episode) of each fraction. The last episode of a (policy, task)
// is never discarded.
std::vector<reports::WmUncertaintyRow> uncertainty_rows(
    const std::vector<PolicyEpisodes>& policies, const std::vector<double>& fractions,
    std::vector<std::vector<std::vector<bool>>>& keep);

struct FidelityOptions {
  int horizon = 0;  // 0: whole episodes
  int batch = 8;
  metrics::SsimOptions ssim;
  int strips = 4;
  int strip_frames = 8;
};

// Replays `episodes` open-loop in `model`: the drift curve (PSNR/SSIM per
// step against the real frame after the same actions) and strips.
void open_loop_fidelity(WorldModel& model, const std::vector<const DemoEpisode*>& episodes,
                        const FidelityOptions& options, reports::WmFidelity& fidelity,
                        std::vector<reports::WmStrip>& strips,
                        std::vector<std::vector<Image>>* generated = nullptr);

// FVD-style: the Frechet distance between features of real and generated
// clips (the first `clip` frames after the context of every episode long
// enough), from a TorchScript extractor forward([B, T, 3, H, W] in [0, 1])
// -> [B, D]. InputError naming the file when it cannot be used.
std::optional<double> clip_frechet_distance(const std::string& extractor,
                                            const std::vector<const DemoEpisode*>& episodes,
                                            const std::vector<std::vector<Image>>& generated,
                                            int clip, const WorldModelInfo& info);

}  // namespace gauntlet::worldmodel
