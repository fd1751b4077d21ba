// Reading suite YAML with errors a user can act on: every message names the
// file, the line and the field, and says what was expected.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/geometry.hpp"

namespace gauntlet::suites {

struct Range {
  double lo = 0.0;
  double hi = 0.0;
};

// A YAML node plus where it came from (file, path such as "tasks[2].object").
class YamlFields {
 public:
  YamlFields(const YAML::Node& node, std::string file, std::string path);

  // "FILE:LINE: PATH: message" as an InputError.
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void fail_at(const YAML::Node& at, const std::string& key,
                            const std::string& message) const;

  bool has(const std::string& key) const;
  YamlFields child(const std::string& key) const;              // required mapping
  std::vector<YamlFields> list(const std::string& key) const;  // required sequence of mappings

  std::string string(const std::string& key) const;
  std::string string_or(const std::string& key, const std::string& fallback) const;
  double number(const std::string& key) const;
  double number_or(const std::string& key, double fallback) const;
  int integer(const std::string& key) const;
  int integer_or(const std::string& key, int fallback) const;
  std::uint64_t unsigned_integer(const std::string& key) const;
  // Optional fields with their domain: InputError naming the field when out of
  // [lo, hi] (`domain` says it in words, e.g. "(0, 180) degrees").
  double number_in(const std::string& key, double fallback, double lo, double hi,
                   const char* domain) const;
  int integer_in(const std::string& key, int fallback, int lo, int hi) const;
  std::vector<double> numbers(const std::string& key, std::size_t count) const;
  std::vector<std::string> strings(const std::string& key) const;
  std::vector<std::string> strings_or(const std::string& key,
                                      const std::vector<std::string>& fallback) const;
  geo::Vec3 vec3(const std::string& key) const;
  geo::Vec3 vec3_or(const std::string& key, const geo::Vec3& fallback) const;
  std::array<double, 4> rgba_or(const std::string& key,
                                const std::array<double, 4>& fallback) const;
  // [lo, hi] with lo <= hi, or a single number meaning [x, x].
  Range range(const std::string& key) const;
  Range range_or(const std::string& key, Range fallback) const;

  // Rejects keys not in `allowed` (catches typos such as "max_step").
  void only_keys(std::initializer_list<std::string_view> allowed) const;

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  int line() const { return node_.Mark().line + 1; }

 private:
  YAML::Node required(const std::string& key, const char* expected) const;
  YAML::Node node_;
  std::string file_;
  std::string path_;
};

// Parses YAML text; InputError "FILE:LINE:COL: message" on syntax errors, and
// "FILE:LINE: duplicate key 'k' (first given at line N)" for a key given twice
// in one mapping. Numbers read through YamlFields are always finite.
YAML::Node parse_yaml(const std::string& text, const std::string& file);

}  // namespace gauntlet::suites
