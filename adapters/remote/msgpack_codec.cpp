#include "adapters/remote/msgpack_codec.hpp"

#define MSGPACK_NO_BOOST
#include <msgpack.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace gauntlet::adapters {
namespace {

// Bounds on what is decoded from the network: nesting depth, and the length
// of a rendering of a message (metadata, error texts).
constexpr std::size_t kMaxDepth = 32;
constexpr std::size_t kMaxDescribe = 4096;

void describe_bounded(const msgpack::object& root, std::string& out);
void append_escaped(std::string& out, const char* p, std::size_t n);

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
    const std::string dt = as_string(*dtype);
    const char* bytes = data->type == msgpack::type::BIN ? data->via.bin.ptr : data->via.str.ptr;
    const std::size_t size =
        data->type == msgpack::type::BIN ? data->via.bin.size : data->via.str.size;
    std::size_t item = 0;
    if (dt == "<f4" || dt == "<i4")
      item = 4;
    else if (dt == "<f8" || dt == "<i8")
      item = 8;
    else if (dt == "|u1")
      item = 1;
    // Check the shape against the data before allocating: a shape of
    // [3, 2^62], [NaN, 7] or [1e10] over 28 bytes is the server's mistake.
    shape.clear();
    std::size_t n = 1;
    const auto shape_text = [&] {
      std::string t;
      describe_bounded(*shp, t);
      return t;
    };
    if (shp->via.array.size > 8) {
      throw std::runtime_error("ndarray shape " + shape_text() + " has over 8 dimensions");
    }
    for (std::uint32_t i = 0; i < shp->via.array.size; ++i) {
      const msgpack::object& d = shp->via.array.ptr[i];
      if (d.type != msgpack::type::POSITIVE_INTEGER) {
        throw std::runtime_error("ndarray shape " + shape_text() +
                                 " holds something other than non-negative integers");
      }
      const std::uint64_t dim = d.via.u64;
      // n * dim elements must fit in `size` bytes (any item is at least 1 byte).
      if (dim != 0 && n > size / dim) {
        throw std::runtime_error("ndarray shape " + shape_text() + " does not fit its " +
                                 std::to_string(size) + " data bytes");
      }
      n *= static_cast<std::size_t>(dim);
      shape.push_back(static_cast<std::int64_t>(dim));
    }
    if (item != 0 && n * item != size) {
      throw std::runtime_error("ndarray of dtype " + dt + " and shape " + shape_text() + " needs " +
                               std::to_string(n * item) + " data bytes, has " +
                               std::to_string(size));
    }
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
      std::string shown;
      append_escaped(shown, dt.data(), std::min<std::size_t>(dt.size(), 16));
      throw std::runtime_error("unsupported ndarray dtype '" + shown +
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

// Appends `text` with control characters escaped (they would reach the terminal).
void append_escaped(std::string& out, const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n && out.size() <= kMaxDescribe; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
}

// A readable rendering, iterative (no recursion however deep the message) and
// cut at kMaxDescribe characters.
void describe_bounded(const msgpack::object& root, std::string& out) {
  // Work items: an object to render, or literal text to append.
  struct Item {
    const msgpack::object* obj;
    const char* text;
  };
  std::vector<Item> stack{{&root, nullptr}};
  const std::size_t start = out.size();
  while (!stack.empty()) {
    if (out.size() - start > kMaxDescribe) {
      out += "...";
      return;
    }
    const Item it = stack.back();
    stack.pop_back();
    if (it.text) {
      out += it.text;
      continue;
    }
    const msgpack::object& o = *it.obj;
    switch (o.type) {
      case msgpack::type::MAP: {
        if (find(o, "__ndarray__")) {
          const msgpack::object* dtype = find(o, "dtype");
          const msgpack::object* shape = find(o, "shape");
          out += "ndarray(";
          if (dtype && (dtype->type == msgpack::type::STR || dtype->type == msgpack::type::BIN)) {
            const std::string dt = as_string(*dtype);
            append_escaped(out, dt.data(), dt.size());
          } else {
            out += "?";
          }
          out += ", ";
          stack.push_back({nullptr, ")"});
          if (shape) stack.push_back({shape, nullptr});
          break;
        }
        out += "{";
        stack.push_back({nullptr, "}"});
        for (std::uint32_t i = o.via.map.size; i-- > 0;) {
          stack.push_back({&o.via.map.ptr[i].val, nullptr});
          stack.push_back({nullptr, ": "});
          stack.push_back({&o.via.map.ptr[i].key, nullptr});
          if (i) stack.push_back({nullptr, ", "});
        }
        break;
      }
      case msgpack::type::ARRAY:
        out += "[";
        stack.push_back({nullptr, "]"});
        for (std::uint32_t i = o.via.array.size; i-- > 0;) {
          stack.push_back({&o.via.array.ptr[i], nullptr});
          if (i) stack.push_back({nullptr, ", "});
        }
        break;
      case msgpack::type::STR:
        out += "\"";
        append_escaped(out, o.via.str.ptr, o.via.str.size);
        out += "\"";
        break;
      case msgpack::type::BIN:
        out += "b\"";
        append_escaped(out, o.via.bin.ptr, o.via.bin.size);
        out += "\"";
        break;
      case msgpack::type::NIL:
        out += "null";
        break;
      case msgpack::type::BOOLEAN:
        out += o.via.boolean ? "true" : "false";
        break;
      case msgpack::type::POSITIVE_INTEGER:
        out += std::to_string(o.via.u64);
        break;
      case msgpack::type::NEGATIVE_INTEGER:
        out += std::to_string(o.via.i64);
        break;
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", o.via.f64);
        out += buf;
        break;
      }
      default:
        out += "?";
        break;
    }
  }
}

msgpack::object_handle unpack(const std::string& payload) {
  std::size_t offset = 0;
  msgpack::object_handle oh;
  try {
    // Every element takes at least one byte of the payload (a map entry two),
    // so no count may exceed it; nesting is bounded at kMaxDepth.
    const std::size_t n = payload.size();
    const msgpack::unpack_limit limit(n, n / 2, n, n, n, kMaxDepth);
    oh = msgpack::unpack(payload.data(), payload.size(), offset, nullptr, nullptr, limit);
  } catch (const msgpack::depth_size_overflow&) {
    throw std::runtime_error("the message nests deeper than " + std::to_string(kMaxDepth) +
                             " levels");
  } catch (const msgpack::size_overflow& e) {
    throw std::runtime_error(std::string("the message claims more elements than it has bytes (") +
                             e.what() + ")");
  } catch (const msgpack::unpack_error& e) {
    throw std::runtime_error(std::string("the message is not valid msgpack: ") + e.what());
  } catch (const std::bad_alloc&) {
    throw std::runtime_error("the message is not valid msgpack (it claims too much memory)");
  }
  if (offset != payload.size()) {
    throw std::runtime_error(
        "the message is not valid msgpack: " + std::to_string(payload.size() - offset) +
        " bytes after the first object");
  }
  return oh;
}

}  // namespace

void encode_request(const Observation& obs, const std::string& prompt, std::uint64_t seed,
                    const RemoteKeys& keys, std::string& out) {
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
      describe_bounded(root.via.map.ptr[i].key, keys);
      if (keys.size() > kMaxDescribe) break;
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
  if (r.horizon < 1 || r.dim < 1) {
    throw std::runtime_error("reply 'actions' has shape (" + std::to_string(r.horizon) + ", " +
                             std::to_string(r.dim) + "): no actions");
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
  describe_bounded(oh.get(), out);
  return out;
}

}  // namespace gauntlet::adapters
