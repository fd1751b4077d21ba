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
  // Runs the method `name` (e.g. reset, step) without gradients. Every Tensor
  // of the result (a Tensor, or a tuple/list of Tensors, in order) is copied
  // to the host as float32. Throws std::runtime_error with LibTorch's message.
  virtual void run_method(const std::string& name, std::span<const HostTensor> args,
                          std::vector<ModelOutput>& outputs) = 0;
  virtual bool has_method(const std::string& name) const = 0;
  // How many arguments the method `name` takes besides self; -1 when absent.
  // Lets an adapter pass optional trailing arguments only to models that take them.
  virtual int method_arguments(const std::string& name) const = 0;
  // An extra file stored in the archive ("gauntlet.json": what the model is
  // and how to call it); empty when absent.
  virtual std::string metadata() const = 0;
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

// The archive member that describes a gauntlet model (world model, judge).
inline constexpr const char* kModelMetadataFile = "gauntlet.json";

struct WorldModelTrainRequest;
struct JudgeTrainRequest;

// The C entry points of the module; versioned so a stale module is refused.
struct TorchModuleApi {
  int version;
  TorchModel* (*load)(const char* path, const TorchModelOptions* options, std::string* error,
                      bool* user_error);
  void (*set_threads)(int intra_op);
  int (*get_threads)();
  // Training (world_model_training.hpp): false with *error (and *user_error
  // when the input is at fault, e.g. a checkpoint of another configuration).
  bool (*train_world_model)(WorldModelTrainRequest* request, std::string* error, bool* user_error);
  bool (*train_judge)(JudgeTrainRequest* request, std::string* error, bool* user_error);
};
inline constexpr int kTorchModuleApiVersion = 3;  // 3: TorchModel::method_arguments

// The module's entry points (loads it on first use; RuntimeFailure when it
// cannot be found).
const TorchModuleApi& torch_module_api();

}  // namespace gauntlet::adapters

extern "C" const gauntlet::adapters::TorchModuleApi* gauntlet_torch_module_api();
