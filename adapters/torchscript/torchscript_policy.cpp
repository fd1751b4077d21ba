#include "adapters/torchscript/torchscript_policy.hpp"

#include <algorithm>
#include <thread>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"

namespace gauntlet::adapters {

TorchscriptPolicy::TorchscriptPolicy(TorchscriptOptions options) : options_(std::move(options)) {
  config_ = load_torchscript_config(options_.config);
  // The identity covers the weights and everything that shapes inputs and
  // outputs, so resume/merge refuse another checkpoint or config.
  Sha256 h;
  h.update("gauntlet-torchscript-v1|model=" + sha256_file_hex(options_.model) +
           "|config=" + sha256_file_hex(options_.config));
  for (const auto& f : config_.referenced_files) h.update("|file=" + sha256_file_hex(f));
  identity_ = "torchscript/1:" + h.hex_digest();
  TorchModelOptions mo;
  mo.device = options_.device;
  model_ = load_torch_model(options_.model, mo);
  packer_ = std::make_unique<InputPacker>(config_);
}

TorchscriptPolicy::~TorchscriptPolicy() = default;

std::string TorchscriptPolicy::where() const {
  return "torchscript model '" + options_.model.string() + "' with config '" +
         options_.config.string() + "'";
}

PolicyRequirements TorchscriptPolicy::requirements() const {
  PolicyRequirements r;
  r.cameras = config_.cameras();
  const auto [w, h] = config_.render_size();
  r.image_width = w;
  r.image_height = h;
  return r;
}

void TorchscriptPolicy::prepare(int slots, const ActionSpace& space) {
  // Intra-op threads must not fight the env workers for cores.
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = options_.threads > 0 ? options_.threads : std::max(1, hw - slots);
  set_torch_threads(threads_);
  mapper_ = std::make_unique<OutputMapper>(config_.output, space, where());
  packer_->prepare(slots);
  for (const int batch : {1, slots}) {
    packer_->pack_dummy(batch);
    try {
      model_->forward(packer_->tensors(), output_);
    } catch (const std::runtime_error& e) {
      std::string args;
      for (const auto& t : packer_->tensors()) args += (args.empty() ? "" : ", ") + t.describe();
      throw InputError(where() + ": forward(" + args + ") failed on a dummy batch: " + e.what());
    }
    if (const std::string why =
            check_output_shape(output_.shape, batch, config_.output.chunk, config_.output.dim);
        !why.empty()) {
      throw InputError(where() + ": " + why);
    }
    if (batch == slots) break;
  }
}

void TorchscriptPolicy::reset(int slot, const EpisodeContext& ctx) {
  packer_->set_instruction(slot, ctx.instruction);
  packer_->set_seed(slot, ctx.spec ? ctx.spec->seed : 0);
}

void TorchscriptPolicy::act(std::span<const int> slots, std::span<const Observation* const> obs,
                            std::span<ActionChunk> out) {
  const int batch = static_cast<int>(obs.size());
  packer_->pack(slots, obs);
  model_->forward(packer_->tensors(), output_);
  if (const std::string why =
          check_output_shape(output_.shape, batch, config_.output.chunk, config_.output.dim);
      !why.empty()) {
    throw std::runtime_error(where() + ": " + why);
  }
  const std::size_t per_item =
      static_cast<std::size_t>(config_.output.chunk) * static_cast<std::size_t>(config_.output.dim);
  for (std::size_t i = 0; i < out.size(); ++i)
    mapper_->map(output_.values.data() + i * per_item, out[i]);
}

std::string TorchscriptPolicy::identity() const {
  return identity_;
}

}  // namespace gauntlet::adapters
