#include "adapters/torchscript/model_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "harness/errors.hpp"

namespace gauntlet::adapters {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

bool parse_index(const std::string& key, int& out) {
  const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), out);
  return ec == std::errc() && ptr == key.data() + key.size() && out >= 0;
}

}  // namespace

std::string HostTensor::describe() const {
  const char* name = dtype == DType::kFloat32 ? "float32"
                     : dtype == DType::kUInt8 ? "uint8"
                                              : "int64";
  return name + shape_text(shape);
}

InputPacker::InputPacker(const TorchscriptConfig& config) : config_(config) {
  tensors_.resize(config_.inputs.size());
  luts_.resize(config_.inputs.size());
  state_index_.resize(config_.inputs.size());
  for (std::size_t i = 0; i < config_.inputs.size(); ++i) {
    const ModelInput& in = config_.inputs[i];
    HostTensor& t = tensors_[i];
    switch (in.kind) {
      case ModelInput::Kind::kImage: {
        const ImageInput& im = in.image;
        t.dtype = im.uint8 ? HostTensor::DType::kUInt8 : HostTensor::DType::kFloat32;
        const auto c = static_cast<std::int64_t>(3 * im.cameras.size());
        t.shape = im.nhwc ? std::vector<std::int64_t>{0, im.height, im.width, c}
                          : std::vector<std::int64_t>{0, c, im.height, im.width};
        // Exactly ((x / pixel_scale) - mean) / std in float32, tabulated per byte
        // value: as fast as a copy, and bit-identical to the same numpy expression.
        for (int k = 0; k < 3; ++k) {
          const float mean = im.mean.empty() ? 0.0f : im.mean[static_cast<std::size_t>(k)];
          const float sd = im.std.empty() ? 1.0f : im.std[static_cast<std::size_t>(k)];
          for (int x = 0; x < 256; ++x) {
            const float v = static_cast<float>(x) / im.pixel_scale;
            luts_[i][static_cast<std::size_t>(k)][static_cast<std::size_t>(x)] = (v - mean) / sd;
          }
        }
        break;
      }
      case ModelInput::Kind::kState:
        t.dtype = HostTensor::DType::kFloat32;
        t.shape = {0, static_cast<std::int64_t>(in.state.keys.size())};
        break;
      case ModelInput::Kind::kInstruction:
        if (in.instruction.tokens) {
          t.dtype = HostTensor::DType::kInt64;
          t.shape = {0, in.instruction.length};
        } else {
          t.dtype = HostTensor::DType::kFloat32;
          t.shape = {0, in.instruction.embedding_dim};
        }
        break;
      case ModelInput::Kind::kSeed:
        t.dtype = HostTensor::DType::kInt64;
        t.shape = {0, 2};
        break;
    }
  }
}

void InputPacker::prepare(int slots) {
  seeds_.assign(static_cast<std::size_t>(slots), 0);
  tokens_.assign(static_cast<std::size_t>(slots), {});
  embedding_.assign(static_cast<std::size_t>(slots), nullptr);
  for (std::size_t i = 0; i < config_.inputs.size(); ++i) {
    const ModelInput& in = config_.inputs[i];
    if (in.kind != ModelInput::Kind::kInstruction) continue;
    for (int s = 0; s < slots; ++s) set_instruction(s, "");
    break;
  }
}

void InputPacker::set_seed(int slot, std::uint64_t seed) {
  seeds_.at(static_cast<std::size_t>(slot)) = seed;
}

void InputPacker::set_instruction(int slot, const std::string& instruction) {
  const auto s = static_cast<std::size_t>(slot);
  for (const ModelInput& in : config_.inputs) {
    if (in.kind != ModelInput::Kind::kInstruction) continue;
    const InstructionInput& ins = in.instruction;
    if (ins.tokens) {
      std::vector<std::int64_t>& ids = tokens_.at(s);
      ids.assign(static_cast<std::size_t>(ins.length), ins.pad_id);
      std::size_t n = 0;
      for (const auto& word : split_instruction(instruction, ins.lowercase)) {
        if (n == ids.size()) break;
        const auto it = ins.vocab.find(word);
        ids[n++] = it == ins.vocab.end() ? ins.unknown_id : it->second;
      }
    } else {
      auto it = ins.embeddings.find(instruction);
      if (it == ins.embeddings.end()) it = ins.embeddings.find("*");
      if (it == ins.embeddings.end()) {
        if (instruction.empty()) {
          embedding_.at(s) = &ins.embeddings.begin()->second;  // load-time dummy batch
          continue;
        }
        throw std::runtime_error("the instruction embedding file of " + config_.file.string() +
                                 " has no entry for \"" + instruction +
                                 "\" (and no \"*\" fallback)");
      }
      embedding_.at(s) = &it->second;
    }
  }
}

void InputPacker::set_batch(int batch) {
  for (HostTensor& t : tensors_) {
    t.shape[0] = batch;
    std::size_t n = 1;
    for (const auto d : t.shape) n *= static_cast<std::size_t>(d);
    switch (t.dtype) {
      case HostTensor::DType::kFloat32:
        t.f32.resize(n);
        break;
      case HostTensor::DType::kUInt8:
        t.u8.resize(n);
        break;
      case HostTensor::DType::kInt64:
        t.i64.resize(n);
        break;
    }
  }
}

void InputPacker::pack_dummy(int batch) {
  set_batch(batch);
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    HostTensor& t = tensors_[i];
    std::fill(t.f32.begin(), t.f32.end(), 0.0f);
    std::fill(t.u8.begin(), t.u8.end(), std::uint8_t{0});
    const ModelInput& in = config_.inputs[i];
    if (in.kind == ModelInput::Kind::kInstruction) {
      const auto row = static_cast<std::size_t>(t.shape[1]);
      for (int b = 0; b < batch; ++b) {
        const auto s = static_cast<std::size_t>(b) % std::max<std::size_t>(tokens_.size(), 1);
        if (in.instruction.tokens) {
          std::fill_n(t.i64.begin() + static_cast<std::ptrdiff_t>(b * row), row,
                      in.instruction.pad_id);
        } else {
          const std::vector<float>& e = s < embedding_.size() && embedding_[s]
                                            ? *embedding_[s]
                                            : in.instruction.embeddings.begin()->second;
          std::copy(e.begin(), e.end(), t.f32.begin() + static_cast<std::ptrdiff_t>(b * row));
        }
      }
    }
  }
}

void InputPacker::pack(std::span<const int> slots, std::span<const Observation* const> obs) {
  set_batch(static_cast<int>(obs.size()));
  for (std::size_t i = 0; i < config_.inputs.size(); ++i) {
    const ModelInput& in = config_.inputs[i];
    HostTensor& t = tensors_[i];
    for (std::size_t b = 0; b < obs.size(); ++b) {
      switch (in.kind) {
        case ModelInput::Kind::kImage:
          pack_image(i, static_cast<int>(b), *obs[b]);
          break;
        case ModelInput::Kind::kState:
          pack_state(i, static_cast<int>(b), *obs[b]);
          break;
        case ModelInput::Kind::kInstruction: {
          const auto s = static_cast<std::size_t>(slots[b]);
          const auto row = static_cast<std::size_t>(t.shape[1]);
          if (in.instruction.tokens) {
            std::copy(tokens_.at(s).begin(), tokens_.at(s).end(),
                      t.i64.begin() + static_cast<std::ptrdiff_t>(b * row));
          } else {
            const std::vector<float>& e = *embedding_.at(s);
            std::copy(e.begin(), e.end(), t.f32.begin() + static_cast<std::ptrdiff_t>(b * row));
          }
          break;
        }
        case ModelInput::Kind::kSeed: {
          const std::uint64_t seed = seeds_.at(static_cast<std::size_t>(slots[b]));
          std::int64_t as_signed = 0;
          std::memcpy(&as_signed, &seed,
                      sizeof seed);  // the same 64 bits, as torch.int64 holds them
          t.i64[2 * b] = as_signed;
          t.i64[2 * b + 1] = obs[b]->step;
          break;
        }
      }
    }
  }
}

void InputPacker::pack_image(std::size_t input, int b, const Observation& obs) {
  const ImageInput& im = config_.inputs[input].image;
  HostTensor& t = tensors_[input];
  const auto& lut = luts_[input];
  const auto w = static_cast<std::size_t>(im.width);
  const auto h = static_cast<std::size_t>(im.height);
  const std::size_t plane = w * h;
  const std::size_t channels = 3 * im.cameras.size();
  const std::size_t item = channels * plane;
  for (std::size_t c = 0; c < im.cameras.size(); ++c) {
    const Image* img = obs.camera(im.cameras[c]);
    if (!img) {
      throw std::runtime_error("the observation has no camera '" + im.cameras[c] + "' (" +
                               config_.inputs[input].name + " of " + config_.file.string() + ")");
    }
    const std::uint8_t* px = img->rgb.data();
    if (img->width != im.width || img->height != im.height) {
      const int rw = im.render_width > 0 ? im.render_width : im.width;
      const int rh = im.render_width > 0 ? im.render_height : im.height;
      if (img->width != rw || img->height != rh) {
        throw std::runtime_error("camera '" + im.cameras[c] + "' is " + std::to_string(img->width) +
                                 "x" + std::to_string(img->height) + ", " +
                                 config_.inputs[input].name + " of " + config_.file.string() +
                                 " expects " + std::to_string(rw) + "x" + std::to_string(rh));
      }
      resize_bilinear(*img, im.width, im.height, resized_);
      px = resized_.data();
    }
    for (std::size_t k = 0; k < 3; ++k) {
      const std::size_t src_k = im.bgr ? 2 - k : k;
      const std::size_t ch = 3 * c + k;
      if (im.uint8) {
        std::uint8_t* dst = t.u8.data() + static_cast<std::size_t>(b) * item;
        for (std::size_t p = 0; p < plane; ++p) {
          dst[im.nhwc ? p * channels + ch : ch * plane + p] = px[3 * p + src_k];
        }
      } else {
        float* dst = t.f32.data() + static_cast<std::size_t>(b) * item;
        const auto& table = lut[k];
        if (im.nhwc) {
          for (std::size_t p = 0; p < plane; ++p) dst[p * channels + ch] = table[px[3 * p + src_k]];
        } else {
          float* out = dst + ch * plane;
          for (std::size_t p = 0; p < plane; ++p) out[p] = table[px[3 * p + src_k]];
        }
      }
    }
  }
}

void InputPacker::pack_state(std::size_t input, int b, const Observation& obs) {
  const StateInput& st = config_.inputs[input].state;
  std::vector<int>& idx = state_index_[input];
  if (!resolved_ || resolved_for_ != obs.proprio_names) {
    // Resolve names against this Env's layout (the same for every worker of a suite).
    for (std::size_t i = 0; i < config_.inputs.size(); ++i) {
      if (config_.inputs[i].kind != ModelInput::Kind::kState) continue;
      std::vector<int>& out = state_index_[i];
      out.clear();
      for (const auto& key : config_.inputs[i].state.keys) {
        int index = -1;
        if (obs.proprio_names) {
          const auto& names = *obs.proprio_names;
          const auto it = std::find(names.begin(), names.end(), key);
          if (it != names.end()) index = static_cast<int>(it - names.begin());
        }
        if (index < 0 && !parse_index(key, index)) {
          std::string valid =
              obs.proprio_names ? join_names(*obs.proprio_names) : std::string("(no names)");
          throw std::runtime_error(config_.file.string() + ": " + config_.inputs[i].name +
                                   ": no proprio entry '" + key +
                                   "'; this suite's entries are: " + valid);
        }
        out.push_back(index);
      }
    }
    resolved_for_ = obs.proprio_names;
    resolved_ = true;
  }
  float* dst = tensors_[input].f32.data() + static_cast<std::size_t>(b) * idx.size();
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const auto j = static_cast<std::size_t>(idx[k]);
    if (j >= obs.proprio.size()) {
      throw std::runtime_error(config_.file.string() + ": " + config_.inputs[input].name +
                               ": proprio index " + std::to_string(j) +
                               " is out of range (the observation has " +
                               std::to_string(obs.proprio.size()) + " entries)");
    }
    const float mean = st.mean.empty() ? 0.0f : st.mean[k];
    const float sd = st.std.empty() ? 1.0f : st.std[k];
    dst[k] = (obs.proprio[j] - mean) / sd;
  }
}

OutputMapper::OutputMapper(const OutputMapping& mapping, const ActionSpace& space,
                           const std::string& where)
    : m_(mapping), action_dim_(space.dim) {
  if (m_.indices.empty()) {
    if (m_.dim != space.dim) {
      throw InputError(where + ": outputs.dim is " + std::to_string(m_.dim) +
                       " but the suite's action space (" + to_string(space.kind) + ") has " +
                       std::to_string(space.dim) + " components; add outputs.indices to map them");
    }
    for (int k = 0; k < space.dim; ++k) m_.indices.push_back(k);
  } else if (static_cast<int>(m_.indices.size()) != space.dim) {
    throw InputError(where + ": outputs.indices has " + std::to_string(m_.indices.size()) +
                     " entries, the action space has " + std::to_string(space.dim));
  }
  if (!m_.scale.empty() && static_cast<int>(m_.scale.size()) != space.dim) {
    throw InputError(where + ": outputs.scale has " + std::to_string(m_.scale.size()) +
                     " entries, the action space has " + std::to_string(space.dim));
  }
  gripper_index_ = m_.gripper_index >= 0 ? m_.gripper_index : space.dim - 1;
  if (gripper_index_ >= space.dim)
    throw InputError(where + ": outputs.gripper.index is out of range");
}

void OutputMapper::map(const float* y, ActionChunk& out) const {
  out.resize(m_.chunk, action_dim_);
  const auto d = static_cast<std::size_t>(m_.dim);
  for (int h = 0; h < m_.chunk; ++h) {
    const float* row = y + static_cast<std::size_t>(h) * d;
    std::span<float> a = out.action(h);
    for (int k = 0; k < action_dim_; ++k) {
      const int j = m_.indices[static_cast<std::size_t>(k)];
      float v = 0.0f;
      if (j >= 0) {
        const auto u = static_cast<std::size_t>(j);
        v = row[u];
        if (!m_.mean.empty()) {
          v = v * m_.std[u] + m_.mean[u];
        } else if (!m_.low.empty()) {
          v = m_.low[u] + (v + 1.0f) * 0.5f * (m_.high[u] - m_.low[u]);
        }
      }
      if (!m_.scale.empty()) v *= m_.scale[static_cast<std::size_t>(k)];
      a[static_cast<std::size_t>(k)] = v;
    }
    if (m_.gripper_convert) {
      float& g = a[static_cast<std::size_t>(gripper_index_)];
      g = -1.0f + 2.0f * (g - m_.gripper_open) / (m_.gripper_closed - m_.gripper_open);
      if (m_.gripper_binarize) g = g >= 0.0f ? 1.0f : -1.0f;
    }
  }
}

std::string check_output_shape(const std::vector<std::int64_t>& shape, int batch, int chunk,
                               int dim) {
  const bool ok =
      (shape.size() == 3 && shape[0] == batch && shape[1] == chunk && shape[2] == dim) ||
      (shape.size() == 2 && shape[0] == batch &&
       shape[1] == static_cast<std::int64_t>(chunk) * dim);
  if (ok) return {};
  std::string expected = "[" + std::to_string(batch) + ", " + std::to_string(chunk) + ", " +
                         std::to_string(dim) + "] or [" + std::to_string(batch) + ", " +
                         std::to_string(chunk * dim) + "]";
  return "output shape " + shape_text(shape) + " does not match outputs: chunk " +
         std::to_string(chunk) + " x dim " + std::to_string(dim) + " (expected " + expected +
         " for a batch of " + std::to_string(batch) + ")";
}

}  // namespace gauntlet::adapters
