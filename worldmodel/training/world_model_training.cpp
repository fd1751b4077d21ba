// Training the built-in world model and judge with LibTorch (part of the
// libgauntlet_torch.so module). The networks are torch::jit::Modules built
// here: parameters registered from C++, methods compiled from TorchScript
// source with Module::define, trained with autograd and Adam, saved with
// save() so that the ordinary TorchScript adapters (and Python) load them.
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "adapters/torchscript/torch_model.hpp"
#include "harness/rng.hpp"
#include "worldmodel/networks/world_model_networks.hpp"
#include "worldmodel/training/world_model_training.hpp"

namespace gauntlet::adapters {
namespace {

using Clock = std::chrono::steady_clock;

// An error the user can fix (bad checkpoint, unusable data): exit 2.
struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr const char* kCheckpointFile = "gauntlet_checkpoint.json";
constexpr const char* kOptimizerFile = "optimizer.bin";

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Writes `module` to `path` atomically (temp file, rename) with extra files.
void save_atomically(torch::jit::Module& module, const std::filesystem::path& path,
                     const torch::jit::ExtraFilesMap& extra) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::filesystem::path tmp = path.string() + ".tmp";
  module.save(tmp.string(), extra);
  std::filesystem::rename(tmp, path);
}

std::string save_optimizer(torch::optim::Adam& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream os;
  archive.save_to(os);
  return os.str();
}

void load_optimizer(torch::optim::Adam& optimizer, const std::string& bytes) {
  torch::serialize::InputArchive archive;
  std::istringstream is(bytes);
  archive.load_from(is);
  optimizer.load(archive);
}

// A number in the flat JSON the checkpoint writes ("key": value).
long json_long(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::strtol(json.c_str() + at + key.size() + 3, nullptr, 10);
}

std::string json_field_string(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\":\"");
  if (at == std::string::npos) return {};
  const std::size_t start = at + key.size() + 4;
  const std::size_t end = json.find('"', start);
  return json.substr(start, end - start);
}

std::vector<torch::Tensor> trainable(torch::jit::Module& module) {
  std::vector<torch::Tensor> params;
  for (const auto& p : module.parameters()) {
    p.set_requires_grad(true);
    params.push_back(p);
  }
  return params;
}

// The loop both trainers share: resume from the checkpoint, sample a batch
// deterministically from (seed, step), step Adam, report, checkpoint, save.
template <typename BatchLoss>
double train_loop(torch::jit::Module& module, const TrainingOptions& o, const std::string& identity,
                  const std::function<std::string()>& metadata, long& resumed_from,
                  BatchLoss&& batch_loss) {
  torch::set_num_threads(std::max(1, o.threads));
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  // The graph executor optimises a method after its first profiled runs, and
  // the optimised graph rounds differently; without it step k computes the
  // same numbers whether the run started at 0 or resumed at k.
  torch::jit::GraphOptimizerEnabledGuard no_graph_optimizer(false);
  long start = 0;
  std::vector<torch::Tensor> params = trainable(module);
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(o.learning_rate));
  if (o.resume && !o.checkpoint.empty() && std::filesystem::exists(o.checkpoint)) {
    torch::jit::ExtraFilesMap extra{{kCheckpointFile, ""}, {kOptimizerFile, ""}};
    torch::jit::Module saved = torch::jit::load(o.checkpoint.string(), torch::kCPU, extra);
    const std::string& info = extra[kCheckpointFile];
    if (info.empty())
      throw UserError("'" + o.checkpoint.string() + "' is not a gauntlet training checkpoint");
    const std::string saved_identity = json_field_string(info, "identity");
    if (saved_identity != identity) {
      throw UserError("checkpoint '" + o.checkpoint.string() +
                      "' was made with other data or options (" + saved_identity + "; now " +
                      identity + "); delete it or train without --resume");
    }
    // Copy the saved parameters into ours (same architecture: same identity).
    torch::NoGradGuard no_grad;
    auto saved_params = saved.named_parameters();
    for (const auto& p : module.named_parameters()) {
      bool found = false;
      for (const auto& q : saved_params) {
        if (q.name == p.name) {
          p.value.copy_(q.value);
          found = true;
        }
      }
      if (!found)
        throw UserError("checkpoint '" + o.checkpoint.string() + "' lacks parameter " + p.name);
    }
    load_optimizer(optimizer, extra[kOptimizerFile]);
    start = json_long(info, "step");
    if (start < 0) throw UserError("checkpoint '" + o.checkpoint.string() + "' has no step count");
    resumed_from = start;
  }
  module.train();
  const auto t0 = Clock::now();
  if (o.progress) {
    TrainingProgress p;
    p.step = start;
    p.steps = o.steps;
    p.first_step = start;
    o.progress(p);
  }
  double window_loss = 0.0;
  long window = 0;
  double last_loss =
      std::numeric_limits<double>::quiet_NaN();  // stays NaN when the checkpoint is already done
  const auto checkpoint = [&](long step) {
    if (o.checkpoint.empty()) return;
    const std::string info =
        "{\"step\":" + std::to_string(step) + ",\"identity\":" + json_string(identity) + "}";
    save_atomically(module, o.checkpoint,
                    {{kCheckpointFile, info}, {kOptimizerFile, save_optimizer(optimizer)}});
  };
  for (long step = start; step < o.steps; ++step) {
    Rng rng(derive_seed(o.seed, static_cast<std::uint64_t>(step) + 1));
    optimizer.zero_grad();
    torch::Tensor loss = batch_loss(rng);
    loss.backward();
    optimizer.step();
    last_loss = loss.item<double>();
    if (!std::isfinite(last_loss)) {
      throw std::runtime_error("the training loss became " + std::to_string(last_loss) +
                               " at step " + std::to_string(step + 1) + "; lower --lr");
    }
    window_loss += last_loss;
    ++window;
    const long done = step + 1;
    if (o.progress && (done % std::max(1L, o.report_every) == 0 || done == o.steps)) {
      TrainingProgress p;
      p.step = done;
      p.steps = o.steps;
      p.first_step = start;
      p.loss = window_loss / static_cast<double>(window);
      p.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      o.progress(p);
      window_loss = 0.0;
      window = 0;
    }
    if (o.checkpoint_every > 0 && done % o.checkpoint_every == 0 && done < o.steps)
      checkpoint(done);
  }
  module.eval();
  for (auto& p : params) p.set_requires_grad(false);
  checkpoint(o.steps);
  save_atomically(module, o.out, {{kModelMetadataFile, metadata()}});
  return last_loss;
}

// FNV-1a (64-bit) of the parameters (names, sizes and float bytes, in
// order): equal for equal weights, whatever else the saved file holds
// (paths, provenance). Not cryptographic; this module links no harness code.
std::string weights_digest(const torch::jit::Module& module) {
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](const void* data, std::size_t size) {
    const auto* b = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  };
  for (const auto& p : module.named_parameters()) {
    const torch::Tensor t = p.value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const std::string head = p.name + "|" + std::to_string(t.numel()) + "|";
    mix(head.data(), head.size());
    mix(t.data_ptr(), static_cast<std::size_t>(t.numel()) * sizeof(float));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

// uint8 HxWx3 frames -> float [N, 3, H, W] in [0, 1].
torch::Tensor frames_to_tensor(const std::vector<const std::uint8_t*>& frames, int width,
                               int height) {
  const auto n = static_cast<std::int64_t>(frames.size());
  torch::Tensor t = torch::empty({n, height, width, 3}, torch::kUInt8);
  const std::size_t bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  auto* dst = t.data_ptr<std::uint8_t>();
  for (std::size_t i = 0; i < frames.size(); ++i) std::memcpy(dst + i * bytes, frames[i], bytes);
  return t.permute({0, 3, 1, 2}).to(torch::kFloat32).div_(255.0).contiguous();
}

// Mean and standard deviation of every column of `rows` (n x dim), the std
// floored so constant columns stay finite.
std::pair<torch::Tensor, torch::Tensor> column_stats(const std::vector<float>& rows, int dim,
                                                     float floor) {
  const auto n = static_cast<std::int64_t>(rows.size() / static_cast<std::size_t>(dim));
  torch::Tensor t = torch::from_blob(const_cast<float*>(rows.data()), {n, dim}, torch::kFloat32)
                        .to(torch::kFloat64);
  torch::Tensor mean = t.mean(0);
  torch::Tensor std = t.std(0, /*unbiased=*/false).clamp_min(floor);
  return {mean.to(torch::kFloat32), std.to(torch::kFloat32)};
}

bool train_world_model_impl(WorldModelTrainRequest& r) {
  if (r.episodes.empty()) throw UserError("no demonstrations to train on");
  const DemoEpisode& first = *r.episodes.front();
  WorldModelShape shape;
  shape.width = first.width;
  shape.height = first.height;
  shape.action_dim = first.action_dim;
  shape.proprio_dim = first.proprio_dim;
  shape.channels = r.channels;
  if (shape.proprio_dim <= 0)
    throw UserError("the demonstrations hold no proprioception (obs/proprio)");
  if (shape.width % 8 != 0 || shape.height % 8 != 0) {
    throw UserError(
        "frames are " + std::to_string(shape.width) + "x" + std::to_string(shape.height) +
        "; the built-in world model needs sides divisible by 8 (record with --image-size 64x64)");
  }
  for (const DemoEpisode* e : r.episodes) {
    if (e->width != shape.width || e->height != shape.height || e->action_dim != shape.action_dim ||
        e->proprio_dim != shape.proprio_dim) {
      throw UserError("demo '" + e->name + "' has frames " + std::to_string(e->width) + "x" +
                      std::to_string(e->height) + ", action dim " + std::to_string(e->action_dim) +
                      " and proprio dim " + std::to_string(e->proprio_dim) +
                      ", unlike the first demo");
    }
  }
  // Normalisation from the data: proprioception and actions per component.
  std::vector<float> proprio, actions;
  for (const DemoEpisode* e : r.episodes) {
    proprio.insert(proprio.end(), e->proprio.begin(), e->proprio.end());
    actions.insert(actions.end(), e->actions.begin(), e->actions.end());
  }
  auto [pm, ps] = column_stats(proprio, shape.proprio_dim, 1e-3f);
  auto [am, as] = column_stats(actions, shape.action_dim, 1e-3f);
  (void)am;

  torch::manual_seed(r.options.seed);
  torch::jit::Module module = build_world_model(shape, pm, ps, as);
  const int h = r.horizon;
  const int b = r.options.batch;
  const std::string identity = world_model_identity(shape, r.options, h);
  const std::string metadata = world_model_metadata(shape, r.camera, r.options, h);

  const auto batch_loss = [&](Rng& rng) {
    std::vector<const std::uint8_t*> frames;  // b x (h + 1)
    std::vector<float> acts(static_cast<std::size_t>(b) * h * shape.action_dim, 0.0f);
    std::vector<float> prop(static_cast<std::size_t>(b) * (h + 1) * shape.proprio_dim, 0.0f);
    for (int i = 0; i < b; ++i) {
      const DemoEpisode& e = *r.episodes[rng.below(r.episodes.size())];
      const int n = e.frame_count();
      const int t0 = n > h + 1 ? static_cast<int>(rng.below(static_cast<std::uint64_t>(n - h))) : 0;
      for (int k = 0; k <= h; ++k) {
        // Past the end the last frame repeats under zero actions (the scene at rest).
        const int t = std::min(t0 + k, n - 1);
        frames.push_back(e.frame(t));
        std::copy_n(e.proprio.data() + static_cast<std::size_t>(t) * shape.proprio_dim,
                    shape.proprio_dim,
                    prop.data() + (static_cast<std::size_t>(i) * (h + 1) + k) * shape.proprio_dim);
        if (k < h && t0 + k < e.steps && t0 + k < n - 1) {
          std::copy_n(e.action(t0 + k), shape.action_dim,
                      acts.data() + (static_cast<std::size_t>(i) * h + k) * shape.action_dim);
        }
      }
    }
    torch::Tensor f = frames_to_tensor(frames, shape.width, shape.height)
                          .view({b, h + 1, 3, shape.height, shape.width});
    torch::Tensor a =
        torch::from_blob(acts.data(), {b, h, shape.action_dim}, torch::kFloat32).clone();
    torch::Tensor p =
        torch::from_blob(prop.data(), {b, h + 1, shape.proprio_dim}, torch::kFloat32).clone();
    return module.run_method("training_loss", f, a, p).toTensor();
  };
  r.final_loss = train_loop(
      module, r.options, identity, [&] { return metadata; }, r.resumed_from, batch_loss);
  r.weights_digest = weights_digest(module);
  return true;
}

// The episode-level threshold with the best balanced accuracy on the
// calibration episodes: each episode's score is the judge's highest success
// probability over its frames (it succeeds when that reaches the threshold).
// Ties go to the threshold nearest 0.5; thresholds lie midway between scores.
void calibrate_threshold(torch::jit::Module& module, JudgeTrainRequest& r) {
  torch::NoGradGuard no_grad;
  std::vector<std::pair<double, bool>> scored;
  for (const auto& e : r.calibration) {
    if (e.frames.empty()) continue;
    double best = 0.0;
    for (std::size_t at = 0; at < e.frames.size(); at += 256) {
      const std::vector<const std::uint8_t*> chunk(
          e.frames.begin() + static_cast<std::ptrdiff_t>(at),
          e.frames.begin() + static_cast<std::ptrdiff_t>(std::min(e.frames.size(), at + 256)));
      torch::Tensor f = frames_to_tensor(chunk, r.width, r.height).unsqueeze(1);
      torch::Tensor p = module.forward({f}).toTensor().select(1, 0);
      best = std::max(best, p.max().item<double>());
    }
    scored.emplace_back(best, e.success);
  }
  long pos = 0, neg = 0;
  for (const auto& [m, y] : scored) (y ? pos : neg) += 1;
  if (pos == 0 || neg == 0) return;  // balanced accuracy undefined: keep 0.5
  std::vector<double> cuts{0.5};
  std::vector<double> values;
  for (const auto& [m, y] : scored) values.push_back(m);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (std::size_t i = 0; i + 1 < values.size(); ++i)
    cuts.push_back((values[i] + values[i + 1]) / 2);
  cuts.push_back(std::min(0.999999, values.back() + (1.0 - values.back()) / 2));
  double best_ba = -1.0, best_t = 0.5;
  for (const double t : cuts) {
    if (!(t > 0.0 && t < 1.0)) continue;
    long tp = 0, tn = 0;
    for (const auto& [m, y] : scored) {
      if (y && m >= t) ++tp;
      if (!y && m < t) ++tn;
    }
    const double ba = 0.5 * (static_cast<double>(tp) / pos + static_cast<double>(tn) / neg);
    if (ba > best_ba + 1e-12 ||
        (std::abs(ba - best_ba) <= 1e-12 && std::abs(t - 0.5) < std::abs(best_t - 0.5))) {
      best_ba = ba;
      best_t = t;
    }
  }
  r.threshold = best_t;
  r.calibration_balanced_accuracy = best_ba;
}

bool train_judge_impl(JudgeTrainRequest& r) {
  if (r.samples.empty()) throw UserError("no labelled frames to train the judge on");
  std::size_t positives = 0;
  for (const auto& s : r.samples) positives += s.success > 0.5f ? 1 : 0;
  if (positives == 0 || positives == r.samples.size()) {
    throw UserError("the judge needs both successful and failed episodes (" +
                    std::to_string(positives) + " of " + std::to_string(r.samples.size()) +
                    " labelled frames are successes)");
  }
  JudgeShape shape;
  shape.width = r.width;
  shape.height = r.height;
  shape.channels = r.channels;
  if (shape.width % 16 != 0 || shape.height % 16 != 0) {
    throw UserError("the built-in judge needs frame sides divisible by 16, got " +
                    std::to_string(shape.width) + "x" + std::to_string(shape.height));
  }
  torch::manual_seed(r.options.seed);
  torch::jit::Module module = build_judge(shape);
  const std::string identity = judge_identity(shape, r.options);
  const std::string metadata = judge_metadata(shape, r.camera, r.options);
  const int b = r.options.batch;
  const std::size_t bytes =
      static_cast<std::size_t>(shape.width) * static_cast<std::size_t>(shape.height) * 3;
  std::vector<std::uint8_t> shifted(bytes * static_cast<std::size_t>(b));
  const auto batch_loss = [&](Rng& rng) {
    std::vector<const std::uint8_t*> frames;
    std::vector<float> success, progress, weight;
    for (int i = 0; i < b; ++i) {
      const JudgeSample& s = r.samples[rng.below(r.samples.size())];
      // Augmentation: a shift of up to 2 pixels (edge pixels repeat), so the
      // judge does not key on exact pixel positions a world model blurs.
      const int dx = static_cast<int>(rng.below(5)) - 2;
      const int dy = static_cast<int>(rng.below(5)) - 2;
      std::uint8_t* dst = shifted.data() + static_cast<std::size_t>(i) * bytes;
      for (int y = 0; y < shape.height; ++y) {
        const int sy = std::clamp(y + dy, 0, shape.height - 1);
        for (int x = 0; x < shape.width; ++x) {
          const int sx = std::clamp(x + dx, 0, shape.width - 1);
          std::memcpy(dst + (static_cast<std::size_t>(y) * shape.width + x) * 3,
                      s.frame + (static_cast<std::size_t>(sy) * shape.width + sx) * 3, 3);
        }
      }
      frames.push_back(dst);
      success.push_back(s.success);
      progress.push_back(s.progress);
      weight.push_back(s.weight);
    }
    torch::Tensor f = frames_to_tensor(frames, shape.width, shape.height).unsqueeze(1);
    torch::Tensor y = torch::from_blob(success.data(), {b}, torch::kFloat32).clone();
    torch::Tensor q = torch::from_blob(progress.data(), {b}, torch::kFloat32).clone();
    torch::Tensor w = torch::from_blob(weight.data(), {b}, torch::kFloat32).clone();
    return module.run_method("training_loss", f, y, q, w).toTensor();
  };
  const auto final_metadata = [&] {
    if (r.calibration.empty()) return metadata;
    calibrate_threshold(module, r);
    char buf[160];
    std::snprintf(
        buf, sizeof buf,
        "\"threshold\":%.6f,\"calibration\":{\"episodes\":%zu,\"balanced_accuracy\":%.6f},",
        r.threshold, r.calibration.size(), r.calibration_balanced_accuracy);
    std::string m = metadata;
    m.insert(1, buf);  // right after the opening brace
    return m;
  };
  r.final_loss =
      train_loop(module, r.options, identity, final_metadata, r.resumed_from, batch_loss);
  r.weights_digest = weights_digest(module);
  return true;
}

template <typename Fn>
bool guarded(Fn&& fn, std::string* error, bool* user_error) {
  *user_error = false;
  try {
    return fn();
  } catch (const UserError& e) {
    *user_error = true;
    *error = e.what();
  } catch (const c10::Error& e) {
    *error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    *error = e.what();
  }
  return false;
}

}  // namespace

bool train_world_model(WorldModelTrainRequest* request, std::string* error, bool* user_error) {
  return guarded([&] { return train_world_model_impl(*request); }, error, user_error);
}

bool train_judge(JudgeTrainRequest* request, std::string* error, bool* user_error) {
  return guarded([&] { return train_judge_impl(*request); }, error, user_error);
}

}  // namespace gauntlet::adapters
