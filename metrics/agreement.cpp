#include "metrics/agreement.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/correlation.hpp"
#include "metrics/random.hpp"
#include "metrics/stratified_bootstrap.hpp"

namespace gauntlet::metrics {
namespace {

void fill_point(AgreementResult& out, double level) {
  if (out.x_scores.size() < 3) {
    throw std::invalid_argument("agreement: need at least 3 policies, got " +
                                std::to_string(out.x_scores.size()));
  }
  const auto p = pearson(out.x_scores, out.y_scores, level);
  out.pearson = {p.r, p.p_value, std::nullopt};
  out.pearson_fisher_interval = p.interval;
  const auto s = spearman(out.x_scores, out.y_scores);
  out.spearman = {s.statistic, s.p_value, std::nullopt};
  const auto k = kendall_tau_b(out.x_scores, out.y_scores);
  out.kendall = {k.statistic, k.p_value, std::nullopt};
  out.mmrv = {mean_maximum_rank_violation(out.x_scores, out.y_scores),
              std::numeric_limits<double>::quiet_NaN(), std::nullopt};
  out.level = level;
}

// Replicates of the policy scores (columns in `order`), or nothing for a rates-only table.
std::optional<ReplicateMatrix> score_replicates(const EvaluationTable& t,
                                                const std::vector<std::size_t>& order,
                                                BootstrapOptions options) {
  if (!t.per_episode) return std::nullopt;
  std::vector<TaskScores> policies;
  for (std::size_t p : order) policies.push_back(t.episodes[p]);
  options.method = BootstrapMethod::kPercentile;
  return stratified_replicates(policies, AggregateSpec{}, options, Resampling::kIndependent);
}

std::optional<Interval> finite_percentile(std::vector<double> v, double level) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return percentile_interval(v, level);
}

}  // namespace

AgreementResult agreement(std::span<const double> x, std::span<const double> y, double level) {
  if (x.size() != y.size()) throw std::invalid_argument("agreement: x and y differ in length");
  AgreementResult out;
  out.x_scores.assign(x.begin(), x.end());
  out.y_scores.assign(y.begin(), y.end());
  for (std::size_t i = 0; i < x.size(); ++i) out.policies.push_back(std::to_string(i));
  fill_point(out, level);
  return out;
}

AgreementResult agreement(const EvaluationTable& x, const EvaluationTable& y,
                          const BootstrapOptions& bootstrap) {
  validate(bootstrap);
  for (const auto& name : y.policies) {
    if (x.policy_index(name) == x.policies.size()) {
      throw std::invalid_argument("agreement: policy '" + name +
                                  "' is in the reference evaluation but not in the other one");
    }
  }
  std::vector<std::size_t> x_order;
  std::vector<std::size_t> y_order;
  for (std::size_t i = 0; i < x.policies.size(); ++i) {
    const std::size_t j = y.policy_index(x.policies[i]);
    if (j == y.policies.size()) {
      throw std::invalid_argument("agreement: policy '" + x.policies[i] +
                                  "' is in the evaluation under test but not in the reference");
    }
    x_order.push_back(i);
    y_order.push_back(j);
  }
  AgreementResult out;
  out.policies = x.policies;
  const auto xs = x.policy_scores();
  const auto ys = y.policy_scores();
  for (std::size_t i = 0; i < x_order.size(); ++i) {
    out.x_scores.push_back(xs[x_order[i]]);
    out.y_scores.push_back(ys[y_order[i]]);
  }
  fill_point(out, bootstrap.level);
  if (!x.per_episode && !y.per_episode) return out;

  BootstrapOptions y_options = bootstrap;
  y_options.seed = stream_seed(bootstrap.seed, 0xa9, 1);  // independent of x's draws
  const auto rx = score_replicates(x, x_order, bootstrap);
  const auto ry = score_replicates(y, y_order, y_options);
  const auto b = static_cast<std::size_t>(bootstrap.resamples);
  const std::size_t n = out.policies.size();
  std::vector<double> pr(b);
  std::vector<double> sr(b);
  std::vector<double> kr(b);
  std::vector<double> mr(b);
  std::vector<double> xb(n);
  std::vector<double> yb(n);
  for (std::size_t r = 0; r < b; ++r) {
    for (std::size_t i = 0; i < n; ++i) {
      xb[i] = rx ? (*rx)(r, i) : out.x_scores[i];
      yb[i] = ry ? (*ry)(r, i) : out.y_scores[i];
    }
    pr[r] = pearson(xb, yb, bootstrap.level).r;
    sr[r] = spearman(xb, yb).statistic;
    kr[r] = kendall_tau_b(xb, yb).statistic;
    mr[r] = mean_maximum_rank_violation(xb, yb);
  }
  out.pearson.interval = finite_percentile(std::move(pr), bootstrap.level);
  out.spearman.interval = finite_percentile(std::move(sr), bootstrap.level);
  out.kendall.interval = finite_percentile(std::move(kr), bootstrap.level);
  out.mmrv.interval = finite_percentile(std::move(mr), bootstrap.level);
  out.resamples = bootstrap.resamples;
  return out;
}

}  // namespace gauntlet::metrics
