// Parsing of policy specs: KIND[:ARG][,key=value...], e.g. "noisy-scripted:0.3",
// "python:m:Cls,action_scale=0.05,0.05,0.05,0.5,0.5,0.5,1" (see is_list_option),
// "torchscript:model.pt,config=policy.yaml", "remote:ws://127.0.0.1:8000,name=pi0".
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace gauntlet {

struct PolicySpec {
  std::string text;  // as the user wrote it
  std::string kind;
  std::string arg;
  std::map<std::string, std::string> options;
  // What the spec describes, for errors: "policy spec", "environment", "world model", ...
  std::string noun = "policy spec";

  // The `name=` option, or the spec text without it.
  std::string display_name() const;
  std::optional<std::string> option(const std::string& key) const;
  double option_double(const std::string& key, double fallback) const;
  long option_int(const std::string& key, long fallback) const;
  // Throws InputError when an option is not one of `allowed` (name= is always allowed).
  void require_known_options(std::initializer_list<std::string_view> allowed) const;

  // Throws InputError naming the spec as `noun` (e.g. "policy spec 'x': ...").
  static PolicySpec parse(std::string_view text, std::string_view noun = "policy spec");
  // "NOUN 'TEXT'": the start of every error about this spec.
  std::string quoted() const;
};

// Options whose value is a comma list (action_scale=1,1,0.5): the items after
// them without '=' continue the list instead of starting a new option.
bool is_list_option(std::string_view key);

// Parses a number in a spec argument, naming the spec in the error.
double parse_spec_double(const PolicySpec& spec, std::string_view what, std::string_view text);

}  // namespace gauntlet
