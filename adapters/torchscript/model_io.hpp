// Plain-C++ halves of the TorchScript adapter: observations -> the model's
// argument buffers (InputPacker), the model's output -> action chunks (OutputMapper).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "adapters/torchscript/model_config.hpp"
#include "harness/action.hpp"
#include "harness/image_ops.hpp"
#include "harness/observation.hpp"

namespace gauntlet::adapters {

// One forward() argument: a contiguous host buffer, batch first. The LibTorch
// module wraps it with from_blob, so the buffer must outlive the call.
struct HostTensor {
  enum class DType { kFloat32, kUInt8, kInt64 };
  DType dtype = DType::kFloat32;
  std::vector<std::int64_t> shape;
  std::vector<float> f32;
  std::vector<std::uint8_t> u8;
  std::vector<std::int64_t> i64;

  // Inline: the LibTorch module calls it and links nothing else of ours.
  const void* data() const {
    return dtype == DType::kFloat32 ? static_cast<const void*>(f32.data())
           : dtype == DType::kUInt8 ? static_cast<const void*>(u8.data())
                                    : static_cast<const void*>(i64.data());
  }
  std::string describe() const;  // e.g. "float32[8, 3, 64, 64]"
};

class InputPacker {
 public:
  explicit InputPacker(const TorchscriptConfig& config);

  void prepare(int slots);
  // Encodes the episode's instruction once (tokens or embedding). Throws
  // std::runtime_error when the embedding file has no entry for it.
  void set_instruction(int slot, const std::string& instruction);
  // The episode's seed, for `seed` inputs.
  void set_seed(int slot, std::uint64_t seed);
  // Fills every argument for obs[i] (of slots[i]), batch = obs.size().
  // Throws std::runtime_error naming a missing camera, size or proprio key.
  void pack(std::span<const int> slots, std::span<const Observation* const> obs);
  // A batch of zeros (pad tokens, the first embedding) for load-time checks.
  void pack_dummy(int batch);

  const std::vector<HostTensor>& tensors() const { return tensors_; }

 private:
  void set_batch(int batch);
  void pack_image(std::size_t input, int b, const Observation& obs);
  void pack_state(std::size_t input, int b, const Observation& obs);

  const TorchscriptConfig& config_;
  std::vector<HostTensor> tensors_;
  // Per image input: channel lookup tables (model channel k, byte value x).
  std::vector<std::array<std::array<float, 256>, 3>> luts_;
  // Per state input: proprio indices, resolved from the first observation's names.
  std::vector<std::vector<int>> state_index_;
  const std::vector<std::string>* resolved_for_ = nullptr;
  bool resolved_ = false;
  std::vector<std::uint64_t> seeds_;                  // per slot
  std::vector<std::vector<std::int64_t>> tokens_;     // per slot
  std::vector<const std::vector<float>*> embedding_;  // per slot
  std::vector<std::uint8_t> resized_;
};

class OutputMapper {
 public:
  // Throws InputError (naming `where`) when the mapping cannot fill `space`.
  OutputMapper(const OutputMapping& mapping, const ActionSpace& space, const std::string& where);
  // y holds chunk x dim model outputs for one item.
  void map(const float* y, ActionChunk& out) const;

 private:
  OutputMapping m_;
  int action_dim_ = 0;
  int gripper_index_ = 0;
};

// "" when `shape` is a valid output for `batch` items of chunk x dim
// ([B, chunk, dim], [B, chunk * dim], or [B, dim] when chunk is 1), else why not.
std::string check_output_shape(const std::vector<std::int64_t>& shape, int batch, int chunk,
                               int dim);

}  // namespace gauntlet::adapters
