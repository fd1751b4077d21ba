// A minimal MJCF (MuJoCo XML) writer: scenes are generated in code, so there
// are no asset files to download and every number is visible in one place.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gauntlet::mj {

// Shortest text that reads back as the same double.
std::string format_number(double v);
std::string format_numbers(std::span<const double> v);

class XmlElement {
 public:
  explicit XmlElement(std::string tag) : tag_(std::move(tag)) {}

  XmlElement& set(std::string_view name, std::string_view value);
  XmlElement& set(std::string_view name, const char* value) {
    return set(name, std::string_view(value));
  }
  XmlElement& set(std::string_view name, double value);
  XmlElement& set(std::string_view name, std::initializer_list<double> values);
  XmlElement& set(std::string_view name, std::span<const double> values);

  // Appends a child and returns it; references stay valid as more are added.
  XmlElement& add(std::string tag);
  const std::string& tag() const { return tag_; }
  const std::string* attribute(std::string_view name) const;
  XmlElement* find_child(std::string_view tag, std::string_view name_attr = {});

  void write(std::string& out, int indent = 0) const;

 private:
  std::string tag_;
  std::vector<std::pair<std::string, std::string>> attributes_;
  std::vector<std::unique_ptr<XmlElement>> children_;
};

}  // namespace gauntlet::mj
