// `gauntlet sim-real --sim S.h5... --real R.h5... --out DIR [--json]`: how well the simulator
// ranks and predicts the policies' real-robot success (SimplerEnv's Pearson and MMRV per task,
// averaged; pooled; per-policy exact tests; a calibration plot).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "harness/results_store.hpp"
#include "metrics/sim_real.hpp"
#include "reports/sim_real_report.hpp"

namespace gauntlet::cli {
namespace {

struct SimRealOptions {
  std::vector<std::string> sim, real;
  std::string out;
  bool json = false;
  long long resamples = 2000;
  std::uint64_t seed = 0;
  double level = 0.95;
  long long min_policies = 3;
};

std::vector<std::filesystem::path> expand(const std::vector<std::string>& args) {
  std::vector<std::filesystem::path> out;
  for (const auto& a : args) {
    if (std::filesystem::is_directory(a)) {
      std::vector<std::filesystem::path> found;
      for (const auto& e : std::filesystem::directory_iterator(a)) {
        if (e.path().extension() == ".h5") found.push_back(e.path());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) throw InputError("sim-real: '" + a + "' holds no .h5 results files");
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.emplace_back(a);
    }
  }
  return out;
}

void sim_real_command(const SimRealOptions& o) {
  if (o.resamples < 1) throw InputError("--resamples: expected >= 1");
  if (!(o.level > 0.0 && o.level < 1.0)) throw InputError("--level: expected in (0, 1)");
  if (o.min_policies < 2) throw InputError("--min-policies: expected >= 2");
  reports::SimRealReport report;
  metrics::ValidityInput in;
  std::map<std::string, std::size_t> policy_index, task_index;
  // Files of each side, checked: one file per policy and side, backends as declared.
  std::vector<std::vector<std::string>> source(2);
  const auto load = [&](const std::vector<std::filesystem::path>& files, int side) {
    std::map<std::string, std::string> seen;
    for (const auto& f : files) {
      const RunResults r = ResultsStore::read(f);
      const std::string want = side == 0 ? "sim" : "real";
      if (r.header.backend != want) {
        report.notes.push_back(f.string() + " is marked backend '" + r.header.backend +
                               "' but was given as --" + want);
      }
      const std::string& name = r.header.policy_name;
      const auto [it, fresh] = seen.emplace(name, f.string());
      if (!fresh) {
        throw InputError("sim-real: " + f.string() + " and " + it->second + " both hold policy '" +
                         name + "' on the --" + want + " side; merge them first (gauntlet merge)");
      }
      (side == 0 ? report.sim_files : report.real_files).push_back(f.string());
      if (!policy_index.count(name)) {
        policy_index[name] = in.policies.size();
        in.policies.push_back(name);
        in.sim.emplace_back();
        in.real.emplace_back();
      }
      const std::size_t p = policy_index[name];
      for (const auto& e : r.episodes) {
        if (e.perturbation_id != "nominal" || !e.counts_for_policy()) continue;
        if (!task_index.count(e.task_id)) {
          task_index[e.task_id] = in.tasks.size();
          in.tasks.push_back(e.task_id);
        }
        auto& cells = side == 0 ? in.sim[p] : in.real[p];
        const std::size_t t = task_index[e.task_id];
        if (cells.size() <= t) cells.resize(t + 1);
        cells[t].push_back(e.success ? 1.0 : 0.0);
      }
    }
  };
  load(expand(o.sim), 0);
  load(expand(o.real), 1);
  for (std::size_t p = 0; p < in.policies.size(); ++p) {
    in.sim[p].resize(in.tasks.size());
    in.real[p].resize(in.tasks.size());
  }
  metrics::BootstrapOptions boot;
  boot.resamples = o.resamples;
  boot.seed = o.seed;
  boot.level = o.level;
  try {
    report.validity =
        metrics::sim_real_validity(in, boot, static_cast<std::size_t>(o.min_policies));
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
  report.policies = in.policies;
  report.seed = o.seed;
  reports::add_sim_real_tests(report, in);
  reports::write_sim_real(report, o.out);
  if (o.json) {
    std::cout << reports::sim_real_json(report);
  } else {
    std::cout << reports::sim_real_text(report);
    for (const auto& n : report.notes) std::cerr << "note: " << n << "\n";
    std::cout << "wrote " << (std::filesystem::path(o.out) / "sim_real.html").string() << "\n";
  }
}

}  // namespace

void add_sim_real_command(CLI::App& app, CliContext& /*ctx*/) {
  auto o = std::make_shared<SimRealOptions>();
  CLI::App* c = app.add_subcommand(
      "sim-real", "Validity of a simulator against real-robot trials (Pearson, MMRV, tests)");
  c->add_option("--sim", o->sim, "simulator results files (.h5, one per policy) or folders")
      ->required();
  c->add_option("--real", o->real, "real-robot results files (gauntlet import) or folders")
      ->required();
  c->add_option("--out", o->out, "directory for sim_real.json and sim_real.html")->required();
  c->add_flag("--json", o->json, "print the JSON on stdout");
  c->add_option("--resamples", o->resamples, "bootstrap resamples (default 2000)");
  c->add_option("--seed", o->seed, "bootstrap seed (default 0)");
  c->add_option("--level", o->level, "interval level (default 0.95)");
  c->add_option("--min-policies", o->min_policies,
                "policies with both sides a task needs to be compared (default 3)");
  c->callback([o] { sim_real_command(*o); });
}

}  // namespace gauntlet::cli
