// The only translation unit that includes LibTorch. Built as a MODULE library
// (libgauntlet_torch.so) and dlopen'ed by torch_model_loader.cpp.
#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <mutex>

#include "adapters/torchscript/torch_model.hpp"
#include "worldmodel/training/world_model_training.hpp"

namespace gauntlet::adapters {
namespace {

c10::ScalarType scalar_type(HostTensor::DType d) {
  switch (d) {
    case HostTensor::DType::kFloat32:
      return torch::kFloat32;
    case HostTensor::DType::kUInt8:
      return torch::kUInt8;
    case HostTensor::DType::kInt64:
      return torch::kInt64;
  }
  return torch::kFloat32;
}

// Copies every Tensor of `v` (a Tensor, or tuples/lists of them, depth first)
// to the host as contiguous float32.
void flatten_tensors(const torch::jit::IValue& v, std::vector<ModelOutput>& out) {
  if (v.isTensor()) {
    torch::Tensor y = v.toTensor();
    if (!y.device().is_cpu()) y = y.to(torch::kCPU);
    if (y.scalar_type() != torch::kFloat32) y = y.to(torch::kFloat32);
    y = y.contiguous();
    ModelOutput o;
    o.shape.assign(y.sizes().begin(), y.sizes().end());
    const float* p = y.data_ptr<float>();
    o.values.assign(p, p + y.numel());
    out.push_back(std::move(o));
  } else if (v.isTuple()) {
    for (const auto& e : v.toTupleRef().elements()) flatten_tensors(e, out);
  } else if (v.isList()) {
    for (const auto& e : v.toListRef()) flatten_tensors(e, out);
  } else {
    throw std::runtime_error("the model returned " + v.tagKind() +
                             ", expected Tensors (or a tuple/list of Tensors)");
  }
}

// The inputs as tensors on `device`: on the CPU views of the caller's
// buffers (no copy), elsewhere one copy to the device.
std::vector<torch::jit::IValue> to_inputs(std::span<const HostTensor> args,
                                          const torch::Device& device) {
  std::vector<torch::jit::IValue> inputs;
  inputs.reserve(args.size());
  for (const HostTensor& a : args) {
    torch::Tensor t = torch::from_blob(const_cast<void*>(a.data()), a.shape,
                                       torch::TensorOptions().dtype(scalar_type(a.dtype)));
    if (!device.is_cpu()) t = t.to(device, /*non_blocking=*/false);
    inputs.emplace_back(std::move(t));
  }
  return inputs;
}

class LoadedModel final : public TorchModel {
 public:
  LoadedModel(torch::jit::script::Module module, torch::Device device, std::string metadata)
      : module_(std::move(module)), device_(device), metadata_(std::move(metadata)) {
    module_.eval();
  }

  void run_method(const std::string& name, std::span<const HostTensor> args,
                  std::vector<ModelOutput>& outputs) override {
    c10::InferenceMode guard;
    std::vector<torch::jit::IValue> inputs = to_inputs(args, device_);
    const auto method = module_.find_method(name);
    if (!method) throw std::runtime_error("the model has no method '" + name + "'");
    torch::jit::IValue result;
    try {
      result = (*method)(std::move(inputs));
    } catch (const c10::Error& e) {
      throw std::runtime_error(e.what_without_backtrace());
    }
    outputs.clear();
    flatten_tensors(result, outputs);
  }

  bool has_method(const std::string& name) const override {
    return module_.find_method(name).has_value();
  }

  int method_arguments(const std::string& name) const override {
    const auto method = module_.find_method(name);
    if (!method) return -1;
    return static_cast<int>(method->function().getSchema().arguments().size()) - 1;  // without self
  }

  std::string metadata() const override { return metadata_; }

  void forward(std::span<const HostTensor> args, ModelOutput& out) override {
    c10::InferenceMode guard;
    std::vector<torch::jit::IValue> inputs = to_inputs(args, device_);
    torch::jit::IValue result;
    try {
      result = module_.forward(std::move(inputs));
    } catch (const c10::Error& e) {
      throw std::runtime_error(e.what_without_backtrace());
    }
    if (result.isTuple()) {
      const auto& elements = result.toTupleRef().elements();
      if (elements.empty()) throw std::runtime_error("the model returned an empty tuple");
      result = elements[0];
    }
    if (!result.isTensor()) {
      throw std::runtime_error("the model returned " + result.tagKind() + ", expected a Tensor");
    }
    torch::Tensor y = result.toTensor();
    if (!y.device().is_cpu()) y = y.to(torch::kCPU);
    if (y.scalar_type() != torch::kFloat32) y = y.to(torch::kFloat32);
    y = y.contiguous();
    out.shape.assign(y.sizes().begin(), y.sizes().end());
    const float* p = y.data_ptr<float>();
    out.values.assign(p, p + y.numel());
  }

  std::string device() const override { return device_.str(); }

  double time_bare_forward(std::span<const HostTensor> args, int iterations) override {
    c10::InferenceMode guard;
    const std::vector<torch::jit::IValue> inputs = to_inputs(args, device_);
    torch::jit::Method forward = module_.get_method("forward");
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) {
      // Method::operator() takes its stack by value: copying IValues only
      // bumps reference counts, as the interpreter's own call does.
      torch::jit::IValue r = forward(inputs);
      (void)r;
    }
    if (device_.is_cuda()) torch::cuda::synchronize();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
           std::max(iterations, 1);
  }

 private:
  torch::jit::script::Module module_;
  torch::Device device_;
  std::string metadata_;
};

TorchModel* load(const char* path, const TorchModelOptions* options, std::string* error,
                 bool* user_error) {
  *user_error = true;
  try {
    torch::Device device(torch::kCPU);
    try {
      device = torch::Device(options->device);
    } catch (const c10::Error&) {
      *error = "device '" + options->device + "' is not a device name (cpu, cuda, cuda:N)";
      return nullptr;
    }
    if (device.is_cuda() && !torch::cuda::is_available()) {
      *error = "device=" + options->device +
               " was asked for, but LibTorch sees no CUDA device (Debian's libtorch is built for "
               "CPU only); "
               "use device=cpu";
      return nullptr;
    }
    if (!device.is_cpu() && !device.is_cuda()) {
      *error = "device '" + options->device + "' is not supported (cpu or cuda)";
      return nullptr;
    }
    torch::jit::ExtraFilesMap extra{{kModelMetadataFile, ""}};
    torch::jit::script::Module module = torch::jit::load(path, device, extra);
    return new LoadedModel(std::move(module), device, extra[kModelMetadataFile]);
  } catch (const c10::Error& e) {
    *error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    *error = e.what();
  }
  return nullptr;
}

void set_threads(int intra_op) {
  static std::once_flag interop;
  std::call_once(interop, [] {
    try {
      torch::set_num_interop_threads(1);
    } catch (const c10::Error&) {
      // Already started by someone else (e.g. torch inside an embedded Python).
    }
  });
  if (intra_op > 0) torch::set_num_threads(intra_op);
}

int get_threads() {
  return torch::get_num_threads();
}

const TorchModuleApi kApi{kTorchModuleApiVersion, &load,       &set_threads, &get_threads,
                          &train_world_model,     &train_judge};

}  // namespace
}  // namespace gauntlet::adapters

extern "C" __attribute__((visibility("default"))) const gauntlet::adapters::TorchModuleApi*
gauntlet_torch_module_api() {
  return &gauntlet::adapters::kApi;
}
