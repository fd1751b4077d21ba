#include "reports/compare.hpp"

#include <cmath>
#include <cstdio>

#include "harness/errors.hpp"
#include "metrics/multiple_testing.hpp"
#include "metrics/paired_comparison.hpp"

namespace gauntlet::reports {
namespace {

CompareLine compare_scores(const std::string& name, const metrics::TaskScores& a, const metrics::TaskScores& b,
                           const CompareOptions& o, std::uint64_t seed) {
  CompareLine line;
  line.task = name;
  const auto counts = metrics::paired_counts(a, b);
  line.pairs = static_cast<int>(counts.pairs());
  line.baseline_only = counts.a_only;
  line.candidate_only = counts.b_only;
  double sa = 0, sb = 0;
  for (std::size_t t = 0; t < a.tasks(); ++t) {
    double ma = 0, mb = 0;
    for (const double v : a.task(t)) ma += v;
    for (const double v : b.task(t)) mb += v;
    sa += ma / static_cast<double>(a.task_size(t));
    sb += mb / static_cast<double>(b.task_size(t));
  }
  line.baseline = sa / static_cast<double>(a.tasks());
  line.candidate = sb / static_cast<double>(b.tasks());
  line.difference = line.candidate - line.baseline;
  line.p_value = metrics::mcnemar_exact(counts).p_value;
  line.p_adjusted = line.p_value;
  metrics::BootstrapOptions boot;
  boot.resamples = o.resamples;
  boot.seed = seed;
  boot.level = 1.0 - o.alpha;
  line.ci = metrics::paired_bootstrap_difference(a, b, {}, boot).interval;
  return line;
}

metrics::TaskScores one_task(const metrics::TaskScores& s, std::size_t t) {
  metrics::TaskScores out;
  out.add_task(s.task(t));
  return out;
}

}  // namespace

CompareResult compare_runs(const RunResults& baseline, const std::string& baseline_name, const RunResults& candidate,
                           const std::string& candidate_name, const CompareOptions& o) {
  const auto& hb = baseline.header;
  const auto& hc = candidate.header;
  if (hb.suite_name != hc.suite_name || hb.suite_hash != hc.suite_hash) {
    throw InputError("compare: " + candidate_name + " holds suite '" + hc.suite_name + "' (hash " +
                     hc.suite_hash.substr(0, 12) + ") but " + baseline_name + " holds '" + hb.suite_name + "' (hash " +
                     hb.suite_hash.substr(0, 12) + "); compare results of one suite version");
  }
  if (o.require_pairing && hb.suite_seed != hc.suite_seed) {
    throw InputError("compare: " + candidate_name + " used seed " + std::to_string(hc.suite_seed) + " but " +
                     baseline_name + " used " + std::to_string(hb.suite_seed) +
                     "; paired comparison needs the same episodes (rerun with the same --seed)");
  }
  const PairedLayout layout = paired_layout({&baseline, &candidate});
  if (layout.common_episodes == 0) {
    throw InputError("compare: " + baseline_name + " and " + candidate_name +
                     " have no nominal episode in common (same task and episode index)");
  }
  CompareResult r;
  r.suite = hb.suite_name;
  r.baseline_file = baseline_name;
  r.candidate_file = candidate_name;
  r.baseline_policy = hb.policy_name;
  r.candidate_policy = hc.policy_name;
  r.options = o;
  r.excluded_sim_errors = layout.excluded_sim_errors;
  r.unmatched_episodes = layout.unmatched_episodes;
  const auto& a = layout.success[0];
  const auto& b = layout.success[1];
  std::vector<double> p;
  for (std::size_t t = 0; t < a.tasks(); ++t) {
    r.tasks.push_back(compare_scores(layout.tasks[t], one_task(a, t), one_task(b, t), o, o.seed + 101 * (t + 1)));
    p.push_back(r.tasks.back().p_value);
  }
  const auto adjusted = metrics::adjust_p_values(p, metrics::parse_adjustment(o.adjustment));
  for (std::size_t t = 0; t < r.tasks.size(); ++t) {
    auto& line = r.tasks[t];
    line.p_adjusted = adjusted[t];
    line.verdict = verdict_text(line.difference, line.p_adjusted <= o.alpha);
  }
  r.overall = compare_scores("overall", a, b, o, o.seed);
  const bool significant = r.overall.p_value <= o.alpha;
  r.overall.verdict = verdict_text(r.overall.difference, significant);
  char buf[256];
  if (o.margin > 0.0) {
    // One-sided at alpha: the whole (1 - 2 alpha) interval lies below -margin.
    metrics::BootstrapOptions boot;
    boot.resamples = o.resamples;
    boot.seed = o.seed;
    boot.level = 1.0 - 2.0 * o.alpha;
    const auto ci = metrics::paired_bootstrap_difference(a, b, {}, boot).interval;
    r.regression = ci.hi < -o.margin;
    std::snprintf(buf, sizeof buf, "%s: the %.0f%% interval of the difference [%.1f, %.1f] points %s below -%.1f (margin)",
                  r.regression ? "regression" : "no regression", 100 * (1 - 2 * o.alpha), 100 * ci.lo, 100 * ci.hi,
                  r.regression ? "lies entirely" : "does not lie entirely", 100 * o.margin);
  } else {
    r.regression = significant && r.overall.difference < 0;
    std::snprintf(buf, sizeof buf, "%s: difference %+.1f points, exact McNemar p = %.3g %s alpha = %.3g",
                  r.regression ? "regression" : "no regression", 100 * r.overall.difference, r.overall.p_value,
                  significant ? "at most" : "above", o.alpha);
  }
  r.reason = buf;
  return r;
}

}  // namespace gauntlet::reports
