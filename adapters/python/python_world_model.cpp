// World models and judges written in Python (python:pkg.module:Class), run in
// the embedded interpreter the python policies use: frames reach Python as
// read-only numpy views (no copy), exceptions come back as tracebacks.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "adapters/python/embedded.hpp"
#include "adapters/python/register.hpp"
#include "harness/errors.hpp"
#include "harness/sha256.hpp"

namespace gauntlet::adapters {
namespace {

// A class from a spec: imports the module (path=, venv= first), constructs it
// with the remaining options as keyword arguments (strings).
struct PythonClass {
  py::object instance;
  std::string identity;

  PythonClass(const PolicySpec& spec, const char* what) {
    const std::size_t colon = spec.arg.rfind(':');
    if (spec.arg.empty() || colon == std::string::npos || colon == 0 ||
        colon + 1 == spec.arg.size()) {
      throw InputError(spec.quoted() + ": expected python:package.module:ClassName for the " +
                       what);
    }
    const std::string module_name = spec.arg.substr(0, colon);
    const std::string class_name = spec.arg.substr(colon + 1);
    ensure_interpreter();
    py::gil_scoped_acquire gil;
    if (const auto path = spec.option("path")) add_paths(*path);
    if (const auto venv = spec.option("venv")) add_venv(spec, *venv);
    py::module_ module;
    try {
      module = py::module_::import(module_name.c_str());
    } catch (const py::error_already_set& e) {
      const std::string tb = format_exception(e);
      throw InputError(spec.quoted() + ": cannot import '" + module_name + "': " + last_line(tb) +
                       "\n" + tb + "\n(add folders with path=DIR or $GAUNTLET_PYTHONPATH)");
    }
    if (!py::hasattr(module, class_name.c_str())) {
      throw InputError(spec.quoted() + ": module '" + module_name + "' has no attribute '" +
                       class_name + "'");
    }
    py::dict kwargs;
    Sha256 h;
    h.update(std::string("gauntlet-python-") + what + "-v1|" + module_name + ":" + class_name);
    const py::object file = py::getattr(module, "__file__", py::none());
    if (!file.is_none()) h.update("|module=" + sha256_file_hex(file.cast<std::string>()));
    for (const auto& [k, v] : spec.options) {
      if (k == "path" || k == "venv" || k == "name") continue;
      kwargs[py::str(k)] = v;
      h.update("|" + k + "=" + v);
    }
    try {
      instance = module.attr(class_name.c_str())(**kwargs);
    } catch (const py::error_already_set& e) {
      throw InputError(spec.quoted() + ": " + class_name + "(...) raised: " +
                       last_line(format_exception(e)) + "\n" + format_exception(e));
    }
    if (py::hasattr(instance, "identity")) {
      try {
        h.update("|instance=" + py::str(instance.attr("identity")()).cast<std::string>());
      } catch (const py::error_already_set& e) {
        throw InputError(spec.quoted() + ": identity() raised:\n" + format_exception(e));
      }
    }
    identity = std::string("python-") + what + "/1:" + h.hex_digest();
  }

  ~PythonClass() {
    py::gil_scoped_acquire gil;
    instance = py::object();
  }

  template <typename T>
  T attribute(const char* name, T fallback, const PolicySpec& spec) const {
    const py::object v = py::getattr(instance, name, py::none());
    if (v.is_none()) return fallback;
    try {
      return v.cast<T>();
    } catch (const py::cast_error&) {
      throw InputError(spec.quoted() + ": attribute " + name + " has the wrong type");
    }
  }
};

// A read-only numpy view of an image (valid during the call only).
py::array image_view(const Image& img) {
  static const py::handle owner =
      py::capsule(reinterpret_cast<void*>(&ensure_interpreter), "gauntlet.frame").release();
  py::array view(py::dtype::of<std::uint8_t>(), {img.height, img.width, 3},
                 {static_cast<py::ssize_t>(img.width) * 3, static_cast<py::ssize_t>(3),
                  static_cast<py::ssize_t>(1)},
                 img.rgb.data(), owner);
  view.attr("setflags")(py::arg("write") = false);
  return view;
}

py::list frame_list(std::span<const Image* const> frames) {
  py::list out;
  for (const Image* f : frames) out.append(image_view(*f));
  return out;
}

std::string type_name(const py::handle& h) {
  std::string s = py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>();
  if (py::hasattr(h, "shape")) s += " of shape " + py::str(h.attr("shape")).cast<std::string>();
  if (py::hasattr(h, "dtype")) s += " and dtype " + py::str(h.attr("dtype")).cast<std::string>();
  return s;
}

// Whether `fn` can be called with the keyword `name` (a parameter of that name
// or **kwargs). GIL held. False when Python cannot tell (a builtin).
bool accepts_keyword(const py::object& fn, const char* name) {
  try {
    const py::object inspect = py::module_::import("inspect");
    const py::object parameters = inspect.attr("signature")(fn).attr("parameters");
    if (parameters.contains(name)) return true;
    const py::object var_keyword = inspect.attr("Parameter").attr("VAR_KEYWORD");
    for (const auto& p : parameters.attr("values")()) {
      if (py::object(p.attr("kind")).equal(var_keyword)) return true;
    }
  } catch (const py::error_already_set&) {
    return false;
  }
  return false;
}

class PythonWorldModel;

struct PyRollout final : WorldModelRollout {
  PythonWorldModel* owner = nullptr;
  int slot = -1;
  ~PyRollout() override;
};

class PythonWorldModel final : public WorldModel {
 public:
  explicit PythonWorldModel(const PolicySpec& spec) : spec_(spec), cls_(spec, "world-model") {
    py::gil_scoped_acquire gil;
    info_.camera = cls_.attribute<std::string>("camera", "agentview", spec_);
    const auto size = cls_.attribute<std::pair<int, int>>("image_size", {64, 64}, spec_);
    info_.width = size.first;
    info_.height = size.second;
    info_.context_frames = cls_.attribute<int>("context_frames", 1, spec_);
    info_.action_dim = cls_.attribute<int>("action_dim", 7, spec_);
    info_.proprio_dim = cls_.attribute<int>("proprio_dim", 0, spec_);
    if (info_.width < 8 || info_.height < 8 || info_.context_frames < 1 || info_.proprio_dim < 0) {
      throw InputError(
          "'" + spec_.text +
          "': image_size must be at least (8, 8), context_frames >= 1, proprio_dim >= 0");
    }
    for (const char* m : {"reset", "predict"}) {
      if (!py::hasattr(cls_.instance, m)) {
        throw InputError("'" + spec_.text +
                         "': a world model class needs reset(slot, frames, proprio, instruction) "
                         "and predict(slot, actions); it has no " +
                         m + "()");
      }
    }
    reset_ = cls_.instance.attr("reset");
    predict_ = cls_.instance.attr("predict");
    release_ = py::getattr(cls_.instance, "release", py::none());
    reset_takes_seed_ = accepts_keyword(reset_, "seed");
  }

  ~PythonWorldModel() override {
    py::gil_scoped_acquire gil;
    reset_ = predict_ = release_ = py::object();
  }

  const WorldModelInfo& info() const override { return info_; }
  std::string identity() const override { return cls_.identity; }

  std::unique_ptr<WorldModelRollout> new_rollout() override {
    auto r = std::make_unique<PyRollout>();
    r->owner = this;
    std::lock_guard<std::mutex> lock(slots_mutex_);
    // The smallest free slot id, so ids stay small (a Python model may index arrays by slot).
    int slot = 0;
    while (used_.count(slot)) ++slot;
    used_.insert(slot);
    r->slot = slot;
    return r;
  }

  void release(int slot) {
    {
      py::gil_scoped_acquire gil;
      if (!release_.is_none()) {
        try {
          release_(slot);
        } catch (const py::error_already_set&) {
          // A failing release() must not take the run down at teardown.
        }
      }
    }
    std::lock_guard<std::mutex> lock(slots_mutex_);
    used_.erase(slot);
  }

  void reset(std::span<WorldModelRollout* const> rollouts,
             std::span<const WorldModelContext> contexts) override {
    py::gil_scoped_acquire gil;
    for (std::size_t i = 0; i < rollouts.size(); ++i) {
      const WorldModelContext& c = contexts[i];
      py::array_t<float> proprio(static_cast<py::ssize_t>(c.proprio.size()));
      std::copy(c.proprio.begin(), c.proprio.end(), proprio.mutable_data());
      try {
        const int slot = dynamic_cast<PyRollout&>(*rollouts[i]).slot;
        if (reset_takes_seed_) {
          reset_(slot, frame_list(c.frames), proprio, std::string(c.instruction),
                 py::arg("seed") = c.seed);
        } else {
          reset_(slot, frame_list(c.frames), proprio, std::string(c.instruction));
        }
      } catch (const py::error_already_set& e) {
        throw std::runtime_error(format_exception(e));
      }
    }
  }

  void predict(std::span<WorldModelRollout* const> rollouts,
               std::span<const ActionChunk* const> actions,
               std::span<WorldModelPrediction> out) override {
    py::gil_scoped_acquire gil;
    for (std::size_t i = 0; i < rollouts.size(); ++i) {
      WorldModelPrediction& o = out[i];
      o.error.clear();
      const ActionChunk& a = *actions[i];
      py::array_t<float> acts(
          {static_cast<py::ssize_t>(a.horizon), static_cast<py::ssize_t>(a.dim)});
      std::copy(a.values.begin(), a.values.end(), acts.mutable_data());
      try {
        const py::object r = predict_(dynamic_cast<PyRollout&>(*rollouts[i]).slot, acts);
        convert(r, a.horizon, o);
      } catch (const py::error_already_set& e) {
        o.error = format_exception(e);
      }
    }
  }

 private:
  // predict() returns frames (T, H, W, 3) uint8, or (frames, proprio (T, P)).
  void convert(const py::object& r, int horizon, WorldModelPrediction& o) const {
    py::object frames = r;
    py::object proprio = py::none();
    if (py::isinstance<py::tuple>(r)) {
      const auto t = r.cast<py::tuple>();
      if (t.size() != 2) {
        o.error = "predict() returned a tuple of " + std::to_string(t.size()) +
                  "; expected frames or (frames, proprio)";
        return;
      }
      frames = t[0];
      proprio = t[1];
    }
    const std::string want = "(" + std::to_string(horizon) + ", " + std::to_string(info_.height) +
                             ", " + std::to_string(info_.width) + ", 3) uint8";
    if (!py::isinstance<py::array_t<std::uint8_t>>(frames)) {
      o.error = "predict() returned " + type_name(frames) + "; expected frames " + want;
      return;
    }
    const auto f =
        py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(frames);
    if (!f || f.ndim() != 4 || f.shape(0) != horizon || f.shape(1) != info_.height ||
        f.shape(2) != info_.width || f.shape(3) != 3) {
      o.error = "predict() returned frames " + type_name(frames) + "; expected " + want;
      return;
    }
    o.frames.resize(static_cast<std::size_t>(horizon));
    const std::size_t bytes =
        static_cast<std::size_t>(info_.width) * static_cast<std::size_t>(info_.height) * 3;
    for (int k = 0; k < horizon; ++k) {
      Image& img = o.frames[static_cast<std::size_t>(k)];
      img.resize(info_.width, info_.height);
      std::copy_n(f.data() + static_cast<std::size_t>(k) * bytes, bytes, img.rgb.begin());
    }
    o.proprio.clear();
    if (!proprio.is_none() && info_.proprio_dim > 0) {
      const auto p = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(proprio);
      if (!p || p.size() != static_cast<py::ssize_t>(horizon) * info_.proprio_dim) {
        o.error = "predict() returned proprio " + type_name(proprio) + "; expected (" +
                  std::to_string(horizon) + ", " + std::to_string(info_.proprio_dim) + ")";
        return;
      }
      o.proprio.assign(p.data(), p.data() + p.size());
    }
  }

  PolicySpec spec_;
  PythonClass cls_;
  WorldModelInfo info_;
  py::object reset_, predict_, release_;
  bool reset_takes_seed_ =
      false;  // reset(..., seed=) or reset(..., **kwargs): older models take no seed
  std::mutex slots_mutex_;
  std::set<int> used_;
};

PyRollout::~PyRollout() {
  if (owner) owner->release(slot);
}

class PythonJudge final : public Judge {
 public:
  explicit PythonJudge(const PolicySpec& spec) : spec_(spec), cls_(spec, "judge") {
    py::gil_scoped_acquire gil;
    info_.camera = cls_.attribute<std::string>("camera", "agentview", spec_);
    const auto size = cls_.attribute<std::pair<int, int>>("image_size", {64, 64}, spec_);
    info_.width = size.first;
    info_.height = size.second;
    info_.frames = cls_.attribute<int>("frames", 1, spec_);
    info_.threshold = cls_.attribute<double>("threshold", -1.0, spec_);
    if (info_.frames < 0)
      throw InputError("'" + spec_.text + "': frames must be >= 0 (0: the whole episode)");
    if (!py::hasattr(cls_.instance, "judge")) {
      throw InputError("'" + spec_.text +
                       "': a judge class needs judge(frames, instruction) -> (success, progress)");
    }
    judge_ = cls_.instance.attr("judge");
  }

  ~PythonJudge() override {
    py::gil_scoped_acquire gil;
    judge_ = py::object();
  }

  const JudgeInfo& info() const override { return info_; }
  std::string identity() const override { return cls_.identity; }

  void judge(std::span<const JudgeInput> items, std::span<JudgeVerdict> out) override {
    py::gil_scoped_acquire gil;
    for (std::size_t i = 0; i < items.size(); ++i) {
      JudgeVerdict& v = out[i];
      v.error.clear();
      try {
        const py::object r = judge_(frame_list(items[i].frames), std::string(items[i].instruction));
        convert(r, v);
      } catch (const py::error_already_set& e) {
        v.error = format_exception(e);
      } catch (const py::cast_error&) {
        v.error = "judge() returned something that is not numbers";
      }
    }
  }

 private:
  // judge() returns a probability (or bool), a (success, progress) pair, or
  // a dict with "success" and optional "progress".
  static void convert(const py::object& r, JudgeVerdict& v) {
    double success = 0.0;
    double progress = -1.0;
    if (py::isinstance<py::dict>(r)) {
      const auto d = r.cast<py::dict>();
      if (!d.contains("success")) {
        v.error = "judge() returned a dict without \"success\"";
        return;
      }
      success = py::float_(d["success"]).cast<double>();
      if (d.contains("progress")) progress = py::float_(d["progress"]).cast<double>();
    } else if (py::isinstance<py::tuple>(r) || py::isinstance<py::list>(r)) {
      const auto s = r.cast<py::sequence>();
      if (s.size() != 2) {
        v.error = "judge() returned a sequence of " + std::to_string(s.size()) +
                  "; expected (success, progress)";
        return;
      }
      success = py::float_(s[0]).cast<double>();
      progress = py::float_(s[1]).cast<double>();
    } else {
      success = py::float_(r).cast<double>();
    }
    if (!(success >= 0.0 && success <= 1.0) ||
        (progress != -1.0 && !(progress >= 0.0 && progress <= 1.0))) {
      v.error = "judge() returned success " + std::to_string(success) + ", progress " +
                std::to_string(progress) + "; both must be in [0, 1]";
      return;
    }
    v.success = success;
    v.progress = progress < 0.0 ? success : progress;
  }

  PolicySpec spec_;
  PythonClass cls_;
  JudgeInfo info_;
  py::object judge_;
};

}  // namespace

void register_python_world_models(Registry& registry) {
  registry.add_world_model(WorldModelKind{
      "python", "python:package.module:Class[,path=DIR][,venv=DIR][,KEY=VALUE...]",
      "a Python world model (reset(slot, frames, proprio, instruction), predict(slot, actions))",
      [](const PolicySpec& spec) -> std::unique_ptr<WorldModel> {
        return std::make_unique<PythonWorldModel>(spec);
      }});
  registry.add_judge(
      JudgeKind{"python", "python:package.module:Class[,path=DIR][,venv=DIR][,KEY=VALUE...]",
                "a Python judge (judge(frames, instruction) -> (success, progress)), e.g. a VLM",
                [](const PolicySpec& spec) -> std::unique_ptr<Judge> {
                  return std::make_unique<PythonJudge>(spec);
                }});
}

}  // namespace gauntlet::adapters
