#include "reports/compare_writers.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "reports/junit.hpp"
#include "reports/text_output.hpp"

namespace gauntlet::reports {
namespace {

nlohmann::json line_json(const CompareLine& l) {
  return {{"task", l.task},
          {"pairs", l.pairs},
          {"baseline", l.baseline},
          {"candidate", l.candidate},
          {"difference", l.difference},
          {"ci", {l.ci.lo, l.ci.hi}},
          {"p_value", l.p_value},
          {"p_adjusted", l.p_adjusted},
          {"p_two_sided", l.p_two_sided},
          {"p_greater", l.p_greater},
          {"baseline_episodes", l.baseline_episodes},
          {"candidate_episodes", l.candidate_episodes},
          {"baseline_only", l.baseline_only},
          {"candidate_only", l.candidate_only},
          {"verdict", l.verdict}};
}

nlohmann::json chain_json(const ChainComparison& c) {
  const auto& t = c.test;
  return {{"test", "exact paired sign-flip test of the mean difference in chain length"},
          {"pairs", t.pairs},
          {"baseline_avg_length", t.baseline},
          {"candidate_avg_length", t.candidate},
          {"difference", t.difference},
          {"ci", {t.ci.lo, t.ci.hi}},
          {"p_less", t.p_less},
          {"p_greater", t.p_greater},
          {"p_two_sided", t.p_two_sided},
          {"exact", t.exact},
          {"candidate_longer", t.candidate_longer},
          {"baseline_longer", t.baseline_longer},
          {"ties", t.ties},
          {"verdict", c.verdict}};
}

std::string chain_text(const ChainComparison& c) {
  const auto& t = c.test;
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "average length %.2f vs %.2f, difference %+.2f [%+.2f, %+.2f] over %lld chains, "
                "p (one-sided, worse) %.3g, p (better) %.3g: %s",
                t.candidate, t.baseline, t.difference, t.ci.lo, t.ci.hi,
                static_cast<long long>(t.pairs), t.p_less, t.p_greater, c.verdict.c_str());
  return buf;
}

}  // namespace

std::string compare_markdown(const CompareResult& r) {
  const CompareOptions& o = r.options;
  auto row = [](const CompareLine& l) {
    char buf[400];
    std::snprintf(
        buf, sizeof buf, "| %s | %d | %.1f%% | %.1f%% | %+.1f | [%+.1f, %+.1f] | %.3g | %s |\n",
        escape_markdown(l.task).c_str(), l.pairs, 100 * l.baseline, 100 * l.candidate,
        100 * l.difference, 100 * l.ci.lo, 100 * l.ci.hi, l.p_adjusted,
        (l.verdict == "no significant difference" ? l.verdict : "**" + l.verdict + "**").c_str());
    return std::string(buf);
  };
  std::string out =
      std::string("## ") + (r.regression ? "Regression" : "No significant regression") +
      (r.partial ? " (partial comparison)" : "") + ": " + escape_markdown(r.candidate_policy) +
      " vs " + escape_markdown(r.baseline_policy) + "\n\n" + r.reason +
      ".\n\n| task | pairs | baseline | candidate | difference (points) | " +
      std::to_string(static_cast<int>(std::lround(100 * (1 - o.alpha)))) +
      "% CI | p (tasks: adjusted; overall: one-sided) | verdict "
      "|\n|---|---:|---:|---:|---:|---|---:|---|\n";
  out += row(r.overall);
  for (const auto& l : r.tasks) out += row(l);
  char alpha[32];
  std::snprintf(alpha, sizeof alpha, "%g", o.alpha);
  if (r.paired) {
    out += std::string(
               "\nPaired by episode seed. Overall: the difference is the mean over tasks of the "
               "success-rate "
               "differences, and the gate is the one-sided (candidate worse) task-stratified exact "
               "paired test "
               "of that same difference at alpha = ") +
           alpha + (r.exact ? "" : " (on a rounded lattice: conservative)") +
           "; tasks: exact McNemar on discordant pairs, two-sided, " + o.adjustment +
           "-adjusted; intervals from the paired stratified bootstrap.";
  } else {
    out += std::string(
               "\nNOT paired (the files used different seeds). Overall: Mantel-Haenszel weighted "
               "rates and "
               "difference, gate by the one-sided Cochran-Mantel-Haenszel test over tasks at alpha "
               "= ") +
           alpha + ", Wald interval; tasks: Fisher exact, two-sided, " + o.adjustment +
           "-adjusted, Newcombe intervals.";
  }
  if (r.chains) {
    const auto& t = r.chains->test;
    char buf[1400];
    std::snprintf(
        buf, sizeof buf,
        "\n\n### Average length (chains)\n\n| chains | baseline | candidate | difference | %d%% CI "
        "| "
        "p (candidate worse) | p (candidate better) | p (two-sided) | verdict |\n"
        "|---:|---:|---:|---:|---|---:|---:|---:|---|\n"
        "| %lld | %.2f | %.2f | %+.2f | [%+.2f, %+.2f] | %.3g | %.3g | %.3g | %s |\n\n"
        "Chains paired by task and episode index (the same initial state and instructions): "
        "%lld longer for the candidate, %lld for the baseline, %lld ties. Test: %s paired "
        "sign-flip (permutation) test of the mean difference in chain length; interval: paired "
        "bootstrap over chains. For a chain suite this test is the gate (one-sided, candidate "
        "worse, alpha = %s).",
        static_cast<int>(std::lround(100 * (1 - o.alpha))), static_cast<long long>(t.pairs),
        t.baseline, t.candidate, t.difference, t.ci.lo, t.ci.hi, t.p_less, t.p_greater,
        t.p_two_sided,
        (r.chains->verdict == "no significant difference" ? r.chains->verdict
                                                          : "**" + r.chains->verdict + "**")
            .c_str(),
        static_cast<long long>(t.candidate_longer), static_cast<long long>(t.baseline_longer),
        static_cast<long long>(t.ties), t.exact ? "exact" : "normal-approximation", alpha);
    out += buf;
  }
  if (r.partial) {
    out += " Partial: the candidate covers " + std::to_string(r.covered_episodes) + " of " +
           std::to_string(r.baseline_plan_episodes) + " baseline episodes (" +
           std::to_string(r.covered_tasks) + " of " + std::to_string(r.baseline_plan_tasks) +
           " tasks complete).";
  }
  if (!r.correction.empty()) out += "\n\n**Corrected**: " + escape_markdown(r.correction) + ".";
  if (r.excluded_sim_errors > 0 || r.unmatched_episodes > 0) {
    out += " " + std::to_string(r.excluded_sim_errors) +
           " episode pairs dropped for simulator errors, " + std::to_string(r.unmatched_episodes) +
           " present in one file only.";
  }
  return out + "\n";
}

std::string compare_junit(const CompareResult& r) {
  const std::string& suite = r.suite;
  const std::string& candidate = r.candidate_policy;
  JUnitSuite s;
  s.name = "gauntlet compare: " + suite;
  auto make = [&](const CompareLine& l, bool gate) {
    JUnitCase c;
    c.classname = suite + "." + candidate;
    c.name = l.task;
    c.time_s = l.candidate_wall_time_s;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "baseline %.1f%%, candidate %.1f%%, difference %+.1f points [%+.1f, %+.1f], "
                  "adjusted p %.3g: %s",
                  100 * l.baseline, 100 * l.candidate, 100 * l.difference, 100 * l.ci.lo,
                  100 * l.ci.hi, l.p_adjusted, l.verdict.c_str());
    c.output = buf;
    const bool informational = !gate && l.task == "overall";  // chain suites gate on length
    if (gate ? r.regression : (!informational && l.verdict == "worse"))
      c.failure = gate ? r.reason : std::string(buf);
    return c;
  };
  // Chain suites gate on the average length; the success line is then informational.
  s.cases.push_back(make(r.overall, !r.chains));
  if (r.chains) {
    JUnitCase c;
    c.classname = suite + "." + candidate;
    c.name = "average length";
    c.output = chain_text(*r.chains);
    if (r.regression) c.failure = r.reason;
    s.cases.push_back(c);
  }
  for (const auto& l : r.tasks) s.cases.push_back(make(l, false));
  return junit_xml({s});
}

std::string compare_json(const CompareResult& r) {
  nlohmann::json j{{"baseline", r.baseline_file},
                   {"candidate", r.candidate_file},
                   {"regression", r.regression},
                   {"reason", r.reason},
                   {"overall", line_json(r.overall)},
                   {"alpha", r.options.alpha},
                   {"margin", r.options.margin},
                   {"paired", r.paired},
                   {"test", r.test},
                   {"exact", r.exact},
                   {"alternative", "less"},
                   {"partial", r.partial},
                   {"coverage",
                    {{"baseline_episodes", r.baseline_plan_episodes},
                     {"covered_episodes", r.covered_episodes},
                     {"baseline_tasks", r.baseline_plan_tasks},
                     {"covered_tasks", r.covered_tasks}}}};
  j["tasks"] = nlohmann::json::array();
  for (const auto& l : r.tasks) j["tasks"].push_back(line_json(l));
  if (r.chains) j["long_horizon"] = chain_json(*r.chains);
  if (!r.correction.empty()) {
    j["corrected"] = r.corrected;
    j["correction"] = r.correction;
    j["rankable"] = r.rankable;
  }
  return j.dump() + "\n";
}

}  // namespace gauntlet::reports
