#include "scenarios/perturb/preview.hpp"

#include <algorithm>

#include "harness/env.hpp"
#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/perturb/levels.hpp"

namespace gauntlet::perturb {

PreviewImages render_preview(const Suite& suite, const PreviewRequest& request) {
  const int task_index = suite.task_index(request.task_id);
  if (request.dimensions.empty()) {
    throw InputError("--perturb: name at least one dimension to preview");
  }
  if (request.episodes < 1 || request.episodes > 64) throw InputError("--seeds must be in 1..64");
  for (const int l : request.levels) {
    if (l < 0 || l > kMaxLevel) throw InputError("--levels: levels must be in 0..5");
  }
  PerturbationSet all;
  for (const auto& d : request.dimensions) all.items.emplace_back(d, 1);
  validate_set(all, suite.perturbation_dimensions(), suite.info().name, "--perturb");

  PreviewImages out;
  out.levels = request.levels;
  out.cameras = request.cameras.empty() ? suite.info().cameras : request.cameras;
  for (const auto& cam : out.cameras) {
    const auto& available = suite.info().cameras;
    if (std::find(available.begin(), available.end(), cam) == available.end()) {
      throw InputError("--camera: suite '" + suite.info().name + "' has no camera '" + cam +
                       "'; cameras: " + join_names(available));
    }
  }
  ObservationRequest obs_request;
  obs_request.cameras = out.cameras;
  obs_request.width = request.width > 0 ? request.width : suite.info().image_width;
  obs_request.height = request.height > 0 ? request.height : suite.info().image_height;
  std::unique_ptr<Env> env = suite.make_env(obs_request);
  const std::uint64_t suite_seed = request.suite_seed != 0 ? request.suite_seed : suite.info().seed;
  const TaskInfo& task = suite.tasks()[static_cast<std::size_t>(task_index)];
  for (int e = 0; e < request.episodes; ++e) {
    EpisodeSpec spec;
    spec.suite = suite.info().name;
    spec.task_index = task_index;
    spec.task_id = task.id;
    spec.episode_index = e;
    spec.seed = episode_seed(suite_seed, task.id, "nominal", e);
    out.seeds.push_back(spec.seed);
    out.images.emplace_back(out.cameras.size(), std::vector<Image>(out.levels.size()));
    out.instructions.emplace_back(out.levels.size());
    for (std::size_t l = 0; l < out.levels.size(); ++l) {
      spec.perturbation = {};
      for (const auto& d : request.dimensions) {
        if (out.levels[l] > 0) spec.perturbation.items.emplace_back(d, out.levels[l]);
      }
      std::sort(spec.perturbation.items.begin(), spec.perturbation.items.end());
      auto& cells = out.images.back();
      try {
        const Observation& obs = env->reset(spec);
        for (std::size_t c = 0; c < out.cameras.size(); ++c) {
          if (const Image* im = obs.camera(out.cameras[c])) cells[c][l] = *im;
        }
        out.instructions.back()[l] = obs.instruction;
      } catch (const SimulationError& err) {
        out.errors.push_back("episode " + std::to_string(e) + " at " + spec.perturbation.id() +
                             ": " + err.what());
        for (auto& cam : cells) {
          cam[l].resize(obs_request.width, obs_request.height);
          std::fill(cam[l].rgb.begin(), cam[l].rgb.end(), 0);
        }
      }
    }
  }
  return out;
}

}  // namespace gauntlet::perturb
