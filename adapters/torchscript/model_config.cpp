#include "adapters/torchscript/model_config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <set>
#include <string_view>

#include "harness/action.hpp"
#include "harness/errors.hpp"

namespace gauntlet::adapters {
namespace {

std::string read_text_file(const std::filesystem::path& path, const std::string& what) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError(what + " '" + path.string() + "': cannot open the file");
  std::string text;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

YAML::Node parse(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                     std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
}

// A mapping node with its file and dotted path, for "FILE:LINE: path: message".
class Fields {
 public:
  Fields(const YAML::Node& node, std::string file, std::string path)
      : node_(node), file_(std::move(file)), path_(std::move(path)) {
    if (!node_.IsMap()) fail(node_, "expected a mapping of fields");
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    const int line = at.Mark().line >= 0 ? at.Mark().line + 1 : node_.Mark().line + 1;
    throw InputError(file_ + ":" + std::to_string(std::max(line, 1)) + ": " +
                     (path_.empty() ? "" : path_ + ": ") + message);
  }
  [[noreturn]] void fail_key(const std::string& key, const std::string& message) const {
    fail(node_[key] ? node_[key] : node_, key + ": " + message);
  }

  bool has(const std::string& key) const { return static_cast<bool>(node_[key]); }
  YAML::Node get(const std::string& key) const {
    const YAML::Node n = node_[key];
    if (!n) fail(node_, "missing field '" + key + "'");
    return n;
  }
  Fields child(const std::string& key) const {
    return Fields(get(key), file_, path_.empty() ? key : path_ + "." + key);
  }
  std::string string(const std::string& key) const {
    const YAML::Node n = get(key);
    if (!n.IsScalar()) fail_key(key, "expected a string");
    return n.Scalar();
  }
  std::string string_or(const std::string& key, const std::string& fallback) const {
    return has(key) ? string(key) : fallback;
  }
  double number(const std::string& key) const {
    const YAML::Node n = get(key);
    try {
      if (n.IsScalar()) return n.as<double>();
    } catch (const YAML::Exception&) {
    }
    fail_key(key, "expected a number, got '" +
                      (n.IsScalar() ? n.Scalar() : std::string("a list or mapping")) + "'");
  }
  int integer(const std::string& key, int lo, int hi) const {
    const double v = number(key);
    if (v != std::floor(v) || v < lo || v > hi) {
      fail_key(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        "], got " + get(key).Scalar());
    }
    return static_cast<int>(v);
  }
  int integer_or(const std::string& key, int fallback, int lo, int hi) const {
    return has(key) ? integer(key, lo, hi) : fallback;
  }
  bool boolean_or(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    try {
      return get(key).as<bool>();
    } catch (const YAML::Exception&) {
      fail_key(key, "expected true or false");
    }
  }
  std::vector<double> numbers(const std::string& key) const {
    const YAML::Node n = get(key);
    if (!n.IsSequence()) fail_key(key, "expected a list of numbers");
    std::vector<double> out;
    for (const auto& v : n) {
      try {
        out.push_back(v.as<double>());
      } catch (const YAML::Exception&) {
        fail(v, key + ": expected a list of numbers, got '" +
                    (v.IsScalar() ? v.Scalar() : std::string("?")) + "'");
      }
    }
    return out;
  }
  std::vector<float> floats_or_empty(const std::string& key, std::size_t count,
                                     bool positive = false) const {
    if (!has(key)) return {};
    const std::vector<double> v = numbers(key);
    if (v.size() != count) {
      fail_key(key,
               "expected " + std::to_string(count) + " numbers, got " + std::to_string(v.size()));
    }
    std::vector<float> out;
    for (const double d : v) {
      if (!std::isfinite(d) || (positive && !(d > 0.0))) {
        fail_key(key,
                 positive ? "every value must be a positive number" : "every value must be finite");
      }
      out.push_back(static_cast<float>(d));
    }
    return out;
  }
  std::vector<std::string> strings(const std::string& key) const {
    const YAML::Node n = get(key);
    if (!n.IsSequence() || n.size() == 0) fail_key(key, "expected a non-empty list of names");
    std::vector<std::string> out;
    for (const auto& v : n) {
      if (!v.IsScalar()) fail(v, key + ": expected a list of names");
      out.push_back(v.Scalar());
    }
    return out;
  }
  std::pair<int, int> size(const std::string& key) const {
    const std::vector<double> v = numbers(key);
    if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096 ||
        v[0] != std::floor(v[0]) || v[1] != std::floor(v[1])) {
      fail_key(key, "expected [width, height] in pixels (1..4096)");
    }
    return {static_cast<int>(v[0]), static_cast<int>(v[1])};
  }
  void only_keys(std::initializer_list<std::string_view> allowed) const {
    for (const auto& kv : node_) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (const auto a : allowed) ok = ok || a == key;
      if (!ok) {
        std::string valid;
        for (const auto a : allowed) valid += (valid.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, "unknown field '" + key + "'; valid fields: " + valid);
      }
    }
  }
  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
};

std::filesystem::path resolve(const std::filesystem::path& config, const std::string& name) {
  const std::filesystem::path p(name);
  return p.is_absolute() ? p : config.parent_path() / p;
}

ImageInput parse_image(const Fields& f) {
  f.only_keys({"cameras", "size", "render", "layout", "channel_order", "dtype", "pixel_scale",
               "mean", "std"});
  ImageInput in;
  in.cameras = f.strings("cameras");
  std::tie(in.width, in.height) = f.size("size");
  if (f.has("render")) std::tie(in.render_width, in.render_height) = f.size("render");
  const std::string layout = f.string_or("layout", "nchw");
  if (layout != "nchw" && layout != "nhwc")
    f.fail_key("layout", "expected nchw or nhwc, got '" + layout + "'");
  in.nhwc = layout == "nhwc";
  const std::string order = f.string_or("channel_order", "rgb");
  if (order != "rgb" && order != "bgr")
    f.fail_key("channel_order", "expected rgb or bgr, got '" + order + "'");
  in.bgr = order == "bgr";
  const std::string dtype = f.string_or("dtype", "float32");
  if (dtype != "float32" && dtype != "uint8")
    f.fail_key("dtype", "expected float32 or uint8, got '" + dtype + "'");
  in.uint8 = dtype == "uint8";
  if (f.has("pixel_scale")) {
    const double s = f.number("pixel_scale");
    if (!(s > 0.0) || !std::isfinite(s))
      f.fail_key("pixel_scale", "expected a positive number (255: [0, 1] pixels)");
    in.pixel_scale = static_cast<float>(s);
  }
  in.mean = f.floats_or_empty("mean", 3);
  in.std = f.floats_or_empty("std", 3, true);
  if (in.uint8 && (f.has("pixel_scale") || !in.mean.empty() || !in.std.empty())) {
    f.fail(f.node(), "dtype uint8 passes raw bytes; pixel_scale, mean and std need dtype float32");
  }
  return in;
}

StateInput parse_state(const Fields& f) {
  f.only_keys({"keys", "mean", "std"});
  StateInput in;
  in.keys = f.strings("keys");
  in.mean = f.floats_or_empty("mean", in.keys.size());
  in.std = f.floats_or_empty("std", in.keys.size(), true);
  return in;
}

InstructionInput parse_instruction(const Fields& f, const std::filesystem::path& config,
                                   std::vector<std::filesystem::path>& files) {
  f.only_keys({"tokens", "embedding"});
  if (f.has("tokens") == f.has("embedding")) {
    f.fail(f.node(), "give exactly one of tokens: {vocab: FILE, length: N} or embedding: FILE");
  }
  InstructionInput in;
  if (f.has("tokens")) {
    const Fields t = f.child("tokens");
    t.only_keys({"vocab", "length", "pad_id", "unknown_id", "lowercase"});
    in.tokens = true;
    const std::filesystem::path vocab = resolve(config, t.string("vocab"));
    files.push_back(vocab);
    const std::string text = read_text_file(vocab, f.file() + ": " + f.path() + ".tokens.vocab");
    std::int64_t id = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string token = text.substr(start, end - start);
      if (!token.empty() && token.back() == '\r') token.pop_back();
      if (!token.empty() || end < text.size()) {
        if (!token.empty()) in.vocab.emplace(token, id);
        ++id;
      }
      start = end + 1;
    }
    if (in.vocab.empty())
      t.fail_key("vocab", "the vocabulary file '" + vocab.string() + "' has no tokens");
    in.length = t.integer_or("length", 16, 1, 4096);
    in.pad_id = t.integer_or("pad_id", 0, 0, 1 << 30);
    in.unknown_id = t.integer_or("unknown_id", 1, 0, 1 << 30);
    in.lowercase = t.boolean_or("lowercase", true);
  } else {
    in.tokens = false;
    const std::filesystem::path file = resolve(config, f.string("embedding"));
    files.push_back(file);
    const std::string text = read_text_file(file, f.file() + ": " + f.path() + ".embedding");
    const YAML::Node root = parse(text, file.string());
    if (!root.IsMap() || root.size() == 0) {
      throw InputError(file.string() +
                       ":1: expected a mapping from instruction text to a list of numbers");
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      std::vector<float> v;
      if (kv.second.IsSequence()) {
        for (const auto& x : kv.second) {
          try {
            v.push_back(x.as<float>());
          } catch (const YAML::Exception&) {
            v.clear();
            break;
          }
        }
      }
      if (v.empty() || (in.embedding_dim && static_cast<int>(v.size()) != in.embedding_dim)) {
        throw InputError(
            file.string() + ":" + std::to_string(kv.second.Mark().line + 1) + ": '" + key +
            "': expected a list of " +
            (in.embedding_dim ? std::to_string(in.embedding_dim) : std::string("one or more")) +
            " numbers (every embedding has the same size)");
      }
      in.embedding_dim = static_cast<int>(v.size());
      in.embeddings.emplace(key, std::move(v));
    }
  }
  return in;
}

OutputMapping parse_outputs(const Fields& f, int action_dim) {
  f.only_keys({"chunk", "dim", "mean", "std", "low", "high", "indices", "scale", "gripper"});
  OutputMapping out;
  out.chunk = f.integer_or("chunk", 1, 1, 100000);
  out.dim = f.integer_or("dim", action_dim, 1, 100000);
  const auto d = static_cast<std::size_t>(out.dim);
  out.mean = f.floats_or_empty("mean", d);
  out.std = f.floats_or_empty("std", d);
  out.low = f.floats_or_empty("low", d);
  out.high = f.floats_or_empty("high", d);
  if (out.mean.empty() != out.std.empty()) f.fail(f.node(), "give both mean and std, or neither");
  if (out.low.empty() != out.high.empty()) f.fail(f.node(), "give both low and high, or neither");
  if (!out.mean.empty() && !out.low.empty()) {
    f.fail(f.node(), "un-normalise with mean/std or with low/high, not both");
  }
  if (f.has("indices")) {
    const std::vector<double> v = f.numbers("indices");
    if (v.size() != static_cast<std::size_t>(action_dim)) {
      f.fail_key("indices",
                 "expected " + std::to_string(action_dim) +
                     " entries (one per action component: the model output index, or -1 for zero)");
    }
    for (const double x : v) {
      if (x != std::floor(x) || x < -1 || x >= out.dim) {
        f.fail_key("indices", "every entry must be -1 or a model output index in [0, " +
                                  std::to_string(out.dim - 1) + "], got " + std::to_string(x));
      }
      out.indices.push_back(static_cast<int>(x));
    }
  } else if (out.dim != action_dim) {
    f.fail(f.node(), "the model produces " + std::to_string(out.dim) +
                         " numbers per action but the action space has " +
                         std::to_string(action_dim) +
                         "; give indices: to say which output fills which component");
  }
  out.scale = f.floats_or_empty("scale", static_cast<std::size_t>(action_dim));
  if (f.has("gripper")) {
    const Fields g = f.child("gripper");
    g.only_keys({"open", "closed", "binarize", "index"});
    out.gripper_convert = true;
    out.gripper_open = static_cast<float>(g.number("open"));
    out.gripper_closed = static_cast<float>(g.number("closed"));
    if (out.gripper_open == out.gripper_closed) g.fail(g.node(), "open and closed must differ");
    out.gripper_binarize = g.boolean_or("binarize", false);
    out.gripper_index = g.integer_or("index", action_dim - 1, 0, action_dim - 1);
  }
  return out;
}

}  // namespace

std::vector<std::string> split_instruction(const std::string& text, bool lowercase) {
  std::vector<std::string> out;
  std::string cur;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '\'' || c >= 0x80) {
      cur += lowercase ? static_cast<char>(std::tolower(c)) : ch;
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::pair<int, int> TorchscriptConfig::render_size() const {
  std::pair<int, int> size{0, 0};
  for (const auto& in : inputs) {
    if (in.kind != ModelInput::Kind::kImage) continue;
    const std::pair<int, int> s =
        in.image.render_width > 0
            ? std::pair<int, int>{in.image.render_width, in.image.render_height}
            : std::pair<int, int>{in.image.width, in.image.height};
    if (size.first == 0) {
      size = s;
    } else if (size != s) {
      throw InputError(file.string() + ": image inputs need different render sizes (" +
                       std::to_string(size.first) + "x" + std::to_string(size.second) + " and " +
                       std::to_string(s.first) + "x" + std::to_string(s.second) +
                       "); the Env renders every camera at one size: set the same "
                       "render: [W, H] on every image input and let size: resize");
    }
  }
  return size;
}

std::vector<std::string> TorchscriptConfig::cameras() const {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    if (in.kind != ModelInput::Kind::kImage) continue;
    for (const auto& c : in.image.cameras) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
  }
  return out;
}

TorchscriptConfig load_torchscript_config(const std::filesystem::path& file) {
  TorchscriptConfig cfg;
  cfg.file = file;
  const std::string text = read_text_file(file, "torchscript config");
  const YAML::Node root = parse(text, file.string());
  if (!root || root.IsNull())
    throw InputError(file.string() + ":1: the config is empty; expected inputs: and outputs:");
  const Fields top(root, file.string(), "");
  top.only_keys({"inputs", "outputs", "replan_every"});
  const YAML::Node inputs = top.get("inputs");
  if (!inputs.IsSequence() || inputs.size() == 0) {
    top.fail_key("inputs",
                 "expected a list of model arguments, e.g. - state: {keys: [eef_pos_x, ...]}");
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string path = "inputs[" + std::to_string(i) + "]";
    const YAML::Node item = inputs[i];
    if (!item.IsMap() || item.size() != 1) {
      throw InputError(file.string() + ":" + std::to_string(item.Mark().line + 1) + ": " + path +
                       ": expected one of image:, state:, instruction: or seed: with its fields");
    }
    const std::string kind = item.begin()->first.Scalar();
    const Fields f(
        item.begin()->second.IsNull() ? YAML::Node(YAML::NodeType::Map) : item.begin()->second,
        file.string(), path + "." + kind);
    ModelInput in;
    in.name = path + "." + kind;
    if (kind == "image") {
      in.kind = ModelInput::Kind::kImage;
      in.image = parse_image(f);
    } else if (kind == "state") {
      in.kind = ModelInput::Kind::kState;
      in.state = parse_state(f);
    } else if (kind == "instruction") {
      in.kind = ModelInput::Kind::kInstruction;
      in.instruction = parse_instruction(f, file, cfg.referenced_files);
    } else if (kind == "seed") {
      in.kind = ModelInput::Kind::kSeed;
      f.only_keys({});
    } else {
      throw InputError(file.string() + ":" + std::to_string(item.Mark().line + 1) + ": " + path +
                       ": unknown input kind '" + kind +
                       "'; valid kinds: image, state, instruction, seed");
    }
    cfg.inputs.push_back(std::move(in));
  }
  // ee_delta is the one action kind so far; prepare() checks against the suite's space again.
  cfg.output = parse_outputs(top.child("outputs"), ee_delta_action_space().dim);
  cfg.replan_every = top.integer_or("replan_every", 0, 0, 1000000);
  (void)cfg.render_size();  // reject incompatible image sizes now
  return cfg;
}

}  // namespace gauntlet::adapters
