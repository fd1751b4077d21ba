#include "suites/common/yaml_fields.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "harness/errors.hpp"

namespace gauntlet::suites {

namespace {

constexpr std::size_t kMaxYamlBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxYamlNodes = 1'000'000;

// Every mapping of the document, walked iteratively (no recursion however
// deep), refusing a key given twice: yaml-cpp keeps both and lookups see only
// the first, so a second `seed:` would be silently ignored. Aliases are
// walked where they are used; the node count bounds an alias bomb.
void check_duplicate_keys(const YAML::Node& root, const std::string& file) {
  std::vector<YAML::Node> stack{root};
  std::size_t visited = 0;
  while (!stack.empty()) {
    const YAML::Node n = stack.back();
    stack.pop_back();
    if (++visited > kMaxYamlNodes) {
      throw InputError(file + ": the YAML document has over " + std::to_string(kMaxYamlNodes) +
                       " nodes (aliases expanded); refusing it");
    }
    if (n.IsMap()) {
      std::map<std::string, int> first_line;
      for (const auto& kv : n) {
        if (kv.first.IsScalar()) {
          const int line = kv.first.Mark().line + 1;
          const auto [it, fresh] = first_line.emplace(kv.first.Scalar(), line);
          if (!fresh) {
            throw InputError(file + ":" + std::to_string(line) + ": duplicate key '" +
                             kv.first.Scalar() + "' (first given at line " +
                             std::to_string(it->second) + ")");
          }
        } else {
          stack.push_back(kv.first);
        }
        stack.push_back(kv.second);
      }
    } else if (n.IsSequence()) {
      for (const auto& item : n) stack.push_back(item);
    }
  }
}

bool finite(double v) {
  return std::isfinite(v);
}

}  // namespace

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  if (text.size() > kMaxYamlBytes) {
    throw InputError(file + ": " + std::to_string(text.size()) +
                     " bytes is too large for a suite definition (at most 16 MiB)");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                     std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
  check_duplicate_keys(root, file);
  return root;
}

YamlFields::YamlFields(const YAML::Node& node, std::string file, std::string path)
    : node_(node), file_(std::move(file)), path_(std::move(path)) {
  if (!node_.IsMap()) fail("expected a mapping of fields");
}

void YamlFields::fail(const std::string& message) const {
  const int line = node_.Mark().line + 1;
  throw InputError(file_ + ":" + std::to_string(line > 0 ? line : 1) + ": " +
                   (path_.empty() ? "" : path_ + ": ") + message);
}

void YamlFields::fail_at(const YAML::Node& at, const std::string& key,
                         const std::string& message) const {
  const int line = at.Mark().line + 1;
  throw InputError(file_ + ":" + std::to_string(line > 0 ? line : node_.Mark().line + 1) + ": " +
                   (path_.empty() ? "" : path_ + ".") + key + ": " + message);
}

bool YamlFields::has(const std::string& key) const {
  return static_cast<bool>(node_[key]);
}

YAML::Node YamlFields::required(const std::string& key, const char* expected) const {
  const YAML::Node n = node_[key];
  if (!n) fail("missing field '" + key + "' (expected " + expected + ")");
  return n;
}

YamlFields YamlFields::child(const std::string& key) const {
  const YAML::Node n = required(key, "a mapping");
  if (!n.IsMap()) fail_at(n, key, "expected a mapping of fields");
  return YamlFields(n, file_, path_.empty() ? key : path_ + "." + key);
}

std::vector<YamlFields> YamlFields::list(const std::string& key) const {
  const YAML::Node n = required(key, "a list");
  if (!n.IsSequence()) fail_at(n, key, "expected a list");
  std::vector<YamlFields> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string p = (path_.empty() ? key : path_ + "." + key) + "[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) {
      throw InputError(file_ + ":" + std::to_string(n[i].Mark().line + 1) + ": " + p +
                       ": expected a mapping of fields");
    }
    out.emplace_back(n[i], file_, p);
  }
  return out;
}

std::string YamlFields::string(const std::string& key) const {
  const YAML::Node n = required(key, "a string");
  if (!n.IsScalar()) fail_at(n, key, "expected a string");
  return n.Scalar();
}

std::string YamlFields::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

double YamlFields::number(const std::string& key) const {
  const YAML::Node n = required(key, "a number");
  try {
    if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "not a scalar");
    const double v = n.as<double>();
    if (!finite(v)) throw YAML::Exception(n.Mark(), "not finite");
    return v;
  } catch (const YAML::Exception&) {
    fail_at(n, key,
            "expected a finite number, got '" +
                (n.IsScalar() ? n.Scalar() : std::string("a list or mapping")) + "'");
  }
}

double YamlFields::number_or(const std::string& key, double fallback) const {
  return has(key) ? number(key) : fallback;
}

int YamlFields::integer(const std::string& key) const {
  const YAML::Node n = required(key, "an integer");
  try {
    if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "not a scalar");
    return n.as<int>();
  } catch (const YAML::Exception&) {
    fail_at(n, key,
            "expected an integer, got '" +
                (n.IsScalar() ? n.Scalar() : std::string("a list or mapping")) + "'");
  }
}

int YamlFields::integer_or(const std::string& key, int fallback) const {
  return has(key) ? integer(key) : fallback;
}

std::uint64_t YamlFields::unsigned_integer(const std::string& key) const {
  const YAML::Node n = required(key, "a non-negative integer");
  try {
    if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "not a scalar");
    return n.as<std::uint64_t>();
  } catch (const YAML::Exception&) {
    fail_at(n, key,
            "expected a non-negative integer, got '" +
                (n.IsScalar() ? n.Scalar() : std::string("a list or mapping")) + "'");
  }
}

std::vector<double> YamlFields::numbers(const std::string& key, std::size_t count) const {
  const YAML::Node n = required(key, "a list of numbers");
  if (!n.IsSequence() || (count > 0 && n.size() != count)) {
    fail_at(n, key, "expected a list of " + std::to_string(count) + " numbers");
  }
  std::vector<double> out;
  for (const auto& item : n) {
    try {
      const double v = item.as<double>();
      if (!finite(v)) throw YAML::Exception(item.Mark(), "not finite");
      out.push_back(v);
    } catch (const YAML::Exception&) {
      fail_at(item, key,
              "expected a finite number, got '" +
                  (item.IsScalar() ? item.Scalar() : std::string("a list or mapping")) + "'");
    }
  }
  return out;
}

std::vector<std::string> YamlFields::strings(const std::string& key) const {
  const YAML::Node n = required(key, "a list of strings");
  if (!n.IsSequence()) fail_at(n, key, "expected a list of strings");
  std::vector<std::string> out;
  for (const auto& item : n) {
    if (!item.IsScalar()) fail_at(item, key, "expected a string");
    out.push_back(item.Scalar());
  }
  return out;
}

std::vector<std::string> YamlFields::strings_or(const std::string& key,
                                                const std::vector<std::string>& fallback) const {
  return has(key) ? strings(key) : fallback;
}

geo::Vec3 YamlFields::vec3(const std::string& key) const {
  const auto v = numbers(key, 3);
  return {v[0], v[1], v[2]};
}

geo::Vec3 YamlFields::vec3_or(const std::string& key, const geo::Vec3& fallback) const {
  return has(key) ? vec3(key) : fallback;
}

std::array<double, 4> YamlFields::rgba_or(const std::string& key,
                                          const std::array<double, 4>& fallback) const {
  if (!has(key)) return fallback;
  const YAML::Node n = node_[key];
  const auto v = numbers(key, n.IsSequence() && n.size() == 3 ? 3 : 4);
  for (const double c : v) {
    if (c < 0.0 || c > 1.0) fail_at(n, key, "colour components must be in [0, 1]");
  }
  return {v[0], v[1], v[2], v.size() == 4 ? v[3] : 1.0};
}

double YamlFields::number_in(const std::string& key, double fallback, double lo, double hi,
                             const char* domain) const {
  if (!has(key)) return fallback;
  const double v = number(key);
  if (!(v >= lo && v <= hi)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    fail_at(node_[key], key, std::string(buf) + " is out of range; expected " + domain);
  }
  return v;
}

int YamlFields::integer_in(const std::string& key, int fallback, int lo, int hi) const {
  if (!has(key)) return fallback;
  const int v = integer(key);
  if (v < lo || v > hi) {
    fail_at(node_[key], key,
            std::to_string(v) + " is out of range; expected " + std::to_string(lo) + ".." +
                std::to_string(hi));
  }
  return v;
}

Range YamlFields::range(const std::string& key) const {
  const YAML::Node n = required(key, "[lo, hi]");
  if (n.IsScalar()) {
    const double v = number(key);
    return {v, v};
  }
  const auto v = numbers(key, 2);
  if (v[0] > v[1]) fail_at(n, key, "expected [lo, hi] with lo <= hi");
  return {v[0], v[1]};
}

Range YamlFields::range_or(const std::string& key, Range fallback) const {
  return has(key) ? range(key) : fallback;
}

void YamlFields::only_keys(std::initializer_list<std::string_view> allowed) const {
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    bool ok = false;
    for (const auto a : allowed) ok = ok || a == key;
    if (!ok) {
      std::vector<std::string> names;
      for (const auto a : allowed) names.emplace_back(a);
      fail_at(kv.first, key, "unknown field; expected one of: " + join_names(names));
    }
  }
}

}  // namespace gauntlet::suites
