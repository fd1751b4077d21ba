#include "cli/run_setup.hpp"

#include <algorithm>
#include <thread>

#include "harness/errors.hpp"

namespace gauntlet::cli {

void PlanOptions::add_to(CLI::App& app, bool with_shard) {
  app.add_option("--suite", suite, "suite name, PATH.yaml or bddl:PATH")->required();
  episodes_option =
      app.add_option("--episodes", episodes, "episodes per task (and per perturbation); default: the suite's");
  app.add_option("--seed", seed, "suite seed override (episode seeds derive from it)");
  app.add_option("--workers", workers, "parallel episodes (one Env each); default: CPU cores");
  app.add_option("--perturb", perturb, "perturbations DIM:LEVEL[,DIM:LEVEL...]");
  app.add_option("--task", tasks, "only these task ids (repeatable)");
  if (with_shard) app.add_option("--shard", shard, "run part I of N of the episodes (0-based), e.g. 0/4");
}

std::string sanitize_file_name(const std::string& name) {
  std::string out;
  for (const char c : name) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') ? c : '_';
  }
  return out.empty() ? "policy" : out;
}

PreparedPlan prepare_plan(const PlanOptions& o, CliContext& ctx) {
  PreparedPlan p;
  p.suite = ctx.registry.load_suite(o.suite);
  const Suite& suite = *p.suite;
  const bool episodes_given = o.episodes_option && o.episodes_option->count() > 0;
  if (episodes_given && o.episodes < 1) {
    throw InputError("--episodes must be at least 1, got " + std::to_string(o.episodes));
  }
  p.plan.episodes_per_task = episodes_given ? o.episodes : suite.info().default_episodes;
  p.plan.task_ids = o.tasks;
  p.plan.shard = Shard::parse(o.shard);
  p.plan.perturbations = {PerturbationSet::parse(o.perturb)};
  const auto supported = suite.perturbation_dimensions();
  for (const auto& [dim, level] : p.plan.perturbations.front().items) {
    if (std::find(supported.begin(), supported.end(), dim) == supported.end()) {
      throw InputError("--perturb: suite '" + suite.info().name + "' does not support dimension '" + dim + "'" +
                       (supported.empty() ? std::string(" (it supports none)")
                                          : "; supported: " + join_names(supported)));
    }
  }
  p.seed = suite.info().seed;
  if (!o.seed.empty()) {
    if (o.seed.find_first_not_of("0123456789") != std::string::npos || o.seed.size() > 20) {
      throw InputError("--seed: expected a non-negative integer, got '" + o.seed + "'");
    }
    try {
      p.seed = std::stoull(o.seed);
    } catch (const std::exception&) {
      throw InputError("--seed: expected a non-negative 64-bit integer, got '" + o.seed + "'");
    }
  }
  p.plan.seed = p.seed;
  if (o.workers < 0) throw InputError("--workers must be >= 1");
  p.workers = o.workers > 0 ? o.workers : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  p.specs = plan_episodes(suite, p.plan);
  return p;
}

}  // namespace gauntlet::cli
