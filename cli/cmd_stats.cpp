// `gauntlet stats ci|test|plan` and `gauntlet agreement X Y`: the statistics
// engine from the command line. Thin: parse, call metrics/, print.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "cli/cli_context.hpp"
#include "harness/errors.hpp"
#include "harness/results_store.hpp"
#include "metrics/agreement.hpp"
#include "metrics/evaluation_table.hpp"
#include "metrics/proportion_comparison.hpp"
#include "metrics/proportion_interval.hpp"
#include "metrics/sample_size.hpp"
#include "metrics/sequential_progress.hpp"
#include "metrics/sim_real.hpp"
#include "reports/html_page.hpp"

namespace gauntlet::cli {
namespace {

// Re-throws metrics' std::invalid_argument as an input error naming the option.
template <typename F>
auto input(const std::string& what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    // The metrics library may already say what it is ("agreement: ...").
    const std::string msg = e.what();
    if (msg.rfind(what + ":", 0) == 0) throw InputError(msg);
    throw InputError(what + ": " + msg);
  }
}

// JSON has no infinity: a finite number as is, +-infinity as the strings "inf" / "-inf" (an
// odds ratio with an empty cell), NaN (undefined, e.g. 0/0) as null.
nlohmann::json json_number(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

struct CiOptions {
  long long successes = -1, trials = -1;
  std::string method = "wilson";
  double level = 0.95;
  bool json = false;
};

void stats_ci(const CiOptions& o) {
  const auto method = input("--method", [&] { return metrics::parse_proportion_method(o.method); });
  const auto ci = input("stats ci", [&] {
    return metrics::proportion_interval(o.successes, o.trials, method, o.level);
  });
  if (o.json) {
    std::cout << nlohmann::json{{"successes", o.successes},
                                {"trials", o.trials},
                                {"method", metrics::to_string(method)},
                                {"level", o.level},
                                {"estimate", o.trials ? double(o.successes) / o.trials : 0.0},
                                {"lo", ci.lo},
                                {"hi", ci.hi}}
                     .dump()
              << std::endl;
  } else {
    std::printf("%lld/%lld = %.4f, %g%% %s interval [%.6f, %.6f]\n", o.successes, o.trials,
                o.trials ? double(o.successes) / o.trials : 0.0, 100 * o.level,
                std::string(metrics::to_string(method)).c_str(), ci.lo, ci.hi);
  }
}

std::pair<long long, long long> parse_fraction(const std::string& flag, const std::string& text) {
  long long k = 0, n = 0;
  char slash = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lld%c%lld%c", &k, &slash, &n, &extra) != 3 || slash != '/' ||
      n < 1 || k < 0 || k > n) {
    throw InputError(flag + ": expected K/N with 0 <= K <= N and N >= 1 (e.g. 42/50), got '" +
                     text + "'");
  }
  return {k, n};
}

struct TestOptions {
  std::string a, b;
  std::string method = "barnard";
  std::string alternative = "two-sided";
  double level = 0.95;
  bool json = false;
};

void stats_test(const TestOptions& o) {
  // Plain variables, not structured bindings: lambdas below capture them.
  const auto fa = parse_fraction("--a", o.a);
  const auto fb = parse_fraction("--b", o.b);
  const auto ka = fa.first, na = fa.second, kb = fb.first, nb = fb.second;
  const auto test = input("--method", [&] { return metrics::parse_unpaired_test(o.method); });
  const auto alt =
      input("--alternative", [&] { return metrics::parse_alternative(o.alternative); });
  const auto r = input("stats test", [&] {
    return metrics::compare_proportions(ka, na, kb, nb, test, alt, o.level);
  });
  if (o.json) {
    std::cout << nlohmann::json{{"a", {ka, na}},
                                {"b", {kb, nb}},
                                {"method", metrics::to_string(test)},
                                {"alternative", metrics::to_string(alt)},
                                {"rate_a", r.rate_a},
                                {"rate_b", r.rate_b},
                                {"statistic", json_number(r.statistic)},
                                {"p_value", r.p_value},
                                {"difference", r.difference},
                                {"difference_ci",
                                 {r.difference_interval.lo, r.difference_interval.hi}},
                                {"level", o.level},
                                {"cohens_h", r.cohens_h}}
                     .dump()
              << std::endl;
  } else {
    std::printf(
        "A %lld/%lld = %.4f, B %lld/%lld = %.4f\n%s (%s): statistic %.6g, p = %.6g\n"
        "difference B - A = %+.4f, %g%% Newcombe interval [%+.4f, %+.4f], Cohen's h = %.4f\n",
        ka, na, r.rate_a, kb, nb, r.rate_b, std::string(metrics::to_string(test)).c_str(),
        std::string(metrics::to_string(alt)).c_str(), r.statistic, r.p_value, r.difference,
        100 * o.level, r.difference_interval.lo, r.difference_interval.hi, r.cohens_h);
  }
}

struct PlanOptions {
  double p0 = 0.5, delta = 0.1, alpha = 0.05, power = 0.8;
  bool paired = false;
  double discordance = std::nan("");
  std::string alternative = "two-sided";
  long long simulations = 2000;
  bool sequential = false;
  double max_factor = 2.0;
  bool json = false;
  std::string metric = "success";
  double score_sd = std::nan("");
  std::uint64_t seed = 0;
};

// `stats plan --metric progress`: the betting test on paired progress scores, designed and
// measured by simulation (no closed form), against the fixed-N paired z-test.
void stats_plan_progress(const PlanOptions& o) {
  const auto alt =
      input("--alternative", [&] { return metrics::parse_alternative(o.alternative); });
  if (alt == metrics::Alternative::kTwoSided) {
    throw InputError(
        "stats plan --metric progress is one-sided: give --alternative less (a drop) or greater");
  }
  if ((alt == metrics::Alternative::kLess) != (o.delta < 0)) {
    throw InputError("--delta must point the way of --alternative (negative for less)");
  }
  if (o.simulations < 100) {
    throw InputError(
        "--simulations must be >= 100 for --metric progress (the design is simulated)");
  }
  metrics::ProgressDesignRequest r;
  r.delta = std::abs(o.delta);
  r.alpha = o.alpha;
  r.power = o.power;
  r.alternative = alt;
  r.simulations = o.simulations;
  r.seed = o.seed;
  r.max_factor = std::max(1.0, o.max_factor);
  if (std::isnan(o.score_sd)) {
    const double p_b = o.p0 + o.delta;
    const double d =
        std::isnan(o.discordance)
            ? input("--p0", [&] { return metrics::independent_discordance(o.p0, p_b); })
            : o.discordance;
    r.sd = std::sqrt(std::max(1e-6, d - o.delta * o.delta));
  } else {
    r.sd = o.score_sd;
  }
  const auto d =
      input("stats plan --metric progress", [&] { return metrics::design_progress_test(r); });
  const auto& so = d.options;
  if (o.json) {
    std::cout << nlohmann::json{{"metric", "progress"},
                                {"delta", o.delta},
                                {"score_sd", r.sd},
                                {"alpha", o.alpha},
                                {"target_power", o.power},
                                {"alternative", std::string(metrics::to_string(alt))},
                                {"fixed_test", "one-sided paired z-test (normal approximation)"},
                                {"fixed_n", d.fixed_n},
                                {"sequential_expected_n", d.expected_pairs},
                                {"sequential_expected_n_null", d.expected_pairs_null},
                                {"saving", d.saving(d.expected_pairs)},
                                {"saving_null", d.saving(d.expected_pairs_null)},
                                {"power", d.power},
                                {"false_positive_rate", d.false_positive_rate},
                                {"type_one_error_bound", o.alpha},
                                {"threshold", 1.0 / o.alpha},
                                {"futility_log_e", json_number(so.futility_log_e)},
                                {"max_pairs", so.max_pairs},
                                {"method",
                                 "simulation of the design model (paired difference 2 Beta - 1 "
                                 "with mean delta and sd score_sd; null: mean 0)"},
                                {"simulations", d.simulations},
                                {"seed", d.seed}}
                     .dump()
              << std::endl;
    return;
  }
  std::printf(
      "designed sequential test on paired progress, a change of %+.3f in mean progress (sd of "
      "the paired difference %.3f, alpha %g %s, power %g):\n"
      "  fixed-N paired z-test: %lld pairs\n"
      "  sequential, expected pairs: %.1f at the design point (saving %.1f%%, power %.4f),\n"
      "    %.1f if equal (saving %.1f%%, false-positive rate %.4f); simulated, %lld runs, seed "
      "%llu\n"
      "  test: betting e-process, decide at E >= %g (type-I error <= alpha for any scores in "
      "[0, 1]), futile at log E <= %g, at most %lld pairs\n",
      o.delta, r.sd, o.alpha, std::string(metrics::to_string(alt)).c_str(), o.power,
      static_cast<long long>(d.fixed_n), d.expected_pairs, 100 * d.saving(d.expected_pairs),
      d.power, d.expected_pairs_null, 100 * d.saving(d.expected_pairs_null), d.false_positive_rate,
      static_cast<long long>(d.simulations), static_cast<unsigned long long>(d.seed), 1.0 / o.alpha,
      so.futility_log_e, static_cast<long long>(so.max_pairs));
}

void stats_plan(const PlanOptions& o) {
  if (o.metric == "progress") return stats_plan_progress(o);
  if (o.metric != "success")
    throw InputError("--metric must be success or progress, got '" + o.metric + "'");
  metrics::PlanRequest req;
  req.p0 = o.p0;
  req.delta = o.delta;
  req.alpha = o.alpha;
  req.power = o.power;
  req.paired = o.paired;
  req.discordance = o.discordance;
  req.alternative =
      input("--alternative", [&] { return metrics::parse_alternative(o.alternative); });
  req.simulations = o.simulations;
  req.sequential_max_factor = o.max_factor;
  const auto plan = input("stats plan", [&] { return metrics::plan_sample_size(req); });
  if (o.sequential) {
    const auto& d = plan.design;
    const auto& so = d.options;
    if (o.json) {
      std::cout << nlohmann::json{{"p0", o.p0},
                                  {"delta", o.delta},
                                  {"alpha", o.alpha},
                                  {"target_power", o.power},
                                  {"alternative", std::string(metrics::to_string(req.alternative))},
                                  {"paired", o.paired},
                                  {"discordance", d.discordance},
                                  {"fixed_test", std::string(plan.exact_test)},
                                  {"fixed_n", d.fixed_n},
                                  {"fixed_power", plan.batch_exact_power},
                                  {"sequential_expected_n", d.expected_pairs},
                                  {"sequential_expected_n_null", d.expected_pairs_null},
                                  {"saving", d.saving(d.expected_pairs)},
                                  {"saving_null", d.saving(d.expected_pairs_null)},
                                  {"power", d.power},
                                  {"false_positive_rate", d.false_positive_rate},
                                  {"win_share", d.win_share},
                                  {"threshold", so.threshold},
                                  {"futility_threshold", json_number(so.futility_threshold)},
                                  {"max_discordant", so.max_discordant},
                                  {"method", "exact dynamic programming over discordant pairs"},
                                  {"simulations", o.simulations},
                                  {"simulated_expected_n", plan.sequential.mean_pairs},
                                  {"simulated_power", o.delta > 0 ? plan.sequential.p_b_better
                                                                  : plan.sequential.p_b_worse}}
                       .dump()
                << std::endl;
    } else {
      std::printf(
          "designed sequential test for %.3f -> %.3f (alpha %g %s, power %g, %s, discordance "
          "%.3f):\n"
          "  fixed-N exact %s: %lld episodes per policy (power %.3f)\n"
          "  sequential, expected episode pairs: %.1f at the design point (saving %.1f%%, power "
          "%.4f),\n"
          "    %.1f if equal (saving %.1f%%, false-positive rate %.4f); exact, by dynamic "
          "programming\n"
          "  test: SPRT of q = 1/2 against q1 = %.4f on discordant pairs, decide at E >= %.4g, "
          "futile at E <= %.4g,\n"
          "    at most %lld discordant pairs\n",
          o.p0, o.p0 + o.delta, o.alpha, std::string(metrics::to_string(req.alternative)).c_str(),
          o.power, o.paired ? "paired" : "independent", d.discordance,
          std::string(plan.exact_test).c_str(), static_cast<long long>(d.fixed_n),
          plan.batch_exact_power, d.expected_pairs, 100 * d.saving(d.expected_pairs), d.power,
          d.expected_pairs_null, 100 * d.saving(d.expected_pairs_null), d.false_positive_rate,
          d.win_share, so.threshold, so.futility_threshold,
          static_cast<long long>(so.max_discordant));
    }
    return;
  }
  if (o.json) {
    std::cout << nlohmann::json{{"p0", o.p0},
                                {"delta", o.delta},
                                {"alpha", o.alpha},
                                {"power", o.power},
                                {"paired", o.paired},
                                {"batch_normal", plan.batch_normal},
                                {"batch_exact", plan.batch_exact},
                                {"batch_exact_power", plan.batch_exact_power},
                                {"exact_test", std::string(plan.exact_test)},
                                {"sequential_mean", plan.sequential.mean_pairs},
                                {"sequential_median", plan.sequential.median_pairs},
                                {"sequential_p90", plan.sequential.p90_pairs},
                                {"sequential_budget", plan.sequential.budget},
                                {"sequential_mean_if_equal", plan.sequential_null.mean_pairs}}
                     .dump()
              << std::endl;
  } else {
    std::printf(
        "episodes per policy to detect %.3f -> %.3f (alpha %g, power %g, %s):\n"
        "  batch, exact %s: %lld (power %.3f); normal approximation: %lld\n"
        "  sequential (budget %lld pairs): mean %.0f, median %.0f, 90th percentile %.0f; if equal: "
        "mean %.0f\n",
        o.p0, o.p0 + o.delta, o.alpha, o.power, o.paired ? "paired" : "independent",
        std::string(plan.exact_test).c_str(), static_cast<long long>(plan.batch_exact),
        plan.batch_exact_power, static_cast<long long>(plan.batch_normal),
        static_cast<long long>(plan.sequential.budget), plan.sequential.mean_pairs,
        plan.sequential.median_pairs, plan.sequential.p90_pairs, plan.sequential_null.mean_pairs);
  }
}

// One side of an agreement: a CSV file, or results files (a comma list or a
// directory of .h5) turned into per-episode rows.
metrics::EvaluationTable load_evaluation(const std::string& arg) {
  std::vector<std::filesystem::path> h5;
  if (std::filesystem::is_directory(arg)) {
    for (const auto& e : std::filesystem::directory_iterator(arg)) {
      if (e.path().extension() == ".h5") h5.push_back(e.path());
    }
    std::sort(h5.begin(), h5.end());
    if (h5.empty()) throw InputError("agreement: '" + arg + "' holds no .h5 results files");
  } else if (arg.find(".h5") != std::string::npos) {
    std::size_t start = 0;
    while (start < arg.size()) {
      const std::size_t comma = std::min(arg.find(',', start), arg.size());
      h5.emplace_back(arg.substr(start, comma - start));
      start = comma + 1;
    }
  }
  std::string csv;
  if (!h5.empty()) {
    csv = "policy,task,episode,success\n";
    for (const auto& f : h5) {
      const RunResults r = ResultsStore::read(f);
      for (const auto& e : r.episodes) {
        if (e.perturbation_id != "nominal" || !e.counts_for_policy()) continue;
        std::string name = r.header.policy_name;
        for (char& c : name) c = c == '"' ? '\'' : c;
        csv += "\"" + name + "\"," + e.task_id + "," + std::to_string(e.episode_index) + "," +
               (e.success ? "1" : "0") + "\n";
      }
    }
  } else {
    if (!std::filesystem::exists(arg)) throw InputError("agreement: no such file '" + arg + "'");
    csv = reports::read_binary_file(arg);
  }
  return input("agreement", [&] { return metrics::parse_evaluation_csv(csv, arg); });
}

struct AgreementOptions {
  std::string x, y;
  long long resamples = 2000;
  bool json = false;
};

// SimplerEnv's per-task numbers: x as the simulator, y as the reference, tasks matched by name.
// Per-episode on both sides: episodes resampled; otherwise the rates alone (no intervals).
std::optional<metrics::ValidityResult> per_task_agreement(const metrics::EvaluationTable& x,
                                                          const metrics::EvaluationTable& y,
                                                          const metrics::BootstrapOptions& boot) {
  std::vector<std::string> tasks;
  for (const auto& t : x.tasks) {
    if (std::find(y.tasks.begin(), y.tasks.end(), t) != y.tasks.end()) tasks.push_back(t);
  }
  if (tasks.size() < 2) return std::nullopt;
  metrics::ValidityInput in;
  in.policies = x.policies;
  in.tasks = tasks;
  in.per_episode = x.per_episode && y.per_episode;
  const auto cells = [&](const metrics::EvaluationTable& t, std::size_t p) {
    std::vector<std::vector<double>> out(tasks.size());
    for (std::size_t k = 0; k < tasks.size(); ++k) {
      const auto ti = static_cast<std::size_t>(std::find(t.tasks.begin(), t.tasks.end(), tasks[k]) -
                                               t.tasks.begin());
      if (!in.per_episode) {
        if (!std::isnan(t.rate[p][ti])) out[k] = {t.rate[p][ti]};
        continue;
      }
      const auto& blocks = t.episode_tasks[p];
      for (std::size_t b = 0; b < blocks.size(); ++b) {
        if (blocks[b] != ti) continue;
        const auto scores = t.episodes[p].task(b);
        out[k].assign(scores.begin(), scores.end());
      }
    }
    return out;
  };
  for (std::size_t p = 0; p < x.policies.size(); ++p) {
    in.sim.push_back(cells(x, p));
    in.real.push_back(cells(y, y.policy_index(x.policies[p])));
  }
  try {
    return metrics::sim_real_validity(in, boot);
  } catch (const std::invalid_argument&) {
    return std::nullopt;  // no task has 3 policies on both sides: the pooled numbers stand alone
  }
}

nlohmann::json validity_json(const metrics::ValidityStats& s) {
  auto iv = [](const std::optional<metrics::Interval>& i) {
    return i ? nlohmann::json::array({i->lo, i->hi}) : nlohmann::json();
  };
  return {{"points", s.points},
          {"pearson", json_number(s.pearson.value)},
          {"pearson_interval", iv(s.pearson.interval)},
          {"spearman", json_number(s.spearman.value)},
          {"spearman_interval", iv(s.spearman.interval)},
          {"mmrv", json_number(s.mmrv_sim_real.value)},
          {"mmrv_interval", iv(s.mmrv_sim_real.interval)},
          {"mmrv_y_x", json_number(s.mmrv_real_sim.value)},
          {"mmrv_y_x_interval", iv(s.mmrv_real_sim.interval)}};
}

void agreement_command(const AgreementOptions& o) {
  const auto x = load_evaluation(o.x);
  const auto y = load_evaluation(o.y);
  metrics::BootstrapOptions boot;
  boot.resamples = o.resamples;
  const auto r = input("agreement", [&] { return metrics::agreement(x, y, boot); });
  const auto per_task = per_task_agreement(x, y, boot);
  auto stat = [](const metrics::AgreementStatistic& s) {
    nlohmann::json j{
        {"value", s.value},
        {"p_value", std::isnan(s.p_value) ? nlohmann::json() : nlohmann::json(s.p_value)}};
    if (s.interval) j["interval"] = {s.interval->lo, s.interval->hi};
    return j;
  };
  if (o.json) {
    nlohmann::json j{{"policies", r.policies},
                     {"x", r.x_scores},
                     {"y", r.y_scores},
                     {"pearson", stat(r.pearson)},
                     {"spearman", stat(r.spearman)},
                     {"kendall", stat(r.kendall)},
                     {"mmrv", stat(r.mmrv)},
                     {"resamples", r.resamples},
                     {"level", r.level}};
    j["pearson"]["fisher_z_interval"] = {r.pearson_fisher_interval.lo,
                                         r.pearson_fisher_interval.hi};
    if (per_task) {
      nlohmann::json tasks = nlohmann::json::object();
      for (const auto& t : per_task->tasks) tasks[t.task] = validity_json(t.stats);
      j["tasks"] = tasks;
      j["task_mean"] = validity_json(per_task->task_mean);
      j["skipped_tasks"] = per_task->skipped_tasks;
    }
    std::cout << j.dump() << std::endl;
    return;
  }
  std::printf("%zu policies\n", r.policies.size());
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    std::printf("  %-30s x %.3f  y %.3f\n", r.policies[i].c_str(), r.x_scores[i], r.y_scores[i]);
  }
  auto line = [](const char* name, const metrics::AgreementStatistic& s) {
    std::printf("%-9s %.4f", name, s.value);
    if (s.interval) std::printf("  [%.4f, %.4f]", s.interval->lo, s.interval->hi);
    if (!std::isnan(s.p_value)) std::printf("  p = %.4g", s.p_value);
    std::printf("\n");
  };
  line("pearson", r.pearson);
  std::printf("          Fisher-z interval [%.4f, %.4f]\n", r.pearson_fisher_interval.lo,
              r.pearson_fisher_interval.hi);
  line("spearman", r.spearman);
  line("kendall", r.kendall);
  line("mmrv", r.mmrv);
  if (!per_task) return;
  std::printf("\nper task, then the mean over tasks (SimplerEnv); x as sim, y as real:\n");
  auto vline = [](const std::string& name, const metrics::ValidityStats& s) {
    std::printf("  %-28s pearson %.4f", name.c_str(), s.pearson.value);
    if (s.pearson.interval) {
      std::printf(" [%.4f, %.4f]", s.pearson.interval->lo, s.pearson.interval->hi);
    }
    std::printf("  mmrv %.4f", s.mmrv_sim_real.value);
    if (s.mmrv_sim_real.interval) {
      std::printf(" [%.4f, %.4f]", s.mmrv_sim_real.interval->lo, s.mmrv_sim_real.interval->hi);
    }
    std::printf("\n");
  };
  for (const auto& t : per_task->tasks) vline(t.task, t.stats);
  vline("mean over tasks", per_task->task_mean);
  for (const auto& s : per_task->skipped_tasks) std::printf("  skipped %s\n", s.c_str());
}

}  // namespace

void add_stats_command(CLI::App& app, CliContext& /*ctx*/) {
  CLI::App* stats =
      app.add_subcommand("stats", "Intervals, tests and sample-size planning for success rates");
  stats->require_subcommand(1);

  auto ci = std::make_shared<CiOptions>();
  CLI::App* c = stats->add_subcommand("ci", "Confidence interval of one success rate");
  c->add_option("--successes", ci->successes, "K")->required();
  c->add_option("--trials", ci->trials, "N")->required();
  c->add_option("--method", ci->method, "wilson | exact | jeffreys | agresti-coull");
  c->add_option("--level", ci->level, "confidence level (default 0.95)");
  c->add_flag("--json", ci->json, "print JSON");
  c->callback([ci] { stats_ci(*ci); });

  auto t = std::make_shared<TestOptions>();
  CLI::App* tc = stats->add_subcommand("test", "Exact test of two independent success rates");
  tc->add_option("--a", t->a, "K1/N1 of A (baseline)")->required();
  tc->add_option("--b", t->b, "K2/N2 of B (candidate)")->required();
  tc->add_option("--method", t->method, "fisher | barnard | boschloo");
  tc->add_option("--alternative", t->alternative, "two-sided | greater (B better) | less");
  tc->add_option("--level", t->level, "level of the Newcombe interval");
  tc->add_flag("--json", t->json, "print JSON");
  tc->callback([t] { stats_test(*t); });

  auto p = std::make_shared<PlanOptions>();
  CLI::App* pc = stats->add_subcommand("plan", "Episodes per policy to detect a difference");
  pc->add_option("--p0", p->p0, "baseline success rate")->required();
  pc->add_option("--delta", p->delta, "difference to detect")->required();
  pc->add_option("--alpha", p->alpha, "significance level");
  pc->add_option("--power", p->power, "power");
  pc->add_flag("--paired", p->paired, "same seeds for both policies (McNemar)");
  pc->add_option("--discordance", p->discordance,
                 "paired: P(exactly one succeeds); default: independent policies");
  pc->add_option("--alternative", p->alternative, "two-sided | greater | less");
  pc->add_option("--simulations", p->simulations,
                 "simulations for the sequential estimate (0: skip)");
  pc->add_flag("--sequential", p->sequential,
               "report the designed sequential test: exact expected episodes, power and "
               "false-positive rate");
  pc->add_option(
      "--max-factor", p->max_factor,
      "sequential: at most this many times the fixed-N design's discordant pairs (default 2)");
  pc->add_option("--metric", p->metric,
                 "success (default) | progress: the sequential betting test on paired progress "
                 "scores, designed by simulation (one-sided; --delta is the change in mean "
                 "progress)");
  pc->add_option("--score-sd", p->score_sd,
                 "--metric progress: sd of the per-pair progress difference (default: that of "
                 "a 0/1 outcome at --p0, --delta, --discordance)");
  pc->add_option("--seed", p->seed, "--metric progress: seed of the design simulations");
  pc->add_flag("--json", p->json, "print JSON");
  pc->callback([p] { stats_plan(*p); });
}

void add_agreement_command(CLI::App& app, CliContext& /*ctx*/) {
  auto o = std::make_shared<AgreementOptions>();
  CLI::App* a =
      app.add_subcommand("agreement", "Agreement of two evaluations of the same policies");
  a->add_option("x", o->x, "evaluation under test: CSV, .h5 files (comma list) or a folder of .h5")
      ->required();
  a->add_option("y", o->y, "reference evaluation: CSV, .h5 files or a folder")->required();
  a->add_option("--resamples", o->resamples, "bootstrap resamples for the intervals");
  a->add_flag("--json", o->json, "print JSON");
  a->callback([o] { agreement_command(*o); });
}

}  // namespace gauntlet::cli
