#include "cli/run_setup.hpp"

#include <algorithm>
#include <sstream>
#include <thread>

#include "harness/errors.hpp"
#include "harness/version.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/render/gl_context.hpp"
#include "worldmodel/env/worldmodel_suite.hpp"

namespace gauntlet::cli {

void PlanOptions::add_to(CLI::App& app, bool with_shard) {
  app.add_option("--suite", suite, "suite name, PATH.yaml or bddl:PATH")->required();
  episodes_option =
      app.add_option("--episodes", episodes, "episodes per task (and per perturbation); default: the suite's");
  app.add_option("--seed", seed, "suite seed override (episode seeds derive from it)");
  app.add_option("--workers", workers, "parallel episodes (one Env each); default: CPU cores");
  app.add_option("--perturb", perturb,
                 "perturbations applied together, DIM:LEVEL[,DIM:LEVEL...]; repeat for more sets");
  ood_sweep_option =
      app.add_option(
             "--ood-sweep", ood_sweep,
             "nominal plus every supported dimension at each level (default 1,2,3,4,5), paired")
          ->expected(0, 1);
  app.add_option("--ood-dims", ood_dims,
                 "dimensions of --ood-sweep, comma-separated (default: all the suite's)");
  app.add_option("--task", tasks, "only these task ids (repeatable)");
  add_env_option(app, env);
  if (with_shard) app.add_option("--shard", shard, "run part I of N of the episodes (0-based), e.g. 0/4");
}

void add_env_option(CLI::App& app, std::string& env) {
  app.add_option("--env", env,
                 "where episodes run: sim (default: the suite's simulator) or worldmodel:WM.pt,judge=JUDGE.pt "
                 "(a learned world model; see docs/worldmodel.md)");
}

std::string sanitize_file_name(const std::string& name) {
  std::string out;
  for (const char c : name) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') ? c : '_';
  }
  return out.empty() ? "policy" : out;
}

RunHeader make_run_header(const Suite& suite, const PolicySpec& spec, const Policy& policy, const EpisodePlan& plan,
                          std::uint64_t seed, const ObservationRequest* request, const std::string& command) {
  RunHeader h;
  h.harness_version = kHarnessVersion;
  h.git_sha = kGitSha;
  h.suite_name = suite.info().name;
  h.suite_version = suite.info().version;
  h.suite_hash = suite.info().content_hash;
  h.suite_source = suite.info().source;
  h.suite_seed = seed;
  h.policy_spec = spec.text;
  h.policy_name = spec.display_name();
  h.policy_identity = policy.identity();
  h.episodes_per_task = plan.episodes_per_task;
  for (const auto& p : plan.perturbations) h.perturbations.push_back(p.id());
  if (h.perturbations.empty()) h.perturbations.push_back("nominal");
  if (plan.task_ids.empty()) {
    h.tasks = suite.tasks();
  } else {
    for (const auto& id : plan.task_ids) h.tasks.push_back(suite.tasks()[static_cast<std::size_t>(suite.task_index(id))]);
  }
  if (request) {
    h.cameras = join_names(request->cameras, ",");
    h.image_width = request->cameras.empty() ? 0 : request->width;
    h.image_height = request->cameras.empty() ? 0 : request->height;
  }
  h.hosts = host_name();
  h.started_at = utc_now_iso8601();
  h.command = command;
  return h;
}

std::vector<PerturbationSet> perturbation_sets(const PlanOptions& o, const Suite& suite) {
  const bool sweep = o.ood_sweep_option && o.ood_sweep_option->count() > 0;
  if (!o.ood_dims.empty() && !sweep) throw InputError("--ood-dims needs --ood-sweep");
  std::vector<PerturbationSet> sets;
  const auto add = [&](PerturbationSet set) {
    const std::string id = set.id();
    if (std::none_of(sets.begin(), sets.end(),
                     [&](const PerturbationSet& s) { return s.id() == id; })) {
      sets.push_back(std::move(set));
    }
  };
  if (sweep) {
    const std::vector<int> levels =
        perturb::parse_levels(o.ood_sweep.empty() ? "1,2,3,4,5" : o.ood_sweep, "--ood-sweep");
    std::vector<std::string> dims;
    if (o.ood_dims.empty()) {
      dims = suite.perturbation_dimensions();
      if (dims.empty())
        throw InputError("--ood-sweep: suite '" + suite.info().name + "' supports no perturbation");
    } else {
      std::stringstream in(o.ood_dims);
      for (std::string d; std::getline(in, d, ',');) dims.push_back(d);
    }
    add(PerturbationSet{});
    for (const auto& d : dims) {
      for (const int l : levels) {
        PerturbationSet set;
        set.items.emplace_back(d, l);
        perturb::validate_set(set, suite.perturbation_dimensions(), suite.info().name,
                              "--ood-dims");
        add(std::move(set));
      }
    }
  }
  for (const auto& text : o.perturb) {
    PerturbationSet set = PerturbationSet::parse(text);
    perturb::validate_set(set, suite.perturbation_dimensions(), suite.info().name, "--perturb");
    add(std::move(set));
  }
  if (sets.empty()) add(PerturbationSet{});
  return sets;
}

PreparedPlan prepare_plan(const PlanOptions& o, CliContext& ctx) {
  PreparedPlan p;
  p.suite = worldmodel::wrap_suite_for_env(ctx.registry.load_suite(o.suite), o.env, ctx.registry);
  const Suite& suite = *p.suite;
  const bool episodes_given = o.episodes_option && o.episodes_option->count() > 0;
  if (episodes_given && o.episodes < 1) {
    throw InputError("--episodes must be at least 1, got " + std::to_string(o.episodes));
  }
  p.plan.episodes_per_task = episodes_given ? o.episodes : suite.info().default_episodes;
  p.plan.task_ids = o.tasks;
  p.plan.shard = Shard::parse(o.shard);
  p.plan.perturbations = perturbation_sets(o, suite);
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
  render::configure_rasterizer_threads(p.workers);
  p.specs = plan_episodes(suite, p.plan);
  return p;
}

}  // namespace gauntlet::cli
