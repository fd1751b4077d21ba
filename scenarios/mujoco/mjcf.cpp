#include "scenarios/mujoco/mjcf.hpp"

#include <charconv>

namespace gauntlet::mj {
namespace {

void escape_into(std::string& out, std::string_view s) {
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

std::string format_number(double v) {
  if (v == 0.0) return "0";
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::to_string(v);
}

std::string format_numbers(std::span<const double> v) {
  std::string out;
  for (const double x : v) {
    if (!out.empty()) out += ' ';
    out += format_number(x);
  }
  return out;
}

XmlElement& XmlElement::set(std::string_view name, std::string_view value) {
  for (auto& [n, v] : attributes_) {
    if (n == name) {
      v = std::string(value);
      return *this;
    }
  }
  attributes_.emplace_back(std::string(name), std::string(value));
  return *this;
}

XmlElement& XmlElement::set(std::string_view name, double value) {
  return set(name, std::string_view(format_number(value)));
}

XmlElement& XmlElement::set(std::string_view name, std::initializer_list<double> values) {
  return set(name, std::span<const double>(values.begin(), values.size()));
}

XmlElement& XmlElement::set(std::string_view name, std::span<const double> values) {
  return set(name, std::string_view(format_numbers(values)));
}

XmlElement& XmlElement::add(std::string tag) {
  children_.push_back(std::make_unique<XmlElement>(std::move(tag)));
  return *children_.back();
}

const std::string* XmlElement::attribute(std::string_view name) const {
  for (const auto& [n, v] : attributes_) {
    if (n == name) return &v;
  }
  return nullptr;
}

XmlElement* XmlElement::find_child(std::string_view tag, std::string_view name_attr) {
  for (auto& c : children_) {
    if (c->tag_ != tag) continue;
    if (name_attr.empty()) return c.get();
    const std::string* n = c->attribute("name");
    if (n && *n == name_attr) return c.get();
  }
  return nullptr;
}

void XmlElement::write(std::string& out, int indent) const {
  out.append(static_cast<std::size_t>(indent), ' ');
  out += '<';
  out += tag_;
  for (const auto& [n, v] : attributes_) {
    out += ' ';
    out += n;
    out += "=\"";
    escape_into(out, v);
    out += '"';
  }
  if (children_.empty()) {
    out += "/>\n";
    return;
  }
  out += ">\n";
  for (const auto& c : children_) c->write(out, indent + 2);
  out.append(static_cast<std::size_t>(indent), ' ');
  out += "</";
  out += tag_;
  out += ">\n";
}

}  // namespace gauntlet::mj
