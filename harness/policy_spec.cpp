#include "harness/policy_spec.hpp"

#include <charconv>
#include <cstdlib>

#include "harness/errors.hpp"

namespace gauntlet {

bool is_list_option(std::string_view key) {
  return key == "action_scale" || key == "action_offset" || key == "resize_with_pad";
}

std::string PolicySpec::quoted() const {
  return noun + " '" + text + "'";
}

PolicySpec PolicySpec::parse(std::string_view text, std::string_view noun) {
  PolicySpec spec;
  spec.text = std::string(text);
  spec.noun = std::string(noun);
  if (text.empty()) throw InputError(spec.noun + ": empty (expected KIND[:ARG][,key=value...])");
  const std::size_t kind_end = text.find_first_of(":,");
  spec.kind = std::string(text.substr(0, kind_end));
  if (spec.kind.empty()) throw InputError(spec.quoted() + ": missing kind before ':'");
  if (kind_end == std::string_view::npos) return spec;

  std::string_view rest = text.substr(kind_end + 1);
  bool first = text[kind_end] == ':';
  std::string list_key;  // the last option when it takes a comma list
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const std::size_t eq = item.find('=');
    if (first && (eq == std::string_view::npos || item.find("://") != std::string_view::npos ||
                  item.find(':') < eq)) {
      spec.arg = std::string(item);
    } else if (eq == std::string_view::npos && !list_key.empty()) {
      // The next number of a comma list: action_scale=1,1,0.5 or resize_with_pad=224,224.
      spec.options[list_key] += "," + std::string(item);
    } else if (!item.empty()) {
      if (eq == std::string_view::npos || eq == 0) {
        throw InputError(spec.quoted() + ": expected key=value, got '" + std::string(item) + "'");
      }
      const std::string key(item.substr(0, eq));
      if (spec.options.count(key)) {
        throw InputError(spec.quoted() + ": option '" + key + "' given twice");
      }
      spec.options[key] = std::string(item.substr(eq + 1));
      list_key = is_list_option(key) ? key : std::string();
    }
    first = false;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return spec;
}

std::string PolicySpec::display_name() const {
  if (auto it = options.find("name"); it != options.end()) return it->second;
  std::string out = kind;
  if (!arg.empty()) out += ":" + arg;
  for (const auto& [k, v] : options) out += "," + k + "=" + v;
  return out;
}

std::optional<std::string> PolicySpec::option(const std::string& key) const {
  if (auto it = options.find(key); it != options.end()) return it->second;
  return std::nullopt;
}

double parse_spec_double(const PolicySpec& spec, std::string_view what, std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) {
    throw InputError(spec.quoted() + ": " + std::string(what) + " must be a number, got '" + s +
                     "'");
  }
  return v;
}

double PolicySpec::option_double(const std::string& key, double fallback) const {
  const auto v = option(key);
  return v ? parse_spec_double(*this, key, *v) : fallback;
}

long PolicySpec::option_int(const std::string& key, long fallback) const {
  const auto v = option(key);
  if (!v) return fallback;
  long out = 0;
  const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size()) {
    throw InputError(quoted() + ": " + key + " must be an integer, got '" + *v + "'");
  }
  return out;
}

void PolicySpec::require_known_options(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : options) {
    if (key == "name") continue;
    bool known = false;
    for (const auto a : allowed) known = known || a == key;
    if (!known) {
      std::string valid = "name";
      for (const auto a : allowed) valid += ", " + std::string(a);
      throw InputError(quoted() + ": unknown option '" + key + "' for kind '" + kind +
                       "'; valid options: " + valid);
    }
  }
}

}  // namespace gauntlet
