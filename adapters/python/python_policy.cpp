// The embedded-Python policy: the one translation unit of gauntlet that
// includes Python and pybind11. The interpreter (Debian's python3.11) starts
// once per process on first use; the GIL is held only inside calls.
#include <pybind11/embed.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "adapters/python/embedded.hpp"
#include "adapters/python/register.hpp"
#include "harness/errors.hpp"
#include "harness/sha256.hpp"

namespace py = pybind11;

namespace gauntlet::adapters {
namespace {

struct Instance {
  py::object object;
  py::object act;
  py::object act_batch;  // None when the class has none
  py::object reset;      // None when the class has none
};

class PythonPolicy final : public Policy {
 public:
  explicit PythonPolicy(const PolicySpec& spec) : spec_text_(spec.text) {
    const std::size_t colon = spec.arg.rfind(':');
    if (spec.arg.empty() || colon == std::string::npos || colon == 0 ||
        colon + 1 == spec.arg.size()) {
      throw InputError(spec.quoted() + ": expected python:package.module:ClassName");
    }
    module_name_ = spec.arg.substr(0, colon);
    class_name_ = spec.arg.substr(colon + 1);
    const std::string instances = spec.option("instances").value_or("shared");
    if (instances != "shared" && instances != "per_slot") {
      throw InputError(spec.quoted() + ": instances must be shared or per_slot, got '" + instances +
                       "'");
    }
    per_slot_ = instances == "per_slot";
    for (const auto& [k, v] : spec.options) {
      if (k == "name" || k == "path" || k == "venv" || k == "instances" || k == "replan_every" ||
          k == "ensemble") {
        continue;
      }
      kwargs_[k] = v;
    }

    ensure_interpreter();
    py::gil_scoped_acquire gil;
    if (const auto path = spec.option("path")) add_paths(*path);
    if (const auto venv = spec.option("venv")) add_venv(spec, *venv);
    try {
      module_ = py::module_::import(module_name_.c_str());
    } catch (const py::error_already_set& e) {
      const std::string tb = format_exception(e);
      const std::string sys_path =
          py::str(py::module_::import("sys").attr("path")).cast<std::string>();
      throw InputError(
          spec.quoted() + ": cannot import '" + module_name_ + "': " + last_line(tb) + "\n" + tb +
          "\nsys.path: " + sys_path +
          "\n(add folders with path=DIR or $GAUNTLET_PYTHONPATH, a virtualenv with venv=DIR)");
    }
    if (!py::hasattr(module_, class_name_.c_str())) {
      throw InputError(spec.quoted() + ": module '" + module_name_ + "' has no attribute '" +
                       class_name_ + "'");
    }
    cls_ = module_.attr(class_name_.c_str());
    instances_.push_back(construct());
    try {
      read_requirements(instances_.front().object);
    } catch (...) {
      // The members outlive `gil` while an exception unwinds: release the
      // Python objects now, with the GIL held (a crash otherwise).
      instances_.clear();
      cls_ = py::object();
      throw;
    }

    Sha256 h;
    h.update("gauntlet-python-v1|" + module_name_ + ":" + class_name_);
    const py::object file = py::getattr(module_, "__file__", py::none());
    if (!file.is_none()) h.update("|module=" + sha256_file_hex(file.cast<std::string>()));
    for (const auto& [k, v] : kwargs_) h.update("|" + k + "=" + v);
    h.update(std::string("|instances=") + (per_slot_ ? "per_slot" : "shared"));
    if (py::hasattr(instances_.front().object, "identity")) {
      try {
        h.update("|policy=" +
                 py::str(instances_.front().object.attr("identity")()).cast<std::string>());
      } catch (const py::error_already_set& e) {
        const std::string tb = format_exception(e);
        instances_.clear();
        cls_ = py::object();
        throw InputError(spec.quoted() + ": identity() raised:\n" + tb);
      }
    }
    identity_ = "python/1:" + h.hex_digest();
  }

  ~PythonPolicy() override {
    py::gil_scoped_acquire gil;
    instances_.clear();
    instruction_.clear();
    names_ = py::object();
    cls_ = py::object();
    module_ = py::object();
    keys_.clear();
  }

  PolicyRequirements requirements() const override { return requirements_; }

  void prepare(int slots, const ActionSpace& space) override {
    py::gil_scoped_acquire gil;
    space_ = space;
    instruction_.assign(static_cast<std::size_t>(slots), py::str(""));
    if (per_slot_) {
      while (static_cast<int>(instances_.size()) < slots) instances_.push_back(construct());
    }
    if (keys_.empty()) {
      for (const char* k : {"images", "proprio", "proprio_names", "instruction", "step", "slot"})
        keys_.emplace_back(k);
    }
  }

  void reset(int slot, const EpisodeContext& ctx) override {
    py::gil_scoped_acquire gil;
    instruction_.at(static_cast<std::size_t>(slot)) = py::str(ctx.instruction);
    Instance& inst = instance(slot);
    if (inst.reset.is_none()) return;
    py::dict task;
    task["slot"] = slot;
    task["instruction"] = ctx.instruction;
    task["max_steps"] = ctx.max_steps;
    if (ctx.spec) {
      task["suite"] = ctx.spec->suite;
      task["task_id"] = ctx.spec->task_id;
      task["perturbation"] = ctx.spec->perturbation.id();
      task["episode_index"] = ctx.spec->episode_index;
      task["seed"] = ctx.spec->seed;
    }
    task["action_dim"] = space_.dim;
    py::list low, high;
    for (const float v : space_.low) low.append(v);
    for (const float v : space_.high) high.append(v);
    task["action_low"] = low;
    task["action_high"] = high;
    try {
      inst.reset(task);
    } catch (const py::error_already_set& e) {
      throw std::runtime_error(format_exception(e));
    }
  }

  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override {
    py::gil_scoped_acquire gil;
    const Instance& shared = instances_.front();
    if (!per_slot_ && !shared.act_batch.is_none()) {
      py::list items(obs.size());
      for (std::size_t i = 0; i < obs.size(); ++i) items[i] = obs_dict(slots[i], *obs[i]);
      py::object result;
      try {
        result = shared.act_batch(items);
      } catch (const py::error_already_set& e) {
        throw std::runtime_error(format_exception(e));
      }
      if (!py::isinstance<py::sequence>(result) || py::len(result) != obs.size()) {
        throw std::runtime_error("act_batch returned " + describe(result) + ", expected " +
                                 std::to_string(obs.size()) +
                                 " action arrays (one per observation)");
      }
      const auto seq = py::reinterpret_borrow<py::sequence>(result);
      for (std::size_t i = 0; i < obs.size(); ++i) {
        const py::object item = seq[i];
        if (py::isinstance(item, py::reinterpret_borrow<py::object>(PyExc_BaseException))) {
          out[i].error =
              format_exception(py::type::handle_of(item), item, item.attr("__traceback__"));
        } else {
          to_chunk(item, "act_batch()[" + std::to_string(i) + "]", out[i]);
        }
      }
      return;
    }
    for (std::size_t i = 0; i < obs.size(); ++i) {
      try {
        const py::object r = instance(slots[i]).act(obs_dict(slots[i], *obs[i]));
        to_chunk(r, "act()", out[i]);
      } catch (const py::error_already_set& e) {
        out[i].error = format_exception(e);
      }
    }
  }

  std::string identity() const override { return identity_; }

 private:
  Instance construct() {
    py::dict kwargs;
    for (const auto& [k, v] : kwargs_) kwargs[py::str(k)] = v;
    Instance inst;
    try {
      inst.object = cls_(**kwargs);
    } catch (const py::error_already_set& e) {
      throw InputError("policy spec '" + spec_text_ + "': " + class_name_ + "(...) raised: " +
                       last_line(format_exception(e)) + "\n" + format_exception(e));
    }
    if (!py::hasattr(inst.object, "act")) {
      throw InputError("policy spec '" + spec_text_ + "': " + class_name_ +
                       " has no act(obs) method");
    }
    inst.act = inst.object.attr("act");
    inst.act_batch = py::getattr(inst.object, "act_batch", py::none());
    inst.reset = py::getattr(inst.object, "reset", py::none());
    return inst;
  }

  Instance& instance(int slot) {
    return per_slot_ ? instances_.at(static_cast<std::size_t>(slot)) : instances_.front();
  }

  void read_requirements(const py::object& obj) {
    try {
      const py::object cams = py::getattr(obj, "cameras", py::list());
      // A string is iterable too: "agentview" would be read as nine cameras.
      if (py::isinstance<py::str>(cams) || py::isinstance<py::bytes>(cams)) throw py::cast_error();
      for (const auto& c : cams) requirements_.cameras.push_back(c.cast<std::string>());
      const py::object size = py::getattr(obj, "image_size", py::none());
      if (!size.is_none()) {
        const auto wh = size.cast<std::pair<int, int>>();
        if (wh.first < 1 || wh.second < 1 || wh.first > 4096 || wh.second > 4096) {
          throw InputError("policy spec '" + spec_text_ + "': " + class_name_ + ".image_size (" +
                           std::to_string(wh.first) + ", " + std::to_string(wh.second) +
                           ") is not a (width, height) pair in 1..4096");
        }
        requirements_.image_width = wh.first;
        requirements_.image_height = wh.second;
      }
    } catch (const py::cast_error&) {
      throw InputError(
          "policy spec '" + spec_text_ + "': " + class_name_ +
          ".cameras must be a list of camera names (not one string) and image_size a (width, "
          "height) pair");
    }
  }

  static std::string describe(const py::handle& h) {
    std::string s = py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>();
    if (py::hasattr(h, "shape")) s += " of shape " + py::str(h.attr("shape")).cast<std::string>();
    return s;
  }

  void to_chunk(const py::handle& r, const std::string& what, ActionChunk& out) const {
    using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
    FloatArray a = FloatArray::ensure(r);
    if (!a || a.ndim() < 1 || a.ndim() > 2) {
      out.error = what + " returned " + describe(r) + "; expected an array of shape (" +
                  std::to_string(space_.dim) + ",) or (H, " + std::to_string(space_.dim) + ")";
      return;
    }
    const int h = a.ndim() == 1 ? 1 : static_cast<int>(a.shape(0));
    const int d = static_cast<int>(a.ndim() == 1 ? a.shape(0) : a.shape(1));
    out.resize(h, d);  // the runner names a wrong dimension
    std::copy(a.data(), a.data() + a.size(), out.values.begin());
  }

  // Images and proprio are read-only views of the Observation's buffers (no
  // copy); they are valid during the call only.
  py::dict obs_dict(int slot, const Observation& o) {
    // The arrays' base object; leaked on purpose so that no Python object is
    // released at process exit without the GIL.
    static const py::handle owner_is_gauntlet =
        py::capsule(reinterpret_cast<void*>(&ensure_interpreter), "gauntlet.buffer").release();
    py::dict images;
    for (const auto& cam : o.cameras) {
      const Image& img = cam.image;
      py::array view(py::dtype::of<std::uint8_t>(), {img.height, img.width, 3},
                     {static_cast<py::ssize_t>(img.width) * 3, static_cast<py::ssize_t>(3),
                      static_cast<py::ssize_t>(1)},
                     img.rgb.data(), owner_is_gauntlet);
      view.attr("setflags")(py::arg("write") = false);
      images[py::str(cam.name)] = view;
    }
    py::array proprio(py::dtype::of<float>(), {static_cast<py::ssize_t>(o.proprio.size())},
                      {static_cast<py::ssize_t>(sizeof(float))}, o.proprio.data(),
                      owner_is_gauntlet);
    proprio.attr("setflags")(py::arg("write") = false);
    if (o.proprio_names != names_source_ || !names_) {
      py::list names;
      if (o.proprio_names) {
        for (const auto& n : *o.proprio_names) names.append(n);
      }
      names_ = py::tuple(names);
      names_source_ = o.proprio_names;
    }
    py::dict d;
    d[keys_[0]] = images;
    d[keys_[1]] = proprio;
    d[keys_[2]] = names_;
    d[keys_[3]] = instruction_.at(static_cast<std::size_t>(slot));
    d[keys_[4]] = o.step;
    d[keys_[5]] = slot;
    return d;
  }

  std::string spec_text_;
  std::string module_name_;
  std::string class_name_;
  std::map<std::string, std::string> kwargs_;
  bool per_slot_ = false;
  py::module_ module_;
  py::object cls_;
  std::vector<Instance> instances_;
  std::vector<py::str> instruction_;
  std::vector<py::str> keys_;
  py::object names_;
  const std::vector<std::string>* names_source_ = nullptr;
  PolicyRequirements requirements_;
  ActionSpace space_ = ee_delta_action_space();
  std::string identity_;
};

}  // namespace

std::unique_ptr<Policy> make_python_policy(const PolicySpec& spec) {
  return std::make_unique<PythonPolicy>(spec);
}

std::string run_embedded_python(const std::string& code) {
  ensure_interpreter();
  py::gil_scoped_acquire gil;
  py::dict scope = py::globals();
  try {
    py::exec(code, scope);
  } catch (const py::error_already_set& e) {
    throw std::runtime_error(format_exception(e));
  }
  return scope.contains("result") ? py::str(scope["result"]).cast<std::string>() : std::string();
}

}  // namespace gauntlet::adapters
