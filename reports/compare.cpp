#include "reports/compare.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "harness/errors.hpp"
#include "metrics/chain_length.hpp"
#include "metrics/judge_correction.hpp"
#include "metrics/multiple_testing.hpp"
#include "metrics/paired_comparison.hpp"
#include "metrics/proportion_comparison.hpp"
#include "reports/long_horizon.hpp"
#include "reports/success_rate.hpp"

namespace gauntlet::reports {
namespace {

double mean_of_task_means(const metrics::TaskScores& s) {
  double sum = 0;
  for (std::size_t t = 0; t < s.tasks(); ++t) {
    double m = 0;
    for (const double v : s.task(t)) m += v;
    sum += m / static_cast<double>(s.task_size(t));
  }
  return sum / static_cast<double>(s.tasks());
}

// One task (or the whole suite) on paired episodes: the effect is the task-mean
// difference and the test its stratified exact test (one task: exact McNemar).
CompareLine compare_paired(const std::string& name, const metrics::TaskScores& a,
                           const metrics::TaskScores& b, const CompareOptions& o,
                           std::uint64_t seed, const metrics::ConfusionMatrix* card,
                           bool* exact = nullptr) {
  CompareLine line;
  line.task = name;
  const auto st = metrics::stratified_mcnemar(a, b);
  line.pairs = static_cast<int>(st.pairs);
  line.baseline_only = st.a_only;
  line.candidate_only = st.b_only;
  line.baseline = mean_of_task_means(a);
  line.candidate = mean_of_task_means(b);
  line.difference = st.difference;
  line.p_value = st.p_two_sided;
  line.p_two_sided = st.p_two_sided;
  line.p_greater = st.p_greater;
  if (name == "overall") line.p_value = st.p_less;
  line.p_adjusted = line.p_value;
  if (exact) *exact = st.exact;
  metrics::BootstrapOptions boot;
  boot.resamples = o.resamples;
  boot.seed = seed;
  boot.level = 1.0 - o.alpha;
  if (card) {
    // Judged by one world-model judge: rates and the difference corrected, the
    // interval at the apparent level widened by the card (the test is unchanged).
    const auto e = metrics::judge_error_rates(*card);
    line.baseline = metrics::rogan_gladen(line.baseline, e.sensitivity, e.specificity);
    line.candidate = metrics::rogan_gladen(line.candidate, e.sensitivity, e.specificity);
    line.difference = metrics::corrected_difference(line.difference, *card);
    boot.level = metrics::apparent_level(1.0 - o.alpha);
    line.ci =
        metrics::corrected_difference_interval(
            metrics::paired_bootstrap_difference(a, b, {}, boot).interval, *card, 1.0 - o.alpha)
            .interval;
    return line;
  }
  line.ci = metrics::paired_bootstrap_difference(a, b, {}, boot).interval;
  return line;
}

metrics::TaskScores one_task(const metrics::TaskScores& s, std::size_t t) {
  metrics::TaskScores out;
  out.add_task(s.task(t));
  return out;
}

struct TaskCounts {
  std::int64_t k = 0, n = 0;
};

// Successes and counted episodes (no simulator error) per nominal task.
std::map<std::string, TaskCounts> task_counts(const RunResults& r) {
  std::map<std::string, TaskCounts> out;
  for (const auto& e : r.episodes) {
    if (e.perturbation_id != "nominal" || !e.counts_for_policy()) continue;
    auto& c = out[e.task_id];
    ++c.n;
    c.k += e.success ? 1 : 0;
  }
  return out;
}

// Chain lengths of the nominal, counted episodes run by both files, paired by (task, index).
std::pair<std::vector<int>, std::vector<int>> paired_lengths(const RunResults& a,
                                                             const RunResults& b) {
  std::map<std::pair<std::string, int>, int> la;
  for (const auto& e : a.episodes) {
    if (e.perturbation_id == "nominal" && e.counts_for_policy())
      la[{e.task_id, e.episode_index}] = e.chain_length();
  }
  std::pair<std::vector<int>, std::vector<int>> out;
  std::map<std::pair<std::string, int>, int> lb;
  for (const auto& e : b.episodes) {
    if (e.perturbation_id == "nominal" && e.counts_for_policy())
      lb[{e.task_id, e.episode_index}] = e.chain_length();
  }
  for (const auto& [key, length] : la) {
    const auto it = lb.find(key);
    if (it == lb.end()) continue;
    out.first.push_back(length);
    out.second.push_back(it->second);
  }
  return out;
}

std::string overall_verdict(const CompareLine& l, double alpha) {
  if (l.p_value <= alpha && l.difference < 0) return "worse";
  if (l.p_greater <= alpha && l.difference > 0) return "better";
  return "no significant difference";
}

}  // namespace

CompareResult compare_runs(const RunResults& baseline, const std::string& baseline_name,
                           const RunResults& candidate, const std::string& candidate_name,
                           const CompareOptions& o) {
  const auto& hb = baseline.header;
  const auto& hc = candidate.header;
  if (hb.suite_name != hc.suite_name || hb.suite_hash != hc.suite_hash) {
    throw InputError("compare: " + candidate_name + " holds suite '" + hc.suite_name + "' (hash " +
                     hc.suite_hash.substr(0, 12) + ") but " + baseline_name + " holds '" +
                     hb.suite_name + "' (hash " + hb.suite_hash.substr(0, 12) +
                     "); compare results of one suite version");
  }
  if (o.require_pairing && hb.suite_seed != hc.suite_seed) {
    throw InputError(
        "compare: " + candidate_name + " used seed " + std::to_string(hc.suite_seed) + " but " +
        baseline_name + " used " + std::to_string(hb.suite_seed) +
        "; paired comparison needs the same episodes (rerun with the same --seed, or pass "
        "--allow-unpaired for the weaker unpaired test)");
  }
  CompareResult r;
  r.suite = hb.suite_name;
  r.baseline_file = baseline_name;
  r.candidate_file = candidate_name;
  r.baseline_policy = hb.policy_name;
  r.candidate_policy = hc.policy_name;
  r.options = o;
  r.paired = hb.suite_seed == hc.suite_seed;
  // World-model runs with a card (one card: it is in the suite hash).
  const auto card = judge_card_info(hb, baseline_name);
  const bool correct = card && metrics::judge_error_rates(card->counts).youden > 0.0;
  const metrics::ConfusionMatrix* counts = correct ? &card->counts : nullptr;
  if (card) {
    r.corrected = correct;
    r.correction = correct ? correction_note(*card)
                           : "the card " + card->card +
                                 " measured an uninformative judge: rates are NOT corrected";
    r.rankable = card->rankable;
  }

  // Coverage of the baseline's plan: every nominal (task, episode index) of the baseline.
  {
    std::set<std::pair<std::string, int>> have;
    for (const auto& e : candidate.episodes) {
      if (e.perturbation_id == "nominal") have.insert({e.task_id, e.episode_index});
    }
    std::map<std::string, std::pair<int, int>> per_task;  // covered, planned
    for (const auto& e : baseline.episodes) {
      if (e.perturbation_id != "nominal") continue;
      auto& c = per_task[e.task_id];
      ++c.second;
      if (have.count({e.task_id, e.episode_index})) ++c.first;
    }
    for (const auto& [task, c] : per_task) {
      r.baseline_plan_episodes += c.second;
      r.covered_episodes += c.first;
      ++r.baseline_plan_tasks;
      if (c.first == c.second) ++r.covered_tasks;
    }
    r.partial = r.covered_episodes < r.baseline_plan_episodes;
    if (r.partial && !o.allow_partial) {
      std::string missing;
      for (const auto& [task, c] : per_task) {
        if (c.first == c.second) continue;
        missing += (missing.empty() ? "" : ", ") + task + " (" + std::to_string(c.first) + "/" +
                   std::to_string(c.second) + ")";
      }
      throw InputError(
          "compare: " + candidate_name + " covers " + std::to_string(r.covered_episodes) +
          " of the " + std::to_string(r.baseline_plan_episodes) + " nominal episodes of " +
          baseline_name + " (" + std::to_string(r.covered_tasks) + " of " +
          std::to_string(r.baseline_plan_tasks) + " tasks complete; missing in " + missing +
          "); a gate needs the whole plan: run the candidate on it, or pass --allow-partial");
    }
  }

  char buf[512];
  if (r.paired) {
    const PairedLayout layout = paired_layout({&baseline, &candidate});
    if (layout.common_episodes == 0) {
      throw InputError("compare: " + baseline_name + " and " + candidate_name +
                       " have no nominal episode in common (same task and episode index)");
    }
    r.excluded_sim_errors = layout.excluded_sim_errors;
    r.unmatched_episodes = layout.unmatched_episodes;
    r.test = "task-stratified exact paired test of the task-mean difference";
    const auto& a = layout.success[0];
    const auto& b = layout.success[1];
    std::vector<double> p;
    for (std::size_t t = 0; t < a.tasks(); ++t) {
      r.tasks.push_back(compare_paired(layout.tasks[t], one_task(a, t), one_task(b, t), o,
                                       o.seed + 101 * (t + 1), counts));
      p.push_back(r.tasks.back().p_value);
    }
    const auto adjusted = metrics::adjust_p_values(p, metrics::parse_adjustment(o.adjustment));
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
      auto& line = r.tasks[t];
      line.p_adjusted = adjusted[t];
      line.verdict = verdict_text(line.difference, line.p_adjusted <= o.alpha);
    }
    r.overall = compare_paired("overall", a, b, o, o.seed, counts, &r.exact);
    r.overall.verdict = overall_verdict(r.overall, o.alpha);
    if (o.margin > 0.0) {
      // One-sided at alpha: the upper end of the (1 - 2 alpha) interval lies below -margin.
      metrics::BootstrapOptions boot;
      boot.resamples = o.resamples;
      boot.seed = o.seed;
      boot.level = 1.0 - 2.0 * o.alpha;
      metrics::Interval ci;
      if (counts) {
        boot.level = metrics::apparent_level(1.0 - 2.0 * o.alpha);
        ci = metrics::corrected_difference_interval(
                 metrics::paired_bootstrap_difference(a, b, {}, boot).interval, *counts,
                 1.0 - 2.0 * o.alpha)
                 .interval;
      } else {
        ci = metrics::paired_bootstrap_difference(a, b, {}, boot).interval;
      }
      r.regression = ci.hi < -o.margin && r.overall.difference < -o.margin;
      std::snprintf(buf, sizeof buf,
                    "%s: task-mean difference %+.1f points; the upper end of its %.0f%% paired "
                    "bootstrap interval "
                    "[%+.1f, %+.1f] %s below -%.1f (margin; one-sided at alpha = %.3g)",
                    r.regression ? "regression" : "no regression", 100 * r.overall.difference,
                    100 * (1 - 2 * o.alpha), 100 * ci.lo, 100 * ci.hi,
                    r.regression ? "lies" : "does not lie", 100 * o.margin, o.alpha);
    } else {
      r.regression = r.overall.p_value <= o.alpha && r.overall.difference < 0;
      std::snprintf(
          buf, sizeof buf,
          "%s: task-mean difference %+.1f points, one-sided task-stratified exact paired test "
          "(candidate worse) p = %.3g %s alpha = %.3g",
          r.regression ? "regression" : "no regression", 100 * r.overall.difference,
          r.overall.p_value, r.overall.p_value <= o.alpha ? "at most" : "above", o.alpha);
    }
  } else {
    // Different seeds: no pairing. Per task Fisher exact; overall the CMH test over tasks.
    r.test = "Cochran-Mantel-Haenszel test over tasks of the Mantel-Haenszel difference (unpaired)";
    if (card) {
      throw InputError("compare: " + baseline_name + " and " + candidate_name +
                       " are world-model runs with a judge card but different seeds: corrected "
                       "comparisons need paired episodes (rerun with the same --seed)");
    }
    const auto ca = task_counts(baseline);
    const auto cb = task_counts(candidate);
    std::vector<metrics::TwoByTwo> tables;
    std::vector<double> p;
    std::vector<std::string> order;
    for (const auto& t : hb.tasks) order.push_back(t.id);
    for (const auto& task : order) {
      const auto ia = ca.find(task);
      const auto ib = cb.find(task);
      if (ia == ca.end() || ib == cb.end()) continue;
      const auto [ka, na] = ia->second;
      const auto [kb, nb] = ib->second;
      const auto c = metrics::compare_proportions(ka, na, kb, nb, metrics::UnpairedTest::kFisher,
                                                  metrics::Alternative::kTwoSided, 1.0 - o.alpha);
      CompareLine line;
      line.task = task;
      line.baseline = c.rate_a;
      line.candidate = c.rate_b;
      line.difference = c.difference;
      line.ci = c.difference_interval;
      line.p_value = line.p_two_sided = c.p_value;
      line.baseline_episodes = na;
      line.candidate_episodes = nb;
      r.overall.baseline_episodes += na;
      r.overall.candidate_episodes += nb;
      r.tasks.push_back(line);
      p.push_back(c.p_value);
      tables.push_back(metrics::TwoByTwo::from_proportions(kb, nb, ka, na));  // candidate first
    }
    if (tables.empty()) {
      throw InputError("compare: " + baseline_name + " and " + candidate_name +
                       " have no nominal task in common");
    }
    const auto adjusted = metrics::adjust_p_values(p, metrics::parse_adjustment(o.adjustment));
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
      r.tasks[t].p_adjusted = adjusted[t];
      r.tasks[t].verdict = verdict_text(r.tasks[t].difference, adjusted[t] <= o.alpha);
    }
    const auto cmh = metrics::cochran_mantel_haenszel(tables);
    const boost::math::normal_distribution<double> normal;
    auto& l = r.overall;
    l.task = "overall";
    l.difference = cmh.risk_difference;
    l.candidate = cmh.rate1;
    l.baseline = cmh.rate2;
    const bool informative = std::isfinite(cmh.z);
    l.p_value = informative ? boost::math::cdf(normal, cmh.z) : 1.0;
    l.p_greater = informative ? boost::math::cdf(boost::math::complement(normal, cmh.z)) : 1.0;
    l.p_two_sided = std::min(1.0, 2.0 * std::min(l.p_value, l.p_greater));
    l.p_adjusted = l.p_value;
    const double z2 = boost::math::quantile(normal, 1.0 - o.alpha / 2);
    l.ci = {l.difference - z2 * cmh.risk_difference_se, l.difference + z2 * cmh.risk_difference_se};
    l.verdict = overall_verdict(l, o.alpha);
    if (o.margin > 0.0) {
      const double upper =
          l.difference + boost::math::quantile(normal, 1.0 - o.alpha) * cmh.risk_difference_se;
      r.regression = upper < -o.margin;
      std::snprintf(buf, sizeof buf,
                    "%s: Mantel-Haenszel difference %+.1f points (unpaired); its one-sided %.0f%% "
                    "upper bound %+.1f "
                    "%s below -%.1f (margin)",
                    r.regression ? "regression" : "no regression", 100 * l.difference,
                    100 * (1 - o.alpha), 100 * upper, r.regression ? "lies" : "does not lie",
                    100 * o.margin);
    } else {
      r.regression = l.p_value <= o.alpha && l.difference < 0;
      std::snprintf(
          buf, sizeof buf,
          "%s: Mantel-Haenszel difference %+.1f points (unpaired: the files used different seeds), "
          "one-sided CMH test (candidate worse) p = %.3g %s alpha = %.3g",
          r.regression ? "regression" : "no regression", 100 * l.difference, l.p_value,
          l.p_value <= o.alpha ? "at most" : "above", o.alpha);
    }
  }
  r.reason = buf;
  if (r.paired && is_chain_run(baseline) && is_chain_run(candidate)) {
    // Chain suites: the gate is the paired test of the average length (CALVIN's metric).
    const auto [la, lb] = paired_lengths(baseline, candidate);
    if (!la.empty()) {
      metrics::BootstrapOptions boot;
      boot.resamples = o.resamples;
      boot.seed = o.seed + 7;
      boot.level = 1.0 - o.alpha;
      ChainComparison c;
      c.test = metrics::paired_length_test(la, lb, boot);
      const auto& t = c.test;
      // As the overall verdict: each direction one-sided at alpha.
      c.verdict = t.p_less <= o.alpha && t.difference < 0      ? "worse"
                  : t.p_greater <= o.alpha && t.difference > 0 ? "better"
                                                               : "no significant difference";
      r.test = "exact paired sign-flip test of the mean difference in chain length";
      r.exact = t.exact;
      if (o.margin > 0.0) {
        boot.level = 1.0 - 2.0 * o.alpha;
        const auto wide = metrics::paired_length_test(la, lb, boot).ci;
        r.regression = wide.hi < -o.margin && t.difference < -o.margin;
        std::snprintf(buf, sizeof buf,
                      "%s: average length %.2f vs %.2f (difference %+.2f subtasks over %lld "
                      "paired chains); the upper end of its %.0f%% paired bootstrap interval "
                      "[%+.2f, %+.2f] %s below -%.2f (margin, in subtasks; one-sided at alpha = "
                      "%.3g)",
                      r.regression ? "regression" : "no regression", t.candidate, t.baseline,
                      t.difference, static_cast<long long>(t.pairs), 100 * (1 - 2 * o.alpha),
                      wide.lo, wide.hi, r.regression ? "lies" : "does not lie", o.margin, o.alpha);
      } else {
        r.regression = t.p_less <= o.alpha && t.difference < 0;
        std::snprintf(buf, sizeof buf,
                      "%s: average length %.2f vs %.2f (difference %+.2f subtasks over %lld "
                      "paired chains), one-sided exact paired sign-flip test (candidate worse) "
                      "p = %.3g %s alpha = %.3g",
                      r.regression ? "regression" : "no regression", t.candidate, t.baseline,
                      t.difference, static_cast<long long>(t.pairs), t.p_less,
                      t.p_less <= o.alpha ? "at most" : "above", o.alpha);
      }
      r.reason = buf;
      r.chains = std::move(c);
    }
  }
  if (r.corrected) r.reason = "CORRECTED for the world-model judge: " + r.reason;
  if (r.partial) {
    std::snprintf(buf, sizeof buf,
                  "PARTIAL comparison (--allow-partial): the candidate covers %d of %d baseline "
                  "episodes (%d of %d tasks complete); ",
                  r.covered_episodes, r.baseline_plan_episodes, r.covered_tasks,
                  r.baseline_plan_tasks);
    r.reason = buf + r.reason;
  }
  // What the candidate's episodes cost, for the JUnit `time` attributes. The
  // overall line keeps 0 so that a suite's time (the sum of its cases) is not
  // counted twice.
  for (const auto& e : candidate.episodes) {
    if (e.perturbation_id != "nominal") continue;
    for (auto& line : r.tasks) {
      if (line.task == e.task_id) line.candidate_wall_time_s += e.wall_time_s;
    }
  }
  return r;
}

}  // namespace gauntlet::reports
