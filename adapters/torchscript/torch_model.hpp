// A loaded TorchScript model behind a plain interface. LibTorch lives in a
// separate module (libgauntlet_torch.so) that is dlopen'ed on first use, so
// gauntlet starts without paying LibTorch's ~0.8 s load time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "adapters/torchscript/model_io.hpp"

namespace gauntlet::adapters {

struct TorchModelOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
};

struct ModelOutput {
  std::vector<std::int64_t> shape;
  std::vector<float> values;  // row-major, float32, on the host
};

class TorchModel {
 public:
  virtual ~TorchModel() = default;
  // Runs forward(args...) without gradients (inference mode). The model
  // returns a Tensor, or a tuple whose first element is the Tensor. Throws std::runtime_error with
  // LibTorch's message.
  virtual void forward(std::span<const HostTensor> args, ModelOutput& out) = 0;
  virtual std::string device() const = 0;
  // The model's own time: seconds per forward() over `iterations` calls with
  // the inputs wrapped once beforehand and the output left on the device (no
  // packing, wrapping or copying). The floor for adapter-overhead benchmarks.
  virtual double time_bare_forward(std::span<const HostTensor> args, int iterations) = 0;
};

// Loads a TorchScript file. Throws InputError naming the file when LibTorch
// cannot read it or the device is unavailable, RuntimeFailure when the module
// itself cannot be loaded.
std::unique_ptr<TorchModel> load_torch_model(const std::filesystem::path& file,
                                             const TorchModelOptions& options);

// LibTorch's intra-op thread count (process-wide) and interop threads (set
// once, to 1: the runner makes one call at a time).
void set_torch_threads(int intra_op);
int torch_threads();

// The C entry points of the module; versioned so a stale module is refused.
struct TorchModuleApi {
  int version;
  TorchModel* (*load)(const char* path, const TorchModelOptions* options, std::string* error,
                      bool* user_error);
  void (*set_threads)(int intra_op);
  int (*get_threads)();
};
inline constexpr int kTorchModuleApiVersion = 1;

}  // namespace gauntlet::adapters

extern "C" const gauntlet::adapters::TorchModuleApi* gauntlet_torch_module_api();
