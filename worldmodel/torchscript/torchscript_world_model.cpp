#include "worldmodel/torchscript/torchscript_world_model.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "adapters/torchscript/model_io.hpp"
#include "harness/errors.hpp"
#include "harness/sha256.hpp"

namespace gauntlet::adapters {
namespace {

// The latent state of one rollout, kept on the host between calls (a few
// ten thousand floats: copying it costs microseconds next to the model).
struct TorchRollout final : WorldModelRollout {
  std::vector<std::int64_t> shape;  // without the batch dimension
  std::vector<float> state;
  bool started = false;
};

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// uint8 HxWx3 -> float32 3xHxW in [0, 1] at `dst`.
void pack_frame(const Image& img, float* dst) {
  const std::size_t plane =
      static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height);
  for (std::size_t p = 0; p < plane; ++p) {
    for (std::size_t k = 0; k < 3; ++k)
      dst[k * plane + p] = static_cast<float>(img.rgb[3 * p + k]) / 255.0f;
  }
}

void unpack_frame(const float* src, int width, int height, Image& img) {
  img.resize(width, height);
  const std::size_t plane = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  for (std::size_t p = 0; p < plane; ++p) {
    for (std::size_t k = 0; k < 3; ++k) {
      const float v = std::clamp(src[k * plane + p], 0.0f, 1.0f);
      img.rgb[3 * p + k] = static_cast<std::uint8_t>(std::lround(v * 255.0f));
    }
  }
}

void set_threads(int threads) {
  if (threads > 0) set_torch_threads(threads);
}

std::string where(const std::filesystem::path& file) {
  return "torchscript model '" + file.string() + "'";
}

}  // namespace

ModelMetadata read_model_metadata(const TorchModel& model, const std::filesystem::path& file,
                                  const std::string& kind) {
  ModelMetadata m;
  m.text = model.metadata();
  if (m.text.empty()) {
    throw InputError(
        where(file) + " has no " + std::string(kModelMetadataFile) +
        " (what it is and how to call it); see docs/worldmodel.md for the contract, or train one "
        "with gauntlet wm " +
        (kind == "judge" ? "train-judge" : "train"));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(m.text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(where(file) + ": " + kModelMetadataFile + " is not valid JSON: " + e.what());
  }
  try {
    m.kind = j.value("kind", "");
    if (m.kind != kind) {
      throw InputError(where(file) + " is a '" + (m.kind.empty() ? "(no kind)" : m.kind) +
                       "', expected a '" + kind + "' (" + kModelMetadataFile + " field \"kind\")");
    }
    m.camera = j.value("camera", "agentview");
    const auto& size = j.at("image_size");
    m.width = size.at(0).get<int>();
    m.height = size.at(1).get<int>();
    m.context_frames = j.value("context_frames", 1);
    m.action_dim = j.value("action_dim", 7);
    m.proprio_dim = j.value("proprio_dim", 0);
    m.frames = j.value("frames", 1);
    m.threshold = j.value("threshold", -1.0);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(
        where(file) + ": " + kModelMetadataFile +
        " needs \"image_size\": [width, height] (and optional camera, context_frames, action_dim, "
        "proprio_dim, frames): " +
        e.what());
  }
  if (m.width < 8 || m.height < 8 || m.width > 4096 || m.height > 4096 || m.context_frames < 1 ||
      m.action_dim < 1 || m.proprio_dim < 0 || m.frames < 0) {
    throw InputError(where(file) + ": " + kModelMetadataFile +
                     " holds out-of-range values: " + m.text);
  }
  return m;
}

TorchscriptWorldModel::TorchscriptWorldModel(TorchscriptModelOptions options)
    : options_(std::move(options)) {
  if (!std::filesystem::exists(options_.model)) {
    throw InputError("world model file '" + options_.model.string() + "' does not exist");
  }
  identity_ = "torchscript-world-model/1:" + sha256_file_hex(options_.model);
  TorchModelOptions mo;
  mo.device = options_.device;
  model_ = load_torch_model(options_.model, mo);
  set_threads(options_.threads);
  metadata_ = read_model_metadata(*model_, options_.model, "world_model");
  for (const char* method : {"reset", "step"}) {
    if (!model_->has_method(method)) {
      throw InputError(where(options_.model) + " has no method " + method +
                       "(); a world model defines reset(frames, proprio[, seed]) -> state and "
                       "step(state, actions) -> "
                       "(frames, proprio, state)");
    }
  }
  // Models written before the seed existed take (frames, proprio) and still work.
  reset_takes_seed_ = model_->method_arguments("reset") >= 3;
  info_.camera = metadata_.camera;
  info_.width = metadata_.width;
  info_.height = metadata_.height;
  info_.context_frames = metadata_.context_frames;
  info_.action_dim = metadata_.action_dim;
  info_.proprio_dim = metadata_.proprio_dim;
}

std::unique_ptr<WorldModelRollout> TorchscriptWorldModel::new_rollout() {
  return std::make_unique<TorchRollout>();
}

void TorchscriptWorldModel::reset(std::span<WorldModelRollout* const> rollouts,
                                  std::span<const WorldModelContext> contexts) {
  const auto b = static_cast<std::int64_t>(rollouts.size());
  if (b == 0) return;
  const int c = info_.context_frames;
  const std::size_t frame_floats =
      3 * static_cast<std::size_t>(info_.width) * static_cast<std::size_t>(info_.height);
  HostTensor frames;
  frames.shape = {b, c, 3, info_.height, info_.width};
  frames.f32.assign(static_cast<std::size_t>(b) * c * frame_floats, 0.0f);
  HostTensor proprio;
  proprio.shape = {b, info_.proprio_dim};
  proprio.f32.assign(static_cast<std::size_t>(b) * static_cast<std::size_t>(info_.proprio_dim),
                     0.0f);
  for (std::size_t i = 0; i < rollouts.size(); ++i) {
    const WorldModelContext& ctx = contexts[i];
    if (static_cast<int>(ctx.frames.size()) != c) {
      throw std::runtime_error(where(options_.model) + ": reset needs " + std::to_string(c) +
                               " context frames, got " + std::to_string(ctx.frames.size()));
    }
    for (int k = 0; k < c; ++k) {
      const Image& img = *ctx.frames[static_cast<std::size_t>(k)];
      if (img.width != info_.width || img.height != info_.height) {
        throw std::runtime_error(where(options_.model) + ": context frame is " +
                                 std::to_string(img.width) + "x" + std::to_string(img.height) +
                                 ", the model takes " + std::to_string(info_.width) + "x" +
                                 std::to_string(info_.height));
      }
      pack_frame(
          img, frames.f32.data() +
                   (i * static_cast<std::size_t>(c) + static_cast<std::size_t>(k)) * frame_floats);
    }
    if (info_.proprio_dim > 0) {
      if (static_cast<int>(ctx.proprio.size()) < info_.proprio_dim) {
        throw std::runtime_error(
            where(options_.model) + ": reset needs " + std::to_string(info_.proprio_dim) +
            " proprioception values, got " + std::to_string(ctx.proprio.size()));
      }
      std::copy_n(ctx.proprio.begin(), info_.proprio_dim,
                  proprio.f32.begin() + static_cast<std::ptrdiff_t>(i) * info_.proprio_dim);
    }
  }
  // The seeds as int64 tensor (the same 64 bits; a model keeps whatever it draws
  // from them in its state).
  HostTensor seeds;
  seeds.dtype = HostTensor::DType::kInt64;
  seeds.shape = {b};
  for (const WorldModelContext& ctx : contexts.first(rollouts.size())) {
    seeds.i64.push_back(static_cast<std::int64_t>(ctx.seed));
  }
  const HostTensor args[] = {frames, proprio, seeds};
  std::vector<ModelOutput> outputs;
  model_->run_method("reset", std::span<const HostTensor>(args, reset_takes_seed_ ? 3 : 2),
                     outputs);
  if (outputs.size() != 1 || outputs[0].shape.empty() || outputs[0].shape[0] != b) {
    throw std::runtime_error(where(options_.model) +
                             ": reset() must return one state Tensor with batch " +
                             std::to_string(b) + " first");
  }
  const std::size_t per = outputs[0].values.size() / static_cast<std::size_t>(b);
  for (std::size_t i = 0; i < rollouts.size(); ++i) {
    auto& r = dynamic_cast<TorchRollout&>(*rollouts[i]);
    r.shape.assign(outputs[0].shape.begin() + 1, outputs[0].shape.end());
    r.state.assign(outputs[0].values.begin() + static_cast<std::ptrdiff_t>(i * per),
                   outputs[0].values.begin() + static_cast<std::ptrdiff_t>((i + 1) * per));
    r.started = true;
  }
}

void TorchscriptWorldModel::predict(std::span<WorldModelRollout* const> rollouts,
                                    std::span<const ActionChunk* const> actions,
                                    std::span<WorldModelPrediction> out) {
  // One model call per chunk length (step() takes [B, T, A]).
  std::map<int, std::vector<std::size_t>> by_horizon;
  for (std::size_t i = 0; i < rollouts.size(); ++i) {
    out[i].error.clear();
    if (!dynamic_cast<TorchRollout&>(*rollouts[i]).started) {
      out[i].error = "world model rollout predicted before reset";
      continue;
    }
    if (actions[i]->dim != info_.action_dim) {
      out[i].error = "actions have " + std::to_string(actions[i]->dim) +
                     " components, the world model takes " + std::to_string(info_.action_dim);
      continue;
    }
    by_horizon[actions[i]->horizon].push_back(i);
  }
  for (const auto& [horizon, items] : by_horizon) {
    std::vector<WorldModelRollout*> rs;
    std::vector<const ActionChunk*> as;
    std::vector<WorldModelPrediction> os(items.size());
    for (const std::size_t i : items) {
      rs.push_back(rollouts[i]);
      as.push_back(actions[i]);
    }
    predict_group(rs, as, os);
    for (std::size_t k = 0; k < items.size(); ++k) out[items[k]] = std::move(os[k]);
  }
}

void TorchscriptWorldModel::predict_group(std::span<WorldModelRollout* const> rollouts,
                                          std::span<const ActionChunk* const> actions,
                                          std::span<WorldModelPrediction> out) {
  const auto b = static_cast<std::int64_t>(rollouts.size());
  const int t = actions[0]->horizon;
  const auto& first = dynamic_cast<TorchRollout&>(*rollouts[0]);
  HostTensor state;
  state.shape = {b};
  state.shape.insert(state.shape.end(), first.shape.begin(), first.shape.end());
  state.f32.reserve(first.state.size() * static_cast<std::size_t>(b));
  for (WorldModelRollout* r : rollouts) {
    const auto& tr = dynamic_cast<TorchRollout&>(*r);
    if (tr.shape != first.shape) {
      throw std::runtime_error(where(options_.model) +
                               ": rollout states of different shapes in one batch");
    }
    state.f32.insert(state.f32.end(), tr.state.begin(), tr.state.end());
  }
  HostTensor acts;
  acts.shape = {b, t, info_.action_dim};
  for (const ActionChunk* a : actions)
    acts.f32.insert(acts.f32.end(), a->values.begin(), a->values.end());
  const HostTensor args[] = {state, acts};
  std::vector<ModelOutput> outputs;
  model_->run_method("step", args, outputs);
  const std::vector<std::int64_t> want_frames{b, t, 3, info_.height, info_.width};
  if (outputs.size() != 3 || outputs[0].shape != want_frames) {
    throw std::runtime_error(
        where(options_.model) + ": step() must return (frames " + shape_text(want_frames) +
        ", proprio [B, T, P], state); got " + std::to_string(outputs.size()) + " tensors" +
        (outputs.empty() ? "" : ", the first " + shape_text(outputs[0].shape)));
  }
  const std::size_t frame_floats =
      3 * static_cast<std::size_t>(info_.width) * static_cast<std::size_t>(info_.height);
  const bool with_proprio =
      info_.proprio_dim > 0 &&
      outputs[1].values.size() ==
          static_cast<std::size_t>(b) * t * static_cast<std::size_t>(info_.proprio_dim);
  const std::size_t per_state = outputs[2].values.size() / static_cast<std::size_t>(b);
  for (std::size_t i = 0; i < rollouts.size(); ++i) {
    WorldModelPrediction& o = out[i];
    o.frames.resize(static_cast<std::size_t>(t));
    for (int k = 0; k < t; ++k) {
      unpack_frame(
          outputs[0].values.data() +
              (i * static_cast<std::size_t>(t) + static_cast<std::size_t>(k)) * frame_floats,
          info_.width, info_.height, o.frames[static_cast<std::size_t>(k)]);
    }
    o.proprio.clear();
    if (with_proprio) {
      const std::size_t n =
          static_cast<std::size_t>(t) * static_cast<std::size_t>(info_.proprio_dim);
      o.proprio.assign(outputs[1].values.begin() + static_cast<std::ptrdiff_t>(i * n),
                       outputs[1].values.begin() + static_cast<std::ptrdiff_t>((i + 1) * n));
    }
    auto& r = dynamic_cast<TorchRollout&>(*rollouts[i]);
    r.shape.assign(outputs[2].shape.begin() + 1, outputs[2].shape.end());
    r.state.assign(outputs[2].values.begin() + static_cast<std::ptrdiff_t>(i * per_state),
                   outputs[2].values.begin() + static_cast<std::ptrdiff_t>((i + 1) * per_state));
  }
}

TorchscriptJudge::TorchscriptJudge(TorchscriptModelOptions options) : options_(std::move(options)) {
  if (!std::filesystem::exists(options_.model)) {
    throw InputError("judge file '" + options_.model.string() + "' does not exist");
  }
  identity_ = "torchscript-judge/1:" + sha256_file_hex(options_.model);
  TorchModelOptions mo;
  mo.device = options_.device;
  model_ = load_torch_model(options_.model, mo);
  set_threads(options_.threads);
  metadata_ = read_model_metadata(*model_, options_.model, "judge");
  info_.camera = metadata_.camera;
  info_.width = metadata_.width;
  info_.height = metadata_.height;
  info_.frames = std::max(1, metadata_.frames);
  info_.threshold = metadata_.threshold;
}

void TorchscriptJudge::judge(std::span<const JudgeInput> items, std::span<JudgeVerdict> out) {
  const auto b = static_cast<std::int64_t>(items.size());
  if (b == 0) return;
  const int k = info_.frames;
  const std::size_t frame_floats =
      3 * static_cast<std::size_t>(info_.width) * static_cast<std::size_t>(info_.height);
  HostTensor frames;
  frames.shape = {b, k, 3, info_.height, info_.width};
  frames.f32.assign(static_cast<std::size_t>(b) * static_cast<std::size_t>(k) * frame_floats, 0.0f);
  Image resized;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& fs = items[i].frames;
    if (fs.empty()) throw std::runtime_error("the judge got an episode without frames");
    for (int j = 0; j < k; ++j) {
      // The last k frames, the first repeated when the episode is shorter.
      const std::ptrdiff_t idx =
          std::max<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(fs.size()) - k + j);
      const Image* img = fs[static_cast<std::size_t>(idx)];
      if (img->width != info_.width || img->height != info_.height) {
        resize_bilinear(*img, info_.width, info_.height, resized.rgb);
        resized.width = info_.width;
        resized.height = info_.height;
        img = &resized;
      }
      pack_frame(
          *img, frames.f32.data() +
                    (i * static_cast<std::size_t>(k) + static_cast<std::size_t>(j)) * frame_floats);
    }
  }
  const HostTensor args[] = {frames};
  std::vector<ModelOutput> outputs;
  model_->run_method("forward", args, outputs);
  if (outputs.empty() || outputs[0].shape.empty() || outputs[0].shape[0] != b ||
      outputs[0].values.size() % static_cast<std::size_t>(b) != 0) {
    throw std::runtime_error(
        where(options_.model) +
        ": forward() must return [B, 2] (success probability, progress) or [B, 1]");
  }
  const std::size_t per = outputs[0].values.size() / static_cast<std::size_t>(b);
  if (per < 1 || per > 2) {
    throw std::runtime_error(where(options_.model) + ": forward() returned " +
                             shape_text(outputs[0].shape) +
                             "; expected [B, 2] (success probability, progress) or [B, 1]");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const float* v = outputs[0].values.data() + i * per;
    out[i].error.clear();
    if (!std::isfinite(v[0]) || (per == 2 && !std::isfinite(v[1]))) {
      out[i].error = "the judge returned a non-finite score";
      continue;
    }
    out[i].success = std::clamp(static_cast<double>(v[0]), 0.0, 1.0);
    out[i].progress = std::clamp(static_cast<double>(per == 2 ? v[1] : v[0]), 0.0, 1.0);
  }
}

}  // namespace gauntlet::adapters
