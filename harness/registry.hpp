// Registries of suites and policy kinds. No global state: the CLI builds one
// Registry and each layer adds its builtins with an explicit register_* call.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/policy.hpp"
#include "harness/policy_spec.hpp"
#include "harness/suite.hpp"
#include "harness/world_model.hpp"

namespace gauntlet {

struct PolicyKind {
  std::string kind;
  std::string usage;    // e.g. "noisy-scripted:EPS"
  std::string summary;  // one line
  std::function<std::unique_ptr<Policy>(const PolicySpec&)> make;
};

struct SuiteEntry {
  std::string name;
  std::string summary;
  std::function<std::shared_ptr<const Suite>(const SuiteOptions&)> load;
};

// Resolves suite names of a form such as "bddl:PATH" or "path/to/suite.yaml".
struct SuiteResolver {
  std::string prefix;  // e.g. "bddl:"; empty with a matches() predicate for file paths
  std::string usage;
  std::function<bool(const std::string&)> matches;
  std::function<std::shared_ptr<const Suite>(const std::string&, const SuiteOptions&)> load;
};

// World models and judges (the `worldmodel` backend): KIND:ARG[,key=value...]
// parsed like a policy spec, e.g. torchscript:wm.pt, python:pkg.mod:Class.
struct WorldModelKind {
  std::string kind;
  std::string usage;
  std::string summary;
  std::function<std::unique_ptr<WorldModel>(const PolicySpec&)> make;
};

struct JudgeKind {
  std::string kind;
  std::string usage;
  std::string summary;
  std::function<std::unique_ptr<Judge>(const PolicySpec&)> make;
};

class Registry;

// Where episodes run, other than the suite's own simulator: an --env spec
// KIND:ARGS (e.g. worldmodel:wm.pt,judge=j.pt) wraps the loaded suite.
struct EnvironmentKind {
  std::string kind;
  std::string usage;
  std::string summary;
  std::function<std::shared_ptr<const Suite>(std::shared_ptr<const Suite> suite,
                                             const std::string& spec, const Registry& registry)>
      wrap;
};

class Registry {
 public:
  void add_policy(PolicyKind kind);
  void add_suite(SuiteEntry entry);
  void add_suite_resolver(SuiteResolver resolver);
  void add_world_model(WorldModelKind kind);
  void add_judge(JudgeKind kind);
  void add_environment(EnvironmentKind kind);

  // Throws InputError listing the valid kinds.
  std::unique_ptr<Policy> make_policy(const PolicySpec& spec) const;
  // Throws InputError listing the valid suites and accepted forms.
  std::shared_ptr<const Suite> load_suite(const std::string& name,
                                          const SuiteOptions& options = {}) const;
  // Throw InputError listing the valid kinds.
  std::unique_ptr<WorldModel> make_world_model(const PolicySpec& spec) const;
  std::unique_ptr<Judge> make_judge(const PolicySpec& spec) const;
  // The suite as it runs in environment `spec` ("" or "sim": unchanged);
  // InputError naming the spec and the valid kinds.
  std::shared_ptr<const Suite> wrap_in_environment(std::shared_ptr<const Suite> suite,
                                                   const std::string& spec) const;

  const std::map<std::string, PolicyKind>& policies() const { return policies_; }
  const std::map<std::string, SuiteEntry>& suites() const { return suites_; }
  const std::vector<SuiteResolver>& suite_resolvers() const { return resolvers_; }
  const std::map<std::string, WorldModelKind>& world_models() const { return world_models_; }
  const std::map<std::string, JudgeKind>& judges() const { return judges_; }
  const std::map<std::string, EnvironmentKind>& environments() const { return environments_; }

 private:
  std::map<std::string, PolicyKind> policies_;
  std::map<std::string, SuiteEntry> suites_;
  std::vector<SuiteResolver> resolvers_;
  std::map<std::string, WorldModelKind> world_models_;
  std::map<std::string, JudgeKind> judges_;
  std::map<std::string, EnvironmentKind> environments_;
};

}  // namespace gauntlet
