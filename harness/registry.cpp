#include "harness/registry.hpp"

#include "harness/action_convention.hpp"
#include "harness/errors.hpp"
#include "harness/policy_io.hpp"

namespace gauntlet {

void Registry::add_policy(PolicyKind kind) {
  const std::string key = kind.kind;
  policies_[key] = std::move(kind);
}

void Registry::add_suite(SuiteEntry entry) {
  const std::string key = entry.name;
  suites_[key] = std::move(entry);
}

void Registry::add_suite_resolver(SuiteResolver resolver) {
  resolvers_.push_back(std::move(resolver));
}

void Registry::add_world_model(WorldModelKind kind) {
  const std::string key = kind.kind;
  world_models_[key] = std::move(kind);
}

void Registry::add_judge(JudgeKind kind) {
  const std::string key = kind.kind;
  judges_[key] = std::move(kind);
}

void Registry::add_environment(EnvironmentKind kind) {
  const std::string key = kind.kind;
  environments_[key] = std::move(kind);
}

std::shared_ptr<const Suite> Registry::wrap_in_environment(std::shared_ptr<const Suite> suite,
                                                           const std::string& spec) const {
  if (spec.empty() || spec == "sim") return suite;
  const std::string kind = spec.substr(0, spec.find(':'));
  const auto it = environments_.find(kind);
  if (it == environments_.end()) {
    std::vector<std::string> usages{"sim"};
    for (const auto& [k, e] : environments_) usages.push_back(e.usage);
    throw InputError("environment '" + spec + "': unknown kind '" + kind + "'; expected " +
                     join_names(usages, " or "));
  }
  return it->second.wrap(std::move(suite), spec, *this);
}

std::unique_ptr<WorldModel> Registry::make_world_model(const PolicySpec& spec) const {
  const auto it = world_models_.find(spec.kind);
  if (it == world_models_.end()) {
    std::vector<std::string> usages;
    for (const auto& [k, w] : world_models_) usages.push_back(w.usage);
    throw InputError(
        "unknown world model kind '" + spec.kind + "' in '" + spec.text +
        "'; valid kinds: " + (usages.empty() ? "(none in this build)" : join_names(usages)));
  }
  return it->second.make(spec);
}

std::unique_ptr<Judge> Registry::make_judge(const PolicySpec& spec) const {
  const auto it = judges_.find(spec.kind);
  if (it == judges_.end()) {
    std::vector<std::string> usages;
    for (const auto& [k, j] : judges_) usages.push_back(j.usage);
    throw InputError(
        "unknown judge kind '" + spec.kind + "' in '" + spec.text +
        "'; valid kinds: " + (usages.empty() ? "(none in this build)" : join_names(usages)));
  }
  return it->second.make(spec);
}

std::unique_ptr<Policy> Registry::make_policy(const PolicySpec& spec) const {
  const auto it = policies_.find(spec.kind);
  if (it == policies_.end()) {
    std::vector<std::string> usages;
    for (const auto& [k, p] : policies_) usages.push_back(p.usage);
    throw InputError("unknown policy kind '" + spec.kind + "' in policy spec '" + spec.text +
                     "'; valid kinds: " + join_names(usages));
  }
  // `actions=`, `action_scale=`, `state=`, ... are every adapter's options
  // (harness/policy_io.hpp): the adapter never sees them.
  const PolicyIo io = parse_policy_io(spec);
  PolicySpec inner = spec;
  for (const auto& key : policy_io_options()) inner.options.erase(key);
  std::unique_ptr<Policy> policy = it->second.make(inner);
  if (!io.actions.empty() && io.actions != "raw") {
    policy = with_action_convention(
        std::move(policy), find_action_convention(io.actions, spec.quoted() + ": actions"));
  }
  return with_policy_io(std::move(policy), io);
}

std::shared_ptr<const Suite> Registry::load_suite(const std::string& name,
                                                  const SuiteOptions& options) const {
  if (const auto it = suites_.find(name); it != suites_.end()) return it->second.load(options);
  for (const auto& r : resolvers_) {
    const bool hit =
        r.prefix.empty() ? (r.matches && r.matches(name)) : name.rfind(r.prefix, 0) == 0;
    if (hit) return r.load(r.prefix.empty() ? name : name.substr(r.prefix.size()), options);
  }
  std::vector<std::string> names;
  for (const auto& [n, e] : suites_) names.push_back(n);
  for (const auto& r : resolvers_) names.push_back(r.usage);
  throw InputError("unknown suite '" + name + "'; valid suites: " + join_names(names));
}

}  // namespace gauntlet
