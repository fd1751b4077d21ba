#include "adapters/remote/msgpack_codec.hpp"

#define MSGPACK_NO_BOOST
#include <msgpack.hpp>

#include <cstring>
#include <stdexcept>

namespace gauntlet::adapters {
namespace {

struct StringWriter {
  std::string* out;
  void write(const char* p, std::size_t n) { out->append(p, n); }
};
using Packer = msgpack::packer<StringWriter>;

void pack_key(Packer& pk, const std::string& s) {
  pk.pack_str(static_cast<std::uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

// numpy's bytes keys pack as msgpack bin (openpi_client.msgpack_numpy).
void pack_bin_key(Packer& pk, const char* s) {
  const auto n = static_cast<std::uint32_t>(std::strlen(s));
  pk.pack_bin(n);
  pk.pack_bin_body(s, n);
}

void pack_ndarray(Packer& pk, const void* data, std::size_t bytes, const char* dtype,
                  const std::vector<std::uint32_t>& shape) {
  pk.pack_map(4);
  pack_bin_key(pk, "__ndarray__");
  pk.pack_true();
  pack_bin_key(pk, "data");
  pk.pack_bin(static_cast<std::uint32_t>(bytes));
  pk.pack_bin_body(static_cast<const char*>(data), static_cast<std::uint32_t>(bytes));
  pack_bin_key(pk, "dtype");
  pack_key(pk, dtype);
  pack_bin_key(pk, "shape");
  pk.pack_array(static_cast<std::uint32_t>(shape.size()));
  for (const auto d : shape) pk.pack(d);
}

int count_keys(const RemoteKeys& keys) {
  return !keys.image.empty() + !keys.wrist_image.empty() + !keys.state.empty() +
         !keys.prompt.empty() + !keys.seed.empty();
}

bool key_is(const msgpack::object& k, const char* name) {
  const std::size_t n = std::strlen(name);
  if (k.type == msgpack::type::STR)
    return k.via.str.size == n && std::memcmp(k.via.str.ptr, name, n) == 0;
  if (k.type == msgpack::type::BIN)
    return k.via.bin.size == n && std::memcmp(k.via.bin.ptr, name, n) == 0;
  return false;
}

const msgpack::object* find(const msgpack::object& map, const char* key) {
  if (map.type != msgpack::type::MAP) return nullptr;
  for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
    if (key_is(map.via.map.ptr[i].key, key)) return &map.via.map.ptr[i].val;
  }
  return nullptr;
}

std::string as_string(const msgpack::object& o) {
  if (o.type == msgpack::type::STR) return std::string(o.via.str.ptr, o.via.str.size);
  if (o.type == msgpack::type::BIN) return std::string(o.via.bin.ptr, o.via.bin.size);
  throw std::runtime_error("expected a string");
}

double as_number(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::POSITIVE_INTEGER:
      return static_cast<double>(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
      return static_cast<double>(o.via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return o.via.f64;
    case msgpack::type::BOOLEAN:
      return o.via.boolean ? 1.0 : 0.0;
    default:
      throw std::runtime_error("expected a number");
  }
}

// An ndarray map, or nested lists of numbers, as (shape, float values).
void read_array(const msgpack::object& o, std::vector<std::int64_t>& shape,
                std::vector<float>& values) {
  if (o.type == msgpack::type::MAP && find(o, "__ndarray__")) {
    const msgpack::object* data = find(o, "data");
    const msgpack::object* dtype = find(o, "dtype");
    const msgpack::object* shp = find(o, "shape");
    if (!data || !dtype || !shp || shp->type != msgpack::type::ARRAY ||
        (data->type != msgpack::type::BIN && data->type != msgpack::type::STR)) {
      throw std::runtime_error("an __ndarray__ map needs data (bytes), dtype and shape");
    }
    shape.clear();
    std::size_t n = 1;
    for (std::uint32_t i = 0; i < shp->via.array.size; ++i) {
      shape.push_back(static_cast<std::int64_t>(as_number(shp->via.array.ptr[i])));
      n *= static_cast<std::size_t>(shape.back());
    }
    const std::string dt = as_string(*dtype);
    const char* bytes = data->type == msgpack::type::BIN ? data->via.bin.ptr : data->via.str.ptr;
    const std::size_t size =
        data->type == msgpack::type::BIN ? data->via.bin.size : data->via.str.size;
    values.resize(n);
    const auto convert = [&](auto tag) {
      using T = decltype(tag);
      if (size != n * sizeof(T)) {
        throw std::runtime_error("ndarray of dtype " + dt + " and " + std::to_string(n) +
                                 " elements has " + std::to_string(size) + " data bytes");
      }
      for (std::size_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, bytes + i * sizeof(T), sizeof(T));
        values[i] = static_cast<float>(v);
      }
    };
    // Little-endian hosts only, as numpy's "<" (and "|" for bytes) says.
    if (dt == "<f4") {
      convert(float{});
    } else if (dt == "<f8") {
      convert(double{});
    } else if (dt == "<i4") {
      convert(std::int32_t{});
    } else if (dt == "<i8") {
      convert(std::int64_t{});
    } else if (dt == "|u1") {
      convert(std::uint8_t{});
    } else {
      throw std::runtime_error("unsupported ndarray dtype '" + dt +
                               "' (expected <f4, <f8, <i4, <i8 or |u1)");
    }
    return;
  }
  if (o.type == msgpack::type::ARRAY) {
    shape.assign(1, o.via.array.size);
    values.clear();
    bool nested = false;
    for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
      const msgpack::object& e = o.via.array.ptr[i];
      if (e.type == msgpack::type::ARRAY) {
        if (i == 0) {
          nested = true;
          shape.push_back(e.via.array.size);
        }
        if (!nested || e.via.array.size != shape[1])
          throw std::runtime_error("a ragged list of actions");
        for (std::uint32_t j = 0; j < e.via.array.size; ++j)
          values.push_back(static_cast<float>(as_number(e.via.array.ptr[j])));
      } else {
        if (nested) throw std::runtime_error("a ragged list of actions");
        values.push_back(static_cast<float>(as_number(e)));
      }
    }
    return;
  }
  throw std::runtime_error("expected an ndarray map or a list of numbers");
}

void describe(const msgpack::object& o, std::string& out) {
  switch (o.type) {
    case msgpack::type::MAP: {
      if (find(o, "__ndarray__")) {
        const msgpack::object* dtype = find(o, "dtype");
        const msgpack::object* shape = find(o, "shape");
        out += "ndarray(" + (dtype ? as_string(*dtype) : std::string("?")) + ", ";
        if (shape) describe(*shape, out);
        out += ")";
        return;
      }
      out += "{";
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        if (i) out += ", ";
        describe(o.via.map.ptr[i].key, out);
        out += ": ";
        describe(o.via.map.ptr[i].val, out);
      }
      out += "}";
      return;
    }
    case msgpack::type::ARRAY:
      out += "[";
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        if (i) out += ", ";
        describe(o.via.array.ptr[i], out);
      }
      out += "]";
      return;
    case msgpack::type::STR:
      out += "\"" + std::string(o.via.str.ptr, o.via.str.size) + "\"";
      return;
    case msgpack::type::BIN:
      out += "b\"" + std::string(o.via.bin.ptr, o.via.bin.size) + "\"";
      return;
    case msgpack::type::NIL:
      out += "null";
      return;
    case msgpack::type::BOOLEAN:
      out += o.via.boolean ? "true" : "false";
      return;
    case msgpack::type::POSITIVE_INTEGER:
      out += std::to_string(o.via.u64);
      return;
    case msgpack::type::NEGATIVE_INTEGER:
      out += std::to_string(o.via.i64);
      return;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", o.via.f64);
      out += buf;
      return;
    }
    default:
      out += "?";
      return;
  }
}

msgpack::object_handle unpack(const std::string& payload) {
  std::size_t offset = 0;
  msgpack::object_handle oh;
  try {
    oh = msgpack::unpack(payload.data(), payload.size(), offset);
  } catch (const msgpack::unpack_error& e) {
    throw std::runtime_error(std::string("the message is not valid msgpack: ") + e.what());
  }
  if (offset != payload.size()) {
    throw std::runtime_error(
        "the message is not valid msgpack: " + std::to_string(payload.size() - offset) +
        " bytes after the first object");
  }
  return oh;
}

}  // namespace

void encode_request(const Observation& obs, const std::string& prompt, std::uint64_t seed, const RemoteKeys& keys,
                    std::string& out) {
  out.clear();
  StringWriter w{&out};
  Packer pk(w);
  pk.pack_map(static_cast<std::uint32_t>(count_keys(keys)));
  const auto image = [&](const std::string& key, const std::string& camera) {
    if (key.empty()) return;
    const Image* img = obs.camera(camera);
    if (!img)
      throw std::runtime_error("the observation has no camera '" + camera + "' for key '" + key +
                               "'");
    pack_key(pk, key);
    pack_ndarray(
        pk, img->rgb.data(), img->rgb.size(), "|u1",
        {static_cast<std::uint32_t>(img->height), static_cast<std::uint32_t>(img->width), 3u});
  };
  // Reserve once: images dominate; avoids reallocation while packing.
  std::size_t bytes = 256 + obs.proprio.size() * 4 + prompt.size();
  for (const auto& c : obs.cameras) bytes += c.image.rgb.size() + 64;
  out.reserve(bytes);
  image(keys.image, keys.image_camera);
  image(keys.wrist_image, keys.wrist_camera);
  if (!keys.state.empty()) {
    pack_key(pk, keys.state);
    pack_ndarray(pk, obs.proprio.data(), obs.proprio.size() * sizeof(float), "<f4",
                 {static_cast<std::uint32_t>(obs.proprio.size())});
  }
  if (!keys.prompt.empty()) {
    pack_key(pk, keys.prompt);
    pack_key(pk, prompt);
  }
  if (!keys.seed.empty()) {
    pack_key(pk, keys.seed);
    pk.pack_uint64(seed);
  }
}

void encode_probe(int width, int height, int state_dim, const RemoteKeys& keys, std::string& out) {
  Observation obs;
  for (const std::string* cam : {&keys.image_camera, &keys.wrist_camera}) {
    CameraFrame f;
    f.name = *cam;
    f.image.resize(width, height);
    obs.cameras.push_back(std::move(f));
  }
  obs.proprio.assign(static_cast<std::size_t>(state_dim), 0.0f);
  encode_request(obs, "", 0, keys, out);
}

RemoteReply decode_reply(const std::string& payload) {
  const msgpack::object_handle oh = unpack(payload);
  const msgpack::object& root = oh.get();
  if (root.type != msgpack::type::MAP) throw std::runtime_error("the reply is not a map");
  const msgpack::object* actions = find(root, "actions");
  if (!actions) {
    std::string keys;
    for (std::uint32_t i = 0; i < root.via.map.size; ++i) {
      keys += (keys.empty() ? "" : ", ");
      describe(root.via.map.ptr[i].key, keys);
    }
    throw std::runtime_error("the reply has no 'actions' (keys: " + keys + ")");
  }
  RemoteReply r;
  std::vector<std::int64_t> shape;
  try {
    read_array(*actions, shape, r.actions);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("reply 'actions': ") + e.what());
  }
  if (shape.size() == 1) {
    r.horizon = 1;
    r.dim = static_cast<int>(shape[0]);
  } else if (shape.size() == 2) {
    r.horizon = static_cast<int>(shape[0]);
    r.dim = static_cast<int>(shape[1]);
  } else {
    std::string s;
    for (const auto d : shape) s += (s.empty() ? "" : ", ") + std::to_string(d);
    throw std::runtime_error("reply 'actions' has shape (" + s +
                             "), expected (chunk, dim) or (dim,)");
  }
  if (const msgpack::object* timing = find(root, "server_timing")) {
    if (const msgpack::object* infer = find(*timing, "infer_ms")) {
      try {
        r.server_infer_ms = as_number(*infer);
      } catch (const std::runtime_error&) {
      }
    }
  }
  return r;
}

std::string describe_message(const std::string& payload) {
  const msgpack::object_handle oh = unpack(payload);
  std::string out;
  describe(oh.get(), out);
  return out;
}

}  // namespace gauntlet::adapters
