#include "reports/sim_real_report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "metrics/fisher_exact.hpp"
#include "metrics/two_by_two.hpp"
#include "metrics/unconditional_exact.hpp"
#include "reports/html_page.hpp"
#include "reports/svg.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

nlohmann::json number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

nlohmann::json interval(const std::optional<metrics::Interval>& i) {
  if (!i) return nullptr;
  return nlohmann::json::array({i->lo, i->hi});
}

// The statistics of one scope, flat: `tasks.T.pearson` is a number, its interval beside it.
nlohmann::json stats_json(const metrics::ValidityStats& s) {
  return {{"points", s.points},
          {"pearson", number(s.pearson.value)},
          {"pearson_interval", interval(s.pearson.interval)},
          {"pearson_p_value", number(s.pearson_p_value)},
          {"spearman", number(s.spearman.value)},
          {"spearman_interval", interval(s.spearman.interval)},
          {"mmrv", number(s.mmrv_sim_real.value)},
          {"mmrv_interval", interval(s.mmrv_sim_real.interval)},
          {"mmrv_real_sim", number(s.mmrv_real_sim.value)},
          {"mmrv_real_sim_interval", interval(s.mmrv_real_sim.interval)}};
}

nlohmann::json side_json(const SideCount& s) {
  return {{"successes", s.successes},
          {"trials", s.trials},
          {"rate", s.trials ? number(static_cast<double>(s.successes) / s.trials) : nullptr},
          {"interval", {s.interval.lo, s.interval.hi}}};
}

nlohmann::json comparison_json(const SimRealComparison& c) {
  nlohmann::json j{{"policy", c.policy},
                   {"sim", side_json(c.sim)},
                   {"real", side_json(c.real)},
                   {"test", c.test + " two-sided"},
                   {"p_value", number(c.p_value)}};
  if (!c.task.empty()) j["task"] = c.task;
  return j;
}

double rate(const SideCount& s) {
  return s.trials ? static_cast<double>(s.successes) / static_cast<double>(s.trials) : 0.0;
}

std::string fixed(double v, int decimals = 3) {
  if (!std::isfinite(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string with_interval(const metrics::ValidityValue& v) {
  std::string s = fixed(v.value);
  if (v.interval) s += " [" + fixed(v.interval->lo) + ", " + fixed(v.interval->hi) + "]";
  return s;
}

std::string p_text(double p) {
  if (!std::isfinite(p)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", p);
  return buf;
}

const char* colour(std::size_t i) {
  static const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                   "#56B4E9", "#D55E00", "#F0E442", "#000000"};
  return kColours[i % 8];
}

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

constexpr const char* kMmrvNote =
    "MMRV is asymmetric. <b>mmrv</b> (sim&#8594;real) is SimplerEnv's "
    "mean_maximum_rank_violation(sim, real): for each policy, the largest REAL success-rate gap "
    "to a policy that the simulator orders differently from the real robot, averaged over "
    "policies (the real performance a wrong sim ranking costs). <b>mmrv_real_sim</b> swaps the "
    "arguments: the same disagreeing pairs, weighted by the SIM gap.";

}  // namespace

void add_sim_real_tests(SimRealReport& report, const metrics::ValidityInput& in) {
  const double level = report.validity.level;
  std::map<std::string, std::size_t> task_index;
  for (std::size_t t = 0; t < in.tasks.size(); ++t) task_index[in.tasks[t]] = t;
  const auto count = [&](const std::vector<double>& v) {
    SideCount s;
    for (const double x : v) s.successes += x >= 0.5 ? 1 : 0;
    s.trials = static_cast<std::int64_t>(v.size());
    return s;
  };
  const auto finish = [&](SimRealComparison& c) {
    c.sim.interval = metrics::wilson_interval(c.sim.successes, c.sim.trials, level);
    c.real.interval = metrics::wilson_interval(c.real.successes, c.real.trials, level);
    const auto table = metrics::TwoByTwo::from_proportions(c.sim.successes, c.sim.trials,
                                                           c.real.successes, c.real.trials);
    if (std::max(c.sim.trials, c.real.trials) <= kBoschlooMaxTrials) {
      c.test = "boschloo_exact";
      c.p_value = metrics::boschloo_exact(table).p_value;
    } else {
      c.test = "fisher_exact";
      c.p_value = metrics::fisher_exact(table).p_value;
    }
  };
  std::map<std::size_t, SimRealComparison> per_policy;
  for (const auto& tv : report.validity.tasks) {
    const std::size_t t = task_index.at(tv.task);
    for (const std::size_t p : tv.policies) {
      SimRealComparison c{in.policies[p],       tv.task, count(in.sim[p][t]),
                          count(in.real[p][t]), 1.0,     "boschloo_exact"};
      finish(c);
      report.cells.push_back(c);
      auto& total = per_policy[p];
      total.policy = in.policies[p];
      total.sim.successes += c.sim.successes;
      total.sim.trials += c.sim.trials;
      total.real.successes += c.real.successes;
      total.real.trials += c.real.trials;
    }
  }
  for (auto& [p, c] : per_policy) {
    finish(c);
    report.policy_tests.push_back(c);
  }
}

std::string sim_real_json(const SimRealReport& r) {
  const auto& v = r.validity;
  nlohmann::json tasks = nlohmann::json::object();
  for (const auto& t : v.tasks) {
    nlohmann::json j = stats_json(t.stats);
    nlohmann::json pol = nlohmann::json::array();
    for (std::size_t i = 0; i < t.policies.size(); ++i) {
      pol.push_back({{"policy", r.policies[t.policies[i]]},
                     {"sim_rate", t.sim_rate[i]},
                     {"real_rate", t.real_rate[i]}});
    }
    j["policies"] = pol;
    tasks[t.task] = j;
  }
  nlohmann::json overall = stats_json(v.task_mean);
  overall["averaged_over"] = "tasks (SimplerEnv: each statistic per task, then the mean)";
  nlohmann::json j{
      {"sim_files", r.sim_files},
      {"real_files", r.real_files},
      {"policies", r.policies},
      {"level", v.level},
      {"resamples", v.resamples},
      {"seed", r.seed},
      {"interval_method",
       "percentile bootstrap; episodes resampled within each (policy, task, side)"},
      {"mmrv_direction",
       "mmrv = SimplerEnv mean_maximum_rank_violation(sim, real): order disagreements weighted "
       "by the real success-rate gap; mmrv_real_sim = mean_maximum_rank_violation(real, sim): "
       "weighted by the sim gap"},
      {"pearson_definition",
       "SimplerEnv pearson_correlation(sim, real) (scipy's pearsonr r up to 1e-8; 1 when the "
       "centred rates are equal); pearson_p_value from scipy's pearsonr"},
      {"tasks", tasks},
      {"overall", overall},
      {"pooled", stats_json(v.pooled)},
      {"skipped_tasks", v.skipped_tasks},
      {"notes", r.notes}};
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& c : r.policy_tests) tests.push_back(comparison_json(c));
  j["policy_tests"] = tests;
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& c : r.cells) cells.push_back(comparison_json(c));
  j["cells"] = cells;
  return j.dump(2) + "\n";
}

std::string calibration_plot_svg(const SimRealReport& r) {
  const int size = 440, left = 56, top = 36, plot = 340;
  std::map<std::string, std::size_t> policy_colour;
  for (std::size_t i = 0; i < r.policies.size(); ++i) policy_colour[r.policies[i]] = i;
  const auto x = [&](double v) { return left + v * plot; };
  const auto y = [&](double v) { return top + (1.0 - v) * plot; };
  const int legend_h = 18 * static_cast<int>(r.policies.size());
  const std::string title = "Calibration: real vs sim success rate per policy and task";
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                  std::to_string(size + 200) + "\" height=\"" +
                  std::to_string(std::max(size, top + legend_h + 20)) +
                  "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"" +
                  escape_xml(title) + "\">\n<title>" + escape_xml(title) +
                  "</title>\n<text x=\"4\" y=\"16\" font-size=\"14\" font-weight=\"bold\">" +
                  escape_xml(title) + "</text>\n";
  s += "<rect x=\"" + px(x(0)) + "\" y=\"" + px(y(1)) + "\" width=\"" + px(plot) + "\" height=\"" +
       px(plot) + "\" fill=\"none\" stroke=\"#999\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    const double v = k / 4.0;
    s += "<line x1=\"" + px(x(v)) + "\" y1=\"" + px(y(0)) + "\" x2=\"" + px(x(v)) + "\" y2=\"" +
         px(y(0) + 4) + "\" stroke=\"#999\"/><text x=\"" + px(x(v)) + "\" y=\"" + px(y(0) + 16) +
         "\" text-anchor=\"middle\">" + std::to_string(k * 25) + "%</text>\n";
    s += "<line x1=\"" + px(x(0) - 4) + "\" y1=\"" + px(y(v)) + "\" x2=\"" + px(x(0)) + "\" y2=\"" +
         px(y(v)) + "\" stroke=\"#999\"/><text x=\"" + px(x(0) - 6) + "\" y=\"" + px(y(v) + 4) +
         "\" text-anchor=\"end\">" + std::to_string(k * 25) + "%</text>\n";
  }
  s += "<line x1=\"" + px(x(0)) + "\" y1=\"" + px(y(0)) + "\" x2=\"" + px(x(1)) + "\" y2=\"" +
       px(y(1)) + "\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n";
  s += "<text x=\"" + px(x(0.5)) + "\" y=\"" + px(y(0) + 32) +
       "\" text-anchor=\"middle\">sim success rate</text>\n";
  s += "<text transform=\"translate(14," + px(y(0.5)) +
       ") rotate(-90)\" text-anchor=\"middle\">real success rate</text>\n";
  for (const auto& c : r.cells) {
    const char* col = colour(policy_colour[c.policy]);
    const double sx = rate(c.sim), ry = rate(c.real);
    s += "<g class=\"cell\"><title>" + escape_xml(c.policy + " / " + c.task) + ": sim " +
         std::to_string(c.sim.successes) + "/" + std::to_string(c.sim.trials) + ", real " +
         std::to_string(c.real.successes) + "/" + std::to_string(c.real.trials) + ", " + c.test +
         " p " + p_text(c.p_value) + "</title>";
    s += "<line x1=\"" + px(x(c.sim.interval.lo)) + "\" y1=\"" + px(y(ry)) + "\" x2=\"" +
         px(x(c.sim.interval.hi)) + "\" y2=\"" + px(y(ry)) + "\" stroke=\"" + col + "\"/>";
    s += "<line x1=\"" + px(x(sx)) + "\" y1=\"" + px(y(c.real.interval.lo)) + "\" x2=\"" +
         px(x(sx)) + "\" y2=\"" + px(y(c.real.interval.hi)) + "\" stroke=\"" + col + "\"/>";
    s += "<circle cx=\"" + px(x(sx)) + "\" cy=\"" + px(y(ry)) + "\" r=\"4\" fill=\"" + col +
         "\"/></g>\n";
  }
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const int ly = top + 10 + 18 * static_cast<int>(i);
    s += "<circle cx=\"" + std::to_string(size + 10) + "\" cy=\"" + std::to_string(ly) +
         "\" r=\"5\" fill=\"" + colour(i) + "\"/><text x=\"" + std::to_string(size + 20) +
         "\" y=\"" + std::to_string(ly + 4) + "\">" + escape_xml(r.policies[i]) + "</text>\n";
  }
  return s + "</svg>\n";
}

std::string sim_real_html(const SimRealReport& r) {
  const auto& v = r.validity;
  std::string b =
      "<h1>Sim-to-real validity</h1>\n<p>Simulator files: " + std::to_string(r.sim_files.size()) +
      ", real-robot files: " + std::to_string(r.real_files.size()) + ", " +
      std::to_string(r.policies.size()) + " policies. Intervals: " + fixed(v.level * 100, 0) +
      "% percentile bootstrap over episodes (" + std::to_string(v.resamples) + " resamples, seed " +
      std::to_string(r.seed) + ").</p>\n<p>" + kMmrvNote + "</p>\n";
  const auto row = [](const std::string& name, const metrics::ValidityStats& s) {
    return "<tr><td>" + escape_xml(name) + "</td><td>" + std::to_string(s.points) + "</td><td>" +
           with_interval(s.pearson) + "</td><td>" + p_text(s.pearson_p_value) + "</td><td>" +
           with_interval(s.spearman) + "</td><td>" + with_interval(s.mmrv_sim_real) + "</td><td>" +
           with_interval(s.mmrv_real_sim) + "</td></tr>\n";
  };
  b += "<h2>Validity</h2>\n<table class=\"sortable\"><thead><tr><th>scope</th><th>points</th>"
       "<th>Pearson</th><th>Pearson p</th><th>Spearman</th><th>MMRV sim&#8594;real</th>"
       "<th>MMRV real&#8594;sim</th></tr></thead><tbody>\n";
  b += row("mean over tasks (SimplerEnv)", v.task_mean);
  b += row("pooled (policy, task) points", v.pooled);
  for (const auto& t : v.tasks) b += row("task " + t.task, t.stats);
  b += "</tbody></table>\n";
  for (const auto& s : v.skipped_tasks) b += "<p>Skipped: " + escape_xml(s) + "</p>\n";
  for (const auto& n : r.notes) b += "<p>Note: " + escape_xml(n) + "</p>\n";
  b += "<h2>Calibration</h2>\n" + calibration_plot_svg(r);
  const auto side = [](const SideCount& s) {
    return std::to_string(s.successes) + "/" + std::to_string(s.trials) + " (" +
           format_percent(rate(s)) + " [" + percent_number(s.interval.lo) + ", " +
           percent_number(s.interval.hi) + "])";
  };
  b += "<h2>Sim vs real success per policy</h2>\n<p>Boschloo's exact test (two independent "
       "binomial samples, two-sided; Fisher's exact test where a side has over " +
       std::to_string(kBoschlooMaxTrials) +
       " trials; unadjusted for multiple policies) of equal sim and real success rates, over "
       "the compared tasks together and per task.</p>\n"
       "<table class=\"sortable\"><thead><tr><th>policy</th><th>task</th><th>sim</th>"
       "<th>real</th><th>test</th><th>p</th></tr></thead><tbody>\n";
  for (const auto* list : {&r.policy_tests, &r.cells}) {
    for (const auto& c : *list) {
      b += "<tr><td>" + escape_xml(c.policy) + "</td><td>" +
           escape_xml(c.task.empty() ? "(all compared)" : c.task) + "</td><td>" + side(c.sim) +
           "</td><td>" + side(c.real) + "</td><td>" + c.test + "</td><td>" + p_text(c.p_value) +
           "</td></tr>\n";
    }
  }
  b += "</tbody></table>\n";
  return html_page("Sim-to-real validity", b);
}

std::string sim_real_text(const SimRealReport& r) {
  const auto& v = r.validity;
  std::string s;
  const auto line = [&](const std::string& name, const metrics::ValidityStats& st) {
    s += name + ": pearson " + with_interval(st.pearson) + ", spearman " +
         with_interval(st.spearman) + ", mmrv(sim->real) " + with_interval(st.mmrv_sim_real) +
         ", mmrv(real->sim) " + with_interval(st.mmrv_real_sim) + "\n";
  };
  line("mean over " + std::to_string(v.task_mean.points) + " tasks", v.task_mean);
  line("pooled " + std::to_string(v.pooled.points) + " points", v.pooled);
  for (const auto& t : v.tasks) line("  task " + t.task, t.stats);
  for (const auto& x : v.skipped_tasks) s += "skipped " + x + "\n";
  for (const auto& c : r.policy_tests) {
    s += "policy " + c.policy + ": sim " + std::to_string(c.sim.successes) + "/" +
         std::to_string(c.sim.trials) + ", real " + std::to_string(c.real.successes) + "/" +
         std::to_string(c.real.trials) + ", " + c.test + " p = " + p_text(c.p_value) + "\n";
  }
  return s;
}

void write_sim_real(const SimRealReport& report, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  write_text_file(dir / "sim_real.json", sim_real_json(report));
  write_text_file(dir / "sim_real.html", sim_real_html(report));
}

}  // namespace gauntlet::reports
