// The world model's report card (`gauntlet wm validate`): how far a learned
// simulator can stand in for the real one as an evaluator. One plain model,
// written as JSON, Markdown and a self-contained HTML page.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/observation.hpp"
#include "metrics/agreement.hpp"
#include "metrics/confusion.hpp"
#include "metrics/judge_correction.hpp"
#include "metrics/proportion_interval.hpp"

namespace gauntlet::reports {

struct WmPolicyRow {
  std::string name;
  std::int64_t episodes = 0;  // paired episodes counted (neither ended by a simulator/model error)
  std::int64_t sim_successes = 0;
  std::int64_t wm_successes = 0;
  metrics::Interval sim_ci;  // Wilson 95%
  metrics::Interval wm_ci;
  metrics::BinaryAgreement agreement;  // per-episode, judge vs simulator
  double sim_episodes_per_s = 0.0;
  double wm_episodes_per_s = 0.0;
  std::int64_t wm_errors = 0;  // world-model or judge failures (sim_error rows)
  // The world model's rate corrected with the card's pooled judge error rates
  // (metrics/judge_correction.hpp): what a `card=` run would report.
  metrics::CorrectedRate wm_corrected;
  // What the policy acted on in the world model: generated frames (it asks
  // for a camera) and/or privileged state from a shadow simulation driven by
  // its own actions (it asks for privileged state). A policy with neither acts
  // on the (predicted) proprioception at most.
  bool acted_on_generated_frames = true;
  bool shadowed = false;
};

// "generated frames", "generated frames + shadow state", "shadow state" or
// "no camera": what a policy row acted on, in words.
std::string wm_policy_inputs(const WmPolicyRow& p);

// The judge's error rates over every paired episode (the simulator is the
// truth) and whether the world model may rank and gate policies: what a
// world-model run whose --env names this card reads (worldmodel/env).
struct WmJudgeCorrection {
  metrics::JudgeErrorRates rates;  // Clopper-Pearson 95%
  bool informative = true;         // the card excludes se + sp <= 1 at the corrected level
  double min_spearman = 0.5;       // rankable: the Spearman interval's lower end reaches it
  std::optional<double> spearman_lower;
  bool rankable = false;
  std::string rankable_note;  // why (not)
};

// What judging cost over the world-model runs of one `wm validate` (episodes
// resumed from files are not counted). The judge is batched across workers:
// one call per runner step judges every live episode's current frame(s).
struct WmJudgeCost {
  std::int64_t calls = 0;   // judge calls
  std::int64_t frames = 0;  // episode-steps judged over all calls (batch items)
  double seconds = 0.0;     // wall time inside the judge
};

// Ranking agreement of one world-model evaluation with the simulator.
struct WmAgreement {
  std::string label;  // "primary model", "ensemble vote", "discard 10% most uncertain"
  std::string note;
  std::int64_t episodes = 0;                       // world-model episodes used
  std::optional<metrics::AgreementResult> result;  // absent (with note) when it cannot be computed
};

struct WmFidelityPoint {
  int step = 0;  // actions replayed
  std::int64_t episodes = 0;
  double psnr_mean = 0.0;
  double psnr_sd = 0.0;
  double ssim_mean = 0.0;
  double ssim_sd = 0.0;
  // The baseline "nothing moves": the first real frame against the real frame.
  double copy_psnr_mean = 0.0;
  double copy_ssim_mean = 0.0;
};

struct WmFidelity {
  std::string source;       // where the replayed rollouts came from
  std::string ssim_window;  // e.g. "11x11 Gaussian (sigma 1.5)"
  std::int64_t episodes = 0;
  int horizon = 0;
  std::vector<WmFidelityPoint> curve;
  std::optional<double> frechet_distance;  // FVD-style, with the feature extractor below
  std::string feature_extractor;
  std::string note;
};

struct WmUncertaintyRow {
  double discard_fraction = 0.0;
  std::int64_t kept = 0;
  double accuracy_kept = 0.0;       // per-episode accuracy (primary model) on kept episodes
  double accuracy_discarded = 0.0;  // ... and on the discarded ones (NaN if none)
};

struct WmStrip {
  std::string caption;
  Image image;  // rows: simulator frames over world-model frames for the same actions
};

struct WmReportCard {
  std::string suite;
  std::uint64_t seed = 0;
  int episodes_per_task = 0;
  std::vector<std::string> tasks;
  std::vector<std::string>
      world_models;  // files; the first is the evaluator, all form the ensemble
  std::vector<std::string> world_model_identities;
  std::string judge;
  std::string judge_identity;
  int judge_every = 1;
  double threshold = 0.5;
  std::string shadow_note;  // which policies got privileged state from a shadow simulation
  std::vector<WmPolicyRow> policies;
  metrics::BinaryAgreement overall;  // all policies' episodes pooled
  WmJudgeCorrection judge_correction;
  WmJudgeCost judge_cost;
  std::vector<WmAgreement> agreements;
  std::vector<WmUncertaintyRow> uncertainty;  // empty without an ensemble
  std::string uncertainty_note;
  WmFidelity fidelity;
  double sim_episodes_per_s = 0.0;
  double wm_episodes_per_s = 0.0;
  std::vector<WmStrip> strips;
  std::vector<std::string> warnings;
  std::string generated_at;
  std::string command;
  std::string harness_version;
};

std::string wm_report_card_json(const WmReportCard& card);
std::string wm_report_card_markdown(const WmReportCard& card);
std::string wm_report_card_html(const WmReportCard& card);

// Writes report-card.json, report-card.md and report-card.html into `dir`.
void write_wm_report_card(const WmReportCard& card, const std::filesystem::path& dir);

}  // namespace gauntlet::reports
