#include "worldmodel/validation/validation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "adapters/torchscript/model_io.hpp"
#include "adapters/torchscript/torch_model.hpp"
#include "harness/errors.hpp"
#include "metrics/agreement.hpp"
#include "metrics/confusion.hpp"
#include "metrics/evaluation_table.hpp"
#include "reports/png.hpp"
#include "worldmodel/env/open_loop.hpp"

namespace gauntlet::worldmodel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Identical frames have infinite PSNR; averages cap each frame at this.
constexpr double kPsnrCap = 100.0;

bool vote(const PairedEpisode& e, Verdict v) {
  if (v == Verdict::kPrimary) return e.wm.front();
  const auto yes = std::count(e.wm.begin(), e.wm.end(), true);
  return metrics::majority_vote(yes, static_cast<std::int64_t>(e.wm.size()));
}

// Per-episode table: policy p, task t holds the values `pick` returns (nullopt skips).
template <typename Pick>
metrics::EvaluationTable table(const std::vector<PolicyEpisodes>& policies,
                               const std::vector<std::string>& tasks, Pick&& pick) {
  std::vector<std::string> names;
  std::vector<std::vector<std::vector<double>>> scores(
      policies.size(), std::vector<std::vector<double>>(tasks.size()));
  for (std::size_t p = 0; p < policies.size(); ++p) {
    names.push_back(policies[p].name);
    for (std::size_t i = 0; i < policies[p].episodes.size(); ++i) {
      const PairedEpisode& e = policies[p].episodes[i];
      const auto k =
          static_cast<std::size_t>(std::find(tasks.begin(), tasks.end(), e.task) - tasks.begin());
      if (k == tasks.size()) continue;
      if (const auto v = pick(p, i, e)) scores[p][k].push_back(*v);
    }
  }
  return metrics::per_episode_table(std::move(names), tasks, scores);
}

double mean(const std::vector<double>& v) {
  return v.empty() ? kNaN
                   : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sd(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean(v);
  double s = 0.0;
  for (const double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

Image upscale(const Image& src, int factor) {
  Image out;
  out.resize(src.width * factor, src.height * factor);
  for (int r = 0; r < out.height; ++r) {
    for (int c = 0; c < out.width; ++c)
      std::copy_n(src.pixel(r / factor, c / factor), 3, out.pixel(r, c));
  }
  return out;
}

metrics::ImageView view(const Image& img) {
  return {img.rgb.data(), img.width, img.height, 3};
}

}  // namespace

PolicyEpisodes pair_episodes(const std::string& name, const std::vector<EpisodeResult>& sim,
                             const std::vector<std::vector<EpisodeResult>>& wm,
                             const std::vector<std::string>& tasks) {
  PolicyEpisodes out;
  out.name = name;
  std::vector<std::map<EpisodeKey, const EpisodeResult*>> by_key(wm.size());
  for (std::size_t k = 0; k < wm.size(); ++k) {
    for (const auto& e : wm[k]) by_key[k][e.key()] = &e;
  }
  for (const auto& s : sim) {
    if (std::find(tasks.begin(), tasks.end(), s.task_id) == tasks.end()) continue;
    PairedEpisode p;
    p.task = s.task_id;
    p.episode = s.episode_index;
    p.sim = s.success;
    bool complete = s.counts_for_policy();
    bool wm_failed = false;
    for (std::size_t k = 0; k < wm.size(); ++k) {
      const auto it = by_key[k].find(s.key());
      if (it == by_key[k].end()) {
        complete = false;
        continue;
      }
      if (!it->second->counts_for_policy()) {
        wm_failed = true;
        complete = false;
        continue;
      }
      p.wm.push_back(it->second->success);
      p.progress.push_back(it->second->progress);
    }
    out.wm_errors += wm_failed ? 1 : 0;
    if (complete) out.episodes.push_back(std::move(p));
  }
  std::sort(out.episodes.begin(), out.episodes.end(),
            [&](const PairedEpisode& a, const PairedEpisode& b) {
              const auto ta = std::find(tasks.begin(), tasks.end(), a.task) - tasks.begin();
              const auto tb = std::find(tasks.begin(), tasks.end(), b.task) - tasks.begin();
              return std::tie(ta, a.episode) < std::tie(tb, b.episode);
            });
  return out;
}

reports::WmAgreement ranking_agreement(const std::string& label,
                                       const std::vector<PolicyEpisodes>& policies,
                                       const std::vector<std::string>& tasks, Verdict verdict,
                                       const metrics::BootstrapOptions& bootstrap,
                                       const std::vector<std::vector<bool>>& keep) {
  reports::WmAgreement a;
  a.label = label;
  const auto x =
      table(policies, tasks,
            [&](std::size_t p, std::size_t i, const PairedEpisode& e) -> std::optional<double> {
              if (!keep.empty() && !keep[p][i]) return std::nullopt;
              return vote(e, verdict) ? 1.0 : 0.0;
            });
  const auto y =
      table(policies, tasks,
            [](std::size_t, std::size_t, const PairedEpisode& e) -> std::optional<double> {
              return e.sim ? 1.0 : 0.0;
            });
  for (const auto& s : x.episodes) a.episodes += static_cast<std::int64_t>(s.episodes());
  if (policies.size() < 3) {
    a.note =
        "ranking agreement needs at least 3 policies (got " + std::to_string(policies.size()) + ")";
    return a;
  }
  try {
    a.result = metrics::agreement(x, y, bootstrap);
  } catch (const std::invalid_argument& e) {
    a.note = std::string("not computed: ") + e.what();
  }
  return a;
}

metrics::BinaryAgreement episode_agreement(const std::vector<PairedEpisode>& episodes) {
  metrics::ConfusionMatrix m;
  for (const auto& e : episodes) m.add(e.sim, e.wm.front());
  return metrics::binary_agreement(m);
}

std::vector<reports::WmUncertaintyRow> uncertainty_rows(
    const std::vector<PolicyEpisodes>& policies, const std::vector<double>& fractions,
    std::vector<std::vector<std::vector<bool>>>& keep) {
  std::vector<metrics::JudgedEpisode> judged;
  std::map<std::pair<std::size_t, std::string>, std::size_t> cells;  // (policy, task) -> cell
  for (std::size_t p = 0; p < policies.size(); ++p) {
    for (const PairedEpisode& e : policies[p].episodes) {
      const auto yes = std::count(e.wm.begin(), e.wm.end(), true);
      metrics::JudgedEpisode j;
      j.uncertainty = metrics::vote_disagreement(yes, static_cast<std::int64_t>(e.wm.size()));
      j.tiebreak = sd(e.progress);
      j.correct = e.wm.front() == e.sim;
      j.cell = cells.emplace(std::make_pair(p, e.task), cells.size()).first->second;
      judged.push_back(j);
    }
  }
  const auto selective = metrics::selective_accuracy(judged, fractions);
  std::vector<reports::WmUncertaintyRow> rows;
  keep.clear();
  for (const auto& s : selective) {
    reports::WmUncertaintyRow row;
    row.discard_fraction = s.discard_fraction;
    row.kept = s.kept;
    row.accuracy_kept = s.accuracy_kept;
    row.accuracy_discarded = s.accuracy_discarded;
    rows.push_back(row);
    // Back to per-policy masks, in the order `judged` was built.
    std::vector<std::vector<bool>> mask(policies.size());
    std::size_t at = 0;
    for (std::size_t p = 0; p < policies.size(); ++p) {
      for (std::size_t i = 0; i < policies[p].episodes.size(); ++i)
        mask[p].push_back(s.kept_mask[at++]);
    }
    keep.push_back(std::move(mask));
  }
  return rows;
}

void open_loop_fidelity(WorldModel& model, const std::vector<const DemoEpisode*>& episodes,
                        const FidelityOptions& o, reports::WmFidelity& fidelity,
                        std::vector<reports::WmStrip>& strips,
                        std::vector<std::vector<Image>>* generated_out) {
  const WorldModelInfo& info = model.info();
  const auto rollouts = worldmodel::replay_open_loop(model, episodes, o.horizon, o.batch);
  // The trivial baseline: predict that nothing moves (the first real frame).
  std::vector<std::vector<double>> psnrs, ssims, copy_psnrs, copy_ssims;
  int failed = 0;
  for (std::size_t e = 0; e < episodes.size(); ++e) {
    const DemoEpisode& ep = *episodes[e];
    const auto& r = rollouts[e];
    if (!r.error.empty()) {
      ++failed;
      continue;
    }
    const Image first = worldmodel::demo_frame(ep, 0, info.width, info.height);
    for (std::size_t k = 0; k < r.frames.size(); ++k) {
      const int real_index = static_cast<int>(k) + 1;
      if (real_index >= ep.frame_count()) break;
      if (psnrs.size() <= k) {
        psnrs.resize(k + 1);
        ssims.resize(k + 1);
        copy_psnrs.resize(k + 1);
        copy_ssims.resize(k + 1);
      }
      const Image real = worldmodel::demo_frame(ep, real_index, info.width, info.height);
      psnrs[k].push_back(std::min(kPsnrCap, metrics::psnr(view(real), view(r.frames[k]))));
      ssims[k].push_back(metrics::ssim(view(real), view(r.frames[k]), o.ssim));
      copy_psnrs[k].push_back(std::min(kPsnrCap, metrics::psnr(view(real), view(first))));
      copy_ssims[k].push_back(metrics::ssim(view(real), view(first), o.ssim));
    }
  }
  fidelity.episodes = static_cast<std::int64_t>(episodes.size()) - failed;
  fidelity.horizon = static_cast<int>(psnrs.size());
  fidelity.curve.clear();
  for (std::size_t k = 0; k < psnrs.size(); ++k) {
    reports::WmFidelityPoint p;
    p.step = static_cast<int>(k) + 1;
    p.episodes = static_cast<std::int64_t>(psnrs[k].size());
    p.psnr_mean = mean(psnrs[k]);
    p.psnr_sd = sd(psnrs[k]);
    p.ssim_mean = mean(ssims[k]);
    p.ssim_sd = sd(ssims[k]);
    p.copy_psnr_mean = mean(copy_psnrs[k]);
    p.copy_ssim_mean = mean(copy_ssims[k]);
    fidelity.curve.push_back(p);
  }
  if (failed > 0) {
    fidelity.note +=
        std::to_string(failed) + " episode(s) failed in the world model and are left out. ";
  }
  for (std::size_t e = 0; e < episodes.size() && static_cast<int>(strips.size()) < o.strips; ++e) {
    const DemoEpisode& ep = *episodes[e];
    const auto& r = rollouts[e];
    const int n = std::min(static_cast<int>(r.frames.size()), ep.frame_count() - 1);
    if (!r.error.empty() || n < 1) continue;
    std::vector<Image> row_real, row_gen;
    const int cols = std::max(2, o.strip_frames);
    std::string steps;
    for (int c = 0; c < cols; ++c) {
      const int idx = static_cast<int>(std::lround(static_cast<double>(c) * n / (cols - 1)));
      row_real.push_back(upscale(worldmodel::demo_frame(ep, idx, info.width, info.height), 2));
      row_gen.push_back(upscale(idx == 0 ? worldmodel::demo_frame(ep, 0, info.width, info.height)
                                         : r.frames[static_cast<std::size_t>(idx - 1)],
                                2));
      steps += (c ? ", " : "") + std::to_string(idx);
    }
    std::vector<const Image*> tiles;
    for (const auto& im : row_real) tiles.push_back(&im);
    for (const auto& im : row_gen) tiles.push_back(&im);
    reports::WmStrip s;
    s.caption = ep.task + (ep.name.empty() ? "" : " (" + ep.name + ")") + ", simulator " +
                (ep.success ? "success" : "failure") + "; steps " + steps;
    s.image = reports::tile_images(tiles, cols, 2);
    strips.push_back(std::move(s));
  }
  if (generated_out) {
    generated_out->clear();
    for (const auto& r : rollouts) generated_out->push_back(r.frames);
  }
}

std::optional<double> clip_frechet_distance(const std::string& extractor,
                                            const std::vector<const DemoEpisode*>& episodes,
                                            const std::vector<std::vector<Image>>& generated,
                                            int clip, const WorldModelInfo& info) {
  const std::size_t plane =
      static_cast<std::size_t>(info.width) * static_cast<std::size_t>(info.height);
  const auto pack = [&](const Image& img, float* dst) {
    for (std::size_t p = 0; p < plane; ++p) {
      for (std::size_t k = 0; k < 3; ++k)
        dst[k * plane + p] = static_cast<float>(img.rgb[3 * p + k]) / 255.0f;
    }
  };
  adapters::HostTensor real, gen;
  std::int64_t n = 0;
  for (std::size_t e = 0; e < episodes.size() && e < generated.size(); ++e) {
    const DemoEpisode& ep = *episodes[e];
    if (static_cast<int>(generated[e].size()) < clip || ep.frame_count() <= clip) continue;
    const std::size_t at = real.f32.size();
    real.f32.resize(at + static_cast<std::size_t>(clip) * 3 * plane);
    gen.f32.resize(at + static_cast<std::size_t>(clip) * 3 * plane);
    for (int k = 0; k < clip; ++k) {
      pack(worldmodel::demo_frame(ep, k + 1, info.width, info.height),
           real.f32.data() + at + static_cast<std::size_t>(k) * 3 * plane);
      pack(generated[e][static_cast<std::size_t>(k)],
           gen.f32.data() + at + static_cast<std::size_t>(k) * 3 * plane);
    }
    ++n;
  }
  if (n < 2) return std::nullopt;
  real.shape = gen.shape = {n, clip, 3, info.height, info.width};
  auto model = adapters::load_torch_model(extractor, adapters::TorchModelOptions{});
  std::vector<adapters::ModelOutput> fr, fg;
  try {
    model->run_method("forward", std::span<const adapters::HostTensor>(&real, 1), fr);
    model->run_method("forward", std::span<const adapters::HostTensor>(&gen, 1), fg);
  } catch (const std::runtime_error& e) {
    throw InputError("--features '" + extractor + "': forward([" + std::to_string(n) + ", " +
                     std::to_string(clip) + ", 3, " + std::to_string(info.height) + ", " +
                     std::to_string(info.width) + "]) failed: " + e.what());
  }
  if (fr.empty() || fg.empty() || fr[0].shape.size() != 2 || fr[0].shape[0] != n ||
      fr[0].shape != fg[0].shape) {
    throw InputError("--features '" + extractor +
                     "': forward must return one [B, D] Tensor of features");
  }
  const int dim = static_cast<int>(fr[0].shape[1]);
  std::vector<double> a(fr[0].values.begin(), fr[0].values.end());
  std::vector<double> b(fg[0].values.begin(), fg[0].values.end());
  return metrics::frechet_distance(a, b, dim);
}

}  // namespace gauntlet::worldmodel
