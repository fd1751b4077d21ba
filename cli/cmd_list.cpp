// `gauntlet list suites|policies|perturbations|robots [--json]` and `gauntlet list tasks SUITE
// [--json]`.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "robots/robot_description.hpp"
#include "scenarios/perturb/dimensions.hpp"

namespace gauntlet::cli {
namespace {

struct ListOptions {
  std::string what;
  std::string suite;  // `list tasks SUITE`
  bool json = false;
};

std::string suite_names(const CliContext& ctx) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : ctx.registry.suites()) names.push_back(name);
  for (const auto& r : ctx.registry.suite_resolvers()) names.push_back(r.usage);
  return join_names(names);
}

// The task ids a user passes to `run --task`, with what each asks of the policy.
void list_tasks(const ListOptions& o, CliContext& ctx) {
  if (o.suite.empty()) {
    throw InputError(
        "list tasks: give a suite, e.g. `gauntlet list tasks tabletop-smoke`; "
        "valid suites: " +
        suite_names(ctx));
  }
  const auto suite = ctx.registry.load_suite(o.suite);  // unknown: names the valid suites
  const SuiteInfo& info = suite->info();
  if (o.json) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& t : suite->tasks()) {
      tasks.push_back({{"id", t.id},
                       {"instruction", t.instruction},
                       {"max_steps", t.max_steps},
                       {"episodes", t.episodes > 0 ? t.episodes : info.default_episodes},
                       {"family", t.family}});
    }
    std::cout << nlohmann::json{{"suite", info.name},
                                {"version", info.version},
                                {"hash", info.content_hash},
                                {"episodes_per_task", info.default_episodes},
                                {"tasks", tasks}}
                     .dump(2)
              << std::endl;
    return;
  }
  std::size_t id_width = 2, family_width = 6;
  for (const auto& t : suite->tasks()) {
    id_width = std::max(id_width, t.id.size());
    family_width = std::max(family_width, t.family.size());
  }
  const int iw = static_cast<int>(id_width), fw = static_cast<int>(family_width);
  std::printf("%-*s  %9s  %8s  %-*s  %s\n", iw, "id", "max_steps", "episodes", fw, "family",
              "instruction");
  for (const auto& t : suite->tasks()) {
    std::printf("%-*s  %9d  %8d  %-*s  %s\n", iw, t.id.c_str(), t.max_steps,
                t.episodes > 0 ? t.episodes : info.default_episodes, fw, t.family.c_str(),
                t.instruction.c_str());
  }
  std::printf("%zu tasks in %s\n", suite->tasks().size(), info.name.c_str());
}

void list_suites(const ListOptions& o, CliContext& ctx) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, entry] : ctx.registry.suites()) {
    const auto suite = entry.load({});
    const SuiteInfo& info = suite->info();
    if (o.json) {
      nlohmann::json tasks = nlohmann::json::array();
      for (const auto& t : suite->tasks()) {
        // A task's default episode count (`run --episodes N` sets every task to N).
        tasks.push_back({{"id", t.id},
                         {"instruction", t.instruction},
                         {"max_steps", t.max_steps},
                         {"episodes", t.episodes > 0 ? t.episodes : info.default_episodes},
                         {"family", t.family}});
      }
      out.push_back({{"name", info.name},
                     {"version", info.version},
                     {"description", info.description},
                     {"backend", info.backend},
                     {"hash", info.content_hash},
                     {"seed", info.seed},
                     {"episodes_per_task", info.default_episodes},
                     {"cameras", info.cameras},
                     {"robot", info.robot},
                     {"actions", info.actions},
                     {"proprio", info.proprio_names},
                     {"perturbations", suite->perturbation_dimensions()},
                     {"tasks", tasks}});
    } else {
      std::printf("%-22s %2zu tasks  %s\n", info.name.c_str(), suite->tasks().size(),
                  info.description.c_str());
    }
  }
  if (!o.json) {
    for (const auto& r : ctx.registry.suite_resolvers())
      std::printf("%-22s (form)    %s\n", r.usage.c_str(), "");
  } else {
    std::cout << out.dump(2) << std::endl;
  }
}

void list_policies(const ListOptions& o, CliContext& ctx) {
  nlohmann::json out = nlohmann::json::array();
  int width = 0;
  for (const auto& [kind, p] : ctx.registry.policies())
    width = std::max(width, static_cast<int>(p.usage.size()));
  for (const auto& [kind, p] : ctx.registry.policies()) {
    if (o.json) {
      out.push_back({{"kind", kind}, {"usage", p.usage}, {"summary", p.summary}});
    } else {
      std::printf("%-*s  %s\n", width, p.usage.c_str(), p.summary.c_str());
    }
  }
  if (o.json) std::cout << out.dump(2) << std::endl;
}

// Every dimension with its parameters per level (scenarios/perturb/levels.hpp).
void list_perturbations(bool json) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : perturb::all_dimensions()) {
    if (json) {
      nlohmann::json levels = nlohmann::json::array();
      for (std::size_t l = 0; l < d.levels.size(); ++l) {
        nlohmann::json params = nlohmann::json::array();
        for (const auto& p : d.levels[l])
          params.push_back({{"name", p.name}, {"value", p.value}, {"unit", p.unit}});
        levels.push_back({{"level", l + 1}, {"parameters", params}});
      }
      out.push_back({{"name", d.name},
                     {"summary", d.summary},
                     {"affects", d.affects},
                     {"visual_only", d.visual_only},
                     {"levels", levels}});
      continue;
    }
    std::printf("%-13s %s (%s)\n", d.name.c_str(), d.summary.c_str(), d.affects.c_str());
    for (std::size_t l = 0; l < d.levels.size(); ++l) {
      std::string line;
      for (const auto& p : d.levels[l]) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s%s=%g %s", line.empty() ? "" : ", ", p.name.c_str(),
                      p.value, p.unit.c_str());
        line += buf;
      }
      std::printf("    level %zu: %s\n", l + 1, line.c_str());
    }
  }
  if (json) std::cout << out.dump(2) << std::endl;
}

// Every built-in robot: DoF, action conventions, cameras, state layout, joints.
void list_robots(bool json) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : robots::builtin_robots()) {
    std::vector<std::string> cameras;
    for (const auto& c : r->cameras) cameras.push_back(c.name);
    if (!json) {
      std::string actions;
      for (const auto& a : r->actions) actions += (actions.empty() ? "" : ",") + a;
      std::string cams;
      for (const auto& c : cameras) cams += (cams.empty() ? "" : ",") + c;
      std::printf("%-17s %d DoF  actions: %-30s cameras: %-12s %s\n", r->name.c_str(), r->dof(),
                  actions.c_str(), cams.c_str(), r->description.c_str());
      continue;
    }
    nlohmann::json joints = nlohmann::json::array();
    for (const auto& j : r->joints) {
      joints.push_back({{"name", j.name},
                        {"lower", j.lower},
                        {"upper", j.upper},
                        {"velocity", j.velocity},
                        {"effort", j.effort}});
    }
    out.push_back({{"name", r->name},
                   {"description", r->description},
                   {"source", r->source},
                   {"dof", r->dof()},
                   {"floating", r->floating},
                   {"actions", r->actions},
                   {"cameras", cameras},
                   {"state", r->proprio_names()},
                   {"home", r->home},
                   {"gripper", {{"stroke_m", r->gripper.stroke}, {"force_n", r->gripper.force}}},
                   {"joints", joints}});
  }
  if (json) std::cout << out.dump(2) << std::endl;
}

void list_command(const ListOptions& o, CliContext& ctx) {
  if (o.what == "tasks") return list_tasks(o, ctx);
  if (!o.suite.empty())
    throw InputError("list " + o.what + ": takes no argument, got '" + o.suite + "'");
  if (o.what == "suites") return list_suites(o, ctx);
  if (o.what == "policies") return list_policies(o, ctx);
  if (o.what == "perturbations") return list_perturbations(o.json);
  if (o.what == "robots") return list_robots(o.json);
  throw InputError(
      "list: expected one of: suites, policies, perturbations, robots, tasks SUITE; got '" +
      o.what + "'");
}

}  // namespace

void add_list_command(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<ListOptions>();
  CLI::App* list = app.add_subcommand(
      "list", "List suites, policy kinds, perturbations, robots or a suite's tasks");
  list->add_option("what", opts->what, "suites | policies | perturbations | robots | tasks")
      ->required();
  list->add_option("suite", opts->suite, "the suite whose tasks `list tasks` shows");
  list->add_flag("--json", opts->json, "print JSON on stdout");
  list->callback([opts, &ctx] { list_command(*opts, ctx); });
}

}  // namespace gauntlet::cli
