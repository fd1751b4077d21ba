// Finds and dlopens libgauntlet_torch.so once, then forwards to its entry points.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "adapters/torchscript/torch_model.hpp"
#include "harness/errors.hpp"

namespace gauntlet::adapters {
namespace {

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

// Search order: $GAUNTLET_TORCH_MODULE, <exe>/../lib/, <exe>/, the build tree.
std::vector<std::filesystem::path> candidates() {
  std::vector<std::filesystem::path> out;
  if (const char* env = std::getenv("GAUNTLET_TORCH_MODULE"); env && *env) out.emplace_back(env);
  const auto dir = executable_dir();
  if (!dir.empty()) {
    out.push_back(dir / ".." / "lib" / "libgauntlet_torch.so");
    out.push_back(dir / "libgauntlet_torch.so");
  }
#ifdef GAUNTLET_TORCH_MODULE_PATH
  out.emplace_back(GAUNTLET_TORCH_MODULE_PATH);
#endif
  return out;
}

const TorchModuleApi& load_api() {
  static const TorchModuleApi* loaded = nullptr;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string tried;
    for (const auto& path : candidates()) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        tried += "\n  " + path.string() + " (not found)";
        continue;
      }
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        tried += "\n  " + path.string() + " (" + dlerror() + ")";
        continue;
      }
      using Entry = const TorchModuleApi* (*)();
      auto entry = reinterpret_cast<Entry>(dlsym(handle, "gauntlet_torch_module_api"));
      const TorchModuleApi* a = entry ? entry() : nullptr;
      if (!a || a->version != kTorchModuleApiVersion) {
        tried += "\n  " + path.string() + " (not a matching gauntlet LibTorch module)";
        continue;
      }
      loaded = a;  // never dlclose: LibTorch does not support being unloaded
      return;
    }
    failure = "cannot load gauntlet's LibTorch module (libgauntlet_torch.so); tried:" + tried +
              "\nset GAUNTLET_TORCH_MODULE to its path";
  });
  if (!loaded) throw RuntimeFailure(failure);
  return *loaded;
}

}  // namespace

const TorchModuleApi& torch_module_api() {
  return load_api();
}

std::unique_ptr<TorchModel> load_torch_model(const std::filesystem::path& file,
                                             const TorchModelOptions& options) {
  const TorchModuleApi& a = load_api();
  std::string error;
  bool user_error = true;
  TorchModel* model = a.load(file.c_str(), &options, &error, &user_error);
  if (!model) {
    const std::string message = "torchscript model '" + file.string() + "': " + error;
    if (user_error) throw InputError(message);
    throw RuntimeFailure(message);
  }
  return std::unique_ptr<TorchModel>(model);
}

void set_torch_threads(int intra_op) {
  load_api().set_threads(intra_op);
}
int torch_threads() {
  return load_api().get_threads();
}

}  // namespace gauntlet::adapters
