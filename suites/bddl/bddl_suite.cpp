#include "suites/bddl/bddl_suite.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/perturb/mujoco_perturbations.hpp"
#include "suites/bddl/bddl_parser.hpp"
#include "suites/common/suite_loader.hpp"
#include "suites/libero/objects/catalog.hpp"
#include "suites/libero/protocol.hpp"
#include "suites/libero/scene_task.hpp"

namespace gauntlet::suites::bddl {
namespace {

namespace fs = std::filesystem;

// fopen/fread rather than streams (GCC 12 false positives with -Werror).
std::string read_text(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError("--suite bddl:" + path.string() + ": cannot read the file");
  std::string out;
  char buf[16384];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

// Task ids may not hold spaces, '/', ',' or ':'.
std::string task_id(const fs::path& relative) {
  std::string id = relative.parent_path().empty()
                       ? relative.stem().string()
                       : (relative.parent_path() / relative.stem()).generic_string();
  for (char& c : id) {
    if (c == '/') c = '.';
    if (c == ' ' || c == ',' || c == ':') c = '_';
  }
  return id;
}

int step_limit(const fs::path& file, std::size_t goal_conditions) {
  if (const int known = libero::libero_step_limit(file.parent_path().filename().string()))
    return known;
  return static_cast<int>(std::min<std::size_t>(600, 300 * goal_conditions));
}

}  // namespace

std::shared_ptr<const Suite> load_bddl_suite(const std::string& path, const SuiteOptions& options) {
  const fs::path root(path);
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_regular_file(root, ec)) {
    files.push_back(root);
  } else if (fs::is_directory(root, ec)) {
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".bddl") files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty())
      throw InputError("--suite bddl:" + path + ": the folder holds no .bddl files");
  } else {
    throw InputError("--suite bddl:" + path +
                     ": no such file or folder (expected a .bddl file or a folder of them)");
  }

  mj::MujocoSuiteConfig config;
  SuiteInfo& info = config.info;
  info.name = "bddl:" +
              (root.filename().empty() ? root.parent_path().filename() : root.filename()).string();
  info.version = "1";
  info.description = "LIBERO BDDL tasks from " + path;
  info.backend = "mujoco";
  info.source = path;
  info.seed = kBddlSuiteSeed;
  info.default_episodes = 50;
  info.control_hz = 20;
  info.cameras = {"agentview", "wrist"};
  config.settle_steps = 10;
  libero::apply_libero_scene(config);
  // LIBERO's Panda by default, as the LIBERO-like YAML suites;
  // --robot floating_gripper for fast runs and ablations (docs/robots.md).
  const std::string robot_hash =
      apply_robot(config, options.robot.empty() ? "panda" : options.robot,
                  {"panda", "floating_gripper"}, "--robot");
  // LIBERO files get every perturbation dimension, like YAML suites.
  config.perturbation_dimensions = perturb::dimension_names();
  config.perturbations = perturb::make_mujoco_perturbations(config.perturbation_dimensions);

  std::string hashed = std::string("bddl-suite/1\n") + libero::kSceneTaskVersion + "\n" +
                       libero::kCatalogVersion + "\n";
  std::vector<std::string> ids;
  for (const fs::path& file : files) {
    const std::string text = read_text(file);
    const fs::path relative = files.size() == 1 ? file.filename() : file.lexically_relative(root);
    libero::SceneSpec spec = parse_bddl(text, file.string());
    TaskInfo task;
    task.id = task_id(relative);
    if (std::find(ids.begin(), ids.end(), task.id) != ids.end()) {
      throw InputError(file.string() + ": two files give the task id '" + task.id + "'");
    }
    ids.push_back(task.id);
    task.family = "bddl";
    task.instruction = spec.language;
    task.max_steps = step_limit(file, spec.goal.size());
    auto scene = libero::resolve_scene(std::move(spec));
    config.tasks.push_back(std::make_shared<libero::SceneTask>(std::move(task), std::move(scene)));
    hashed += relative.generic_string() + "\n" + text + "\n";
  }
  hashed += "#perturbations " + config.perturbations->version() + "\n" + robot_hash;
  info.content_hash = sha256_hex(hashed);
  return std::make_shared<mj::MujocoSuite>(std::move(config));
}

void register_bddl_resolver(Registry& registry) {
  SuiteResolver r;
  r.prefix = "bddl:";
  r.usage = "bddl:PATH (a LIBERO .bddl file or a folder of them)";
  r.load = [](const std::string& path, const SuiteOptions& options) {
    return load_bddl_suite(path, options);
  };
  registry.add_suite_resolver(std::move(r));
}

}  // namespace gauntlet::suites::bddl
