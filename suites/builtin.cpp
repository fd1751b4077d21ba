#include "suites/builtin.hpp"

#include <fstream>
#include <sstream>

#include "harness/errors.hpp"
#include "suites/bddl/bddl_suite.hpp"
#include "suites/common/suite_loader.hpp"
#include "suites/libero/families.hpp"
#include "suites/simpler/families.hpp"
#include "suites/smoke/families.hpp"

namespace gauntlet {
namespace suites {

const TaskFamilies& builtin_task_families() {
  static const TaskFamilies families = [] {
    TaskFamilies f;
    f.add(smoke::pick_place_family());
    f.add(smoke::push_to_region_family());
    f.add(smoke::open_drawer_family());
    f.add(libero::libero_scene_family());
    f.add(simpler::simpler_family());
    return f;
  }();
  return families;
}

}  // namespace suites

namespace {

std::string yaml_field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      const auto b = v.find_first_not_of(" \"'");
      const auto e = v.find_last_not_of(" \"'\r");
      return b == std::string::npos ? "" : v.substr(b, e - b + 1);
    }
  }
  return {};
}

}  // namespace

void register_builtin_suites(Registry& registry) {
  for (const auto& [path, text] : embedded_suite_files()) {
    SuiteEntry entry;
    entry.name = yaml_field(text, "name");
    entry.summary = yaml_field(text, "description");
    const std::string source = "builtin:" + path;
    const std::string* yaml = &text;
    entry.load = [yaml, source](const SuiteOptions& options) {
      return suites::load_suite_yaml(*yaml, source, suites::builtin_task_families(), options);
    };
    registry.add_suite(std::move(entry));
  }
  SuiteResolver files;
  files.usage = "PATH.yaml (a suite file)";
  files.matches = [](const std::string& name) {
    return name.size() > 5 && (name.ends_with(".yaml") || name.ends_with(".yml"));
  };
  files.load = [](const std::string& path, const SuiteOptions& options) {
    std::ifstream in(path);
    if (!in) throw InputError("--suite '" + path + "': cannot read the suite file");
    std::stringstream buf;
    buf << in.rdbuf();
    return suites::load_suite_yaml(buf.str(), path, suites::builtin_task_families(), options);
  };
  registry.add_suite_resolver(std::move(files));
  suites::bddl::register_bddl_resolver(registry);
}

}  // namespace gauntlet
