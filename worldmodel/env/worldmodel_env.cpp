#include "worldmodel/env/worldmodel_env.hpp"

#include <algorithm>
#include <cmath>

#include "harness/image_ops.hpp"
#include "harness/rng.hpp"

namespace gauntlet::worldmodel {

void resize_image(const Image& src, int width, int height, Image& out) {
  if (src.width == width && src.height == height) {
    out = src;
    return;
  }
  out.width = width;
  out.height = height;
  resize_bilinear(src, width, height, out.rgb);
}

WorldModelEnv::WorldModelEnv(const Suite& suite, std::unique_ptr<Env> real,
                             std::shared_ptr<WorldModel> model, std::shared_ptr<Judge> judge,
                             ObservationRequest request, WorldModelEnvConfig config,
                             std::shared_ptr<JudgeBatch> batch)
    : suite_(suite),
      real_(std::move(real)),
      model_(std::move(model)),
      judge_(std::move(judge)),
      request_(std::move(request)),
      config_(config),
      rollout_(model_->new_rollout()),
      batch_(std::move(batch)) {
  for (const auto& cam : request_.cameras) obs_.cameras.push_back(CameraFrame{cam, {}});
}

const Observation& WorldModelEnv::reset(const EpisodeSpec& spec) {
  const WorldModelInfo& wm = model_->info();
  const Observation& first = real_->reset(spec);
  const Image* frame = first.camera(wm.camera);
  if (!frame)
    throw SimulationError("the real environment rendered no '" + wm.camera + "' frame at reset");
  frames_.clear();
  frames_.push_back(*frame);
  proprio_ = first.proprio;
  max_steps_ = suite_.tasks().at(static_cast<std::size_t>(spec.task_index)).max_steps;
  // A model that wants several context frames gets the first one repeated:
  // the scene at rest after the real Env's settle steps.
  std::vector<const Image*> context(static_cast<std::size_t>(wm.context_frames), &frames_.front());
  WorldModelContext ctx;
  ctx.frames = context;
  ctx.proprio = proprio_;
  const std::string instruction = suite_.instruction(spec);
  ctx.instruction = instruction;
  ctx.seed = derive_seed(spec.seed, RngStream::kWorldModel);
  WorldModelRollout* r = rollout_.get();
  try {
    model_->reset(std::span<WorldModelRollout* const>(&r, 1),
                  std::span<const WorldModelContext>(&ctx, 1));
  } catch (const std::exception& e) {
    throw SimulationError(std::string("world model reset failed: ") + e.what());
  }
  obs_.proprio = proprio_;
  obs_.proprio_names = first.proprio_names;
  obs_.instruction = first.instruction;
  obs_.step = 0;
  obs_.privileged = config_.shadow ? first.privileged : nullptr;
  observe();
  return obs_;
}

StepResult WorldModelEnv::step(std::span<const float> action, bool observe_now) {
  StepResult result;
  const ActionSpace& space = suite_.action_space();
  chunk_.resize(1, space.dim);
  for (std::size_t k = 0; k < static_cast<std::size_t>(space.dim) && k < action.size(); ++k) {
    chunk_.values[k] = std::clamp(action[k], space.low[k], space.high[k]);
  }
  if (config_.shadow) {
    const StepResult real = real_->step(chunk_.values, observe_now);
    if (real.sim_error) {
      result.sim_error = true;
      result.error = "shadow simulation (privileged state for the policy): " + real.error;
      return result;
    }
    obs_.privileged = observe_now ? real_->observation().privileged : nullptr;
  }
  WorldModelRollout* r = rollout_.get();
  const ActionChunk* a = &chunk_;
  try {
    model_->predict(std::span<WorldModelRollout* const>(&r, 1),
                    std::span<const ActionChunk* const>(&a, 1),
                    std::span<WorldModelPrediction>(&prediction_, 1));
  } catch (const std::exception& e) {
    prediction_.error = e.what();
  }
  if (prediction_.error.empty() && prediction_.frames.size() != 1) {
    prediction_.error =
        "returned " + std::to_string(prediction_.frames.size()) + " frames for one action";
  }
  if (!prediction_.error.empty()) {
    // Not the policy's fault: reported like an unstable simulator.
    result.sim_error = true;
    result.error = "world model: " + prediction_.error;
    return result;
  }
  frames_.push_back(std::move(prediction_.frames.front()));
  const int dim = model_->info().proprio_dim;
  if (dim > 0 && prediction_.proprio.size() >= static_cast<std::size_t>(dim)) {
    std::copy_n(prediction_.proprio.begin(), dim, proprio_.begin());
  }
  ++obs_.step;
  const int n = obs_.step;
  const bool last = n >= max_steps_;
  if (last || (config_.judge_every > 0 && n % config_.judge_every == 0)) {
    if (defer_) {
      // JudgeBatch::decide judges this step together with the other workers'.
      if (observe_now) observe();
      result.deferred = true;
      return result;
    }
    const JudgeInput in = judge_input();
    JudgeVerdict verdict;
    try {
      judge_->judge(std::span<const JudgeInput>(&in, 1), std::span<JudgeVerdict>(&verdict, 1));
    } catch (const std::exception& e) {
      verdict.error = e.what();
    }
    result = judged(verdict);
  }
  if (observe_now) observe();
  return result;
}

JudgeInput WorldModelEnv::judge_input() {
  const JudgeInfo& ji = judge_->info();
  const std::size_t keep = ji.frames == 0
                               ? frames_.size()
                               : std::min(frames_.size(), static_cast<std::size_t>(ji.frames));
  seen_.clear();
  const WorldModelInfo& wm = model_->info();
  if (ji.width == wm.width && ji.height == wm.height) {
    for (std::size_t i = frames_.size() - keep; i < frames_.size(); ++i)
      seen_.push_back(&frames_[i]);
  } else {
    judge_frames_.resize(keep);
    for (std::size_t i = 0; i < keep; ++i) {
      resize_image(frames_[frames_.size() - keep + i], ji.width, ji.height, judge_frames_[i]);
      seen_.push_back(&judge_frames_[i]);
    }
  }
  JudgeInput in;
  in.frames = seen_;
  in.instruction = obs_.instruction;
  return in;
}

StepResult WorldModelEnv::judged(const JudgeVerdict& verdict) const {
  StepResult result;
  if (!verdict.error.empty()) {
    result.sim_error = true;
    result.error = "judge: " + verdict.error;
    return result;
  }
  result.success = verdict.success >= config_.threshold;
  result.progress = verdict.progress;
  result.reward = result.success ? 1.0 : 0.0;
  return result;
}

OutcomeBatch* WorldModelEnv::defer_outcomes() {
  defer_ = batch_ != nullptr;
  return batch_.get();
}

void JudgeBatch::decide(std::span<Env* const> envs, std::span<StepResult> out) {
  std::vector<JudgeInput> items;
  items.reserve(envs.size());
  for (Env* env : envs) items.push_back(static_cast<WorldModelEnv*>(env)->judge_input());
  std::vector<JudgeVerdict> verdicts(items.size());
  std::string batch_error;
  try {
    judge_->judge(items, verdicts);
  } catch (const std::exception& e) {
    batch_error = e.what();
  } catch (...) {
    batch_error = "the judge threw a non-standard exception";
  }
  for (std::size_t i = 0; i < envs.size(); ++i) {
    if (!batch_error.empty()) verdicts[i].error = batch_error;
    out[i] = static_cast<const WorldModelEnv*>(envs[i])->judged(verdicts[i]);
  }
}

void WorldModelEnv::observe() {
  obs_.proprio = proprio_;
  for (auto& cam : obs_.cameras)
    resize_image(frames_.back(), request_.width, request_.height, cam.image);
}

bool WorldModelEnv::render(const std::string& camera, int width, int height, Image& out) {
  if (frames_.empty() || camera != model_->info().camera) return false;
  resize_image(frames_.back(), width, height, out);
  return true;
}

}  // namespace gauntlet::worldmodel
